// The autoscaler wired as the daemon wires it (reconciler + app tracker + FakeRuntime), with a
// fake clock and usage set on the fake runtime: a Deployment under load scales up through real
// reconcile passes, a Git replicas change does not move it, idle it scales down after the
// window, and removing the HPA hands replicas back to Git.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/cluster-config.js';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { Autoscaler } from '../../../src/daemon/autoscaler.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { Reconciler } from '../../../src/daemon/reconciler.js';
import { type FakeHost, FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MemorySource } from '../../support/memory-source.js';

const T0 = 1_700_000_000_000;
const INTERVAL = 15_000;

function manifest(replicas: number, withHpa = true): string {
  const hpa = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web-hpa }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 1
  maxReplicas: 5
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
  behavior:
    scaleDown: { stabilizationWindowSeconds: 20 }
`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          resources: { requests: { cpu: 100m } }
${withHpa ? hpa : ''}`;
}

const app: AppConfig = {
  name: 'shop',
  repoURL: 'memory://shop',
  revision: 'main',
  path: '.',
  syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false },
  poll: { interval: '30s' },
  rollback: { autoRestore: true },
};

const hosts: FakeHost[] = ['h1', 'h2', 'h3'].map((name, i) => ({
  name,
  kind: 'ssh',
  address: `10.213.0.${11 + i}`,
  labels: {},
  taints: [],
  capacity: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3 },
}));

function world() {
  let now = T0;
  let seed = 42;
  const clock = { now: () => now };
  const runtime = new FakeRuntime(hosts, clock);
  const source = new MemorySource();
  const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
  let wakes = 0;
  const log = pino({ level: 'silent' });
  const autoscaler = new Autoscaler({
    runtime,
    apps: () => {
      const a = tracker.snapshot().admitted;
      return a ? [{ name: tracker.name, objects: a.objects }] : [];
    },
    log,
    clock,
    intervalMs: INTERVAL,
    onReplicasChange: () => wakes++,
    // The first sweep reads twice (the CPU rate needs two points): its wait is fake time.
    sleep: async (ms) => {
      now += ms;
    },
  });
  const reconciler = new Reconciler({
    runtime,
    trackers: [tracker],
    log,
    clock,
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    },
    hostGracePeriodMs: 40_000,
    autoscaler,
  });
  const webPods = async () =>
    (await runtime.observe()).pods.filter((p) => p.ownerName === 'web' && !p.terminating);
  /** Passes until nothing is left to do (deletions and creations settle). */
  const converge = async () => {
    for (let i = 0; i < 10; i++) {
      const s = await reconciler.pass();
      if (s.actions.length === 0) return s;
      now += 1000;
    }
    throw new Error('did not converge');
  };
  return {
    runtime,
    source,
    tracker,
    autoscaler,
    reconciler,
    webPods,
    converge,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
    wakes: () => wakes,
  };
}

describe('Autoscaler with the reconciler', () => {
  it('scales a Deployment up under load, holds it against Git, scales down idle, hands back on removal', async () => {
    const w = world();
    w.source.push(manifest(1));
    await w.tracker.refresh(w.now());
    await w.converge();
    expect(await w.webPods()).toHaveLength(1);
    expect(w.reconciler.view?.deployments[0]?.replicasOwnedBy).toBe('hpa/web-hpa (live 1, bounds 1..5)');

    // Past the CPU initialization period, the one pod burns 300m of its 100m request.
    w.advance(10 * 60_000);
    await w.converge();
    const [first] = await w.webPods();
    w.runtime.setUsage(first!, 'web', { cpuMilli: 300, memoryBytes: 20 * 1024 ** 2 });
    const tick = await w.autoscaler.tick();
    expect(tick?.sweep.pods).toEqual([expect.objectContaining({ pod: first!.name, cpuMilli: 300 })]);
    // ceil(1 * 300 / 50) = 6, capped by the default scale-up policy max(+100%, +4) = 5.
    expect(tick?.result.changed).toBe(true);
    expect(w.wakes()).toBe(1);
    await w.converge();
    const scaled = await w.webPods();
    expect(scaled).toHaveLength(5);
    expect(new Set(scaled.map((p) => p.host)).size).toBe(3);
    expect(w.autoscaler.views()[0]).toMatchObject({
      reference: 'Deployment/web',
      targets: 'cpu: 300%/50%',
      currentReplicas: 5,
      minReplicas: 1,
      maxReplicas: 5,
    });

    // A commit that changes replicas in Git does not fight the HPA.
    w.source.push(manifest(3));
    expect((await w.tracker.refresh(w.now())).admittedChanged).toBe(true);
    await w.converge();
    expect(await w.webPods()).toHaveLength(5);

    // Load stops. The four new pods are read for the first time in this sweep: no CPU rate yet
    // (a rate needs two reads, as with metrics-server), so they are missing metrics, which
    // count as 100% of their request when scaling down; the window holds 5 anyway.
    w.runtime.setUsage(first!, 'web', { cpuMilli: 0, memoryBytes: 20 * 1024 ** 2 });
    w.advance(INTERVAL);
    await w.converge();
    const idle = await w.autoscaler.tick();
    expect(idle?.sweep.podsWithoutRate).toHaveLength(4);
    expect(idle?.sweep.pods.map((p) => p.pod)).toEqual([first!.name]);
    expect(w.autoscaler.overrides()['Deployment/default/web']?.replicas).toBe(5);
    // Every pod has a rate (0m) from the next sweep on: held while the 20 s window still
    // holds the last high recommendation, then down to the minimum.
    const replicas: (number | undefined)[] = [];
    for (let i = 0; i < 2; i++) {
      w.advance(INTERVAL);
      await w.converge();
      const t = await w.autoscaler.tick();
      expect(t?.sweep.podsWithoutRate).toEqual([]);
      expect(t?.sweep.pods.every((p) => p.cpuMilli === 0)).toBe(true);
      replicas.push(w.autoscaler.overrides()['Deployment/default/web']?.replicas);
    }
    expect(replicas).toEqual([5, 1]);
    await w.converge();
    expect(await w.webPods()).toHaveLength(1);

    // The HPA leaves Git: replicas are Git's again (3).
    w.source.push(manifest(3, false));
    await w.tracker.refresh(w.now());
    await w.converge();
    expect(w.autoscaler.overrides()).toEqual({});
    expect(await w.webPods()).toHaveLength(3);
    expect(w.reconciler.view?.deployments[0]?.replicasOwnedBy).toBeUndefined();
  });

  it('does not sweep before the reconciler has observed, and sweeps only Ready hosts', async () => {
    const w = world();
    expect(await w.autoscaler.tick()).toBeUndefined();
    w.source.push(manifest(2));
    await w.tracker.refresh(w.now());
    await w.converge();
    w.runtime.setHostReachable('h2', false);
    await w.reconciler.pass();
    const tick = await w.autoscaler.tick();
    expect(tick?.sweep.hosts).toEqual(['h1', 'h3']);
    expect(tick?.sweep.failures).toEqual([]);
  });
});
