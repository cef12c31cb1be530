// git's allowed_signers format (ssh-keygen(1) "ALLOWED SIGNERS"), parsed when skiff.yaml is
// loaded so a wrong line is reported there: `principals [options] keytype base64-key [comment]`,
// options `namespaces="..."`, `valid-after=`, `valid-before=` (YYYYMMDD[HHMM[SS]][Z]); blank
// lines and `#` comments skipped. `cert-authority` lines are refused (skiff verifies plain keys
// only). Pure.

export interface AllowedSigner {
  /** The principals field as written (`alice@example.com,bob@example.com`). */
  principals: string;
  keyType: string;
  /** The public key in SSH wire format (the base64 field decoded). */
  keyBlob: Buffer;
  namespaces?: string[];
  /** Unix seconds. */
  validAfter?: number;
  validBefore?: number;
}

const KEY_TYPE =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+|[a-z0-9-]+-cert-v01@openssh\.com)$/;

/** Every signer, or the first line that cannot be used (1-based) and why. */
export function parseAllowedSigners(
  text: string,
): { signers: AllowedSigner[] } | { line: number; problem: string } {
  const signers: AllowedSigner[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parsed = parseSignerLine(line);
    if ('problem' in parsed) return { line: i + 1, problem: parsed.problem };
    signers.push(parsed);
  }
  if (signers.length === 0) return { line: 1, problem: 'no signer is listed' };
  return { signers };
}

/** Whitespace-separated fields, double quotes keeping spaces inside one field. */
function fields(line: string): string[] {
  return line.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
}

function parseSignerLine(line: string): AllowedSigner | { problem: string } {
  const [principals = '', ...rest] = fields(line);
  let options: string | undefined;
  if (rest[0] !== undefined && !KEY_TYPE.test(rest[0])) options = rest.shift();
  const [keyType, key] = rest;
  if (keyType === undefined || key === undefined || !KEY_TYPE.test(keyType))
    return { problem: 'expected "principals [options] key-type base64-key"' };
  if (keyType.startsWith('sk-') || keyType.includes('-cert-'))
    return { problem: `key type ${keyType} is not supported (use ed25519, ecdsa or rsa keys)` };
  const keyBlob = Buffer.from(key, 'base64');
  if (keyBlob.toString('base64').replace(/=+$/, '') !== key.replace(/=+$/, ''))
    return { problem: 'the key is not valid base64' };
  if (keyBlob.length < 4 || keyBlob.subarray(4, 4 + keyBlob.readUInt32BE(0)).toString('latin1') !== keyType)
    return { problem: `the key is not a ${keyType} key` };
  const signer: AllowedSigner = { principals, keyType, keyBlob };
  return options === undefined ? signer : applyOptions(signer, options);
}

function applyOptions(signer: AllowedSigner, options: string): AllowedSigner | { problem: string } {
  for (const opt of options.match(/(?:[^,"]+|"[^"]*")+/g) ?? []) {
    const [name = '', value] = splitOption(opt);
    if (name === 'namespaces' && value !== undefined) signer.namespaces = value.split(',');
    else if ((name === 'valid-after' || name === 'valid-before') && value !== undefined) {
      const t = parseSshTime(value);
      if (t === undefined) return { problem: `${name}="${value}" is not YYYYMMDD[HHMM[SS]][Z]` };
      if (name === 'valid-after') signer.validAfter = t;
      else signer.validBefore = t;
    } else if (name === 'cert-authority')
      return { problem: 'cert-authority is not supported (list the signing keys themselves)' };
    else return { problem: `unknown option "${name}"` };
  }
  return signer;
}

function splitOption(opt: string): [string, string | undefined] {
  const eq = opt.indexOf('=');
  if (eq < 0) return [opt.toLowerCase(), undefined];
  return [opt.slice(0, eq).toLowerCase(), opt.slice(eq + 1).replace(/^"|"$/g, '')];
}

/** ssh-keygen's time format, in UTC when it ends in Z (skiff reads times without Z as UTC too:
 *  a daemon's local zone is not the signer's). */
function parseSshTime(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0));
  const ms = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, se ?? 0);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}
