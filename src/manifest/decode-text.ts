// decodeManifestText: where a manifest's bytes (a file, a git blob) become text. Pure.
// Invalid UTF-8 is a diagnostic at the first bad byte (line:column), never replaced by
// U+FFFD: a lossy decode would silently change a value (a name, an image, a Secret) from
// what was committed, and the API server rejects such a body ("Invalid UTF-8"). A leading
// byte order mark is dropped, as YAML allows one at the start of the stream.
import type { Diagnostic } from '../model/diagnostics.js';

export type DecodedText = { text: string } | { diagnostic: Diagnostic };

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when it is invalid (overlong
 *  forms, surrogates, code points past U+10FFFF, truncated sequences: the WHATWG decoder's
 *  rules). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c === 0xe0) lo = 0xa0;
    if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c === 0xf0) lo = 0x90;
    if (c === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k < n; k++) {
    const d = b[i + k];
    if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return 0;
  }
  return n;
}

/** Byte offset of the first invalid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceLength(bytes, i);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

/** Decode a manifest's bytes as strict UTF-8; `file` names it in the diagnostic. */
export function decodeManifestText(file: string, bytes: Uint8Array): DecodedText {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(0x0a, bad - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, bad)).length + 1;
  return {
    diagnostic: {
      file,
      line,
      column,
      document: 0,
      path: '',
      severity: 'error',
      code: 'yaml.invalid-utf8',
      message: `invalid UTF-8 at byte ${bad} (0x${bytes[bad]!.toString(16).padStart(2, '0')}): manifests must be UTF-8 text; re-save the file as UTF-8`,
    },
  };
}
