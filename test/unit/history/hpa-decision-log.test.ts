import { describe, expect, it } from 'vitest';
import type { HpaDecisionInput } from '../../../src/history/history-types.js';
import { tempHistoryStore } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;
const webHpa = { namespace: 'default', name: 'web-hpa' };

function decision(over: Partial<HpaDecisionInput> = {}): HpaDecisionInput {
  return {
    namespace: 'default',
    hpa: 'web-hpa',
    at: T0,
    currentReplicas: 2,
    desiredReplicas: 4,
    reason: 'SucceededRescale',
    message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
    metrics: [{ name: 'cpu', current: '140%', target: '70%' }],
    ...over,
  };
}

describe('HPA decisions', () => {
  it('records a decision with its metrics and reads it back', () => {
    const store = tempHistoryStore();
    const rec = store.recordHpaDecision(decision());
    expect(rec).toMatchObject({ ...decision(), count: 1, lastAt: T0 });
    expect(store.listHpaDecisions(webHpa, 10)).toEqual([rec]);
  });

  it('folds consecutive identical decisions into one row with the latest metrics', () => {
    const store = tempHistoryStore();
    const steady = (at: number, cpu: string) =>
      store.recordHpaDecision(
        decision({
          at,
          currentReplicas: 4,
          desiredReplicas: 4,
          reason: 'ReadyForNewScale',
          message: 'within tolerance',
          metrics: [{ name: 'cpu', current: cpu, target: '70%' }],
        }),
      );
    store.recordHpaDecision(decision());
    steady(T0 + 15_000, '66%');
    const last = steady(T0 + 30_000, '72%');
    expect(last).toMatchObject({
      at: T0 + 15_000,
      lastAt: T0 + 30_000,
      count: 2,
      metrics: [{ name: 'cpu', current: '72%', target: '70%' }],
    });
    expect(store.listHpaDecisions(webHpa, 10).map((d) => [d.desiredReplicas, d.count])).toEqual([
      [4, 2],
      [4, 1],
    ]);
  });

  it.each([
    ['current replicas', { currentReplicas: 3 }],
    ['desired replicas', { desiredReplicas: 5 }],
    ['reason', { reason: 'ScaleDownStabilized' }],
  ])('starts a new row when the %s change', (_name, change) => {
    const store = tempHistoryStore();
    store.recordHpaDecision(decision());
    store.recordHpaDecision(decision({ ...change, at: T0 + 15_000 }));
    expect(store.listHpaDecisions(webHpa, 10)).toHaveLength(2);
  });

  it('lists one HPA newest first, limited, and caps the table', () => {
    const store = tempHistoryStore({ retention: { maxHpaDecisions: 3 }, pruneSlack: 1 });
    for (let i = 0; i < 5; i++) store.recordHpaDecision(decision({ desiredReplicas: i + 1, at: T0 + i }));
    store.recordHpaDecision(decision({ hpa: 'api-hpa', at: T0 + 10 }));
    expect(store.listHpaDecisions(webHpa, 10).map((d) => d.desiredReplicas)).toEqual([5, 4]);
    expect(store.listHpaDecisions(webHpa, 1).map((d) => d.desiredReplicas)).toEqual([5]);
    expect(store.listHpaDecisions({ namespace: 'default', name: 'api-hpa' }, 10)).toHaveLength(1);
  });
});
