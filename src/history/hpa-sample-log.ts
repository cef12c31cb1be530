// The `hpa_samples` table: an HPA's observed metric values and replicas over time, for the
// dashboard's utilization chart. The controller decides every 15 s; a sample is kept at most
// once per interval (a minute by default) while the replicas hold, and at once when they change,
// so a steady HPA writes 1,440 rows a day and a scale is never missed between samples.
import type Database from 'better-sqlite3';
import type { HpaMetricValue } from '../model/views.js';
import type { HpaRef, HpaSampleRecord } from './history-types.js';

interface HpaSampleRow {
  namespace: string;
  hpa: string;
  at: number;
  current_replicas: number;
  desired_replicas: number;
  metrics_json: string;
}

const COLUMNS = 'namespace, hpa, at, current_replicas, desired_replicas, metrics_json';

export const HPA_SAMPLE_INTERVAL_MS = 60_000;

function toRecord(row: HpaSampleRow): HpaSampleRecord {
  return {
    namespace: row.namespace,
    hpa: row.hpa,
    at: row.at,
    currentReplicas: row.current_replicas,
    desiredReplicas: row.desired_replicas,
    metrics: JSON.parse(row.metrics_json) as HpaMetricValue[],
  };
}

export class HpaSampleLog {
  private readonly last: Database.Statement<{ namespace: string; hpa: string }, HpaSampleRow>;
  private readonly insert: Database.Statement<Record<string, unknown>>;
  private readonly list: Database.Statement<{ namespace: string; name: string; limit: number }, HpaSampleRow>;
  private readonly prune: Database.Statement<{ keep: number }>;
  private readonly count: Database.Statement<[], { n: number }>;
  private readonly record: (input: HpaSampleRecord) => boolean;

  constructor(
    db: Database.Database,
    private readonly intervalMs = HPA_SAMPLE_INTERVAL_MS,
  ) {
    this.last = db.prepare(
      `SELECT ${COLUMNS} FROM hpa_samples WHERE namespace = @namespace AND hpa = @hpa ORDER BY id DESC LIMIT 1`,
    );
    this.insert = db.prepare(
      `INSERT INTO hpa_samples (${COLUMNS})
       VALUES (@namespace, @hpa, @at, @currentReplicas, @desiredReplicas, @metrics)`,
    );
    this.list = db.prepare(
      `SELECT ${COLUMNS} FROM hpa_samples WHERE namespace = @namespace AND hpa = @name
       ORDER BY id DESC LIMIT @limit`,
    );
    this.count = db.prepare('SELECT count(*) AS n FROM hpa_samples');
    this.prune = db.prepare(
      'DELETE FROM hpa_samples WHERE id <= (SELECT id FROM hpa_samples ORDER BY id DESC LIMIT 1 OFFSET @keep)',
    );
    this.record = db.transaction((input: HpaSampleRecord): boolean => {
      const prev = this.last.get({ namespace: input.namespace, hpa: input.hpa });
      const due =
        prev === undefined ||
        input.at - prev.at >= this.intervalMs ||
        input.at < prev.at ||
        prev.current_replicas !== input.currentReplicas ||
        prev.desired_replicas !== input.desiredReplicas;
      if (!due) return false;
      this.insert.run({ ...input, metrics: JSON.stringify(input.metrics) });
      return true;
    });
  }

  /** Keeps the sample when one is due; true when a row was written. */
  recordHpaSample(input: HpaSampleRecord): boolean {
    return this.record(input);
  }

  /** The newest `limit` samples, oldest first (as a chart reads them). */
  listHpaSamples(hpa: HpaRef, limit: number): HpaSampleRecord[] {
    return this.list
      .all({ namespace: hpa.namespace, name: hpa.name, limit: Math.max(0, Math.floor(limit)) })
      .map(toRecord)
      .reverse();
  }

  countRows(): number {
    return this.count.get()?.n ?? 0;
  }

  pruneTo(keep: number): number {
    return this.prune.run({ keep }).changes;
  }
}
