// OpenPGP commit signatures (git's default gpg.format), verified with the `openpgp` package
// against the armored public keys of an app's `verify.openpgpKeys`. A key is matched by the
// signature's issuer key ID (primary key or subkey), as gpg finds it in its keyring; then the
// detached signature is checked over the commit payload. Shell (openpgp reads the clock for
// key expiry); malformed input is an answer, never a throw. openpgp is loaded at the first key
// or signature read: about 2 MB of heap a daemon whose apps verify no OpenPGP key never needs.
// (A require, not import(): the CLI's bundle runs in a vm.Script, where import() needs Node's
// experimental default loader and prints a warning.)
import { createRequire } from 'node:module';
import type * as openpgp from 'openpgp';

const loadOpenPgp = () => createRequire(import.meta.url)('openpgp') as typeof openpgp;

export type OpenPgpVerdict =
  | { ok: true; fingerprint: string; userId: string }
  | { ok: false; code: 'signature.unknown-key' | 'signature.bad'; fingerprint?: string; message: string };

/** Parse armored public keys (one text may hold several); throws with openpgp's reason. */
export async function readOpenPgpKeys(armored: string): Promise<openpgp.PublicKey[]> {
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(armored))
    throw new Error('this is a private key: give the public key (gpg --armor --export KEYID)');
  const keys = await loadOpenPgp().readKeys({ armoredKeys: armored });
  return keys.map((k) => (k.isPrivate() ? k.toPublic() : (k as openpgp.PublicKey)));
}

export async function judgeOpenPgpSignature(
  armored: string,
  payload: Uint8Array,
  keys: readonly openpgp.PublicKey[],
): Promise<OpenPgpVerdict> {
  const pgp = loadOpenPgp();
  let signature: openpgp.Signature;
  try {
    signature = await pgp.readSignature({ armoredSignature: armored });
  } catch (err) {
    return {
      ok: false,
      code: 'signature.bad',
      message: `malformed OpenPGP signature: ${(err as Error).message}`,
    };
  }
  const issuer = issuerOf(signature);
  const ids = signature.getSigningKeyIDs();
  const key = keys.find((k) => k.getKeyIDs().some((kid) => ids.some((id) => id.equals(kid))));
  if (!key)
    return { ok: false, code: 'signature.unknown-key', fingerprint: issuer, message: 'key not allowed' };
  const fingerprint = key.getFingerprint().toUpperCase();
  try {
    const message = await pgp.createMessage({ binary: payload });
    const result = await pgp.verify({ message, signature, verificationKeys: [key], format: 'binary' });
    const first = result.signatures[0];
    if (!first) return { ok: false, code: 'signature.bad', fingerprint, message: 'bad signature' };
    await first.verified;
  } catch (err) {
    return {
      ok: false,
      code: 'signature.bad',
      fingerprint,
      message: `bad signature (${(err as Error).message})`,
    };
  }
  return { ok: true, fingerprint, userId: key.getUserIDs()[0] ?? '' };
}

/** The issuer's fingerprint when the signature names it (gpg 2.2+ does), else its key ID. */
function issuerOf(signature: openpgp.Signature): string | undefined {
  const packet = signature.packets[0] as { issuerFingerprint?: Uint8Array | null } | undefined;
  const fpr = packet?.issuerFingerprint;
  if (fpr && fpr.length > 0) return Buffer.from(fpr).toString('hex').toUpperCase();
  return signature.getSigningKeyIDs()[0]?.toHex().toUpperCase();
}
