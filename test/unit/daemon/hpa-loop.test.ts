// The HPA loop with a fake clock and hand-made samples: where a new HPA starts, how decisions
// become the replicas the reconciler applies, and how removing an HPA hands them back to Git.
import { describe, expect, it } from 'vitest';
import type { AutoscaledApp } from '../../../src/controllers/hpa-targets.js';
import type { PodMetricSample } from '../../../src/controllers/pod-metrics.js';
import { type HpaHistory, HpaLoop } from '../../../src/daemon/hpa-loop.js';
import type {
  EventInput,
  HpaDecisionInput,
  HpaDecisionRecord,
  HpaRef,
} from '../../../src/history/history-types.js';
import type { Deployment, KubeObject } from '../../../src/model/k8s.js';
import type { Observed, ObservedPod } from '../../../src/model/observed.js';
import { host } from '../controllers/fixtures.js';
import { tempHistoryStore } from '../history/temp-state-dir.js';
import { objectsFrom } from '../reconcile/fake-world.js';

const T0 = 1_700_000_000_000;
const KEY = 'Deployment/default/web';

function manifests(opts: { replicas?: number; hpa?: string | false } = {}): KubeObject[] {
  const hpa =
    opts.hpa === false
      ? ''
      : (opts.hpa ??
        `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web-hpa }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } }
  behavior:
    scaleDown: { stabilizationWindowSeconds: 60 }
`);
  return objectsFrom(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${opts.replicas ?? 3}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          resources: { requests: { cpu: 100m } }
${hpa}`);
}

function apps(objects: KubeObject[]): AutoscaledApp[] {
  return [{ name: 'shop', objects }];
}

/** `n` running, ready pods of the Deployment, started long ago (past CPU initialization). */
function pods(objects: KubeObject[], n: number): ObservedPod[] {
  const dep = objects.find((o): o is Deployment => o.kind === 'Deployment')!;
  return Array.from({ length: n }, (_, i) => ({
    host: `h${(i % 3) + 1}`,
    name: `web-abc-${i}`,
    namespace: 'default',
    app: 'shop',
    ownerKind: 'Deployment' as const,
    ownerName: 'web',
    templateHash: 'abc',
    commit: 'c1',
    labels: { app: 'web' },
    spec: dep.spec.template.spec,
    createdAt: T0 - 3_600_000,
    publishedPorts: [],
    containers: [
      {
        id: `c${i}`,
        name: 'web',
        image: 'web:1',
        state: 'running' as const,
        exitCode: 0,
        startedAt: T0 - 3_600_000,
        restartCount: 0,
        labels: {},
      },
    ],
    probes: {},
  }));
}

function observed(ps: ObservedPod[], at: number): Observed {
  return { at, hosts: [host('h1'), host('h2'), host('h3')], pods: ps };
}

function samples(ps: ObservedPod[], cpuMilli: number, at: number): PodMetricSample[] {
  return ps.map((p) => ({
    namespace: p.namespace,
    pod: p.name,
    cpuMilli,
    memoryBytes: 32 * 1024 * 1024,
    timestamp: at,
    windowMs: 15_000,
    containers: 1,
  }));
}

/** An in-memory HpaHistory with the store's ordering (newest first). */
class MemoryHistory implements HpaHistory {
  decisions: HpaDecisionRecord[] = [];
  events: EventInput[] = [];
  recordHpaDecision(input: HpaDecisionInput) {
    const record = { ...input, id: this.decisions.length + 1, count: 1, lastAt: input.at };
    this.decisions.push(record);
    return record;
  }
  listHpaDecisions(hpa: HpaRef, limit: number): HpaDecisionRecord[] {
    return this.decisions
      .filter((d) => d.namespace === hpa.namespace && d.hpa === hpa.name)
      .reverse()
      .slice(0, limit);
  }
  recordEvent(input: EventInput) {
    this.events.push(input);
  }
}

describe('HpaLoop: where a new HPA starts', () => {
  it.each([
    { git: 3, want: 3, reason: undefined },
    { git: 1, want: 2, reason: 'SucceededRescale' },
    { git: 12, want: 10, reason: 'SucceededRescale' },
  ])('Git replicas $git with bounds 2..10 -> $want', ({ git, want, reason }) => {
    const history = new MemoryHistory();
    const loop = new HpaLoop({ history });
    // Not the first sync: the HPA appears while the daemon runs.
    loop.syncTargets(apps(manifests({ replicas: git, hpa: false })), undefined, T0);
    const objects = manifests({ replicas: git });
    expect(loop.syncTargets(apps(objects), observed([], T0), T0)).toBe(true);
    expect(loop.overrides()).toEqual({
      [KEY]: { replicas: want, owner: `hpa/web-hpa (live ${want}, bounds 2..10)` },
    });
    expect(history.decisions.at(-1)?.reason).toBe(reason);
  });

  it('after a restart resumes from the last recorded decision, not from Git', () => {
    const history = new MemoryHistory();
    history.recordHpaDecision({
      namespace: 'default',
      hpa: 'web-hpa',
      at: T0 - 60_000,
      currentReplicas: 4,
      desiredReplicas: 7,
      reason: 'SucceededRescale',
      message: '',
      metrics: [],
    });
    const loop = new HpaLoop({ history });
    const objects = manifests({ replicas: 3 });
    loop.syncTargets(apps(objects), observed(pods(objects, 5), T0), T0);
    expect(loop.overrides()[KEY]?.replicas).toBe(7);
  });

  it('after a restart without history resumes from the live pod count', () => {
    const loop = new HpaLoop();
    const objects = manifests({ replicas: 3 });
    loop.syncTargets(apps(objects), observed(pods(objects, 6), T0), T0);
    expect(loop.overrides()[KEY]?.replicas).toBe(6);
  });
});

describe('HpaLoop: decisions own the replicas', () => {
  it('scales up on load, ignores a Git replicas change, scales down after the window', () => {
    const history = new MemoryHistory();
    const loop = new HpaLoop({ history });
    let objects = manifests({ replicas: 3 });
    let now = T0;
    loop.syncTargets(apps(objects), observed(pods(objects, 3), now), now);

    // 3 pods at 150% of 100m: ceil(3 * 150 / 50) = 9, limited by the default scale-up
    // policies (behavior is set): max(+100%, +4 pods) = 7.
    let live = pods(objects, 3);
    let r = loop.decide(apps(objects), observed(live, now), samples(live, 150, now), now);
    expect(r.changed).toBe(true);
    expect(r.decisions[0]?.decision.reason).toBe('MetricAboveTarget');
    expect(loop.overrides()[KEY]).toEqual({ replicas: 7, owner: 'hpa/web-hpa (live 7, bounds 2..10)' });
    expect(history.events).toContainEqual(
      expect.objectContaining({
        reason: 'SuccessfulRescale',
        object: 'horizontalpodautoscaler/web-hpa',
        message: 'New size: 7; reason: cpu resource utilization (percentage of request) above target',
      }),
    );

    // A commit changes replicas in Git: the HPA keeps its count.
    objects = manifests({ replicas: 1 });
    now += 15_000;
    live = pods(objects, 7);
    r = loop.decide(apps(objects), observed(live, now), samples(live, 50, now), now);
    expect(r.changed).toBe(false);
    expect(loop.overrides()[KEY]?.replicas).toBe(7);

    // Idle: held by the 60 s scale-down window, then down to the minimum.
    for (let i = 0; i < 3; i++) {
      now += 15_000;
      r = loop.decide(apps(objects), observed(live, now), samples(live, 0, now), now);
      expect(loop.overrides()[KEY]?.replicas).toBe(7);
    }
    const [view] = loop.views();
    expect(view?.conditions.find((c) => c.type === 'AbleToScale')?.reason).toBe('ScaleDownStabilized');
    expect(history.decisions.at(-1)?.reason).toBe('ScaleDownStabilized');
    now += 30_000;
    r = loop.decide(apps(objects), observed(live, now), samples(live, 0, now), now);
    expect(r.changed).toBe(true);
    expect(loop.overrides()[KEY]?.replicas).toBe(2);
  });

  it('keeps the count when metrics are missing, and says why', () => {
    const history = new MemoryHistory();
    const loop = new HpaLoop({ history });
    const objects = manifests({ replicas: 3 });
    const live = pods(objects, 3);
    loop.syncTargets(apps(objects), observed(live, T0), T0);
    const r = loop.decide(apps(objects), observed(live, T0), [], T0);
    expect(r.changed).toBe(false);
    expect(loop.overrides()[KEY]?.replicas).toBe(3);
    expect(history.decisions.at(-1)?.reason).toBe('FailedGetResourceMetric');
    expect(loop.views()[0]?.targets).toBe('cpu: <unknown>/50%');
  });

  it('samples of another namespace do not count', () => {
    const loop = new HpaLoop();
    const objects = manifests({ replicas: 3 });
    const live = pods(objects, 3);
    const foreign = samples(live, 900, T0).map((s) => ({ ...s, namespace: 'other' }));
    loop.decide(apps(objects), observed(live, T0), [...samples(live, 50, T0), ...foreign], T0);
    expect(loop.overrides()[KEY]?.replicas).toBe(3);
    expect(loop.views()[0]?.targets).toBe('cpu: 50%/50%');
  });
});

describe('HpaLoop: removal and broken targets', () => {
  it('removing the HPA from Git hands replicas back (the override disappears)', () => {
    const loop = new HpaLoop();
    let objects = manifests({ replicas: 3 });
    const live = pods(objects, 3);
    loop.decide(apps(objects), observed(live, T0), samples(live, 200, T0), T0);
    expect(loop.overrides()[KEY]?.replicas).toBe(7);
    objects = manifests({ replicas: 3, hpa: false });
    expect(loop.syncTargets(apps(objects), observed(live, T0), T0 + 1000)).toBe(true);
    expect(loop.overrides()).toEqual({});
    expect(loop.views()).toEqual([]);
  });

  it('an HPA whose Deployment is missing owns nothing and reports FailedGetScale', () => {
    const loop = new HpaLoop();
    const objects = manifests({ replicas: 3 }).filter((o) => o.kind !== 'Deployment');
    loop.decide(apps(objects), observed([], T0), [], T0);
    expect(loop.overrides()).toEqual({});
    const [view] = loop.views();
    expect(view?.reference).toBe('Deployment/web');
    expect(view?.conditions[0]).toMatchObject({
      type: 'AbleToScale',
      status: 'False',
      reason: 'FailedGetScale',
    });
  });

  it('renaming the target starts over from the new Deployment', () => {
    const loop = new HpaLoop();
    const objects = manifests({ replicas: 3 });
    const live = pods(objects, 3);
    loop.decide(apps(objects), observed(live, T0), samples(live, 200, T0), T0);
    const renamed = objects.map((o) =>
      o.kind === 'Deployment' ? { ...o, metadata: { ...o.metadata, name: 'api' } } : o,
    );
    const hpaRenamed = renamed.map((o) =>
      o.kind === 'HorizontalPodAutoscaler'
        ? { ...o, spec: { ...o.spec, scaleTargetRef: { ...o.spec.scaleTargetRef, name: 'api' } } }
        : o,
    );
    loop.syncTargets(apps(hpaRenamed), observed([], T0), T0 + 1000);
    expect(loop.overrides()).toEqual({
      'Deployment/default/api': { replicas: 3, owner: 'hpa/web-hpa (live 3, bounds 2..10)' },
    });
  });
});

describe('HpaLoop: utilization over time', () => {
  it('records each decision with the observed utilization as numbers, and views return the samples when asked', () => {
    const history = tempHistoryStore();
    const loop = new HpaLoop({ history });
    const objects = manifests({ replicas: 3 });
    let now = T0;
    loop.syncTargets(apps(objects), observed(pods(objects, 3), now), now);
    const live = pods(objects, 3);
    loop.decide(apps(objects), observed(live, now), samples(live, 150, now), now);
    now += 60_000;
    loop.decide(apps(objects), observed(pods(objects, 7), now), samples(pods(objects, 7), 40, now), now);
    expect(loop.views()[0]?.samples).toBeUndefined();
    const [view] = loop.views(10, 10);
    expect(view?.samples?.map((s) => [s.at - T0, s.currentReplicas, s.metrics])).toEqual([
      [0, 3, [{ name: 'cpu', unit: 'percent', current: 150, target: 50 }]],
      [60_000, 7, [{ name: 'cpu', unit: 'percent', current: 40, target: 50 }]],
    ]);
    expect(view?.samples?.[0]?.desiredReplicas).toBe(7);
  });
});
