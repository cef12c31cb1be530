// A signed commit object split as git splits it (commit.c parse_signed_commit): the `gpgsig`
// header (its value and continuation lines, each starting with one space) is the signature;
// the object without that header is what was signed. Only the header section is searched (a
// message may quote a signature). Pure.

export interface SignedCommit {
  /** The commit object's bytes without the gpgsig header: what the signature covers. */
  payload: Buffer;
  /** The armored signature, or undefined for an unsigned commit. */
  signature?: string;
  kind?: 'openpgp' | 'ssh' | 'x509' | 'unknown';
  /** The committer's time (unix seconds), when the header parses. */
  committedAt?: number;
}

export function splitSignedCommit(content: Uint8Array): SignedCommit {
  const buf = Buffer.from(content);
  const bodyAt = buf.indexOf('\n\n');
  const headerEnd = bodyAt < 0 ? buf.length : bodyAt + 1;
  const kept: Buffer[] = [];
  const sig: string[] = [];
  let inSig = false;
  let committedAt: number | undefined;
  for (let at = 0; at < headerEnd; ) {
    const nl = buf.indexOf('\n', at);
    const next = nl < 0 || nl >= headerEnd ? headerEnd : nl + 1;
    const line = buf.subarray(at, next);
    const text = line.toString('latin1');
    if (text.startsWith('gpgsig ')) {
      inSig = true;
      sig.push(text.slice('gpgsig '.length));
    } else if (inSig && text.startsWith(' ')) sig.push(text.slice(1));
    else {
      inSig = false;
      kept.push(line);
      const m = /^committer .* (\d{1,15}) [-+]\d{4}\n?$/.exec(text);
      if (m) committedAt = Number(m[1]);
    }
    at = next;
  }
  kept.push(buf.subarray(headerEnd));
  const payload = Buffer.concat(kept);
  if (sig.length === 0) return { payload, committedAt };
  const signature = Buffer.from(sig.join(''), 'latin1').toString('utf8');
  return { payload, signature, kind: signatureKind(signature), committedAt };
}

function signatureKind(armored: string): SignedCommit['kind'] {
  if (armored.startsWith('-----BEGIN PGP SIGNATURE-----')) return 'openpgp';
  if (armored.startsWith('-----BEGIN SSH SIGNATURE-----')) return 'ssh';
  if (armored.startsWith('-----BEGIN SIGNED MESSAGE-----')) return 'x509';
  return 'unknown';
}
