// decideReplicas end to end over plain values: one pass per sync period on a fake clock, the
// memory threaded from pass to pass, the decided replicas applied to the next pass as the
// shell would apply them.
import { describe, expect, it } from 'vitest';
import {
  type DecideReplicasInput,
  decideReplicas,
  emptyHpaMemory,
  type HpaDecision,
  type HpaMemory,
  type HpaPod,
  type PodMetricSample,
} from '../../../src/controllers/hpa.js';
import { formatHpaTargets } from '../../../src/controllers/hpa-format.js';
import type { HorizontalPodAutoscalerSpec, MetricSpec } from '../../../src/model/k8s.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const SYNC_MS = 15_000;
const Mi = 1024 * 1024;

const cpuUtilization = (averageUtilization: number): MetricSpec => ({
  type: 'Resource',
  resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } },
});
const averageValue = (name: 'cpu' | 'memory', value: string): MetricSpec => ({
  type: 'Resource',
  resource: { name, target: { type: 'AverageValue', averageValue: value } },
});
const memoryUtilization = (averageUtilization: number): MetricSpec => ({
  type: 'Resource',
  resource: { name: 'memory', target: { type: 'Utilization', averageUtilization } },
});

function spec(over: Partial<HorizontalPodAutoscalerSpec> = {}): HorizontalPodAutoscalerSpec {
  return {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [cpuUtilization(50)],
    ...over,
  };
}

interface PodOptions {
  cpuRequest?: number | undefined;
  memoryRequest?: number | undefined;
  ready?: boolean;
  /** ms before `now` the pod started (and became ready or unready). */
  age?: number;
}

function pod(i: number, now: number, o: PodOptions = {}): HpaPod {
  const start = now - (o.age ?? 60 * 60_000);
  return {
    name: `web-${i}`,
    phase: 'Running',
    startTime: start,
    readyCondition: { ready: o.ready ?? true, lastTransitionTime: start },
    requests: {
      cpuMilli: 'cpuRequest' in o ? o.cpuRequest : 1000,
      memoryBytes: 'memoryRequest' in o ? o.memoryRequest : 256 * Mi,
    },
  };
}

function sample(i: number, now: number, cpuMilli: number, memoryBytes = 100 * Mi): PodMetricSample {
  return {
    namespace: 'default',
    pod: `web-${i}`,
    cpuMilli,
    memoryBytes,
    timestamp: now - 1000,
    windowMs: SYNC_MS,
    containers: 1,
  };
}

/** n ready pods that each use `cpuMilli` (and `memoryBytes`). */
function uniform(n: number, now: number, cpuMilli: number, memoryBytes?: number, o?: PodOptions) {
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    pods: idx.map((i) => pod(i, now, o)),
    metrics: idx.map((i) => sample(i, now, cpuMilli, memoryBytes)),
  };
}

function decide(
  over: Partial<DecideReplicasInput> & Pick<DecideReplicasInput, 'currentReplicas'>,
): HpaDecision {
  return decideReplicas({
    hpa: { spec: spec() },
    pods: [],
    metrics: [],
    memory: emptyHpaMemory(),
    now: T0,
    ...over,
  });
}

const condition = (d: HpaDecision, type: string) => {
  const c = d.conditions.find((x) => x.type === type);
  return c && `${c.status}/${c.reason}`;
};

/** Replays passes every 15 s with a total CPU load spread evenly over the current pods. */
function replay(
  hpaSpec: HorizontalPodAutoscalerSpec,
  start: number,
  totalLoadAt: (t: number) => number,
  passes: number,
): { t: number; replicas: number; limited: string | undefined; able: string | undefined }[] {
  let memory: HpaMemory = emptyHpaMemory();
  let current = start;
  const trace = [];
  for (let k = 0; k < passes; k++) {
    const t = k * SYNC_MS;
    const now = T0 + t;
    const { pods, metrics } = uniform(current, now, totalLoadAt(t) / current);
    const d = decideReplicas({
      hpa: { spec: hpaSpec },
      currentReplicas: current,
      pods,
      metrics,
      memory,
      now,
    });
    memory = d.memory;
    current = d.desiredReplicas;
    trace.push({
      t: t / 1000,
      replicas: current,
      limited: condition(d, 'ScalingLimited'),
      able: condition(d, 'AbleToScale'),
    });
  }
  return trace;
}

describe('tolerance band (0.1 around the target)', () => {
  // 8 pods requesting 1000m, target 70%; scale-down stabilization off to see the raw proposal.
  const noDownWindow = spec({
    metrics: [cpuUtilization(70)],
    behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
  });
  it.each([
    { utilization: 61, replicas: 7, reason: 'AllMetricsBelowTarget' },
    { utilization: 63, replicas: 8, reason: 'Unchanged' },
    { utilization: 70, replicas: 8, reason: 'Unchanged' },
    { utilization: 77, replicas: 8, reason: 'Unchanged' },
    { utilization: 78, replicas: 9, reason: 'MetricAboveTarget' },
  ])('$utilization% of a 70% target -> $replicas', ({ utilization, replicas, reason }) => {
    const { pods, metrics } = uniform(8, T0, utilization * 10);
    const d = decide({ hpa: { spec: noDownWindow }, currentReplicas: 8, pods, metrics });
    expect([d.desiredReplicas, d.reason, d.scale]).toEqual([replicas, reason, replicas !== 8]);
    expect(d.metricStatuses[0]?.currentAverageUtilization).toBe(utilization);
  });

  it('honours per-HPA tolerances from behavior (HPAConfigurableTolerance)', () => {
    const tight = spec({ metrics: [cpuUtilization(70)], behavior: { scaleUp: { tolerance: '0.01' } } });
    const { pods, metrics } = uniform(8, T0, 740);
    expect(
      decide({ currentReplicas: 8, pods, metrics, hpa: { spec: spec({ metrics: [cpuUtilization(70)] }) } })
        .desiredReplicas,
    ).toBe(8);
    expect(decide({ currentReplicas: 8, pods, metrics, hpa: { spec: tight } }).desiredReplicas).toBe(9);
  });

  it('ignores tolerances when behavior is absent', () => {
    const legacy = spec({ metrics: [cpuUtilization(70)] });
    const { pods, metrics } = uniform(8, T0, 740);
    expect(
      decide({ currentReplicas: 8, pods, metrics, hpa: { spec: legacy }, config: { tolerance: 0.01 } })
        .desiredReplicas,
    ).toBe(9);
  });
});

describe('legacy path (no behavior)', () => {
  it('caps scale-up at max(2 x current, 4) and reports ScaleUpLimit', () => {
    const { pods, metrics } = uniform(2, T0, 5000);
    const d = decide({ hpa: { spec: spec({ maxReplicas: 100 }) }, currentReplicas: 2, pods, metrics });
    expect(d.desiredReplicas).toBe(4);
    expect(condition(d, 'ScalingLimited')).toBe('True/ScaleUpLimit');
    expect(d.events).toEqual([
      {
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      },
    ]);
  });

  it('remembers the uncapped recommendation: the next pass continues toward it', () => {
    // 2 pods at 200% of 50%: 8 wanted, capped to 4; at the next pass (now 100%, wanting 4) the
    // window still holds 8, as upstream stores the prenormalized recommendation.
    const first = uniform(2, T0, 2000);
    const d1 = decide({ currentReplicas: 2, ...first });
    const second = uniform(4, T0 + SYNC_MS, 500);
    const d2 = decide({ currentReplicas: 4, ...second, memory: d1.memory, now: T0 + SYNC_MS });
    expect([d1.desiredReplicas, d2.desiredReplicas]).toEqual([4, 8]);
  });

  it('holds a scale-down for 5 minutes: the highest recommendation of the window wins', () => {
    // 8 pods at 50% target; the load falls and wobbles: recommendations 6, 7, then 2.
    const load = (t: number) => (t === 0 ? 3000 : t === 15_000 ? 3500 : 1000);
    const trace = replay(spec({ minReplicas: 1 }), 8, load, 24);
    const replicas = trace.map((p) => p.replicas);
    // The seed (8, the current count at the first pass) is inside the window through t=300 s.
    expect(replicas.slice(0, 21)).toEqual(Array(21).fill(8));
    expect(trace[1]?.able).toBe('True/ScaleDownStabilized');
    // t=315 s: the seed and t=0 (6) have expired, t=15 s (7) is the highest left.
    expect(trace[21]).toMatchObject({ t: 315, replicas: 7 });
    // t=330 s: only the low recommendations remain.
    expect(trace[22]).toMatchObject({ t: 330, replicas: 2 });
    expect(trace[23]).toMatchObject({ t: 345, replicas: 2 });
  });

  it('uses the configured downscale stabilization window', () => {
    const trace = replay(spec(), 8, () => 1000, 6);
    expect(trace.map((p) => p.replicas)).toEqual([8, 8, 8, 8, 8, 8]);
    let memory = emptyHpaMemory();
    const out: number[] = [];
    let current = 8;
    for (let k = 0; k < 4; k++) {
      const now = T0 + k * SYNC_MS;
      const { pods, metrics } = uniform(current, now, 1000 / current);
      const d = decideReplicas({
        hpa: { spec: spec() },
        currentReplicas: current,
        pods,
        metrics,
        memory,
        now,
        config: { downscaleStabilizationWindowMs: 20_000 },
      });
      memory = d.memory;
      current = d.desiredReplicas;
      out.push(current);
    }
    // The seed at t=0 expires after 20 s: scale down at t=30 s.
    expect(out).toEqual([8, 8, 2, 2]);
  });
});

describe('behavior policies over time', () => {
  const heavy = () => 20_000; // wants 40 pods of 1000m at 50%

  it('Pods policy: at most 2 pods per 60 s', () => {
    const s = spec({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } } });
    const trace = replay(s, 2, heavy, 14);
    expect(trace.map((p) => p.replicas)).toEqual([4, 4, 4, 4, 6, 6, 6, 6, 8, 8, 8, 8, 10, 10]);
    expect(trace[1]?.limited).toBe('True/ScaleUpLimit');
    expect(trace[12]?.limited).toBe('True/TooManyReplicas');
  });

  it('Percent policy: at most +50% per 30 s, rounded up', () => {
    const s = spec({
      maxReplicas: 20,
      behavior: { scaleUp: { policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }] } },
    });
    const trace = replay(s, 4, heavy, 8);
    expect(trace.map((p) => p.replicas)).toEqual([6, 6, 9, 9, 14, 14, 20, 20]);
  });

  it.each([
    { selectPolicy: 'Max' as const, replicas: [6, 6, 10] },
    { selectPolicy: 'Min' as const, replicas: [4, 4, 5] },
    { selectPolicy: 'Disabled' as const, replicas: [3, 3, 3] },
  ])('selectPolicy $selectPolicy over Pods 1/30s and Percent 100/30s', ({ selectPolicy, replicas }) => {
    const s = spec({
      behavior: {
        scaleUp: {
          selectPolicy,
          policies: [
            { type: 'Pods', value: 1, periodSeconds: 30 },
            { type: 'Percent', value: 100, periodSeconds: 30 },
          ],
        },
      },
    });
    expect(replay(s, 3, heavy, 3).map((p) => p.replicas)).toEqual(replicas);
  });

  it('default scale-up policies: Max of 4 pods or 100% per 15 s', () => {
    const s = spec({ maxReplicas: 50, behavior: {} });
    expect(replay(s, 1, heavy, 5).map((p) => p.replicas)).toEqual([5, 10, 20, 40, 40]);
  });

  it('scale-up stabilization takes the lowest recommendation of its window', () => {
    const s = spec({ behavior: { scaleUp: { stabilizationWindowSeconds: 30 } } });
    // A spike at t=15 s only: the window still holds the calm recommendation (2), so no scale up.
    const load = (t: number) => (t === 15_000 ? 8000 : 1000);
    expect(replay(s, 2, load, 4).map((p) => p.replicas)).toEqual([2, 2, 2, 2]);
  });

  it('scale-down policy limits how many pods go per period', () => {
    const s = spec({
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 0,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 30 }],
        },
      },
    });
    const trace = replay(s, 6, () => 500, 6);
    expect(trace.map((p) => p.replicas)).toEqual([5, 5, 4, 4, 3, 3]);
    expect(trace[1]?.limited).toBe('True/ScaleDownLimit');
  });

  it('keeps scale events only for the policy path', () => {
    const { pods, metrics } = uniform(2, T0, 2000);
    const legacy = decide({ currentReplicas: 2, pods, metrics });
    expect(legacy.memory.scaleUpEvents).toEqual([]);
    const withBehavior = decide({ hpa: { spec: spec({ behavior: {} }) }, currentReplicas: 2, pods, metrics });
    expect(withBehavior.memory.scaleUpEvents).toEqual([{ change: 4, at: T0, outdated: false }]);
  });
});

describe('missing metrics and unready pods', () => {
  it('scale up: a pod without metrics counts as 0%', () => {
    // 3 of 4 pods at 100% of a 50% target: ratio 2; with the 4th at 0%: 75% -> 1.5 -> 6.
    const pods = [0, 1, 2, 3].map((i) => pod(i, T0));
    const metrics = [0, 1, 2].map((i) => sample(i, T0, 1000));
    const d = decide({ currentReplicas: 4, pods, metrics });
    expect(d.desiredReplicas).toBe(6);
    expect(d.metricStatuses[0]?.currentAverageUtilization).toBe(100);
  });

  it('scale down: a pod without metrics counts as 100%', () => {
    // 3 of 4 pods at 10%: ratio 0.2; with the 4th at 100%: 32% -> 0.64 -> 3 (not 1).
    const pods = [0, 1, 2, 3].map((i) => pod(i, T0));
    const metrics = [0, 1, 2].map((i) => sample(i, T0, 100));
    const s = spec({ behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } });
    expect(decide({ hpa: { spec: s }, currentReplicas: 4, pods, metrics }).desiredReplicas).toBe(3);
  });

  it('scale up: an unready pod counts as 0% of CPU', () => {
    const pods = [pod(0, T0), pod(1, T0), pod(2, T0, { ready: false, age: 60_000 })];
    const metrics = [0, 1, 2].map((i) => sample(i, T0, 1000));
    // Ready pods at 100% of 50%: ratio 2 would give 6; the unready one at 0%: 66% -> 4.
    expect(decide({ currentReplicas: 3, pods, metrics }).desiredReplicas).toBe(4);
  });

  it('a pod in its CPU initialization period without a full window since ready is ignored', () => {
    // Ready 5 s ago with a 15 s window: its (high) sample is not trusted.
    const fresh: HpaPod = {
      ...pod(2, T0, { age: 20_000 }),
      readyCondition: { ready: true, lastTransitionTime: T0 - 5_000 },
    };
    const pods = [pod(0, T0), pod(1, T0), fresh];
    const metrics = [sample(0, T0, 500), sample(1, T0, 500), sample(2, T0, 3000)];
    const d = decide({ currentReplicas: 3, pods, metrics });
    expect([d.desiredReplicas, d.metricStatuses[0]?.currentAverageUtilization]).toEqual([3, 50]);
  });

  it('memory readiness is not gated: an unready pod counts with its sample', () => {
    const pods = [pod(0, T0), pod(1, T0, { ready: false })];
    const metrics = [sample(0, T0, 0, 200 * Mi), sample(1, T0, 0, 200 * Mi)];
    const d = decide({
      hpa: { spec: spec({ metrics: [memoryUtilization(50)] }) },
      currentReplicas: 2,
      pods,
      metrics,
    });
    // 200Mi of 256Mi = 78% -> 1.56 -> ceil(3.12) = 4.
    expect([d.desiredReplicas, d.metricStatuses[0]?.currentAverageUtilization]).toEqual([4, 78]);
  });
});

describe('min/max and special counts', () => {
  it('clamps to maxReplicas with ScalingLimited TooManyReplicas', () => {
    const { pods, metrics } = uniform(8, T0, 4000);
    const d = decide({ currentReplicas: 8, pods, metrics });
    expect([d.desiredReplicas, condition(d, 'ScalingLimited')]).toEqual([10, 'True/TooManyReplicas']);
  });

  it('clamps to minReplicas with ScalingLimited TooFewReplicas', () => {
    const { pods, metrics } = uniform(5, T0, 10);
    const s = spec({ minReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } });
    const d = decide({ hpa: { spec: s }, currentReplicas: 5, pods, metrics });
    expect([d.desiredReplicas, condition(d, 'ScalingLimited')]).toEqual([3, 'True/TooFewReplicas']);
  });

  it('reports DesiredWithinRange when nothing limits', () => {
    const { pods, metrics } = uniform(4, T0, 750);
    const d = decide({ currentReplicas: 4, pods, metrics });
    expect([d.desiredReplicas, condition(d, 'ScalingLimited'), condition(d, 'AbleToScale')]).toEqual([
      6,
      'False/DesiredWithinRange',
      'True/SucceededRescale',
    ]);
  });

  it.each([
    {
      current: 12,
      replicas: 10,
      reason: 'AboveMaxReplicas',
      message: 'Current number of replicas above Spec.MaxReplicas',
    },
    {
      current: 1,
      replicas: 2,
      reason: 'BelowMinReplicas',
      message: 'Current number of replicas below Spec.MinReplicas',
    },
  ])(
    'current $current outside [2, 10] -> $replicas without reading metrics',
    ({ current, replicas, reason, message }) => {
      const d = decide({ hpa: { spec: spec({ minReplicas: 2 }) }, currentReplicas: current });
      expect([d.desiredReplicas, d.reason, d.message, d.scale]).toEqual([replicas, reason, message, true]);
      expect(d.metricStatuses).toEqual([]);
      expect(condition(d, 'ScalingActive')).toBeUndefined();
    },
  );

  it('disables scaling when the target has 0 replicas', () => {
    const d = decide({ currentReplicas: 0 });
    expect([d.desiredReplicas, d.scale, d.reason]).toEqual([0, false, 'ScalingDisabled']);
    expect(condition(d, 'ScalingActive')).toBe('False/ScalingDisabled');
  });
});

describe('metrics: AverageValue, memory, several metrics', () => {
  it('cpu AverageValue: 750m average against 500m', () => {
    const { pods, metrics } = uniform(4, T0, 750);
    const d = decide({
      hpa: { spec: spec({ metrics: [averageValue('cpu', '500m')] }) },
      currentReplicas: 4,
      pods,
      metrics,
    });
    expect(d.desiredReplicas).toBe(6);
    expect(d.metricStatuses[0]).toEqual({
      type: 'Resource',
      name: 'cpu',
      currentAverageValueMilli: 750_000 / 1000,
      currentAverageValue: '750m',
    });
  });

  it('memory AverageValue needs no requests and prints in binary units', () => {
    const { pods, metrics } = uniform(2, T0, 0, 300 * Mi, {
      memoryRequest: undefined,
      cpuRequest: undefined,
    });
    const s = spec({ metrics: [averageValue('memory', '200Mi')] });
    const d = decide({ hpa: { spec: s }, currentReplicas: 2, pods, metrics });
    expect(d.desiredReplicas).toBe(3);
    expect(formatHpaTargets(d.metricStatuses, s)).toBe('memory: 300Mi/200Mi');
  });

  it('takes the largest proposal of several metrics', () => {
    // cpu 60% of 50% -> 5 (within tolerance? 1.2 no) ; memory 200Mi/256Mi = 78% of 40% -> 8.
    const { pods, metrics } = uniform(4, T0, 600, 200 * Mi);
    const s = spec({ metrics: [cpuUtilization(50), memoryUtilization(40)] });
    const d = decide({ hpa: { spec: s }, currentReplicas: 4, pods, metrics });
    expect([d.desiredReplicas, d.message]).toEqual([
      8,
      'memory resource utilization (percentage of request) above target',
    ]);
    expect(condition(d, 'ScalingActive')).toBe('True/ValidMetricFound');
    expect(formatHpaTargets(d.metricStatuses, s)).toBe('cpu: 60%/50%, memory: 78%/40%');
  });

  it('defaults to cpu 80% when the spec has no metric', () => {
    const { pods, metrics } = uniform(4, T0, 1000);
    expect(
      decide({ hpa: { spec: spec({ metrics: [] }) }, currentReplicas: 4, pods, metrics }).desiredReplicas,
    ).toBe(5);
  });

  it('reads only samples of the target pods', () => {
    const { pods, metrics } = uniform(2, T0, 500);
    const stranger = { ...sample(9, T0, 100_000), pod: 'other-app-0' };
    const d = decide({ currentReplicas: 2, pods, metrics: [...metrics, stranger] });
    expect([d.desiredReplicas, d.metricStatuses[0]?.currentAverageUtilization]).toEqual([2, 50]);
  });
});

describe('invalid metrics', () => {
  it('a pod without a cpu request makes the metric invalid: no scaling, ScalingActive False', () => {
    const pods = [pod(0, T0), pod(1, T0, { cpuRequest: undefined })];
    const metrics = [sample(0, T0, 3000), sample(1, T0, 3000)];
    const d = decide({ currentReplicas: 2, pods, metrics });
    expect([d.desiredReplicas, d.scale, d.reason]).toEqual([2, false, 'MetricsUnavailable']);
    const active = d.conditions.find((c) => c.type === 'ScalingActive');
    expect(active).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in Pod web-1',
    });
    expect(d.events).toEqual([
      {
        type: 'Warning',
        reason: 'FailedGetResourceMetric',
        message: 'failed to get cpu utilization: missing request for cpu in Pod web-1',
      },
      {
        type: 'Warning',
        reason: 'FailedComputeMetricsReplicas',
        message:
          'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu in Pod web-1',
      },
    ]);
    expect(formatHpaTargets(d.metricStatuses, spec())).toBe('cpu: <unknown>/50%');
  });

  it('no samples at all: the metrics API answered nothing', () => {
    const d = decide({ currentReplicas: 2, pods: [pod(0, T0), pod(1, T0)] });
    expect(d.reason).toBe('MetricsUnavailable');
    expect(d.conditions.find((c) => c.type === 'ScalingActive')?.message).toBe(
      'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
  });

  it('one invalid metric does not stop a scale up by another', () => {
    const { pods, metrics } = uniform(2, T0, 0, 400 * Mi, { cpuRequest: undefined });
    const s = spec({ metrics: [cpuUtilization(50), averageValue('memory', '200Mi')] });
    const d = decide({ hpa: { spec: s }, currentReplicas: 2, pods, metrics });
    expect([d.desiredReplicas, d.reason]).toEqual([4, 'MetricAboveTarget']);
    expect(condition(d, 'ScalingActive')).toBe('True/ValidMetricFound');
    expect(d.events.map((e) => e.reason)).toEqual(['FailedGetResourceMetric', 'SuccessfulRescale']);
    expect(formatHpaTargets(d.metricStatuses, s)).toBe('cpu: <unknown>/50%, memory: 400Mi/200Mi');
  });

  it('one invalid metric blocks a scale down by another', () => {
    const { pods, metrics } = uniform(4, T0, 0, 10 * Mi, { cpuRequest: undefined });
    const s = spec({ metrics: [cpuUtilization(50), averageValue('memory', '200Mi')] });
    const d = decide({ hpa: { spec: s }, currentReplicas: 4, pods, metrics });
    expect([d.desiredReplicas, d.reason]).toEqual([4, 'MetricsUnavailable']);
    expect(d.message).toMatch(/^invalid metrics \(1 invalid out of 2\)/);
  });
});

describe('status bookkeeping', () => {
  it('keeps a condition transition time until its status flips', () => {
    const { pods, metrics } = uniform(2, T0, 500);
    const first = decide({ currentReplicas: 2, pods, metrics });
    const second = decide({ currentReplicas: 2, pods, metrics, memory: first.memory, now: T0 + SYNC_MS });
    expect(second.conditions.find((c) => c.type === 'ScalingActive')?.lastTransitionTime).toBe(T0);
    const broken = decide({
      currentReplicas: 2,
      pods,
      metrics: [],
      memory: second.memory,
      now: T0 + 2 * SYNC_MS,
    });
    expect(broken.conditions.find((c) => c.type === 'ScalingActive')?.lastTransitionTime).toBe(
      T0 + 2 * SYNC_MS,
    );
  });

  it('records lastScaleTime on a rescale only', () => {
    const { pods, metrics } = uniform(2, T0, 1000);
    const d = decide({ currentReplicas: 2, pods, metrics });
    expect(d.memory.lastScaleTime).toBe(T0);
    const calm = uniform(4, T0 + SYNC_MS, 500);
    const next = decide({ currentReplicas: 4, ...calm, memory: d.memory, now: T0 + SYNC_MS });
    expect([next.scale, next.memory.lastScaleTime]).toEqual([false, T0]);
  });

  it('never mutates the memory it is given', () => {
    const { pods, metrics } = uniform(2, T0, 2000);
    const memory: HpaMemory = {
      recommendations: [{ replicas: 3, at: T0 - 400_000 }],
      scaleUpEvents: [{ change: 1, at: T0 - 100_000, outdated: false }],
      scaleDownEvents: [],
      conditions: [],
    };
    const snapshot = structuredClone(memory);
    decide({ hpa: { spec: spec({ behavior: {} }) }, currentReplicas: 2, pods, metrics, memory });
    expect(memory).toEqual(snapshot);
  });

  it('returns JSON-serializable memory', () => {
    const { pods, metrics } = uniform(2, T0, 2000);
    const d = decide({ hpa: { spec: spec({ behavior: {} }) }, currentReplicas: 2, pods, metrics });
    expect(JSON.parse(JSON.stringify(d.memory))).toEqual(d.memory);
  });
});
