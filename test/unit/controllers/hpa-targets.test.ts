// The HPA's pure view helpers: what of a recorded decision `get hpa` / `describe hpa` show.
import { describe, expect, it } from 'vitest';
import { hpaDecisionView } from '../../../src/controllers/hpa-targets.js';
import type { HpaDecisionRecord } from '../../../src/history/history-types.js';

describe('hpaDecisionView', () => {
  it('keeps the fields a view lists and drops the row id, the HPA reference and the metrics', () => {
    const record: HpaDecisionRecord = {
      id: 7,
      namespace: 'default',
      hpa: 'web-hpa',
      at: 1_000,
      lastAt: 31_000,
      count: 3,
      currentReplicas: 2,
      desiredReplicas: 4,
      reason: 'SucceededRescale',
      message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      metrics: [{ name: 'cpu', current: '90%', target: '50%' }],
    };
    const { id: _id, namespace: _ns, hpa: _hpa, metrics: _metrics, ...shown } = record;
    expect(hpaDecisionView(record)).toEqual(shown);
    expect(Object.keys(hpaDecisionView(record))).toHaveLength(7);
  });
});
