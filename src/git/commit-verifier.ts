// Signed-commit verification for `apps[].verify`: the commit the daemon admits must carry a
// valid signature by one of the app's keys (OpenPGP public keys, or SSH keys in git's
// allowed_signers format), as Flux's `verify` checks the tip it reconciles. The raw commit
// object is read through isomorphic-git (`readObject` format 'content'), split as git splits
// it (commit-signature.ts), and judged by the matching scheme. Shell (reads objects).
// Invariant: a verdict never throws for anything a repository can hold (a malformed or huge
// signature is a refused commit, not a crashed daemon).
import type * as openpgp from 'openpgp';
import type { AllowedSigner } from '../config/allowed-signers.js';
import type { VerifyConfig } from '../config/cluster-config.js';
import { SkiffError } from '../model/errors.js';
import { splitSignedCommit } from './commit-signature.js';
import { type ObjectStore, readCommitContent } from './object-store.js';
import { judgeOpenPgpSignature, readOpenPgpKeys } from './openpgp-signature.js';
import { judgeSshSignature } from './sshsig.js';

export interface VerifyKeys {
  openpgp: readonly openpgp.PublicKey[];
  sshSigners: readonly AllowedSigner[];
}

export type SignatureCode =
  | 'signature.missing'
  | 'signature.unknown-key'
  | 'signature.bad'
  | 'signature.unsupported';

export type SignatureVerdict =
  | { ok: true; signer: string }
  | { ok: false; code: SignatureCode | 'git.read'; message: string; signer?: string };

/** Judges one commit of an app's repository. */
export type CommitVerifier = (commit: string) => Promise<SignatureVerdict>;

/** The verdict on a commit object's content (pure but for openpgp's clock). */
export async function judgeCommitSignature(
  commit: string,
  content: Uint8Array,
  keys: VerifyKeys,
): Promise<SignatureVerdict> {
  const short = commit.slice(0, 7);
  const { payload, signature, kind, committedAt } = splitSignedCommit(content);
  if (signature === undefined)
    return {
      ok: false,
      code: 'signature.missing',
      message: `commit ${short} is not signed; apps[].verify requires a signature by one of its keys`,
    };
  if (kind === 'ssh') {
    const v = judgeSshSignature(signature, payload, keys.sshSigners, committedAt);
    if (v.ok) return { ok: true, signer: `${v.principals} (SSH key ${v.fingerprint})` };
    return refusal(short, v.code, v.fingerprint && `SSH key ${v.fingerprint}`, v.message);
  }
  if (kind === 'openpgp') {
    const v = await judgeOpenPgpSignature(signature, payload, keys.openpgp);
    if (v.ok) return { ok: true, signer: `${v.userId} (OpenPGP key ${v.fingerprint})` };
    return refusal(short, v.code, v.fingerprint && `OpenPGP key ${v.fingerprint}`, v.message);
  }
  return {
    ok: false,
    code: 'signature.unsupported',
    message: `commit ${short} has ${kind === 'x509' ? 'an X.509' : 'an unknown'} signature; skiff verifies OpenPGP and SSH signatures only`,
  };
}

function refusal(
  short: string,
  code: 'signature.unknown-key' | 'signature.bad',
  signer: string | undefined,
  detail: string,
): SignatureVerdict {
  const by = signer ?? 'an unidentified key';
  if (code === 'signature.unknown-key')
    return {
      ok: false,
      code,
      signer,
      message: `commit ${short} is signed by ${by}, which is not in apps[].verify`,
    };
  return { ok: false, code, signer, message: `commit ${short} has a bad signature by ${by}: ${detail}` };
}

/** The keys of a loaded `verify` config; throws config.verify when an OpenPGP key does not parse. */
export async function loadVerifyKeys(app: string, verify: VerifyConfig): Promise<VerifyKeys> {
  const keys: openpgp.PublicKey[] = [];
  for (const k of verify.openpgpKeys) {
    try {
      keys.push(...(await readOpenPgpKeys(k.text)));
    } catch (err) {
      throw new SkiffError(
        'config.verify',
        `apps[${app}].verify.openpgpKeys ${k.source}: ${(err as Error).message}`,
        {
          subject: `app/${app}`,
          hint: 'give an armored public key (gpg --armor --export KEYID), inline or as a file',
        },
      );
    }
  }
  return { openpgp: keys, sshSigners: verify.allowedSigners?.signers ?? [] };
}

/** A verifier over `store`'s objects; read failures are verdicts too (the commit is refused). */
export function commitVerifier(store: ObjectStore, keys: VerifyKeys): CommitVerifier {
  return async (commit) => {
    let content: Uint8Array;
    try {
      content = await readCommitContent(store, commit);
    } catch (err) {
      return {
        ok: false,
        code: 'git.read',
        message: `commit ${commit.slice(0, 7)} cannot be read: ${(err as Error).message}`,
      };
    }
    try {
      return await judgeCommitSignature(commit, content, keys);
    } catch (err) {
      return {
        ok: false,
        code: 'signature.bad',
        message: `commit ${commit.slice(0, 7)}: signature not verifiable: ${(err as Error).message}`,
      };
    }
  };
}

/** The verifier of an app's `verify` config: its OpenPGP keys parsed on first use (a key that
 *  does not parse refuses every commit with the config error, never crashes the daemon). */
export function verifierFor(app: string, store: ObjectStore, verify: VerifyConfig): CommitVerifier {
  let keys: Promise<VerifyKeys> | undefined;
  return async (commit) => {
    keys ??= loadVerifyKeys(app, verify);
    let loaded: VerifyKeys;
    try {
      loaded = await keys;
    } catch (err) {
      return { ok: false, code: 'signature.bad', message: (err as Error).message };
    }
    return commitVerifier(store, loaded)(commit);
  };
}
