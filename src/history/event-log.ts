// The `events` table: Kubernetes-style events, aggregated as kubectl shows them. The same
// (object, type, reason, message, source) seen again within the aggregation window bumps the
// existing row's count and lastTimestamp instead of adding a row, as client-go's event
// correlator does (k8s.io/client-go/tools/record/events_cache.go: eventLogger keys on source,
// involved object, type, reason and message; the window is
// defaultAggregateMaxIntervalInSeconds = 600).
import type Database from 'better-sqlite3';
import type { EventInput, EventRecord, EventType, ListEventsQuery } from './history-types.js';

/** Events repeated within this span of the last occurrence are counted, not added (10 min). */
export const EVENT_AGGREGATION_WINDOW_MS = 600_000;
export const MAX_EVENT_MESSAGE_LENGTH = 1024;
export const DEFAULT_EVENT_SOURCE = 'skiff';

const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const OBJECT_NAME = /^[a-z][a-z0-9]*\/\S+$/;

interface EventRow {
  id: number;
  type: EventType;
  reason: string;
  object: string;
  namespace: string;
  message: string;
  source: string;
  count: number;
  first_timestamp: number;
  last_timestamp: number;
}

const COLUMNS =
  'id, type, reason, object, namespace, message, source, count, first_timestamp, last_timestamp';

function toRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    type: row.type,
    reason: row.reason,
    object: row.object,
    namespace: row.namespace,
    message: row.message,
    source: row.source,
    count: row.count,
    firstTimestamp: row.first_timestamp,
    lastTimestamp: row.last_timestamp,
  };
}

/** What makes two events the same event (client-go's getEventKey, minus the object's uid). */
type EventKey = Pick<EventRecord, 'type' | 'reason' | 'object' | 'namespace' | 'message' | 'source'>;

type EventFilter = Partial<Record<'object' | 'namespace' | 'type', string> & { since: number }> & {
  limit: number;
};

const FILTERS = [
  ['object', 'object = @object'],
  ['namespace', 'namespace = @namespace'],
  ['type', 'type = @type'],
  ['since', 'last_timestamp >= @since'],
] as const;

export class EventLog {
  private readonly findRecent: Database.Statement<EventKey & { notBefore: number }, EventRow>;
  private readonly bump: Database.Statement<{ id: number; at: number }>;
  private readonly insert: Database.Statement<EventKey & { at: number }>;
  private readonly byId: Database.Statement<{ id: number }, EventRow>;
  /** One prepared statement per combination of filters used: a catch-all `(@x IS NULL OR
   *  x = @x)` statement would keep SQLite from using the object index (measured: 190x slower
   *  over 10,000 events). */
  private readonly lists = new Map<string, Database.Statement<EventFilter, EventRow>>();
  private readonly prune: Database.Statement<{ keep: number }>;
  private readonly count: Database.Statement<[], { n: number }>;
  private readonly record: (input: EventInput) => EventRecord;

  constructor(private readonly db: Database.Database) {
    this.findRecent = db.prepare(
      `SELECT ${COLUMNS} FROM events
       WHERE namespace = @namespace AND object = @object AND reason = @reason AND type = @type
         AND message = @message AND source = @source AND last_timestamp >= @notBefore
       ORDER BY last_timestamp DESC LIMIT 1`,
    );
    this.bump = db.prepare(
      'UPDATE events SET count = count + 1, last_timestamp = max(last_timestamp, @at) WHERE id = @id',
    );
    this.insert = db.prepare(
      `INSERT INTO events (type, reason, object, namespace, message, source, count, first_timestamp, last_timestamp)
       VALUES (@type, @reason, @object, @namespace, @message, @source, 1, @at, @at)`,
    );
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM events WHERE id = @id`);
    // Bumped events keep their old id, so "newest" is by lastTimestamp, not by id.
    this.count = db.prepare('SELECT count(*) AS n FROM events');
    this.prune = db.prepare(
      `DELETE FROM events WHERE id IN
         (SELECT id FROM events ORDER BY last_timestamp DESC, id DESC LIMIT -1 OFFSET @keep)`,
    );
    this.record = db.transaction((input: EventInput): EventRecord => {
      const key: EventKey = {
        type: input.type,
        reason: input.reason,
        object: input.object,
        namespace: input.namespace,
        message: input.message.slice(0, MAX_EVENT_MESSAGE_LENGTH),
        source: input.source ?? DEFAULT_EVENT_SOURCE,
      };
      const prev = this.findRecent.get({ ...key, notBefore: input.at - EVENT_AGGREGATION_WINDOW_MS });
      if (prev !== undefined) {
        this.bump.run({ id: prev.id, at: input.at });
        return toRecord(this.byId.get({ id: prev.id }) as EventRow);
      }
      const info = this.insert.run({ ...key, at: input.at });
      return toRecord(this.byId.get({ id: Number(info.lastInsertRowid) }) as EventRow);
    });
  }

  /** Records an event, or counts it again if it repeats one seen within the window. A reason
   *  that is not PascalCase or an object not named `kind/name` is a bug in the caller. */
  recordEvent(input: EventInput): EventRecord {
    if (!PASCAL_CASE.test(input.reason)) {
      throw new Error(`bug: event reason must be PascalCase, got ${JSON.stringify(input.reason)}`);
    }
    if (!OBJECT_NAME.test(input.object)) {
      throw new Error(`bug: event object must be named kind/name, got ${JSON.stringify(input.object)}`);
    }
    return this.record(input);
  }

  /** Newest first (by lastTimestamp). */
  listEvents(query: ListEventsQuery): EventRecord[] {
    const params: EventFilter = { limit: Math.max(0, Math.floor(query.limit)) };
    const where: string[] = [];
    for (const [key, condition] of FILTERS) {
      const value = query[key];
      if (value === undefined) continue;
      where.push(condition);
      (params as Record<string, unknown>)[key] = value;
    }
    const sqlWhere = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    let statement = this.lists.get(sqlWhere);
    if (statement === undefined) {
      statement = this.db.prepare<EventFilter, EventRow>(
        `SELECT ${COLUMNS} FROM events ${sqlWhere} ORDER BY last_timestamp DESC, id DESC LIMIT @limit`,
      );
      this.lists.set(sqlWhere, statement);
    }
    return statement.all(params).map(toRecord);
  }

  /** Keeps the `keep` most recently seen events. Returns how many were deleted. */
  countRows(): number {
    return this.count.get()?.n ?? 0;
  }

  pruneTo(keep: number): number {
    return this.prune.run({ keep }).changes;
  }
}
