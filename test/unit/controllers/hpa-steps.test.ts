// The HPA decision replayed step by step: the proposal (computeReplicasForMetrics), then its
// normalization (normalizeDesiredReplicas), end where decideReplicas ends.
import { describe, expect, it } from 'vitest';
import {
  computeReplicasForMetrics,
  decideReplicas,
  defaultHpaConfig,
  emptyHpaMemory,
  type HpaPod,
  normalizeDesiredReplicas,
  type PodMetricSample,
} from '../../../src/controllers/hpa.js';
import type { HorizontalPodAutoscalerSpec } from '../../../src/model/k8s.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

const spec: HorizontalPodAutoscalerSpec = {
  scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
  minReplicas: 1,
  maxReplicas: 10,
  metrics: [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
  ],
};

function pods(n: number): HpaPod[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `web-${i}`,
    phase: 'Running',
    startTime: T0 - 3_600_000,
    readyCondition: { ready: true, lastTransitionTime: T0 - 3_600_000 },
    requests: { cpuMilli: 100, memoryBytes: 64 * 1024 * 1024 },
  }));
}

function samples(ps: readonly HpaPod[], cpuMilli: number): PodMetricSample[] {
  return ps.map((p) => ({
    namespace: 'default',
    pod: p.name,
    cpuMilli,
    memoryBytes: 0,
    timestamp: T0 - 1000,
    windowMs: 15_000,
    containers: 1,
  }));
}

describe('HPA steps', () => {
  it.each([
    { current: 2, cpu: 150, proposal: 6, final: 4 },
    { current: 4, cpu: 10, proposal: 1, final: 4 },
    { current: 3, cpu: 50, proposal: 3, final: 3 },
  ])('$current pods at $cpu m: proposal $proposal, decision $final', ({ current, cpu, proposal, final }) => {
    const ps = pods(current);
    const metrics = samples(ps, cpu);
    const p = computeReplicasForMetrics({
      spec,
      currentReplicas: current,
      pods: ps,
      metrics,
      config: defaultHpaConfig,
      now: T0,
    });
    expect(p.error).toBeUndefined();
    expect(p.replicas).toBe(proposal);
    const n = normalizeDesiredReplicas({
      spec,
      config: defaultHpaConfig,
      currentReplicas: current,
      desiredReplicas: p.replicas,
      minReplicas: 1,
      maxReplicas: 10,
      recommendations: [{ replicas: current, at: T0 }],
      scaleUpEvents: [],
      scaleDownEvents: [],
      now: T0,
    });
    expect(n.limited.replicas).toBe(final);
    const d = decideReplicas({
      hpa: { spec },
      currentReplicas: current,
      pods: ps,
      metrics,
      memory: emptyHpaMemory(),
      now: T0,
    });
    expect(d.desiredReplicas).toBe(final);
    expect(d.metricStatuses).toEqual(p.metricStatuses);
    expect(d.memory.recommendations).toEqual(n.recommendations);
  });

  it('a proposal without metrics carries the error that leaves the target alone', () => {
    const p = computeReplicasForMetrics({
      spec,
      currentReplicas: 2,
      pods: pods(2),
      metrics: [],
      config: defaultHpaConfig,
      now: T0,
    });
    expect(p.metricStatuses).toEqual([null]);
    expect(p.failures).toHaveLength(1);
    expect(p.error).toMatch(
      /^invalid metrics \(1 invalid out of 1\), first error is: failed to get cpu resource metric value/,
    );
  });
});
