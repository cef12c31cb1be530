// Host key verification for SSH hosts: the keys the config vouches for (an inline public key or
// an OpenSSH known_hosts file) and the check ssh2 calls during the handshake. ssh2 trusts any
// key unless given a verifier, so every SSH connection goes through verifierFor().
// Shell-free helpers (parsing, fingerprints) plus one file read for known_hosts.
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SshHostConfig } from '../config/cluster-config.js';

export interface PublicKey {
  type: string;
  blob: Buffer;
}

/** `ssh-ed25519 AAAA... comment` -> the key type and its wire blob. */
export function parsePublicKey(line: string): PublicKey | undefined {
  const [type, b64] = line.trim().split(/\s+/);
  if (!type || !b64) return undefined;
  const blob = Buffer.from(b64, 'base64');
  // The blob starts with its own type string: a cheap check that the base64 is a key.
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (blob.subarray(4, 4 + len).toString('latin1') !== type) return undefined;
  return { type, blob };
}

/** OpenSSH's fingerprint format: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The names a known_hosts line may use for a host: `addr` on port 22, `[addr]:port` otherwise. */
function hostNames(address: string, port: number): string[] {
  return port === 22 ? [address, `[${address}]:22`] : [`[${address}]:${port}`];
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    // Hashed entry: |1|base64(salt)|base64(HMAC-SHA1(salt, name)).
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(name);
}

/** Keys a known_hosts text lists for the host (`@revoked` keys are returned separately). */
export function knownHostKeys(
  text: string,
  address: string,
  port: number,
): { keys: PublicKey[]; revoked: PublicKey[] } {
  const names = hostNames(address, port);
  const keys: PublicKey[] = [];
  const revoked: PublicKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | undefined;
    if (fields[0]?.startsWith('@')) marker = fields.shift();
    if (marker === '@cert-authority') continue; // certificates are not supported: never trust via a CA line
    const [patterns, type, b64] = fields;
    if (!patterns || !type || !b64) continue;
    let matched = false;
    for (const p of patterns.split(',')) {
      const negated = p.startsWith('!');
      const hit = names.some((n) => patternMatches(negated ? p.slice(1) : p, n));
      if (hit && negated) {
        matched = false;
        break;
      }
      if (hit) matched = true;
    }
    if (!matched) continue;
    const key = parsePublicKey(`${type} ${b64}`);
    if (!key) continue;
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

/** What the config trusts for one host. */
export type TrustedKeys =
  | { kind: 'any' }
  | { kind: 'keys'; keys: PublicKey[]; revoked: PublicKey[]; source: string };

export async function readTrustedKeys(host: SshHostConfig): Promise<TrustedKeys> {
  if (host.hostKey !== undefined) {
    const key = parsePublicKey(host.hostKey);
    return {
      kind: 'keys',
      keys: key ? [key] : [],
      revoked: [],
      source: `the configured hostKey (${key ? fingerprint(key.blob) : 'unparsable'})`,
    };
  }
  if (host.knownHostsFile !== undefined) {
    const text = await readFile(host.knownHostsFile, 'utf8');
    return { kind: 'keys', ...knownHostKeys(text, host.address, host.port), source: host.knownHostsFile };
  }
  if (host.insecureAcceptHostKey) return { kind: 'any' };
  // The config loader refuses this combination; reaching it means a hand-built config.
  return { kind: 'keys', keys: [], revoked: [], source: 'an empty trust list' };
}

/** The result of checking a presented key: accepted, or why not. */
export type KeyVerdict = { ok: true } | { ok: false; problem: 'mismatch' | 'unknown'; presented: string };

export function checkHostKey(trusted: TrustedKeys, presented: Buffer): KeyVerdict {
  if (trusted.kind === 'any') return { ok: true };
  const fp = fingerprint(presented);
  if (trusted.revoked.some((k) => k.blob.equals(presented)))
    return { ok: false, problem: 'mismatch', presented: fp };
  if (trusted.keys.some((k) => k.blob.equals(presented))) return { ok: true };
  return { ok: false, problem: trusted.keys.length === 0 ? 'unknown' : 'mismatch', presented: fp };
}
