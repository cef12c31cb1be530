// The `syncs` table: one row per reconcile pass of an app, except that consecutive NoOp passes
// of the same commit share a row (a count and the latest finish time), so an idle daemon that
// passes every 10 s does not bury the real syncs. Level-triggered: why a pass ran is not kept.
import type Database from 'better-sqlite3';
import type { ActionSummary, ListSyncsQuery, SyncInput, SyncRecord, SyncResult } from './history-types.js';

/** Longest error text kept per sync; longer messages are cut (the log has the rest). */
export const MAX_SYNC_ERROR_LENGTH = 4096;

interface SyncRow {
  id: number;
  app: string;
  commit_sha: string;
  started_at: number;
  finished_at: number;
  last_finished_at: number;
  duration_ms: number;
  result: SyncResult;
  actions_json: string;
  error: string | null;
  passes: number;
}

const COLUMNS =
  'id, app, commit_sha, started_at, finished_at, last_finished_at, duration_ms, result, actions_json, error, passes';

function toRecord(row: SyncRow): SyncRecord {
  const record: SyncRecord = {
    id: row.id,
    app: row.app,
    commit: row.commit_sha,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    lastFinishedAt: row.last_finished_at,
    durationMs: row.duration_ms,
    result: row.result,
    actions: JSON.parse(row.actions_json) as ActionSummary,
    passes: row.passes,
  };
  if (row.error !== null) record.error = row.error;
  return record;
}

/** Same keys in the same order, so equal summaries serialize to equal strings. */
function canonicalActions(actions: ActionSummary): string {
  const sorted: Record<string, Record<string, number>> = {};
  for (const type of Object.keys(actions).sort()) {
    const perOutcome = actions[type as keyof ActionSummary] ?? {};
    const inner: Record<string, number> = {};
    for (const outcome of Object.keys(perOutcome).sort()) {
      inner[outcome] = perOutcome[outcome as keyof typeof perOutcome] ?? 0;
    }
    sorted[type] = inner;
  }
  return JSON.stringify(sorted);
}

export class SyncLog {
  private readonly insert: Database.Statement<Record<string, unknown>>;
  private readonly last: Database.Statement<{ app: string }, SyncRow>;
  private readonly bumpNoOp: Database.Statement<{ id: number; finishedAt: number }>;
  private readonly byId: Database.Statement<{ id: number }, SyncRow>;
  private readonly listAll: Database.Statement<{ limit: number; results: string | null }, SyncRow>;
  private readonly listApp: Database.Statement<
    { app: string; limit: number; results: string | null },
    SyncRow
  >;
  private readonly lastOf: Database.Statement<{ app: string; results: string }, SyncRow>;
  private readonly prune: Database.Statement<{ keep: number }>;
  private readonly count: Database.Statement<[], { n: number }>;
  private readonly record: (input: SyncInput) => SyncRecord;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO syncs (app, commit_sha, started_at, finished_at, last_finished_at, duration_ms, result,
         actions_json, error, passes)
       VALUES (@app, @commit, @startedAt, @finishedAt, @finishedAt, @durationMs, @result, @actions, @error, 1)`,
    );
    this.last = db.prepare(`SELECT ${COLUMNS} FROM syncs WHERE app = @app ORDER BY id DESC LIMIT 1`);
    this.bumpNoOp = db.prepare(
      'UPDATE syncs SET passes = passes + 1, last_finished_at = max(last_finished_at, @finishedAt) WHERE id = @id',
    );
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM syncs WHERE id = @id`);
    // `results` is a JSON array (or null for all): one statement serves any subset of results.
    const resultFilter = '(@results IS NULL OR result IN (SELECT value FROM json_each(@results)))';
    this.listAll = db.prepare(
      `SELECT ${COLUMNS} FROM syncs WHERE ${resultFilter} ORDER BY id DESC LIMIT @limit`,
    );
    this.listApp = db.prepare(
      `SELECT ${COLUMNS} FROM syncs WHERE app = @app AND ${resultFilter} ORDER BY id DESC LIMIT @limit`,
    );
    this.lastOf = db.prepare(
      `SELECT ${COLUMNS} FROM syncs WHERE app = @app AND result IN (SELECT value FROM json_each(@results))
       ORDER BY id DESC LIMIT 1`,
    );
    this.count = db.prepare('SELECT count(*) AS n FROM syncs');
    this.prune = db.prepare(
      'DELETE FROM syncs WHERE id <= (SELECT id FROM syncs ORDER BY id DESC LIMIT 1 OFFSET @keep)',
    );
    this.record = db.transaction((input: SyncInput): SyncRecord => {
      const actions = canonicalActions(input.actions);
      if (input.result === 'NoOp') {
        const prev = this.last.get({ app: input.app });
        if (
          prev !== undefined &&
          prev.result === 'NoOp' &&
          prev.commit_sha === input.commit &&
          prev.actions_json === actions &&
          (prev.error ?? undefined) === input.error
        ) {
          this.bumpNoOp.run({ id: prev.id, finishedAt: input.finishedAt });
          return toRecord(this.byId.get({ id: prev.id }) as SyncRow);
        }
      }
      const info = this.insert.run({
        app: input.app,
        commit: input.commit,
        startedAt: input.startedAt,
        finishedAt: input.finishedAt,
        durationMs: Math.max(0, input.finishedAt - input.startedAt),
        result: input.result,
        actions,
        error: input.error === undefined ? null : input.error.slice(0, MAX_SYNC_ERROR_LENGTH),
      });
      return toRecord(this.byId.get({ id: Number(info.lastInsertRowid) }) as SyncRow);
    });
  }

  recordSync(input: SyncInput): SyncRecord {
    return this.record(input);
  }

  listSyncs(query: ListSyncsQuery): SyncRecord[] {
    const limit = Math.max(0, Math.floor(query.limit));
    const results = query.results === undefined ? null : JSON.stringify(query.results);
    const rows =
      query.app === undefined
        ? this.listAll.all({ limit, results })
        : this.listApp.all({ app: query.app, limit, results });
    return rows.map(toRecord);
  }

  /** The app's newest sync, or its newest with one of `results` (e.g. the last `Synced`). */
  lastSync(app: string, results?: readonly SyncResult[]): SyncRecord | undefined {
    const row =
      results === undefined
        ? this.last.get({ app })
        : this.lastOf.get({ app, results: JSON.stringify(results) });
    return row === undefined ? undefined : toRecord(row);
  }

  /** Keeps the newest `keep` rows. Returns how many were deleted. */
  countRows(): number {
    return this.count.get()?.n ?? 0;
  }

  pruneTo(keep: number): number {
    return this.prune.run({ keep }).changes;
  }
}
