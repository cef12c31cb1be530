// The `hpa_decisions` table: what each HorizontalPodAutoscaler decided and why, for
// `skiff describe hpa/NAME`. The controller decides every sampling period (15 s by default);
// consecutive decisions with the same current and desired replicas and the same reason share
// one row (a count, the latest time and the latest metrics), so a steady HPA writes one row,
// not 5,760 a day.
import type Database from 'better-sqlite3';
import type { HpaDecisionInput, HpaDecisionRecord, HpaMetricSummary, HpaRef } from './history-types.js';

interface HpaDecisionRow {
  id: number;
  namespace: string;
  hpa: string;
  at: number;
  last_at: number;
  current_replicas: number;
  desired_replicas: number;
  reason: string;
  message: string;
  metrics_json: string;
  count: number;
}

const COLUMNS =
  'id, namespace, hpa, at, last_at, current_replicas, desired_replicas, reason, message, metrics_json, count';

function toRecord(row: HpaDecisionRow): HpaDecisionRecord {
  return {
    id: row.id,
    namespace: row.namespace,
    hpa: row.hpa,
    at: row.at,
    lastAt: row.last_at,
    currentReplicas: row.current_replicas,
    desiredReplicas: row.desired_replicas,
    reason: row.reason,
    message: row.message,
    metrics: JSON.parse(row.metrics_json) as HpaMetricSummary[],
    count: row.count,
  };
}

export class HpaDecisionLog {
  private readonly last: Database.Statement<{ namespace: string; hpa: string }, HpaDecisionRow>;
  private readonly bump: Database.Statement<{ id: number; at: number; message: string; metrics: string }>;
  private readonly insert: Database.Statement<Record<string, unknown>>;
  private readonly byId: Database.Statement<{ id: number }, HpaDecisionRow>;
  private readonly list: Database.Statement<
    { namespace: string; name: string; limit: number },
    HpaDecisionRow
  >;
  private readonly prune: Database.Statement<{ keep: number }>;
  private readonly count: Database.Statement<[], { n: number }>;
  private readonly record: (input: HpaDecisionInput) => HpaDecisionRecord;

  constructor(db: Database.Database) {
    this.last = db.prepare(
      `SELECT ${COLUMNS} FROM hpa_decisions WHERE namespace = @namespace AND hpa = @hpa ORDER BY id DESC LIMIT 1`,
    );
    this.bump = db.prepare(
      `UPDATE hpa_decisions SET count = count + 1, last_at = max(last_at, @at), message = @message,
         metrics_json = @metrics WHERE id = @id`,
    );
    this.insert = db.prepare(
      `INSERT INTO hpa_decisions (namespace, hpa, at, last_at, current_replicas, desired_replicas, reason, message,
         metrics_json, count)
       VALUES (@namespace, @hpa, @at, @at, @currentReplicas, @desiredReplicas, @reason, @message, @metrics, 1)`,
    );
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM hpa_decisions WHERE id = @id`);
    this.list = db.prepare(
      `SELECT ${COLUMNS} FROM hpa_decisions WHERE namespace = @namespace AND hpa = @name
       ORDER BY id DESC LIMIT @limit`,
    );
    this.count = db.prepare('SELECT count(*) AS n FROM hpa_decisions');
    this.prune = db.prepare(
      'DELETE FROM hpa_decisions WHERE id <= (SELECT id FROM hpa_decisions ORDER BY id DESC LIMIT 1 OFFSET @keep)',
    );
    this.record = db.transaction((input: HpaDecisionInput): HpaDecisionRecord => {
      const metrics = JSON.stringify(input.metrics);
      const prev = this.last.get({ namespace: input.namespace, hpa: input.hpa });
      if (
        prev !== undefined &&
        prev.current_replicas === input.currentReplicas &&
        prev.desired_replicas === input.desiredReplicas &&
        prev.reason === input.reason
      ) {
        this.bump.run({ id: prev.id, at: input.at, message: input.message, metrics });
        return toRecord(this.byId.get({ id: prev.id }) as HpaDecisionRow);
      }
      const info = this.insert.run({
        namespace: input.namespace,
        hpa: input.hpa,
        at: input.at,
        currentReplicas: input.currentReplicas,
        desiredReplicas: input.desiredReplicas,
        reason: input.reason,
        message: input.message,
        metrics,
      });
      return toRecord(this.byId.get({ id: Number(info.lastInsertRowid) }) as HpaDecisionRow);
    });
  }

  recordHpaDecision(input: HpaDecisionInput): HpaDecisionRecord {
    return this.record(input);
  }

  /** Newest first. */
  listHpaDecisions(hpa: HpaRef, limit: number): HpaDecisionRecord[] {
    return this.list
      .all({ namespace: hpa.namespace, name: hpa.name, limit: Math.max(0, Math.floor(limit)) })
      .map(toRecord);
  }

  countRows(): number {
    return this.count.get()?.n ?? 0;
  }

  pruneTo(keep: number): number {
    return this.prune.run({ keep }).changes;
  }
}
