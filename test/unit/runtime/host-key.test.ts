import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprint,
  knownHostKeys,
  parsePublicKey,
  type TrustedKeys,
} from '../../../src/runtime/host-key.js';

/** An ssh-ed25519 public key line for a fresh key. */
function ed25519Line(): string {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const blob = Buffer.concat([u32(type.length), type, u32(raw.length), raw]);
  return `ssh-ed25519 ${blob.toString('base64')}`;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdefghij');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

const A = ed25519Line();
const B = ed25519Line();
const keyA = parsePublicKey(A)!;
const keyB = parsePublicKey(B)!;

describe('host keys', () => {
  it('parses a public key line (comment allowed) and rejects junk', () => {
    expect(parsePublicKey(`${A} root@h1`)?.type).toBe('ssh-ed25519');
    expect(parsePublicKey('ssh-rsa AAAA')).toBeUndefined();
    expect(parsePublicKey(`ssh-rsa ${A.split(' ')[1]}`)).toBeUndefined(); // type inside the blob differs
  });

  it('fingerprints like OpenSSH (SHA256, unpadded base64)', () => {
    expect(fingerprint(keyA.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it.each([
    ['plain name on port 22', `10.0.0.1 ${A}`, '10.0.0.1', 22, [keyA]],
    ['bracketed name with port', `[10.0.0.1]:2222 ${A}`, '10.0.0.1', 2222, [keyA]],
    ['plain name does not cover another port', `10.0.0.1 ${A}`, '10.0.0.1', 2222, []],
    ['comma list and wildcard', `h0,10.0.0.* ${A}`, '10.0.0.7', 22, [keyA]],
    ['negation wins', `10.0.0.*,!10.0.0.7 ${A}`, '10.0.0.7', 22, []],
    ['hashed entry', `${hashed('10.0.0.1')} ${A}`, '10.0.0.1', 22, [keyA]],
    ['hashed entry of another host', `${hashed('10.0.0.2')} ${A}`, '10.0.0.1', 22, []],
    ['cert-authority lines are not trusted', `@cert-authority 10.0.0.1 ${A}`, '10.0.0.1', 22, []],
    ['comments and blank lines', `# c\n\n10.0.0.1 ${B}\n`, '10.0.0.1', 22, [keyB]],
  ])('known_hosts: %s', (_name, text, address, port, expected) => {
    expect(knownHostKeys(text, address, port).keys.map((k) => k.blob)).toEqual(expected.map((k) => k.blob));
  });

  it('collects @revoked keys separately', () => {
    const r = knownHostKeys(`10.0.0.1 ${A}\n@revoked 10.0.0.1 ${B}`, '10.0.0.1', 22);
    expect(r.keys).toHaveLength(1);
    expect(r.revoked.map((k) => k.blob)).toEqual([keyB.blob]);
  });

  const trusted: TrustedKeys = { kind: 'keys', keys: [keyA], revoked: [keyB], source: 'test' };
  it.each([
    ['the trusted key', trusted, keyA.blob, { ok: true }],
    ['another key', trusted, parsePublicKey(ed25519Line())!.blob, { ok: false, problem: 'mismatch' }],
    ['a revoked key', { ...trusted, keys: [keyA, keyB] }, keyB.blob, { ok: false, problem: 'mismatch' }],
    [
      'any key when nothing is known',
      { kind: 'keys', keys: [], revoked: [], source: 'f' } as TrustedKeys,
      keyA.blob,
      { ok: false, problem: 'unknown' },
    ],
    ['any key when insecure trust is configured', { kind: 'any' } as TrustedKeys, keyB.blob, { ok: true }],
  ])('checkHostKey accepts/refuses %s', (_name, t, presented, expected) => {
    expect(checkHostKey(t, presented)).toMatchObject(expected);
  });
});
