// A host removed from skiff.yaml, through the reconciler (fake runtime, fake clock, a prober
// that makes a container Ready one pass after it first sees it): its pods are evicted one at a
// time as the PodDisruptionBudget allows, each replacement Ready elsewhere before the next
// eviction, Ready never below minAvailable, and the emptied host is forgotten.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { type ProbeSource, Reconciler } from '../../../src/daemon/reconciler.js';
import type { Observed, ProbeResults } from '../../../src/model/observed.js';
import type { DrainRequest, HostRemoval, PassEvent } from '../../../src/reconcile/pass.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MemorySource } from '../../support/memory-source.js';
import { seeded } from '../reconcile/fake-world.js';
import { shopApp as app, fakeHosts } from './fixtures.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          readinessProbe: { httpGet: { path: /, port: 8080 } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec:
  minAvailable: 2
  selector: { matchLabels: { app: web } }
`;

/** Ready from the second time a container is seen: a replacement is never Ready in the pass
 *  that creates it. */
class SlowProber implements ProbeSource {
  private seen = new Map<string, number>();
  private round = 0;
  constructor(private readonly now: () => number) {}
  sync(observed: Observed): void {
    this.round++;
    for (const p of observed.pods)
      for (const c of p.containers) if (!this.seen.has(c.id)) this.seen.set(c.id, this.round);
  }
  results(): ProbeResults {
    const out: ProbeResults = {};
    for (const [id, first] of this.seen) {
      const ready = this.round > first;
      out[id] = { startupPassed: true, ready, live: true, ...(ready ? { readySince: this.now() } : {}) };
    }
    return out;
  }
  readyIds(): Set<string> {
    return new Set(Object.entries(this.results()).flatMap(([id, r]) => (r.ready ? [id] : [])));
  }
}

describe('removing a host from the inventory, through the reconciler', () => {
  it('drains it under minAvailable 2 (3 replicas), never below 2 Ready, then forgets it', async () => {
    let now = 1_700_000_000_000;
    const clock = { now: () => now };
    const runtime = new FakeRuntime(fakeHosts(4), clock);
    const source = new MemorySource();
    source.push(MANIFEST);
    const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
    await tracker.refresh(now);
    const prober = new SlowProber(clock.now);
    // First every pod lands on h1 (the others cordoned), then h1 leaves skiff.yaml.
    let drains: DrainRequest[] = ['h2', 'h3', 'h4'].map((host) => ({ host, force: false, since: now }));
    let removals: HostRemoval[] = [];
    const forgotten: string[] = [];
    const reconciler = new Reconciler({
      runtime,
      trackers: [tracker],
      log: pino({ level: 'silent' }),
      clock,
      random: seeded(11),
      hostGracePeriodMs: 40_000,
      prober,
      drains: () => drains,
      removals: () => removals,
      forgetHost: async (_host, name) => {
        runtime.forgetHost(name);
        removals = removals.filter((r) => r.host !== name);
        forgotten.push(name);
      },
    });
    const readyWeb = async () => {
      const ready = prober.readyIds();
      const deleting = new Set(reconciler.inflight.keys());
      return (await runtime.observe()).pods.filter(
        (p) =>
          p.ownerName === 'web' &&
          !deleting.has(`${p.host}/${p.namespace}/${p.name}`) &&
          p.containers.every((c) => ready.has(c.id)),
      );
    };
    for (let i = 0; i < 10 && (await readyWeb()).length < 3; i++, now += 1000) {
      await reconciler.pass();
    }
    expect((await readyWeb()).map((p) => p.host)).toEqual(['h1', 'h1', 'h1']);

    drains = [];
    removals = [{ host: 'h1', since: now }];
    const events: PassEvent[] = [];
    let minReady = 3;
    let evictionsPerPass = 0;
    for (let i = 0; i < 30 && forgotten.length === 0; i++, now += 1000) {
      const s = await reconciler.pass();
      events.push(...s.result.events);
      evictionsPerPass = Math.max(evictionsPerPass, s.actions.filter((a) => a.type === 'deletePod').length);
      for (const a of s.actions) if (a.type === 'createPod') expect(a.host).not.toBe('h1');
      if (forgotten.length === 0)
        expect(s.result.views.hosts.find((h) => h.name === 'h1')?.removing?.state).toBe('Draining');
      minReady = Math.min(minReady, (await readyWeb()).length);
      await reconciler.inflight.drain();
      minReady = Math.min(minReady, (await readyWeb()).length);
    }
    expect(minReady).toBeGreaterThanOrEqual(2);
    expect(evictionsPerPass).toBe(1);
    expect(forgotten).toEqual(['h1']);
    expect(runtime.hostInfo().map((h) => h.name)).toEqual(['h2', 'h3', 'h4']);
    now += 1000;
    await reconciler.pass();
    const web = await readyWeb();
    expect(web).toHaveLength(3);
    expect(web.every((p) => p.host !== 'h1')).toBe(true);
    const reasons = events.map((e) => e.reason);
    expect(reasons.filter((r) => r === 'HostRemovalStarted')).toHaveLength(1);
    expect(reasons).toContain('HostRemovalBlocked');
    expect(reasons.filter((r) => r === 'HostRemoved')).toHaveLength(1);
    expect(events.find((e) => e.reason === 'HostRemovalBlocked')!.message).toContain('pdb/web');
  });
});
