// The daemon's record: an embedded SQLite database at `<stateDir>/history.db` (WAL mode,
// schema versioned by the user_version pragma, prepared statements). It backs `status`,
// `history`, `describe` events, `rollout history` and the dashboard. It is NEVER the source of
// truth: the live state is rebuilt from Docker labels and Git on every pass, so losing this file
// loses history, not state — a corrupt file is set aside and a fresh one started.
// Shell code (file I/O). Times are passed in by the caller, who holds the clock.
// Invariants: capped tables stay within their retention (at most `pruneSlack` rows over it,
// between prunes); every text a record holds passes through the store's `scrub` (the daemon's
// SecretScrubber: no Secret value of the desired state is ever written to disk here).
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { scrubStrings } from '../diff/redact-values.js';
import { ensurePrivateDir } from '../state-dir/private-files.js';
import { AppStatusTable } from './app-status-table.js';
import { type AuditInput, AuditLog, type AuditRecord } from './audit-log.js';
import { HistoryStoreError } from './errors.js';
import { EventLog } from './event-log.js';
import { MIGRATIONS, migrate } from './history-schema.js';
import type {
  AppStatusRecord,
  DeploymentRef,
  EventInput,
  EventRecord,
  HpaDecisionInput,
  HpaDecisionRecord,
  HpaRef,
  HpaSampleRecord,
  ListEventsQuery,
  ListSyncsQuery,
  QuarantineEntry,
  RecordRevisionResult,
  RevisionInput,
  RevisionRecord,
  SyncInput,
  SyncRecord,
  SyncResult,
} from './history-types.js';
import { HpaDecisionLog } from './hpa-decision-log.js';
import { HpaSampleLog } from './hpa-sample-log.js';
import { type NotificationInput, NotificationLog, type NotificationRecord } from './notification-log.js';
import { QuarantineList } from './quarantine-list.js';
import { RevisionLog } from './revision-log.js';
import { SyncLog } from './sync-log.js';

export const HISTORY_DB_FILE = 'history.db';

type CappedTable = 'syncs' | 'events' | 'hpaDecisions' | 'hpaSamples' | 'audit' | 'notifications';

interface CappedLog {
  pruneTo(keep: number): number;
  countRows(): number;
}

/** How many rows the growing tables keep (newest first). */
export interface HistoryRetention {
  maxSyncs: number;
  maxEvents: number;
  maxHpaDecisions: number;
  /** Samples of all HPAs together: 20,000 keep two weeks of one steady HPA, a day of fourteen. */
  maxHpaSamples: number;
  maxAudit: number;
  maxNotifications: number;
}

export const DEFAULT_HISTORY_RETENTION: HistoryRetention = {
  maxSyncs: 10_000,
  maxEvents: 10_000,
  maxHpaDecisions: 10_000,
  maxHpaSamples: 20_000,
  maxAudit: 10_000,
  maxNotifications: 10_000,
};

export interface OpenHistoryStoreOptions {
  stateDir: string;
  retention?: Partial<HistoryRetention>;
  /** Prune a capped table once it is this many rows over its cap (default 100): pruning on
   *  every insert would walk the index each time. */
  pruneSlack?: number;
  /** Open an existing database for reading only (the CLI with no daemon). Never migrates. */
  readonly?: boolean;
  /** Told when a corrupt database is set aside. */
  onWarning?: (message: string) => void;
  /** Time used to name a corrupt database set aside; defaults to the wall clock. */
  now?: number;
  /** Applied to every text a record holds before it is written (the daemon's SecretScrubber). */
  scrub?: (text: string) => string;
}

const CORRUPT_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

function sqliteCode(err: unknown): string | undefined {
  return err instanceof Database.SqliteError ? err.code : undefined;
}

function openConnection(dbPath: string, readonly: boolean): Database.Database {
  const db = new Database(dbPath, readonly ? { readonly: true, fileMustExist: true } : {});
  try {
    db.pragma('busy_timeout = 5000');
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL is durable against application crashes; after a power loss the last few
      // history rows may be lost, which the record can afford (it is not the source of truth).
      db.pragma('synchronous = NORMAL');
    }
    // Any read makes SQLite check the header: a non-database file fails here, not later.
    db.pragma('user_version', { simple: true });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function setAside(dbPath: string, now: number): string {
  const aside = `${dbPath}.corrupt-${now}`;
  renameSync(dbPath, aside);
  for (const suffix of ['-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
  return aside;
}

/** Opens (creating and migrating if needed) the history database of a state directory. */
export function openHistoryStore(opts: OpenHistoryStoreOptions): HistoryStore {
  const dbPath = join(opts.stateDir, HISTORY_DB_FILE);
  const readonly = opts.readonly ?? false;
  if (!readonly) ensurePrivateDir(opts.stateDir);
  let db: Database.Database;
  try {
    db = openConnection(dbPath, readonly);
    if (!readonly) migrateOrThrow(db, dbPath);
  } catch (err) {
    if (err instanceof HistoryStoreError) throw err;
    const code = sqliteCode(err);
    if (readonly && code === 'SQLITE_CANTOPEN') {
      throw new HistoryStoreError('no history database yet', dbPath, {
        cause: err,
        hint: 'the daemon creates it on its first run (skiff run or skiff sync)',
      });
    }
    if (readonly || code === undefined || !CORRUPT_CODES.has(code)) {
      throw new HistoryStoreError(`cannot open the history database: ${(err as Error).message}`, dbPath, {
        cause: err,
        hint: 'check the permissions and free space of the state directory',
        retryable: code === 'SQLITE_BUSY',
      });
    }
    const aside = setAside(dbPath, opts.now ?? Date.now());
    opts.onWarning?.(`history database was corrupt (${code}); moved it to ${aside} and started a new one`);
    db = openConnection(dbPath, false);
    migrateOrThrow(db, dbPath);
  }
  if (readonly) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== MIGRATIONS.length) {
      db.close();
      throw new HistoryStoreError(
        `history database has schema version ${version}, this skiff reads version ${MIGRATIONS.length}`,
        dbPath,
        { hint: 'run the daemon of this skiff version once to migrate it' },
      );
    }
  }
  return new HistoryStore(
    db,
    dbPath,
    {
      ...DEFAULT_HISTORY_RETENTION,
      ...opts.retention,
    },
    opts.pruneSlack ?? 100,
    opts.scrub,
  );
}

function migrateOrThrow(db: Database.Database, dbPath: string): void {
  const outcome = migrate(db);
  if (outcome.kind === 'newer') {
    db.close();
    throw new HistoryStoreError(
      `history database has schema version ${outcome.version}, newer than this skiff knows (${outcome.known})`,
      dbPath,
      { hint: 'run the newer skiff, or move history.db away to start a new history' },
    );
  }
}

/** One handle on history.db. Not thread-safe across processes beyond what SQLite's WAL gives:
 *  one writer (the daemon, guaranteed by the state-dir lock), any number of readers. */
export class HistoryStore {
  private readonly syncs: SyncLog;
  private readonly events: EventLog;
  private readonly revisions: RevisionLog;
  private readonly quarantined: QuarantineList;
  private readonly hpaDecisions: HpaDecisionLog;
  private readonly hpaSamples: HpaSampleLog;
  private readonly appStatuses: AppStatusTable;
  private readonly audit: AuditLog;
  private readonly notifications: NotificationLog;
  /** Row counts of the capped tables, kept exact by counting inserts (folded repeats add no
   *  row), so pruning runs only when a table is `pruneSlack` over its cap. */
  private readonly rows: Record<CappedTable, number>;
  private readonly capped: Record<CappedTable, CappedLog>;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly retention: HistoryRetention,
    private readonly pruneSlack: number,
    private readonly scrub: (text: string) => string = (text) => text,
  ) {
    this.syncs = new SyncLog(db);
    this.events = new EventLog(db);
    this.revisions = new RevisionLog(db);
    this.quarantined = new QuarantineList(db);
    this.hpaDecisions = new HpaDecisionLog(db);
    this.hpaSamples = new HpaSampleLog(db);
    this.appStatuses = new AppStatusTable(db);
    this.audit = new AuditLog(db);
    this.notifications = new NotificationLog(db);
    this.capped = {
      syncs: this.syncs,
      events: this.events,
      hpaDecisions: this.hpaDecisions,
      hpaSamples: this.hpaSamples,
      audit: this.audit,
      notifications: this.notifications,
    };
    this.rows = {
      syncs: this.syncs.countRows(),
      events: this.events.countRows(),
      hpaDecisions: this.hpaDecisions.countRows(),
      hpaSamples: this.hpaSamples.countRows(),
      audit: this.audit.countRows(),
      notifications: this.notifications.countRows(),
    };
    if (!db.readonly) this.prune();
  }

  // ---- syncs

  recordSync(input: SyncInput): SyncRecord {
    const error = input.error === undefined ? undefined : this.scrub(input.error);
    const record = this.syncs.recordSync({ ...input, error });
    if (record.passes === 1) this.noteInsert('syncs');
    return record;
  }

  /** Newest first. */
  listSyncs(query: ListSyncsQuery): SyncRecord[] {
    return this.syncs.listSyncs(query);
  }

  /** The app's newest sync; with `results`, its newest of those (e.g. `['Synced']`). */
  lastSync(app: string, results?: readonly SyncResult[]): SyncRecord | undefined {
    return this.syncs.lastSync(app, results);
  }

  // ---- events

  recordEvent(input: EventInput): EventRecord {
    const { scrub } = this;
    const record = this.events.recordEvent({
      ...input,
      object: scrub(input.object),
      message: scrub(input.message),
    });
    if (record.count === 1) this.noteInsert('events');
    return record;
  }

  /** Newest first (by lastTimestamp). */
  listEvents(query: ListEventsQuery): EventRecord[] {
    return this.events.listEvents(query);
  }

  // ---- revisions

  recordRevision(input: RevisionInput): RecordRevisionResult {
    const { scrub } = this;
    return this.revisions.recordRevision({
      ...input,
      author: scrub(input.author),
      subject: scrub(input.subject),
    });
  }

  /** Oldest first, as `kubectl rollout history` lists them. */
  listRevisions(deployment: DeploymentRef): RevisionRecord[] {
    return this.revisions.listRevisions(deployment);
  }

  revision(deployment: DeploymentRef, n: number): RevisionRecord | undefined {
    return this.revisions.revision(deployment, n);
  }

  forgetRevisions(deployment: DeploymentRef): number {
    return this.revisions.forgetRevisions(deployment);
  }

  // ---- quarantine

  quarantine(app: string, commit: string, reason: string, at: number): QuarantineEntry {
    return this.quarantined.quarantine(app, commit, this.scrub(reason), at);
  }

  isQuarantined(app: string, commit: string): boolean {
    return this.quarantined.isQuarantined(app, commit);
  }

  quarantineOf(app: string, commit: string): QuarantineEntry | undefined {
    return this.quarantined.quarantineOf(app, commit);
  }

  listQuarantined(app?: string, opts: { includeCleared?: boolean } = {}): QuarantineEntry[] {
    return this.quarantined.listQuarantined(app, opts);
  }

  clearQuarantineSupersededBy(app: string, newerCommit: string, at: number): number {
    return this.quarantined.clearQuarantineSupersededBy(app, newerCommit, at);
  }

  unquarantine(app: string, commit: string, at: number): boolean {
    return this.quarantined.unquarantine(app, commit, at);
  }

  // ---- HPA decisions

  recordHpaDecision(input: HpaDecisionInput): HpaDecisionRecord {
    const { values, ...decision } = input;
    const record = this.hpaDecisions.recordHpaDecision({ ...decision, message: this.scrub(input.message) });
    if (record.count === 1) this.noteInsert('hpaDecisions');
    const sample = {
      namespace: input.namespace,
      hpa: input.hpa,
      at: input.at,
      currentReplicas: input.currentReplicas,
      desiredReplicas: input.desiredReplicas,
      metrics: values ?? [],
    };
    if (this.hpaSamples.recordHpaSample(sample)) this.noteInsert('hpaSamples');
    return record;
  }

  /** The newest `limit` samples of an HPA, oldest first. */
  listHpaSamples(hpa: HpaRef, limit: number): HpaSampleRecord[] {
    return this.hpaSamples.listHpaSamples(hpa, limit);
  }

  /** Newest first. */
  listHpaDecisions(hpa: HpaRef, limit: number): HpaDecisionRecord[] {
    return this.hpaDecisions.listHpaDecisions(hpa, limit);
  }

  // ---- app status

  setAppStatus(app: string, status: unknown, at: number): void {
    this.appStatuses.setAppStatus(app, scrubStrings(status, this.scrub), at);
  }

  appStatus(app: string): AppStatusRecord | undefined {
    return this.appStatuses.appStatus(app);
  }

  listAppStatuses(): AppStatusRecord[] {
    return this.appStatuses.listAppStatuses();
  }

  forgetAppStatus(app: string): boolean {
    return this.appStatuses.forgetAppStatus(app);
  }

  // ---- audit

  /** Records one mutating API call; its texts pass through `scrub` like every record's. */
  recordAudit(input: AuditInput): AuditRecord {
    const params = scrubStrings(input.params, this.scrub) as Record<string, unknown>;
    const record = this.audit.recordAudit({ ...input, params, result: this.scrub(input.result) });
    this.noteInsert('audit');
    return record;
  }

  /** Newest first. */
  listAudit(limit: number): AuditRecord[] {
    return this.audit.listAudit(limit);
  }

  // ---- notifications

  /** Records one delivery's outcome; its error text passes through `scrub`. */
  recordNotification(input: NotificationInput): NotificationRecord {
    const lastError = input.lastError === undefined ? undefined : this.scrub(input.lastError);
    const record = this.notifications.recordNotification({ ...input, lastError });
    this.noteInsert('notifications');
    return record;
  }

  /** Newest first; of one app, or all. */
  listNotifications(app: string | undefined, limit: number): NotificationRecord[] {
    return this.notifications.listNotifications(app, limit);
  }

  /** Whether a delivery with this dedupe key was sent. */
  notificationSent(key: string): boolean {
    return this.notifications.wasSent(key);
  }

  // ---- housekeeping

  /** Trims every capped table to its retention now. Returns the rows deleted per table. */
  prune(): Record<CappedTable, number> {
    return {
      syncs: this.pruneTable('syncs'),
      events: this.pruneTable('events'),
      hpaDecisions: this.pruneTable('hpaDecisions'),
      hpaSamples: this.pruneTable('hpaSamples'),
      audit: this.pruneTable('audit'),
      notifications: this.pruneTable('notifications'),
    };
  }

  private noteInsert(table: CappedTable): void {
    this.rows[table]++;
    if (this.rows[table] >= this.capOf(table) + this.pruneSlack) this.pruneTable(table);
  }

  private capOf(table: CappedTable): number {
    switch (table) {
      case 'syncs':
        return this.retention.maxSyncs;
      case 'events':
        return this.retention.maxEvents;
      case 'hpaDecisions':
        return this.retention.maxHpaDecisions;
      case 'hpaSamples':
        return this.retention.maxHpaSamples;
      case 'audit':
        return this.retention.maxAudit;
      case 'notifications':
        return this.retention.maxNotifications;
    }
  }

  private pruneTable(table: CappedTable): number {
    const log = this.capped[table];
    if (this.rows[table] <= this.capOf(table)) return 0;
    const deleted = log.pruneTo(this.capOf(table));
    this.rows[table] = log.countRows();
    return deleted;
  }

  /** The schema version (number of migrations applied). */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
