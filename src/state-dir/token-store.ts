// The API's bearer tokens: `<stateDir>/tokens.json` (0600) holds each token's id, name, role,
// creation time and the sha256 of the token, never the token itself; `<stateDir>/admin.token`
// (0600) holds the local admin token the CLI of this machine sends (created at daemon start).
// Shell (filesystem). sha256, not a password hash (scrypt/argon2), is right here: a token is 32
// random bytes (256 bits), so there is no dictionary to try and a slow hash would only make
// every API call slower; a leaked tokens.json gives nothing to replay.
// Invariants: a token is shown once, when created; comparison is constant-time on digests.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../model/errors.js';
import { nodeCrypto } from './lazy-crypto.js';
import { ensurePrivateDir, writeFileAtomic } from './private-files.js';

export type TokenRole = 'read' | 'admin';
export const TOKEN_ROLES: readonly TokenRole[] = ['read', 'admin'];

/** What `skiff token list` shows: never the token nor its digest. */
export interface TokenInfo {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: number;
}

interface StoredToken extends TokenInfo {
  sha256: string;
}

export const TOKENS_FILE = 'tokens.json';
export const ADMIN_TOKEN_FILE = 'admin.token';
/** The id of the local admin token (admin.token). */
export const LOCAL_TOKEN_ID = 'local';

const digest = (token: string): Buffer => nodeCrypto().createHash('sha256').update(token).digest();

function readStored(stateDir: string): StoredToken[] {
  try {
    const parsed = JSON.parse(readFileSync(join(stateDir, TOKENS_FILE), 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as StoredToken[]) : [];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function writeStored(stateDir: string, tokens: StoredToken[]): void {
  ensurePrivateDir(stateDir);
  writeFileAtomic(join(stateDir, TOKENS_FILE), `${JSON.stringify(tokens, null, 2)}\n`, 0o600);
}

const newToken = (): string => `skiff_${nodeCrypto().randomBytes(32).toString('base64url')}`;

/** Creates a token; the only time its text is returned. */
export function createToken(
  stateDir: string,
  spec: { role: TokenRole; name?: string; id?: string },
  now: number,
): { id: string; token: string } {
  if (!TOKEN_ROLES.includes(spec.role))
    throw new UsageError(`unknown role ${JSON.stringify(spec.role)}`, 'give --role read or --role admin');
  const tokens = readStored(stateDir);
  const id = spec.id ?? nodeCrypto().randomBytes(4).toString('hex');
  const name = spec.name ?? id;
  if (tokens.some((t) => t.name === name && t.id !== id))
    throw new UsageError(`a token named "${name}" exists`, 'choose another --name, or revoke that one first');
  const token = newToken();
  const record: StoredToken = {
    id,
    name,
    role: spec.role,
    createdAt: now,
    sha256: digest(token).toString('hex'),
  };
  writeStored(stateDir, [...tokens.filter((t) => t.id !== id), record]);
  return { id, token };
}

export function listTokens(stateDir: string): TokenInfo[] {
  return readStored(stateDir).map(({ id, name, role, createdAt }) => ({ id, name, role, createdAt }));
}

/** Revokes by id or name; false if none matched. Revoking the local token removes its file. */
export function revokeToken(stateDir: string, idOrName: string): boolean {
  const tokens = readStored(stateDir);
  const kept = tokens.filter((t) => t.id !== idOrName && t.name !== idOrName);
  if (kept.length === tokens.length) return false;
  writeStored(stateDir, kept);
  if (!kept.some((t) => t.id === LOCAL_TOKEN_ID)) rmSync(join(stateDir, ADMIN_TOKEN_FILE), { force: true });
  return true;
}

/** The local admin token, if this user can read it. */
export function readLocalAdminToken(stateDir: string): string | undefined {
  try {
    return readFileSync(join(stateDir, ADMIN_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** At daemon start: the local admin token file exists and is valid (made anew if absent or
 *  revoked), so the CLI on this machine can always talk to its daemon. */
export function ensureLocalAdminToken(stateDir: string, now: number): void {
  const current = readLocalAdminToken(stateDir);
  const stored = readStored(stateDir).find((t) => t.id === LOCAL_TOKEN_ID);
  if (current && stored && stored.sha256 === digest(current).toString('hex')) return;
  const { token } = createToken(stateDir, { role: 'admin', name: LOCAL_TOKEN_ID, id: LOCAL_TOKEN_ID }, now);
  writeFileAtomic(join(stateDir, ADMIN_TOKEN_FILE), `${token}\n`, 0o600);
}

/** Who a bearer token is. */
export interface TokenIdentity {
  id: string;
  role: TokenRole;
}

/** The daemon's view of tokens.json, re-read when the file changes (a `skiff token revoke`
 *  takes effect on the next request, with no restart). */
export class TokenVerifier {
  private cached: { key: string; tokens: { id: string; role: TokenRole; sha256: Buffer }[] } = {
    key: '',
    tokens: [],
  };

  constructor(private readonly stateDir: string | undefined) {}

  verify(token: string): TokenIdentity | undefined {
    const given = digest(token);
    let found: TokenIdentity | undefined;
    // Every stored digest is compared (no early exit), each in constant time.
    for (const t of this.tokens()) {
      if (t.sha256.length === given.length && nodeCrypto().timingSafeEqual(t.sha256, given) && !found)
        found = { id: t.id, role: t.role };
    }
    return found;
  }

  /** The token with this id as tokens.json says now (undefined once revoked): a dashboard
   *  session holds a token's id, and ends with its token. */
  identity(id: string): TokenIdentity | undefined {
    const t = this.tokens().find((t) => t.id === id);
    return t && { id: t.id, role: t.role };
  }

  private tokens() {
    if (!this.stateDir) return [];
    let key: string;
    try {
      const st = statSync(join(this.stateDir, TOKENS_FILE));
      key = `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return [];
    }
    if (key !== this.cached.key) {
      const tokens = readStored(this.stateDir)
        .filter((t) => TOKEN_ROLES.includes(t.role) && /^[0-9a-f]{64}$/.test(t.sha256))
        .map((t) => ({ id: t.id, role: t.role, sha256: Buffer.from(t.sha256, 'hex') }));
      this.cached = { key, tokens };
    }
    return this.cached.tokens;
  }
}
