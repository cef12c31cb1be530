// The `quarantine` table: commits whose rollout failed and that auto-sync must skip.
// Lifecycle: quarantine(app, commit) when a rollout of that commit fails and the last good
// revision is restored; auto-sync skips it while it is active; it is lifted when a NEWER commit
// of the app is admitted (clearSupersededBy), or by hand (unquarantine). Lifted entries stay as
// history (clearedAt, clearedBy) for `skiff history`.
//
// Why "superseded by" is the caller's call: only the daemon knows which commit is newer (the
// branch head moved past the bad one). Restoring the last good revision re-applies an OLDER
// commit; that must never lift the quarantine, or auto-sync would retry the bad commit at once.
import type Database from 'better-sqlite3';
import type { QuarantineEntry } from './history-types.js';

interface QuarantineRow {
  app: string;
  commit_sha: string;
  reason: string;
  at: number;
  cleared_at: number | null;
  cleared_by: string | null;
}

const COLUMNS = 'app, commit_sha, reason, at, cleared_at, cleared_by';
export const MANUAL_CLEAR = 'manual';

function toEntry(row: QuarantineRow): QuarantineEntry {
  const entry: QuarantineEntry = { app: row.app, commit: row.commit_sha, reason: row.reason, at: row.at };
  if (row.cleared_at !== null) entry.clearedAt = row.cleared_at;
  if (row.cleared_by !== null) entry.clearedBy = row.cleared_by;
  return entry;
}

export class QuarantineList {
  private readonly upsert: Database.Statement<{ app: string; commit: string; reason: string; at: number }>;
  private readonly active: Database.Statement<{ app: string; commit: string }, QuarantineRow>;
  private readonly list: Database.Statement<{ app: string | null; includeCleared: number }, QuarantineRow>;
  private readonly clearOthers: Database.Statement<{ app: string; commit: string; at: number }>;
  private readonly clearOne: Database.Statement<{ app: string; commit: string; at: number; by: string }>;

  constructor(db: Database.Database) {
    // Quarantining a commit again re-activates it with the new reason and time.
    this.upsert = db.prepare(
      `INSERT INTO quarantine (app, commit_sha, reason, at) VALUES (@app, @commit, @reason, @at)
       ON CONFLICT (app, commit_sha) DO UPDATE SET reason = excluded.reason, at = excluded.at,
         cleared_at = NULL, cleared_by = NULL`,
    );
    this.active = db.prepare(
      `SELECT ${COLUMNS} FROM quarantine WHERE app = @app AND commit_sha = @commit AND cleared_at IS NULL`,
    );
    this.list = db.prepare(
      `SELECT ${COLUMNS} FROM quarantine
       WHERE (@app IS NULL OR app = @app) AND (@includeCleared = 1 OR cleared_at IS NULL)
       ORDER BY at DESC, commit_sha`,
    );
    this.clearOthers = db.prepare(
      `UPDATE quarantine SET cleared_at = @at, cleared_by = @commit
       WHERE app = @app AND commit_sha <> @commit AND cleared_at IS NULL`,
    );
    this.clearOne = db.prepare(
      `UPDATE quarantine SET cleared_at = @at, cleared_by = @by
       WHERE app = @app AND commit_sha = @commit AND cleared_at IS NULL`,
    );
  }

  quarantine(app: string, commit: string, reason: string, at: number): QuarantineEntry {
    this.upsert.run({ app, commit, reason, at });
    return toEntry(this.active.get({ app, commit }) as QuarantineRow);
  }

  isQuarantined(app: string, commit: string): boolean {
    return this.active.get({ app, commit }) !== undefined;
  }

  /** The active quarantine of this commit, if any (for status: why it is skipped). */
  quarantineOf(app: string, commit: string): QuarantineEntry | undefined {
    const row = this.active.get({ app, commit });
    return row === undefined ? undefined : toEntry(row);
  }

  /** Active entries (newest first), of one app or all; with `includeCleared`, lifted ones too. */
  listQuarantined(app?: string, opts: { includeCleared?: boolean } = {}): QuarantineEntry[] {
    return this.list.all({ app: app ?? null, includeCleared: opts.includeCleared ? 1 : 0 }).map(toEntry);
  }

  /** A newer commit of the app was admitted: every other active quarantine of the app is lifted
   *  (the newer commit supersedes them). A quarantine of `newerCommit` itself stays. Returns how
   *  many were lifted. */
  clearQuarantineSupersededBy(app: string, newerCommit: string, at: number): number {
    return this.clearOthers.run({ app, commit: newerCommit, at }).changes;
  }

  /** A user lifted the quarantine of one commit by hand (e.g. `skiff sync --rev`). */
  unquarantine(app: string, commit: string, at: number): boolean {
    return this.clearOne.run({ app, commit, at, by: MANUAL_CLEAR }).changes > 0;
  }
}
