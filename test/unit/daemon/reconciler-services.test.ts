// The reconciler's Service hook as the daemon wires it (app tracker + FakeRuntime + the real
// ServiceDataPlane): a Ready host whose rules cannot be written is tainted network-unavailable
// and takes no new pod; once it can, it gets the rules before its first pod.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { Reconciler } from '../../../src/daemon/reconciler.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { ServiceDataPlane } from '../../../src/runtime/service-data-plane.js';
import { MemorySource } from '../../support/memory-source.js';
import { shopApp as app, fakeHosts, webWithService as manifest } from './fixtures.js';

const hosts = fakeHosts(2);

function world() {
  let now = 1_700_000_000_000;
  let seed = 42;
  const clock = { now: () => now };
  const runtime = new FakeRuntime(hosts, clock);
  const broken = new Set<string>();
  /** Every host command in order, with the pods created so far, to check what came first. */
  const timeline: string[] = [];
  runtime.hostExecHandler = (host) => {
    if (broken.has(host)) return { exitCode: 1, stdout: '', stderr: 'iptables-save: not found' };
    timeline.push(`rules ${host}`);
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  const createPod = runtime.createPod.bind(runtime);
  runtime.createPod = (host, pod) => {
    timeline.push(`pod ${host}`);
    return createPod(host, pod);
  };
  const source = new MemorySource();
  const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
  const reconciler = new Reconciler({
    runtime,
    trackers: [tracker],
    log: pino({ level: 'silent' }),
    clock,
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    },
    hostGracePeriodMs: 40_000,
    services: new ServiceDataPlane(runtime, { serviceCIDR: '10.213.200.0/24', clock }),
  });
  const podsOn = async (host: string) =>
    (await runtime.observe()).pods.filter((p) => p.host === host && p.ownerName === 'web').length;
  const converge = async () => {
    for (let i = 0; i < 10; i++) {
      const s = await reconciler.pass();
      if (s.actions.length === 0) return s;
      now += 1000;
    }
    throw new Error('did not converge');
  };
  return { runtime, source, tracker, reconciler, broken, timeline, podsOn, converge, now: () => now };
}

describe('Reconciler with the Service data plane', () => {
  it('keeps new pods off a host whose Service rules cannot be written, and says why', async () => {
    const w = world();
    w.broken.add('h2');
    w.source.push(manifest(4));
    await w.tracker.refresh(w.now());
    await w.converge();
    expect(await w.podsOn('h1')).toBe(4);
    expect(await w.podsOn('h2')).toBe(0);
    const h2 = w.reconciler.view?.hosts.find((h) => h.name === 'h2');
    expect(h2?.taints).toContainEqual({
      key: 'node.kubernetes.io/network-unavailable',
      effect: 'NoSchedule',
    });
  });

  it('gives a host the rules before it takes pods once it can, and lifts the taint', async () => {
    const w = world();
    w.broken.add('h2');
    w.source.push(manifest(2));
    await w.tracker.refresh(w.now());
    await w.converge();
    w.broken.delete('h2');
    w.source.push(manifest(6));
    await w.tracker.refresh(w.now());
    await w.converge();
    expect(await w.podsOn('h2')).toBeGreaterThan(0);
    const h2 = w.reconciler.view?.hosts.find((h) => h.name === 'h2');
    expect(h2?.taints).toEqual([]);
    // The rules reached h2 (a read, then an apply that succeeded) before any pod was placed there.
    const firstPod = w.timeline.indexOf('pod h2');
    const firstRules = w.timeline.indexOf('rules h2');
    expect(firstRules).toBeGreaterThanOrEqual(0);
    expect(firstRules).toBeLessThan(firstPod);
    expect(w.runtime.hostCommands('h2').some((c) => c.command.includes('iptables-restore'))).toBe(true);
  });
});
