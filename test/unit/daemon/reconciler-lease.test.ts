// The reconciler as the daemon wires it, under the host lease: on standby a pass observes and
// plans but changes nothing (no pod, no Service rule, no record) and its view says who acts;
// once the lease is ours the same pass acts.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { Reconciler } from '../../../src/daemon/reconciler.js';
import type { LeaseView } from '../../../src/model/views.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { ServiceDataPlane } from '../../../src/runtime/service-data-plane.js';
import { MemorySource } from '../../support/memory-source.js';
import { tempHistoryStore } from '../history/temp-state-dir.js';
import { shopApp as app, fakeHosts, webWithService } from './fixtures.js';

const hosts = fakeHosts(2);

const STANDBY: LeaseView = {
  role: 'standby',
  holder: 'ops-02-bbbbbbbbbbbb',
  reason: 'HeldByOther',
  heldBy: {
    holder: 'ci-01-aaaaaaaaaaaa',
    description: 'ci-01 pid 100 /var/lib/skiff',
    until: 0,
    hosts: ['h1', 'h2'],
  },
  hosts: [],
  message: 'standby: hosts leased by ci-01 pid 100 /var/lib/skiff',
  checkedAt: 0,
};
const ACTING: LeaseView = {
  role: 'acting',
  holder: STANDBY.holder,
  hosts: ['h1', 'h2'],
  message: 'acting',
  checkedAt: 0,
};

async function world() {
  const now = 1_700_000_000_000;
  const clock = { now: () => now };
  const runtime = new FakeRuntime(hosts, clock);
  runtime.hostExecHandler = () => ({ exitCode: 0, stdout: '', stderr: '' });
  const source = new MemorySource();
  const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
  const history = tempHistoryStore();
  let lease = STANDBY;
  let seed = 42;
  const reconciler = new Reconciler({
    runtime,
    trackers: [tracker],
    history,
    log: pino({ level: 'silent' }),
    clock,
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    },
    hostGracePeriodMs: 40_000,
    services: new ServiceDataPlane(runtime, { serviceCIDR: '10.213.200.0/24', clock }),
    lease: () => lease,
  });
  source.push(webWithService(3));
  await tracker.refresh(now);
  const pods = async () => (await runtime.observe()).pods.length;
  const hostCommands = () => hosts.flatMap((h) => runtime.hostCommands(h.name));
  return { reconciler, history, pods, hostCommands, setLease: (l: LeaseView) => (lease = l) };
}

describe('Reconciler under the host lease', () => {
  it('on standby plans the pods but creates none, writes no rules, records nothing', async () => {
    const w = await world();
    const s = await w.reconciler.pass();
    expect(s.acted).toBe(false);
    expect(s.actions.filter((a) => a.type === 'createPod')).toHaveLength(3);
    expect(s.results).toEqual([]);
    expect(await w.pods()).toBe(0);
    expect(w.hostCommands()).toEqual([]);
    expect(w.history.listSyncs({ limit: 10 })).toEqual([]);
    expect(w.reconciler.view?.lease).toEqual(STANDBY);
    expect(w.reconciler.view?.apps[0]?.sync).toBe('OutOfSync');
  });

  it('acts once the lease is ours', async () => {
    const w = await world();
    await w.reconciler.pass();
    w.setLease(ACTING);
    const s = await w.reconciler.pass();
    expect(s.acted).toBe(true);
    expect(await w.pods()).toBe(3);
    expect(w.hostCommands().length).toBeGreaterThan(0);
    expect(w.history.listSyncs({ limit: 10 }).map((r) => r.result)).toEqual(['Synced']);
    expect(w.reconciler.view?.lease?.role).toBe('acting');
  });
});
