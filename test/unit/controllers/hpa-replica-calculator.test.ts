// Vectors ported from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go
// (TestReplicaCalcResourceScale, TestReplicaCalcResourceTolerance,
// TestReplicaCalcResourceMissingMetrics, TestReplicaCalcPodMetric, TestGroupPods). Upstream's
// fixture: every pod has two containers, each requesting `requests[i]` and using `levels[i]`;
// pods start at Go's zero time unless given a start time; the Ready condition's transition time
// is the zero time; the CPU initialization period is 2 min and the readiness delay 10 s.
import { describe, expect, it } from 'vitest';
import {
  getRawResourceReplicas,
  getResourceReplicas,
  groupPods,
  type HpaPod,
  type HpaPodPhase,
  type PodMetricsInfo,
  type ResourceReplicasInput,
  type Tolerances,
} from '../../../src/controllers/hpa-replica-calculator.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const GO_ZERO_TIME = -62135596800000;
const THREE_MINUTES_AGO = NOW - 3 * 60_000;
const CONTAINERS = 2;
const timing = { cpuInitializationPeriodMs: 2 * 60_000, delayOfInitialReadinessStatusMs: 10_000 };
const defaultTolerances: Tolerances = { scaleDown: 0.1, scaleUp: 0.1 };

interface Scenario {
  currentReplicas: number;
  /** Per-container CPU request of pod i, in millicores (pods beyond the list have none). */
  requests: number[];
  /** Per-container usage of pod i (pods beyond the list report no metric). */
  levels: number[];
  podNames?: string[];
  readiness?: boolean[];
  startTime?: number[];
  phase?: HpaPodPhase[];
  deleting?: boolean[];
  timestamp?: number;
}

function podCount(s: Scenario): number {
  return Math.max(s.currentReplicas, s.phase?.length ?? 0);
}

function buildPods(s: Scenario): HpaPod[] {
  return Array.from({ length: podCount(s) }, (_, i) => {
    const request = s.requests[i];
    return {
      name: `test-pod-${i}`,
      phase: s.phase?.[i] ?? 'Running',
      deleting: s.deleting?.[i] ?? false,
      startTime: s.startTime?.[i] ?? GO_ZERO_TIME,
      readyCondition: { ready: s.readiness?.[i] ?? true, lastTransitionTime: GO_ZERO_TIME },
      requests: { cpuMilli: request === undefined ? undefined : CONTAINERS * request },
    };
  });
}

function buildMetrics(s: Scenario, perPod = CONTAINERS): PodMetricsInfo {
  const m: PodMetricsInfo = new Map();
  s.levels.forEach((level, i) => {
    m.set(s.podNames?.[i] ?? `test-pod-${i}`, {
      value: perPod * level,
      timestamp: s.timestamp ?? GO_ZERO_TIME,
      windowMs: 60_000,
    });
  });
  return m;
}

function input(
  s: Scenario,
  resource: 'cpu' | 'memory',
  tolerances: Tolerances,
  perPod?: number,
): ResourceReplicasInput {
  return {
    currentReplicas: s.currentReplicas,
    resource,
    tolerances,
    pods: buildPods(s),
    metrics: buildMetrics(s, perPod),
    timing,
    now: NOW,
  };
}

const ones = (n: number) => Array.from({ length: n }, () => 1000);

interface ResourceCase {
  name: string;
  s: Scenario;
  target: number;
  replicas: number;
  utilization: number;
  raw: number;
  tolerances?: Tolerances;
}

const resourceScale: ResourceCase[] = [
  {
    name: 'scale up',
    s: { currentReplicas: 3, requests: ones(3), levels: [300, 500, 700] },
    target: 30,
    replicas: 5,
    utilization: 50,
    raw: 2 * 500,
  },
  {
    name: 'scale up: unready pod scales less',
    s: { currentReplicas: 3, requests: ones(3), levels: [300, 500, 700], readiness: [false, true, true] },
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 2 * 600,
  },
  {
    name: 'scale up: hot-CPU pod scales less',
    s: {
      currentReplicas: 3,
      requests: ones(3),
      levels: [300, 500, 700],
      startTime: [NOW, THREE_MINUTES_AGO, THREE_MINUTES_AGO],
    },
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 2 * 600,
  },
  {
    name: 'no scale: unready pods ignored',
    s: { currentReplicas: 3, requests: ones(3), levels: [400, 500, 700], readiness: [true, false, false] },
    target: 30,
    replicas: 3,
    utilization: 40,
    raw: 2 * 400,
  },
  {
    name: 'no scale: hot-CPU pods ignored',
    s: {
      currentReplicas: 3,
      requests: ones(3),
      levels: [400, 500, 700],
      readiness: [true, false, false],
      startTime: [THREE_MINUTES_AGO, NOW, NOW],
    },
    target: 30,
    replicas: 3,
    utilization: 40,
    raw: 2 * 400,
  },
  {
    name: 'scale up: failed pods ignored',
    s: {
      currentReplicas: 2,
      requests: ones(4),
      levels: [500, 700],
      readiness: [true, true, false, false],
      phase: ['Running', 'Running', 'Failed', 'Failed'],
    },
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 2 * 600,
  },
  {
    name: 'scale up: succeeded pods ignored',
    s: {
      currentReplicas: 2,
      requests: ones(4),
      levels: [500, 700],
      readiness: [true, true, false, false],
      phase: ['Running', 'Running', 'Succeeded', 'Succeeded'],
    },
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 2 * 600,
  },
  {
    name: 'scale up: pods being deleted are ignored',
    s: {
      currentReplicas: 2,
      requests: ones(4),
      levels: [500, 700],
      readiness: [true, true, false, false],
      phase: ['Running', 'Running', 'Running', 'Running'],
      deleting: [false, false, true, true],
    },
    target: 30,
    replicas: 4,
    utilization: 60,
    raw: 2 * 600,
  },
  {
    name: 'scale down',
    s: { currentReplicas: 5, requests: ones(5), levels: [100, 300, 500, 250, 250] },
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: 2 * 280,
  },
  {
    name: 'scale down: exclude unready pods',
    s: {
      currentReplicas: 5,
      requests: ones(5),
      levels: [100, 300, 500, 250, 250],
      readiness: [true, true, true, false, false],
    },
    target: 50,
    replicas: 2,
    utilization: 30,
    raw: 2 * 300,
  },
  {
    name: 'scale down: exclude unscheduled pods',
    s: {
      currentReplicas: 5,
      requests: ones(5),
      levels: [100],
      readiness: [true, false, false, false, false],
      phase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'],
    },
    target: 50,
    replicas: 1,
    utilization: 10,
    raw: 2 * 100,
  },
  {
    name: 'scale down: ignore hot-CPU pods',
    s: {
      currentReplicas: 5,
      requests: ones(5),
      levels: [100, 300, 500, 250, 250],
      startTime: [THREE_MINUTES_AGO, THREE_MINUTES_AGO, THREE_MINUTES_AGO, NOW, NOW],
    },
    target: 50,
    replicas: 2,
    utilization: 30,
    raw: 2 * 300,
  },
  {
    name: 'scale down: failed pods ignored',
    s: {
      currentReplicas: 5,
      requests: ones(7),
      levels: [100, 300, 500, 250, 250],
      readiness: [true, true, true, true, true, false, false],
      phase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
    },
    target: 50,
    replicas: 3,
    utilization: 28,
    raw: 2 * 280,
  },
];

const mixedRequests = [900, 1000, 1100];
const resourceTolerance: ResourceCase[] = [
  {
    name: 'within default tolerance',
    s: { currentReplicas: 3, requests: mixedRequests, levels: [1010, 1030, 1020] },
    target: 100,
    replicas: 3,
    utilization: 102,
    raw: 2 * 1020,
  },
  {
    name: 'outside 0% tolerance',
    tolerances: { scaleDown: 0, scaleUp: 0 },
    s: { currentReplicas: 3, requests: mixedRequests, levels: [909, 1010, 1111] },
    target: 100,
    replicas: 4,
    utilization: 101,
    raw: 2 * 1010,
  },
  {
    name: 'within 200% scale-up tolerance',
    tolerances: { scaleDown: 0.1, scaleUp: 2 },
    s: { currentReplicas: 3, requests: mixedRequests, levels: [1890, 1910, 1900] },
    target: 100,
    replicas: 3,
    utilization: 190,
    raw: 2 * 1900,
  },
  {
    name: 'outside 8% scale-up tolerance (superfluous scale-down tolerance)',
    tolerances: { scaleDown: 2, scaleUp: 0.08 },
    s: { currentReplicas: 3, requests: mixedRequests, levels: [1100, 1080, 1090] },
    target: 100,
    replicas: 4,
    utilization: 109,
    raw: 2 * 1090,
  },
  {
    name: 'within 36% scale-down tolerance',
    tolerances: { scaleDown: 0.36, scaleUp: 0.1 },
    s: { currentReplicas: 3, requests: mixedRequests, levels: [660, 640, 650] },
    target: 100,
    replicas: 3,
    utilization: 65,
    raw: 2 * 650,
  },
  {
    name: 'outside 34% scale-down tolerance',
    tolerances: { scaleDown: 0.34, scaleUp: 0.1 },
    s: { currentReplicas: 3, requests: mixedRequests, levels: [660, 640, 650] },
    target: 100,
    replicas: 2,
    utilization: 65,
    raw: 2 * 650,
  },
];

const resourceMissing: ResourceCase[] = [
  {
    name: 'superfluous metrics counted',
    s: { currentReplicas: 4, requests: ones(4), levels: [4000, 9500, 3000, 7000, 3200, 2000] },
    target: 100,
    replicas: 24,
    utilization: 587,
    raw: 2 * 5875,
  },
  {
    name: 'some pods missing metrics scales down',
    s: { currentReplicas: 4, requests: ones(4), levels: [400, 95] },
    target: 100,
    replicas: 3,
    utilization: 24,
    raw: 495,
  },
  {
    name: 'no change: metric equal to target',
    s: { currentReplicas: 2, requests: ones(2), levels: [1000] },
    target: 100,
    replicas: 2,
    utilization: 100,
    raw: 2 * 1000,
  },
  {
    name: 'no change: metric above target',
    s: { currentReplicas: 2, requests: ones(2), levels: [1900] },
    target: 100,
    replicas: 2,
    utilization: 190,
    raw: 2 * 1900,
  },
  {
    name: 'no change: metric below target',
    s: { currentReplicas: 2, requests: ones(2), levels: [600] },
    target: 100,
    replicas: 2,
    utilization: 60,
    raw: 2 * 600,
  },
  {
    name: 'no change: unready pod metric missing',
    s: { currentReplicas: 3, requests: ones(3), levels: [100, 450], readiness: [false, true, true] },
    target: 50,
    replicas: 3,
    utilization: 45,
    raw: 2 * 450,
  },
  {
    name: 'no change: hot-CPU pod metric missing',
    s: {
      currentReplicas: 3,
      requests: ones(3),
      levels: [100, 450],
      startTime: [NOW, THREE_MINUTES_AGO, THREE_MINUTES_AGO],
    },
    target: 50,
    replicas: 3,
    utilization: 45,
    raw: 2 * 450,
  },
  {
    name: 'scale up: unready pod metric missing',
    s: { currentReplicas: 3, requests: ones(3), levels: [100, 2000], readiness: [false, true, true] },
    target: 50,
    replicas: 4,
    utilization: 200,
    raw: 2 * 2000,
  },
  {
    name: 'scale up: hot-CPU pod metric missing',
    s: {
      currentReplicas: 3,
      requests: ones(3),
      levels: [100, 2000],
      readiness: [false, true, true],
      startTime: [NOW, THREE_MINUTES_AGO, THREE_MINUTES_AGO],
    },
    target: 50,
    replicas: 4,
    utilization: 200,
    raw: 2 * 2000,
  },
  {
    name: 'scale down: unready pod metric missing',
    s: {
      currentReplicas: 4,
      requests: ones(4),
      levels: [100, 100, 100],
      readiness: [false, true, true, true],
    },
    target: 50,
    replicas: 3,
    utilization: 10,
    raw: 2 * 100,
  },
  {
    name: 'scale down: target over 100',
    s: {
      currentReplicas: 4,
      requests: [1000, 1000, 2000, 2000],
      levels: [200, 100, 100],
      readiness: [false, true, true, true],
    },
    target: 300,
    replicas: 2,
    utilization: 6,
    raw: 2 * 100,
  },
  {
    name: 'rolling update with maxSurge: extra pod missing metric',
    s: {
      currentReplicas: 2,
      requests: ones(3),
      levels: [100, 100],
      phase: ['Running', 'Running', 'Running'],
    },
    target: 50,
    replicas: 2,
    utilization: 10,
    raw: 2 * 100,
  },
];

describe('getResourceReplicas (upstream vectors)', () => {
  it.each([...resourceScale, ...resourceTolerance, ...resourceMissing])('$name', (tc) => {
    const r = getResourceReplicas(input(tc.s, 'cpu', tc.tolerances ?? defaultTolerances), tc.target);
    expect(r).toEqual({
      ok: true,
      replicas: tc.replicas,
      utilization: tc.utilization,
      rawUtilization: tc.raw,
    });
  });

  it.each([
    {
      name: 'disjoint pod and metric names',
      s: { currentReplicas: 1, requests: ones(1), levels: [100], podNames: ['an-older-pod-name'] },
      error: 'no metrics returned matched known pods',
    },
    {
      name: 'missing CPU request on container',
      s: { currentReplicas: 1, requests: [], levels: [200] },
      error: 'missing request for cpu in Pod test-pod-0',
    },
    {
      name: 'no pods',
      s: { currentReplicas: 0, requests: [], levels: [200] },
      error: 'no pods returned by selector while calculating replica count',
    },
    {
      name: 'every pod unready',
      s: { currentReplicas: 2, requests: ones(2), levels: [200, 200], readiness: [false, false] },
      error: 'did not receive metrics for targeted pods (pods might be unready)',
    },
  ])('fails: $name', ({ s, error }) => {
    expect(getResourceReplicas(input(s, 'cpu', defaultTolerances), 100)).toEqual({ ok: false, error });
  });

  it('computes the tolerance regression of TestReplicaCalcComputedToleranceAlgImplementation', () => {
    // 10 pods using 150m each, requesting 2x that with jitter; the target is calibrated to
    // breach the 10% tolerance by 1% (scale down) and then to stay within it by 0.4%.
    const perPod = 300;
    const jitter = [100, -100, 10, -10, 2, -2, 1, -1, 0, 0];
    const s: Scenario = {
      currentReplicas: 10,
      requests: jitter.map((j) => (perPod + j) / CONTAINERS),
      levels: jitter.map(() => 150 / CONTAINERS),
    };
    const requestedToUsed = 2;
    const breach = Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.01;
    const breachTarget = Math.trunc(breach * 100);
    const finalPods = Math.ceil((1500 / (3000 * breach)) * 10);
    const r1 = getResourceReplicas(input(s, 'cpu', defaultTolerances), breachTarget);
    expect(r1).toEqual({ ok: true, replicas: finalPods, utilization: 50, rawUtilization: 150 });
    const within = Math.trunc((Math.abs(1 / (requestedToUsed * (1 - 0.1))) + 0.004) * 100);
    const r2 = getResourceReplicas(input(s, 'cpu', defaultTolerances), within);
    expect(r2).toEqual({ ok: true, replicas: 10, utilization: 50, rawUtilization: 150 });
  });
});

describe('getRawResourceReplicas (TestReplicaCalcPodMetric vectors, resource without CPU readiness rules)', () => {
  it.each([
    {
      name: 'scale up',
      s: { currentReplicas: 3, requests: [], levels: [20000, 10000, 30000] },
      target: 15000,
      replicas: 4,
      usage: 20000,
    },
    {
      name: 'scale up: unready hot-CPU pod scales less',
      s: {
        currentReplicas: 3,
        requests: [],
        levels: [50000, 10000, 30000],
        readiness: [true, true, false],
        startTime: [THREE_MINUTES_AGO, THREE_MINUTES_AGO, NOW],
      },
      target: 15000,
      replicas: 6,
      usage: 30000,
    },
    {
      name: 'scale up: unready hot-CPU pods avoid scale-down',
      s: {
        currentReplicas: 3,
        requests: [],
        levels: [50000, 15000, 30000],
        readiness: [false, true, false],
        startTime: [NOW, THREE_MINUTES_AGO, NOW],
      },
      target: 15000,
      replicas: 7,
      usage: 31666,
    },
    {
      name: 'scale down',
      s: { currentReplicas: 5, requests: [], levels: [12000, 12000, 12000, 12000, 12000] },
      target: 20000,
      replicas: 3,
      usage: 12000,
    },
    {
      name: 'within default tolerance',
      s: { currentReplicas: 3, requests: [], levels: [20000, 21000, 21000] },
      target: 20000,
      replicas: 3,
      usage: 20666,
    },
    {
      name: 'outside configurable 1% tolerance',
      tolerances: { scaleDown: 0.1, scaleUp: 0.01 },
      s: { currentReplicas: 3, requests: [], levels: [20000, 21000, 21000] },
      target: 20000,
      replicas: 4,
      usage: 20666,
    },
    {
      name: 'no change: missing metrics',
      s: { currentReplicas: 5, requests: [], levels: [20000, 19000, 21000] },
      target: 20000,
      replicas: 5,
      usage: 20000,
    },
    {
      name: 'rolling update with maxSurge: extra pod missing metric',
      s: {
        currentReplicas: 2,
        requests: [],
        levels: [10000, 10000],
        phase: ['Running', 'Running', 'Running'] as HpaPodPhase[],
      },
      target: 17000,
      replicas: 2,
      usage: 10000,
    },
  ])('$name', (tc) => {
    const r = getRawResourceReplicas(input(tc.s, 'memory', tc.tolerances ?? defaultTolerances, 1), tc.target);
    expect(r).toEqual({ ok: true, replicas: tc.replicas, usage: tc.usage });
  });

  it('treats unready pods as 0 when scaling up on CPU average value', () => {
    // Same pods as the utilization case "scale up: unready pod scales less", as AverageValue.
    const s: Scenario = {
      currentReplicas: 3,
      requests: [],
      levels: [300, 500, 700],
      readiness: [false, true, true],
    };
    const r = getRawResourceReplicas(input(s, 'cpu', defaultTolerances), 2 * 300);
    // usage over ready pods = 1200m -> ratio 2; with the unready pod at 0: 800m -> 4/3 -> 4.
    expect(r).toEqual({ ok: true, replicas: 4, usage: 1200 });
  });
});

describe('groupPods (TestGroupPods cases)', () => {
  const base: HpaPod = { name: 'bentham', phase: 'Running', requests: {} };
  const metric = (timestamp: number, windowMs: number): PodMetricsInfo =>
    new Map([['bentham', { value: 1, timestamp, windowMs }]]);
  it.each([
    {
      name: 'count in a ready pod - memory',
      pod: base,
      resource: 'memory' as const,
      metrics: metric(NOW, 60_000),
      ready: 1,
      unready: [] as string[],
    },
    {
      name: 'unready a pod without ready condition - CPU',
      pod: { ...base, startTime: NOW },
      resource: 'cpu' as const,
      metrics: metric(0, 0),
      ready: 0,
      unready: ['bentham'],
    },
    {
      name: 'count in a ready pod with fresh metrics during initialization period - CPU',
      pod: {
        ...base,
        startTime: NOW - 60_000,
        readyCondition: { ready: true, lastTransitionTime: NOW - 30_000 },
      },
      resource: 'cpu' as const,
      metrics: metric(NOW, 30_000),
      ready: 1,
      unready: [],
    },
    {
      name: 'unready a ready pod without fresh metrics during initialization period - CPU',
      pod: {
        ...base,
        startTime: NOW - 60_000,
        readyCondition: { ready: true, lastTransitionTime: NOW - 30_000 },
      },
      resource: 'cpu' as const,
      metrics: metric(NOW, 60_000),
      ready: 0,
      unready: ['bentham'],
    },
    {
      name: 'unready a pod that turned unready within the readiness delay of starting - CPU',
      pod: {
        ...base,
        startTime: NOW - 10 * 60_000,
        readyCondition: { ready: false, lastTransitionTime: NOW - 9 * 60_000 - 54_000 },
      },
      resource: 'cpu' as const,
      metrics: metric(NOW, 60_000),
      ready: 0,
      unready: ['bentham'],
    },
    {
      name: 'count in a ready pod without fresh metrics after initialization period - CPU',
      pod: {
        ...base,
        startTime: NOW - 3 * 60 * 60_000,
        readyCondition: { ready: true, lastTransitionTime: NOW - 3 * 60 * 60_000 },
      },
      resource: 'cpu' as const,
      metrics: metric(NOW - 60_000, 60_000),
      ready: 1,
      unready: [],
    },
    {
      name: 'count in an unready pod that was ready after initialization period - CPU',
      pod: {
        ...base,
        startTime: NOW - 10 * 60_000,
        readyCondition: { ready: false, lastTransitionTime: NOW - 9 * 60_000 },
      },
      resource: 'cpu' as const,
      metrics: metric(NOW, 60_000),
      ready: 1,
      unready: [],
    },
    {
      name: 'unready pod that has never been ready after initialization period - CPU',
      pod: {
        ...base,
        startTime: NOW - 10 * 60_000,
        readyCondition: { ready: false, lastTransitionTime: NOW - 10 * 60_000 + 50 },
      },
      resource: 'cpu' as const,
      metrics: metric(NOW, 60_000),
      ready: 0,
      unready: ['bentham'],
    },
  ])('$name', ({ pod, resource, metrics, ready, unready }) => {
    const g = groupPods(
      [pod],
      metrics,
      resource,
      { cpuInitializationPeriodMs: 5 * 60_000, delayOfInitialReadinessStatusMs: 30_000 },
      NOW,
    );
    expect(g.readyPodCount).toBe(ready);
    expect(g.unready).toEqual(unready);
  });

  it('sorts pods into missing, pending (unready) and ignored (deleted, failed, succeeded)', () => {
    const pods: HpaPod[] = [
      { ...base, name: 'no-metric' },
      { ...base, name: 'pending', phase: 'Pending' },
      { ...base, name: 'deleted', deleting: true },
      { ...base, name: 'failed', phase: 'Failed' },
      { ...base, name: 'succeeded', phase: 'Succeeded' },
    ];
    const g = groupPods(pods, new Map(), 'memory', timing, NOW);
    expect(g).toEqual({
      readyPodCount: 0,
      missing: ['no-metric'],
      unready: ['pending'],
      ignored: ['deleted', 'failed', 'succeeded'],
    });
  });
});
