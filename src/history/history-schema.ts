// Schema of history.db, as an append-only list of migrations. The database's `user_version`
// pragma is the number of migrations applied; opening runs the missing ones, each in its own
// transaction. Never edit a shipped migration: add a new one.
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: the first schema.
  `
  CREATE TABLE syncs (
    id INTEGER PRIMARY KEY,
    app TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    last_finished_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('Synced', 'Failed', 'Rejected', 'NoOp')),
    actions_json TEXT NOT NULL,
    error TEXT,
    passes INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX syncs_by_app ON syncs (app, id);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL CHECK (type IN ('Normal', 'Warning')),
    reason TEXT NOT NULL,
    object TEXT NOT NULL,
    namespace TEXT NOT NULL,
    message TEXT NOT NULL,
    source TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_timestamp INTEGER NOT NULL,
    last_timestamp INTEGER NOT NULL
  );
  CREATE INDEX events_by_object ON events (namespace, object, reason, last_timestamp);
  CREATE INDEX events_by_time ON events (last_timestamp, id);

  CREATE TABLE revisions (
    namespace TEXT NOT NULL,
    deployment TEXT NOT NULL,
    revision INTEGER NOT NULL,
    template_hash TEXT NOT NULL,
    app TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    author TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    previous_revisions TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (namespace, deployment, revision),
    UNIQUE (namespace, deployment, template_hash)
  );

  CREATE TABLE quarantine (
    app TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL,
    cleared_at INTEGER,
    cleared_by TEXT,
    PRIMARY KEY (app, commit_sha)
  );

  CREATE TABLE hpa_decisions (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    hpa TEXT NOT NULL,
    at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    current_replicas INTEGER NOT NULL,
    desired_replicas INTEGER NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    metrics_json TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1
  );
  CREATE INDEX hpa_decisions_by_hpa ON hpa_decisions (namespace, hpa, id);

  CREATE TABLE app_status (
    app TEXT PRIMARY KEY,
    status_json TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  `,
  // 2: the API's audit log (issue 14): every mutating call, who made it (a token id), its result.
  `
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    token_id TEXT NOT NULL,
    route TEXT NOT NULL,
    params_json TEXT NOT NULL,
    status INTEGER NOT NULL,
    result TEXT NOT NULL
  );
  `,
  // 3: notification deliveries (issue 17): one row per delivery's final outcome. `dedupe_key`
  // makes a status on a commit happen once per state and service, across restarts.
  `
  CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    app TEXT NOT NULL,
    service TEXT NOT NULL,
    trigger TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    state TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'failed')),
    attempts INTEGER NOT NULL,
    status INTEGER,
    last_error TEXT
  );
  CREATE INDEX notifications_by_app ON notifications (app, id);
  CREATE INDEX notifications_by_key ON notifications (dedupe_key, outcome);
  `,
  // 4: HPA samples (issue 14): the observed metric values and replicas over time, for the
  // dashboard's utilization chart. hpa_decisions folds a steady HPA into one row (its latest
  // metrics only), so the values over time need their own, sampled, rows.
  `
  CREATE TABLE hpa_samples (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    hpa TEXT NOT NULL,
    at INTEGER NOT NULL,
    current_replicas INTEGER NOT NULL,
    desired_replicas INTEGER NOT NULL,
    metrics_json TEXT NOT NULL
  );
  CREATE INDEX hpa_samples_by_hpa ON hpa_samples (namespace, hpa, id);
  `,
];

export type MigrationOutcome =
  | { kind: 'current'; version: number }
  | { kind: 'migrated'; from: number; to: number }
  | { kind: 'newer'; version: number; known: number };

/** Brings the database up to the newest schema. A database written by a newer skiff is left
 *  untouched and reported as `newer`: the caller refuses to use it. */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): MigrationOutcome {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > migrations.length) return { kind: 'newer', version: from, known: migrations.length };
  if (from === migrations.length) return { kind: 'current', version: from };
  for (let v = from; v < migrations.length; v++) {
    const sql = migrations[v] as string;
    db.transaction(() => {
      db.exec(sql);
      // pragma arguments cannot be bound; v is our own integer.
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return { kind: 'migrated', from, to: migrations.length };
}
