// The `notifications` table: each notification delivery's final outcome (sent after N
// attempts, or failed with the last error), for `skiff status` / `describe app/NAME`, and the
// delivered keys that keep a commit status from being posted twice (also after a restart).
// Capped like the other growing tables.
import type Database from 'better-sqlite3';

export interface NotificationInput {
  at: number;
  /** '' for an event that concerns no app (a host NotReady). */
  app: string;
  service: string;
  trigger: string;
  commit?: string;
  state?: string;
  dedupeKey: string;
  outcome: 'sent' | 'failed';
  attempts: number;
  /** The last HTTP status, when an answer came. */
  status?: number;
  lastError?: string;
}

export interface NotificationRecord extends NotificationInput {
  id: number;
}

interface NotificationRow {
  id: number;
  at: number;
  app: string;
  service: string;
  trigger: string;
  commit_sha: string;
  state: string;
  dedupe_key: string;
  outcome: 'sent' | 'failed';
  attempts: number;
  status: number | null;
  last_error: string | null;
}

const MAX_ERROR_LENGTH = 1024;

function toRecord(r: NotificationRow): NotificationRecord {
  return {
    id: r.id,
    at: r.at,
    app: r.app,
    service: r.service,
    trigger: r.trigger,
    ...(r.commit_sha ? { commit: r.commit_sha } : {}),
    ...(r.state ? { state: r.state } : {}),
    dedupeKey: r.dedupe_key,
    outcome: r.outcome,
    attempts: r.attempts,
    ...(r.status !== null ? { status: r.status } : {}),
    ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  };
}

export class NotificationLog {
  private readonly insert: Database.Statement<Record<string, unknown>>;
  private readonly list: Database.Statement<{ app: string | null; limit: number }, NotificationRow>;
  private readonly sent: Database.Statement<{ key: string }, { id: number }>;
  private readonly prune: Database.Statement<{ keep: number }>;
  private readonly count: Database.Statement<[], { n: number }>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO notifications (at, app, service, trigger, commit_sha, state, dedupe_key, outcome, attempts, status, last_error)
       VALUES (@at, @app, @service, @trigger, @commit, @state, @dedupeKey, @outcome, @attempts, @status, @lastError)`,
    );
    this.list = db.prepare(
      'SELECT * FROM notifications WHERE (@app IS NULL OR app = @app) ORDER BY id DESC LIMIT @limit',
    );
    this.sent = db.prepare(
      `SELECT id FROM notifications WHERE dedupe_key = @key AND outcome = 'sent' LIMIT 1`,
    );
    this.prune = db.prepare(
      'DELETE FROM notifications WHERE id <= (SELECT MAX(id) FROM notifications) - @keep',
    );
    this.count = db.prepare('SELECT COUNT(*) AS n FROM notifications');
  }

  recordNotification(input: NotificationInput): NotificationRecord {
    const lastError = input.lastError?.slice(0, MAX_ERROR_LENGTH);
    const info = this.insert.run({
      ...input,
      commit: input.commit ?? '',
      state: input.state ?? '',
      status: input.status ?? null,
      lastError: lastError ?? null,
    });
    return { ...input, ...(lastError !== undefined ? { lastError } : {}), id: Number(info.lastInsertRowid) };
  }

  /** Newest first; of one app, or all. */
  listNotifications(app: string | undefined, limit: number): NotificationRecord[] {
    return this.list.all({ app: app ?? null, limit }).map(toRecord);
  }

  /** Whether a delivery with this key was sent. */
  wasSent(key: string): boolean {
    return this.sent.get({ key }) !== undefined;
  }

  pruneTo(keep: number): number {
    return this.prune.run({ keep }).changes;
  }

  countRows(): number {
    return this.count.get()?.n ?? 0;
  }
}
