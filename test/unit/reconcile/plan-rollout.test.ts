// The rollout section of `skiff plan`: the waves recorded from the simulation of the real pass,
// checked step by step against what the Deployment controller does (maxSurge/maxUnavailable
// rounding, Recreate), the floor with new pods not ready until the step after, the estimate
// from either source, HPA-owned replicas and PodDisruptionBudgets.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/model/k8s.js';
import { emptyPassMemory } from '../../../src/reconcile/pass.js';
import { simulatePlan } from '../../../src/reconcile/simulate-plan.js';
import { FakeWorld, host, objectsFrom, runPass } from './fake-world.js';

interface DeploymentOpts {
  image?: string;
  replicas?: number;
  strategy?: string;
  probe?: string;
  extra?: string;
  minReady?: number;
}

const deployment = (o: DeploymentOpts = {}) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${o.replicas ?? 3}
  minReadySeconds: ${o.minReady ?? 0}
  selector: { matchLabels: { app: web } }
  ${o.strategy ?? ''}
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: registry.local/web:${o.image ?? '1'}
          resources: { requests: { cpu: 100m, memory: 32Mi } }
          ${o.probe ?? ''}
${o.extra ?? ''}`;

function seeded(seed = 7) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const hosts = [host('h1'), host('h2'), host('h3')];

/** A world where `objects` of commit c1 run (the real pass, its actions applied). */
function liveWorld(objects: KubeObject[]): FakeWorld {
  const world = new FakeWorld();
  const apps = [{ name: 'demo', commit: 'c1', objects, prune: true }];
  let memory = emptyPassMemory();
  for (let i = 0; i < 20; i++) {
    const r = runPass(world, apps, hosts, memory);
    memory = r.memory;
    world.apply(r.actions);
    world.now += 1000;
    if (r.converged) break;
  }
  return world;
}

function rolloutOf(live: string, next: string, extra: Partial<Parameters<typeof simulatePlan>[0]> = {}) {
  const liveObjects = objectsFrom(live);
  const world = liveWorld(liveObjects);
  const { plan } = simulatePlan({
    app: 'demo',
    prune: true,
    fromCommit: 'c1',
    toCommit: 'c2',
    liveObjects,
    nextObjects: objectsFrom(next),
    observed: { at: world.now, hosts, pods: world.pods },
    now: world.now,
    random: seeded(),
    hostGracePeriodMs: 40_000,
    ...extra,
  });
  return { plan, rollout: plan.rollouts[0]!, world };
}

const steps = (r: { steps: { created: number; deleted: number; ready: number; total: number }[] }) =>
  r.steps.map((s) => [s.created, s.deleted, s.ready, s.total]);

describe('rollout waves recorded from the simulation', () => {
  it('3 -> 3 image bump with the defaults 25%/25%: maxSurge 1, maxUnavailable 0, one pod at a time', () => {
    const { rollout } = rolloutOf(deployment(), deployment({ image: '2' }));
    expect(rollout).toMatchObject({ maxSurge: 1, maxUnavailable: 0, minAvailable: 3, maxPods: 4 });
    expect(rollout.reason).toBe('image registry.local/web:1 -> registry.local/web:2');
    // [created, deleted, ready after (new pods not ready yet), total after]
    expect(steps(rollout)).toEqual([
      [1, 0, 3, 4],
      [1, 1, 3, 4],
      [1, 1, 3, 4],
      [0, 1, 3, 3],
    ]);
    expect([rollout.floor, rollout.ceiling]).toEqual([3, 4]);
    expect([rollout.replicasBefore, rollout.replicasAfter]).toEqual([3, 3]);
  });

  it('3 -> 5 plus an image bump with 25%/25% of 5: maxSurge 2 (rounded up), maxUnavailable 1 (down)', () => {
    const { rollout } = rolloutOf(deployment(), deployment({ image: '2', replicas: 5 }));
    expect(rollout).toMatchObject({ maxSurge: 2, maxUnavailable: 1, minAvailable: 4, maxPods: 7 });
    expect(rollout.reason).toBe('image registry.local/web:1 -> registry.local/web:2; scale 3 -> 5');
    // 4 new (up to 7); once ready, 3 old go (7 - 4 available) and the 5th new one comes.
    expect(steps(rollout)).toEqual([
      [4, 0, 3, 7],
      [1, 3, 4, 5],
    ]);
    expect([rollout.floor, rollout.ceiling]).toEqual([3, 7]);
    expect([rollout.replicasBefore, rollout.replicasAfter]).toEqual([3, 5]);
  });

  it('maxSurge 0 / maxUnavailable 1: one old pod goes, then its replacement, never above 3', () => {
    const strategy = 'strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }';
    const { rollout } = rolloutOf(deployment({ strategy }), deployment({ image: '2', strategy }));
    expect(rollout).toMatchObject({ maxSurge: 0, maxUnavailable: 1, minAvailable: 2, maxPods: 3 });
    expect(steps(rollout)).toEqual([
      [1, 1, 2, 3],
      [1, 1, 2, 3],
      [1, 1, 2, 3],
    ]);
    expect([rollout.floor, rollout.ceiling]).toEqual([2, 3]);
  });

  it('Recreate: every old pod deleted, then every new one created; the floor is 0', () => {
    const strategy = 'strategy: { type: Recreate }';
    const { rollout } = rolloutOf(deployment({ strategy }), deployment({ image: '2', strategy }));
    expect(rollout).toMatchObject({ strategy: 'Recreate', maxSurge: 0, minAvailable: 0, maxPods: 3 });
    expect(steps(rollout)).toEqual([
      [0, 3, 0, 0],
      [3, 0, 0, 3],
    ]);
    expect([rollout.floor, rollout.ceiling]).toEqual([0, 3]);
  });

  it('leaves unchanged Deployments out; a new one is created in one step', () => {
    const worker = deployment().replace(/web/g, 'worker');
    const { plan } = rolloutOf(deployment(), `${deployment({ image: '2' })}\n---\n${worker}`);
    expect(plan.rollouts.map((r) => [r.name, r.reason, steps(r)])).toEqual([
      ['web', 'image registry.local/web:1 -> registry.local/web:2', expect.any(Array)],
      ['worker', 'new deployment', [[3, 0, 0, 3]]],
    ]);
  });
});
