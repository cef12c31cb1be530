import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN_FILE,
  createToken,
  ensureLocalAdminToken,
  listTokens,
  readLocalAdminToken,
  revokeToken,
  TOKENS_FILE,
  TokenVerifier,
} from '../../../src/state-dir/token-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-tokens-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the token store', () => {
  it('keeps only a digest of each token, 0600, and lists no token', () => {
    const { id, token } = createToken(dir, { role: 'read', name: 'ci' }, 1000);
    expect(token).toMatch(/^skiff_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(join(dir, TOKENS_FILE), 'utf8');
    expect(stored).not.toContain(token);
    expect(statSync(join(dir, TOKENS_FILE)).mode & 0o777).toBe(0o600);
    expect(listTokens(dir)).toEqual([{ id, name: 'ci', role: 'read', createdAt: 1000 }]);
    expect(JSON.stringify(listTokens(dir))).not.toMatch(/sha256|skiff_/);
  });

  it('verifies a token to its id and role; a wrong or revoked one to nothing', () => {
    const v = new TokenVerifier(dir);
    const a = createToken(dir, { role: 'admin' }, 1);
    const r = createToken(dir, { role: 'read', name: 'r' }, 2);
    expect(v.verify(a.token)).toEqual({ id: a.id, role: 'admin' });
    expect(v.verify(r.token)).toEqual({ id: r.id, role: 'read' });
    expect(v.verify(`${r.token}x`)).toBeUndefined();
    expect(v.verify('')).toBeUndefined();
    expect(revokeToken(dir, 'r')).toBe(true);
    expect(v.verify(r.token)).toBeUndefined();
    expect(revokeToken(dir, 'r')).toBe(false);
  });

  it.each([
    ['an unknown role', () => createToken(dir, { role: 'root' as never }, 1), /unknown role "root"/],
    [
      'a duplicate name',
      () => {
        createToken(dir, { role: 'read', name: 'x' }, 1);
        createToken(dir, { role: 'admin', name: 'x' }, 2);
      },
      /a token named "x" exists/,
    ],
  ])('refuses %s', (_what, act, message) => {
    expect(act).toThrow(message);
  });

  it('makes the local admin token once (0600), and anew when revoked', () => {
    ensureLocalAdminToken(dir, 1);
    const first = readLocalAdminToken(dir)!;
    expect(statSync(join(dir, ADMIN_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    ensureLocalAdminToken(dir, 2);
    expect(readLocalAdminToken(dir)).toBe(first);
    expect(new TokenVerifier(dir).verify(first)).toEqual({ id: 'local', role: 'admin' });
    revokeToken(dir, 'local');
    expect(readLocalAdminToken(dir)).toBeUndefined();
    ensureLocalAdminToken(dir, 3);
    const second = readLocalAdminToken(dir)!;
    expect(second).not.toBe(first);
    expect(new TokenVerifier(dir).verify(first)).toBeUndefined();
  });

  it('a verifier of no state dir, or of one with no store, knows no token', () => {
    expect(new TokenVerifier(undefined).verify('x')).toBeUndefined();
    expect(new TokenVerifier(dir).verify('x')).toBeUndefined();
  });
});
