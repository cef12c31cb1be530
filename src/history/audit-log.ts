// The `audit` table: one row per mutating API call (sync, webhook, and what the API gains),
// accepted or refused: when, who (a token id, `webhook:<app>` or `anonymous`), the route, its
// parameters, the HTTP status and a one-line result. Capped like the other growing tables.
import type Database from 'better-sqlite3';

export interface AuditInput {
  at: number;
  tokenId: string;
  route: string;
  params: Record<string, unknown>;
  status: number;
  result: string;
}

export interface AuditRecord extends AuditInput {
  id: number;
}

interface AuditRow {
  id: number;
  at: number;
  token_id: string;
  route: string;
  params_json: string;
  status: number;
  result: string;
}

/** Longest result text kept per row. */
const MAX_RESULT_LENGTH = 1024;

export class AuditLog {
  private readonly insert: Database.Statement<Record<string, unknown>>;
  private readonly list: Database.Statement<{ limit: number }, AuditRow>;
  private readonly prune: Database.Statement<{ keep: number }>;
  private readonly count: Database.Statement<[], { n: number }>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO audit (at, token_id, route, params_json, status, result)
       VALUES (@at, @tokenId, @route, @params, @status, @result)`,
    );
    this.list = db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT @limit');
    this.prune = db.prepare('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - @keep');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM audit');
  }

  recordAudit(input: AuditInput): AuditRecord {
    const result = input.result.slice(0, MAX_RESULT_LENGTH);
    const info = this.insert.run({ ...input, result, params: JSON.stringify(input.params) });
    return { ...input, result, id: Number(info.lastInsertRowid) };
  }

  /** Newest first. */
  listAudit(limit: number): AuditRecord[] {
    return this.list.all({ limit }).map((r) => ({
      id: r.id,
      at: r.at,
      tokenId: r.token_id,
      route: r.route,
      params: JSON.parse(r.params_json) as Record<string, unknown>,
      status: r.status,
      result: r.result,
    }));
  }

  pruneTo(keep: number): number {
    return this.prune.run({ keep }).changes;
  }

  countRows(): number {
    return this.count.get()?.n ?? 0;
  }
}
