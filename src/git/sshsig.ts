// SSH signatures as git makes them with `gpg.format=ssh` (OpenSSH's PROTOCOL.sshsig): the
// armored "-----BEGIN SSH SIGNATURE-----" blob, verified with node:crypto against the keys of
// an allowed_signers list (ssh-keygen(1) "ALLOWED SIGNERS"). Supported key types: ssh-ed25519,
// ecdsa-sha2-nistp256/384/521 and ssh-rsa (signatures rsa-sha2-512/256). Pure apart from
// node:crypto; every malformed input is an answer ({ problem }), never a throw.
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { AllowedSigner } from '../config/allowed-signers.js';

const MAGIC = Buffer.from('SSHSIG');
const ARMOR = /-----BEGIN SSH SIGNATURE-----([\s\S]*?)-----END SSH SIGNATURE-----/;
const CURVES: Record<string, { crv: string; size: number; hash: string }> = {
  nistp256: { crv: 'P-256', size: 32, hash: 'sha256' },
  nistp384: { crv: 'P-384', size: 48, hash: 'sha384' },
  nistp521: { crv: 'P-521', size: 66, hash: 'sha512' },
};

/** A reader of SSH wire-format fields (RFC 4251 `string`, `uint32`); throws RangeError past the end. */
class Wire {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  uint32(): number {
    if (this.at + 4 > this.buf.length) throw new RangeError('truncated');
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new RangeError('truncated');
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
  text(): string {
    return this.string().toString('latin1');
  }
  done(): boolean {
    return this.at === this.buf.length;
  }
}

export interface SshSignature {
  publicKey: Buffer;
  namespace: string;
  hashAlgorithm: string;
  /** The inner signature: `string format, string blob`. */
  signature: Buffer;
}

/** The fields of an armored SSH signature. */
export function parseSshSignature(armored: string): SshSignature | { problem: string } {
  const m = ARMOR.exec(armored);
  if (!m) return { problem: 'not an armored SSH signature' };
  try {
    const w = new Wire(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
    if (!w.bytes(6).equals(MAGIC)) return { problem: 'not an SSHSIG blob' };
    const version = w.uint32();
    if (version !== 1) return { problem: `SSHSIG version ${version} is not supported` };
    const publicKey = w.string();
    const namespace = w.text();
    w.string(); // reserved
    const hashAlgorithm = w.text();
    const signature = w.string();
    return { publicKey, namespace, hashAlgorithm, signature };
  } catch {
    return { problem: 'the SSH signature is truncated' };
  }
}

/** OpenSSH's fingerprint of a public key blob: `SHA256:` and unpadded base64. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A node:crypto key from an SSH public key blob, with its type name, or why not. */
export function sshPublicKey(
  blob: Buffer,
): { type: string; key: KeyObject; curve?: string } | { problem: string } {
  try {
    const w = new Wire(blob);
    const type = w.text();
    const b64u = (b: Buffer) => stripZeros(b).toString('base64url');
    if (type === 'ssh-ed25519') {
      const x = w.string();
      return {
        type,
        key: createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') },
          format: 'jwk',
        }),
      };
    }
    if (type === 'ssh-rsa') {
      const e = w.string();
      const n = w.string();
      return { type, key: createPublicKey({ key: { kty: 'RSA', e: b64u(e), n: b64u(n) }, format: 'jwk' }) };
    }
    const curve = /^ecdsa-sha2-(nistp256|nistp384|nistp521)$/.exec(type)?.[1];
    const spec = curve ? CURVES[curve] : undefined;
    if (curve && spec) {
      if (w.text() !== curve) return { problem: `malformed ${type} key` };
      const q = w.string();
      if (q[0] !== 4 || q.length !== 1 + 2 * spec.size) return { problem: `malformed ${type} key` };
      const x = q.subarray(1, 1 + spec.size).toString('base64url');
      const y = q.subarray(1 + spec.size).toString('base64url');
      return {
        type,
        curve,
        key: createPublicKey({ key: { kty: 'EC', crv: spec.crv, x, y }, format: 'jwk' }),
      };
    }
    return { problem: `key type ${type} is not supported (use ed25519, ecdsa or rsa)` };
  } catch {
    return { problem: 'malformed SSH public key' };
  }
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** What the signature's inner blob signs (PROTOCOL.sshsig "Signed Data"). */
function signedData(sig: SshSignature, message: Uint8Array): Buffer {
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const digest = createHash(sig.hashAlgorithm).update(message).digest();
  return Buffer.concat([
    MAGIC,
    str(Buffer.from(sig.namespace)),
    str(Buffer.alloc(0)),
    str(Buffer.from(sig.hashAlgorithm)),
    str(digest),
  ]);
}

/** Whether `sig` (its own embedded key) signs `message`: cryptography only, no trust decision. */
export function verifySshSignature(sig: SshSignature, message: Uint8Array): boolean {
  if (sig.hashAlgorithm !== 'sha512' && sig.hashAlgorithm !== 'sha256') return false;
  const pk = sshPublicKey(sig.publicKey);
  if ('problem' in pk) return false;
  try {
    const w = new Wire(sig.signature);
    const format = w.text();
    const blob = w.string();
    const data = signedData(sig, message);
    if (pk.type === 'ssh-ed25519' && format === 'ssh-ed25519') return verify(null, data, pk.key, blob);
    if (pk.type === 'ssh-rsa' && (format === 'rsa-sha2-512' || format === 'rsa-sha2-256'))
      return verify(format === 'rsa-sha2-512' ? 'sha512' : 'sha256', data, pk.key, blob);
    const spec = pk.curve ? CURVES[pk.curve] : undefined;
    if (spec && format === pk.type) {
      // The blob holds two mpints r and s; node wants them as fixed-size r || s (IEEE P1363).
      const rs = new Wire(blob);
      const part = (b: Buffer) => {
        const s = stripZeros(b);
        if (s.length > spec.size) throw new RangeError('mpint too large');
        return Buffer.concat([Buffer.alloc(spec.size - s.length), s]);
      };
      const p1363 = Buffer.concat([part(rs.string()), part(rs.string())]);
      return verify(spec.hash, data, { key: pk.key, dsaEncoding: 'ieee-p1363' }, p1363);
    }
    return false;
  } catch {
    return false;
  }
}

export type SshVerdict =
  | { ok: true; fingerprint: string; principals: string }
  | { ok: false; code: 'signature.unknown-key' | 'signature.bad'; fingerprint?: string; message: string };

/**
 * Judge an SSH-signed commit as `git verify-commit` does with gpg.ssh.allowedSignersFile: the
 * namespace must be "git", the key must be listed (its namespaces allowing "git", valid at the
 * commit's committer time, as git passes verify-time to ssh-keygen), and the signature valid.
 */
export function judgeSshSignature(
  armored: string,
  payload: Uint8Array,
  signers: readonly AllowedSigner[],
  committedAtSeconds: number | undefined,
): SshVerdict {
  const sig = parseSshSignature(armored);
  if ('problem' in sig) return { ok: false, code: 'signature.bad', message: sig.problem };
  const fingerprint = sshFingerprint(sig.publicKey);
  if (sig.namespace !== 'git')
    return {
      ok: false,
      code: 'signature.bad',
      fingerprint,
      message: `signature namespace is "${sig.namespace}", not "git"`,
    };
  const listed = signers.filter(
    (s) => s.keyBlob.equals(sig.publicKey) && signerAllows(s, committedAtSeconds),
  );
  if (listed.length === 0)
    return { ok: false, code: 'signature.unknown-key', fingerprint, message: 'key not allowed' };
  if (!verifySshSignature(sig, payload))
    return { ok: false, code: 'signature.bad', fingerprint, message: 'bad signature' };
  return { ok: true, fingerprint, principals: listed.map((s) => s.principals).join(',') };
}

function signerAllows(s: AllowedSigner, at: number | undefined): boolean {
  if (s.namespaces && !s.namespaces.includes('git')) return false;
  if (at === undefined) return s.validAfter === undefined && s.validBefore === undefined;
  if (s.validAfter !== undefined && at < s.validAfter) return false;
  if (s.validBefore !== undefined && at > s.validBefore) return false;
  return true;
}
