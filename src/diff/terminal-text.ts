// Untrusted text made safe for a terminal, a CI log, a PR comment or a log line. Pure (shared by
// the CLI's renderers and the daemon's logs and API answers).
// Names, file paths, commit subjects, server errors and YAML values can hold bytes that a
// terminal obeys: a newline or CR forges a line, ESC and the C1 CSI (U+009B) move the cursor,
// recolour or retitle the window, BEL rings. Every text renderer passes what it did not write
// itself through `terminalText` (one cell or one line: nothing survives) and every command's text
// output through `terminalBlock` (a laid-out block: only its own newlines and tabs survive).
// Each character is shown, not dropped, the way Go's strconv.Quote shows unprintables (kubectl
// only rewrites ESC and CR; C1 controls pass there): `\n`, `\r`, `\x1b`, `\u009b`.
// Escaped: C0 controls, DEL, C1 controls, the line/paragraph separators U+2028/U+2029 (a line
// break to some viewers), and the Unicode bidi controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI):
// as the Trojan Source paper (CVE-2021-42574) advises, they are made visible, since they reorder
// what a reader sees (`\u202e`). Backslashes are left as they are: a safe string is unchanged.

const NAMED: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
};

// Beyond C0: DEL, C1, ALM, LRM, RLM, U+2028, U+2029, LRE..RLO, LRI..PDI.
const BEYOND_C0 = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, 'g');
const UNSAFE_IN_BLOCK = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f${BEYOND_C0}]`, 'g');
const UNSAFE_IN_JSON = new RegExp(`[${BEYOND_C0}]`, 'g');
const SGR = /^\x1b\[[0-9;]*m/;

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
}

/** One character as Go's %q would print it: `\n`, `\x1b`, `\u009b`. */
function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code < 0x80 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

/** Text for one cell or one line: every control shown as an escape, newlines and tabs too. */
export function terminalText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** A rendered block (lines already laid out): every control shown as an escape except the
 *  block's newlines and tabs. With `sgr`, colour sequences (ESC [ ... m) a renderer added on
 *  purpose also survive; any other ESC is still shown as `\x1b`. */
export function terminalBlock(s: string, opts: { sgr?: boolean } = {}): string {
  if (!opts.sgr) return s.replace(UNSAFE_IN_BLOCK, escapeChar);
  return s.replace(UNSAFE_IN_BLOCK, (c, offset: number) =>
    c === '\x1b' && SGR.test(s.slice(offset, offset + 32)) ? c : escapeChar(c),
  );
}

/** JSON text with DEL, C1 controls, U+2028/U+2029 and bidi controls written as \uXXXX escapes:
 *  JSON.stringify escapes only U+0000-U+001F, and a terminal obeys a raw U+009B (CSI). The
 *  value parses back identical. */
export function terminalJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}

const JSON_ESCAPE_OR_UNSAFE = new RegExp(`\\\\(?:u([0-9a-fA-F]{4})|(["\\\\/bfnrt]))|[${BEYOND_C0}]`, 'g');
const UNSAFE_CHAR = new RegExp(`^[\\u0000-\\u001f${BEYOND_C0}]$`);
const JSON_SHORT: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** JSON text whose strings, once decoded (by a log prettifier, `jq -r`), show every control as
 *  its escape (`\x1b`, `\n`) instead of carrying it raw: each unsafe character becomes a literal
 *  backslash sequence. For a consumer that prints decoded values to a terminal. */
export function visibleJson(json: string): string {
  return json.replace(JSON_ESCAPE_OR_UNSAFE, (match, code?: string, short?: string) => {
    const c =
      code !== undefined
        ? String.fromCharCode(Number.parseInt(code, 16))
        : short
          ? (JSON_SHORT[short] ?? short)
          : match;
    if (!UNSAFE_CHAR.test(c)) return match;
    return JSON.stringify(escapeChar(c)).slice(1, -1);
  });
}
