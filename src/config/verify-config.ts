// `apps[].verify` at load time: each key source is inline text or a file (relative to
// skiff.yaml), read now so a missing file or a wrong allowed_signers line is reported with the
// config's file:line:column. OpenPGP keys are checked for their armor here and parsed when the
// daemon starts (openpgp parses asynchronously). Shell (reads files).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseAllowedSigners } from './allowed-signers.js';
import type { VerifyConfig } from './cluster-config.js';

type Path = (string | number)[];
type At = (path: Path, code: string, message: string) => void;

export interface RawVerify {
  openpgpKeys?: string[];
  allowedSigners?: string;
}

const PGP_PUBLIC = '-----BEGIN PGP PUBLIC KEY BLOCK-----';

/** Text that is a key itself rather than the name of a file holding it. */
function isInline(value: string): boolean {
  return value.includes('\n') || value.includes('-----BEGIN ') || /\s(ssh-|ecdsa-|sk-)/.test(value);
}

function readSource(
  value: string,
  base: string,
  at: At,
  path: Path,
): { source: string; text: string } | undefined {
  if (isInline(value)) return { source: 'inline', text: value };
  const file = isAbsolute(value) ? value : resolve(base, value);
  try {
    return { source: file, text: readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    at(
      path,
      'config.verify-file',
      `cannot read ${file}: ${code} (give a file path relative to the config file, or the key inline)`,
    );
    return undefined;
  }
}

/** The app's verify config, or undefined with diagnostics reported through `at`. */
export function resolveVerify(raw: RawVerify, base: string, at: At, appPath: Path): VerifyConfig | undefined {
  const here = [...appPath, 'verify'];
  if (raw.openpgpKeys === undefined && raw.allowedSigners === undefined) {
    at(here, 'config.verify', 'give "openpgpKeys" or "allowedSigners" (or remove "verify")');
    return undefined;
  }
  let ok = true;
  const openpgpKeys: VerifyConfig['openpgpKeys'] = [];
  (raw.openpgpKeys ?? []).forEach((value, i) => {
    const path = [...here, 'openpgpKeys', i];
    const src = readSource(value, base, at, path);
    if (!src) ok = false;
    else if (src.text.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----')) {
      at(
        path,
        'config.verify-private-key',
        'this is a private key: give the public key (gpg --armor --export KEYID)',
      );
      ok = false;
    } else if (!src.text.includes(PGP_PUBLIC)) {
      at(
        path,
        'config.verify-openpgp',
        `no "${PGP_PUBLIC}" found: give an armored public key (gpg --armor --export KEYID)`,
      );
      ok = false;
    } else openpgpKeys.push(src);
  });
  let allowedSigners: VerifyConfig['allowedSigners'];
  if (raw.allowedSigners !== undefined) {
    const path = [...here, 'allowedSigners'];
    const src = readSource(raw.allowedSigners, base, at, path);
    const parsed = src && parseAllowedSigners(src.text);
    if (!src || !parsed) ok = false;
    else if ('problem' in parsed) {
      const where = src.source === 'inline' ? `line ${parsed.line}` : `${src.source}:${parsed.line}`;
      at(
        path,
        'config.allowed-signers',
        `${where}: ${parsed.problem} (git's allowed_signers format: "principals [options] key-type base64-key")`,
      );
      ok = false;
    } else allowedSigners = { source: src.source, signers: parsed.signers };
  }
  return ok ? { openpgpKeys, allowedSigners } : undefined;
}
