// The rollout section of `skiff plan`: the waves recorded from the simulation of the real pass,
// checked step by step against what the Deployment controller does (maxSurge/maxUnavailable
// rounding, Recreate), the floor with new pods not ready until the step after, the estimate
// from either source, HPA-owned replicas and PodDisruptionBudgets.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/model/k8s.js';
import type { ObservedPod } from '../../../src/model/observed.js';
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

type Extra = Partial<Parameters<typeof simulatePlan>[0]> & {
  observedPods?: (pods: ObservedPod[]) => ObservedPod[];
};

function rolloutOf(live: string, next: string, { observedPods, ...extra }: Extra = {}) {
  const liveObjects = live === '' ? [] : objectsFrom(live);
  const world = liveWorld(liveObjects);
  if (observedPods) world.pods = observedPods(world.pods);
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

describe('rollout estimate', () => {
  const probe =
    'readinessProbe: { httpGet: { path: /, port: 80 }, initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2 }';

  it('from the readiness probe when nothing is recorded: initialDelay + period x successThreshold, plus minReadySeconds', () => {
    const { rollout } = rolloutOf('', deployment({ probe, minReady: 3 }));
    expect(rollout.estimate).toEqual({
      seconds: 12,
      waves: 1,
      podReadySeconds: 9,
      minReadySeconds: 3,
      source: 'probe',
      samples: 0,
    });
  });

  it("from the probe's Kubernetes defaults (period 10 s) when only a handler is written", () => {
    const { rollout } = rolloutOf('', deployment({ probe: 'readinessProbe: { tcpSocket: { port: 80 } }' }));
    expect(rollout.estimate).toMatchObject({ seconds: 10, podReadySeconds: 10, source: 'probe' });
  });

  it("from the daemon's recorded starts: the median, per wave", () => {
    const podStarts = new Map([['default/web', [4000, 4200, 9000]]]);
    const { rollout } = rolloutOf(deployment({ probe }), deployment({ image: '2', probe }), { podStarts });
    expect(rollout.estimate).toEqual({
      seconds: 12.6,
      waves: 3,
      podReadySeconds: 4.2,
      minReadySeconds: 0,
      source: 'recorded',
      samples: 3,
    });
  });

  it("from the observed pods' created -> started when no daemon recorded any", () => {
    const liveObjects = deployment();
    const { rollout } = rolloutOf(liveObjects, deployment({ image: '2' }), {
      observedPods: (pods) =>
        pods.map((p) => ({
          ...p,
          containers: p.containers.map((c) => ({ ...c, startedAt: p.createdAt + 2500 })),
        })),
    });
    expect(rollout.estimate).toMatchObject({
      podReadySeconds: 2.5,
      samples: 3,
      source: 'recorded',
      seconds: 7.5,
    });
  });
});

describe('rollout replicas and budgets', () => {
  const hpa = `
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 6
`;

  it("uses the HPA's replica count when it owns the replicas", () => {
    const replicaOverrides = { 'Deployment/default/web': { replicas: 4, owner: 'hpa/web' } };
    const { rollout } = rolloutOf(
      deployment({ extra: hpa }),
      deployment({ image: '2', replicas: 2, extra: hpa }),
      {
        replicaOverrides,
      },
    );
    expect(rollout).toMatchObject({ replicasOwnedBy: 'hpa/web', replicasBefore: 3, replicasAfter: 4 });
    expect(rollout.reason).toBe('image registry.local/web:1 -> registry.local/web:2');
    expect(rollout.steps.reduce((n, s) => n + s.created, 0)).toBe(4);
    expect(rollout.steps.at(-1)!.total).toBe(4);
  });

  it("without the daemon's count, an HPA keeps the live replicas within its bounds, not spec.replicas", () => {
    const { rollout, plan } = rolloutOf(
      deployment({ extra: hpa }),
      deployment({ image: '2', replicas: 1, extra: hpa }),
    );
    expect(rollout).toMatchObject({ replicasOwnedBy: 'hpa/web', replicasBefore: 3, replicasAfter: 3 });
    expect(plan.placement.reduce((n, p) => n + p.after, 0)).toBe(3);
  });

  it.each([
    ['minAvailable: 2', 'minAvailable 2', 2, true],
    ['minAvailable: 3', 'minAvailable 3', 3, false],
    ['minAvailable: 50%', 'minAvailable 50%', 2, true],
    ['maxUnavailable: 1', 'maxUnavailable 1', 2, true],
    ['maxUnavailable: 10%', 'maxUnavailable 10%', 2, true],
  ])('PDB %s next to a floor of 2 (maxUnavailable 1 of 3)', (budget, limit, desiredHealthy, respected) => {
    const strategy = 'strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }';
    const pdbs = `
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec: { ${budget}, selector: { matchLabels: { app: web } } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: other }
spec: { minAvailable: 1, selector: { matchLabels: { app: other } } }
`;
    const { rollout, plan } = rolloutOf(
      deployment({ strategy }),
      deployment({ image: '2', strategy, extra: pdbs }),
    );
    expect(rollout.floor).toBe(2);
    expect(rollout.pdbs).toEqual([{ name: 'pdb/web', limit, desiredHealthy, respected }]);
    const warned = plan.warnings.filter((w) => w.includes('goes below pdb/web'));
    expect(warned).toEqual(
      respected
        ? []
        : [
            `deployment/web: the rollout's floor 2 goes below pdb/web ${limit} (${desiredHealthy} wanted); Kubernetes rollouts do not honour PodDisruptionBudgets either, only evictions do`,
          ],
    );
  });
});

describe('rollout reason', () => {
  const config = (level: string) => `
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config }
data: { LOG_LEVEL: ${level}, OTHER: x }
`;
  const reads =
    'env: [{ name: LOG_LEVEL, valueFrom: { configMapKeyRef: { name: web-config, key: LOG_LEVEL } } }]';

  it('names the ConfigMap key the Deployment reads when only the config changed', () => {
    const { rollout } = rolloutOf(
      deployment({ probe: reads, extra: config('info') }),
      deployment({ probe: reads, extra: config('debug') }),
    );
    expect(rollout.reason).toBe('configmap/web-config key LOG_LEVEL');
    expect(rollout.steps.reduce((n, s) => n + s.created, 0)).toBe(3);
  });

  it('names other template fields, and a scale alone', () => {
    const { plan } = rolloutOf(
      `${deployment()}\n---\n${deployment().replace(/web/g, 'worker')}`,
      `${deployment({ probe: 'args: [--fast]' })}\n---\n${deployment({ replicas: 5 }).replace(/web/g, 'worker')}`,
    );
    expect(plan.rollouts.map((r) => [r.name, r.reason])).toEqual([
      ['web', 'template change: spec.template.spec.containers[web].args'],
      ['worker', 'scale 3 -> 5'],
    ]);
  });
});
