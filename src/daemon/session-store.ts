// The dashboard's sessions: a browser logs in once with a token (POST /api/v1/session) and gets
// an HttpOnly cookie naming a session, kept here in memory only (a restarted daemon forgets every
// session: the page asks for a token again). A session carries the token's id and role, never
// the token; it ends at its expiry, at logout, or when its token is revoked (checked on use).
// Shell state; time is passed in by the caller.
import { randomBytes } from 'node:crypto';
import type { TokenIdentity } from '../state-dir/token-store.js';

export const SESSION_COOKIE = 'skiff_session';
/** A session lasts 12 hours from login (Argo CD's default session duration is 24 h). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** More live sessions than any team logs in: the oldest is dropped beyond it. */
export const MAX_SESSIONS = 10_000;

interface Session extends TokenIdentity {
  expiresAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly ttlMs = SESSION_TTL_MS) {}

  /** A new session for `identity`; its id (256 random bits) is the cookie's value. */
  create(identity: TokenIdentity, now: number): { id: string; expiresAt: number } {
    this.sweep(now);
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.sessions.set(id, { ...identity, expiresAt });
    return { id, expiresAt };
  }

  /** The identity of a live session, or undefined (unknown or expired). */
  get(id: string, now: number): TokenIdentity | undefined {
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= now) {
      this.sessions.delete(id);
      return undefined;
    }
    return { id: s.id, role: s.role };
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(now: number): void {
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

/** Pure: the value of cookie `name` in a Cookie header (RFC 6265 pairs split by `;`). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}
