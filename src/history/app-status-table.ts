// The `app_status` table: the last status the daemon reported per app, as JSON, so that
// `skiff status` with no daemon running can still show the last known result (marked stale by
// its time). One row per app, replaced on every write.
import type Database from 'better-sqlite3';
import type { AppStatusRecord } from './history-types.js';

interface AppStatusRow {
  app: string;
  status_json: string;
  at: number;
}

function toRecord(row: AppStatusRow): AppStatusRecord {
  return { app: row.app, status: JSON.parse(row.status_json) as unknown, at: row.at };
}

export class AppStatusTable {
  private readonly upsert: Database.Statement<AppStatusRow>;
  private readonly one: Database.Statement<{ app: string }, AppStatusRow>;
  private readonly all: Database.Statement<[], AppStatusRow>;
  private readonly remove: Database.Statement<{ app: string }>;

  constructor(db: Database.Database) {
    this.upsert = db.prepare(
      `INSERT INTO app_status (app, status_json, at) VALUES (@app, @status_json, @at)
       ON CONFLICT (app) DO UPDATE SET status_json = excluded.status_json, at = excluded.at`,
    );
    this.one = db.prepare('SELECT app, status_json, at FROM app_status WHERE app = @app');
    this.all = db.prepare('SELECT app, status_json, at FROM app_status ORDER BY app');
    this.remove = db.prepare('DELETE FROM app_status WHERE app = @app');
  }

  /** `status` must be JSON-serializable and free of secret values. */
  setAppStatus(app: string, status: unknown, at: number): void {
    const json = JSON.stringify(status);
    if (json === undefined) throw new Error(`bug: app status of ${app} is not JSON-serializable`);
    this.upsert.run({ app, status_json: json, at });
  }

  appStatus(app: string): AppStatusRecord | undefined {
    const row = this.one.get({ app });
    return row === undefined ? undefined : toRecord(row);
  }

  listAppStatuses(): AppStatusRecord[] {
    return this.all.all().map(toRecord);
  }

  /** The app was removed from the configuration. */
  forgetAppStatus(app: string): boolean {
    return this.remove.run({ app }).changes > 0;
  }
}
