// HPA samples: the observed metric values and replicas over time (the dashboard's utilization
// chart). The decision log folds a steady HPA into one row; the samples keep one a minute while
// nothing changes, one at once when the replicas change, and stay within their retention.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../../src/history/history-schema.js';
import type { HpaDecisionInput } from '../../../src/history/history-types.js';
import { tempHistoryStore } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;
const webHpa = { namespace: 'default', name: 'web-hpa' };
const cpu = (current: number | null) => [{ name: 'cpu', unit: 'percent' as const, current, target: 70 }];

function decision(
  at: number,
  utilization: number | null,
  over: Partial<HpaDecisionInput> = {},
): HpaDecisionInput {
  return {
    namespace: 'default',
    hpa: 'web-hpa',
    at,
    currentReplicas: 4,
    desiredReplicas: 4,
    reason: 'ReadyForNewScale',
    message: 'within tolerance',
    metrics: [{ name: 'cpu', current: `${utilization}%`, target: '70%' }],
    values: cpu(utilization),
    ...over,
  };
}

describe('HPA samples', () => {
  it('keeps the utilization over time while the decision log folds the steady HPA into one row', () => {
    const store = tempHistoryStore();
    // Every 15 s for 3 minutes, utilization rising: one sample a minute.
    for (let i = 0; i <= 12; i++) store.recordHpaDecision(decision(T0 + i * 15_000, 50 + i));
    expect(store.listHpaDecisions(webHpa, 10)).toHaveLength(1);
    const samples = store.listHpaSamples(webHpa, 100);
    expect(samples.map((s) => [s.at - T0, s.metrics[0]?.current])).toEqual([
      [0, 50],
      [60_000, 54],
      [120_000, 58],
      [180_000, 62],
    ]);
    expect(samples[0]).toEqual({
      namespace: 'default',
      hpa: 'web-hpa',
      at: T0,
      currentReplicas: 4,
      desiredReplicas: 4,
      metrics: cpu(50),
    });
  });

  it.each([
    ['current replicas', { currentReplicas: 5 }],
    ['desired replicas', { desiredReplicas: 7, reason: 'SucceededRescale' }],
  ])('a change of %s is sampled at once', (_what, over) => {
    const store = tempHistoryStore();
    store.recordHpaDecision(decision(T0, 60));
    store.recordHpaDecision(decision(T0 + 15_000, 140, over));
    expect(store.listHpaSamples(webHpa, 10).map((s) => s.metrics[0]?.current)).toEqual([60, 140]);
  });

  it('a metric without a value yet is kept as null; a decision without values samples replicas alone', () => {
    const store = tempHistoryStore();
    store.recordHpaDecision(decision(T0, null));
    const { values: _, ...bare } = decision(T0 + 60_000, 1);
    store.recordHpaDecision(bare);
    expect(store.listHpaSamples(webHpa, 10).map((s) => s.metrics)).toEqual([cpu(null), []]);
  });

  it('samples each HPA on its own; the newest N come oldest first', () => {
    const store = tempHistoryStore();
    for (let i = 0; i < 5; i++) {
      store.recordHpaDecision(decision(T0 + i * 60_000, i));
      store.recordHpaDecision(decision(T0 + i * 60_000, 100 + i, { hpa: 'api-hpa' }));
    }
    expect(store.listHpaSamples(webHpa, 3).map((s) => s.metrics[0]?.current)).toEqual([2, 3, 4]);
    expect(store.listHpaSamples({ namespace: 'default', name: 'api-hpa' }, 2).map((s) => s.at - T0)).toEqual([
      180_000, 240_000,
    ]);
  });

  it('stays within its retention', () => {
    const store = tempHistoryStore({ retention: { maxHpaSamples: 10 }, pruneSlack: 5 });
    for (let i = 0; i < 40; i++) store.recordHpaDecision(decision(T0 + i * 60_000, i));
    const kept = store.listHpaSamples(webHpa, 100);
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.length).toBeLessThan(15);
    expect(kept.at(-1)?.metrics[0]?.current).toBe(39);
    store.prune();
    expect(store.listHpaSamples(webHpa, 100)).toHaveLength(10);
  });

  it('migration 4 adds the table to a database at version 3, keeping its decisions', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 3));
    db.prepare(
      `INSERT INTO hpa_decisions (namespace, hpa, at, last_at, current_replicas, desired_replicas, reason, message,
         metrics_json) VALUES ('default', 'web-hpa', 1, 1, 2, 2, 'R', '', '[]')`,
    ).run();
    expect(migrate(db)).toEqual({ kind: 'migrated', from: 3, to: MIGRATIONS.length });
    expect(db.prepare('SELECT count(*) AS n FROM hpa_decisions').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM hpa_samples').get()).toEqual({ n: 0 });
    db.close();
  });
});
