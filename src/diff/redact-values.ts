// Secret values searched for in free text: what the daemon scrubs from every string it emits
// (log lines, error messages, API answers, history rows), and the CLI from command output. Pure.
// Invariants:
// - A value is searched for in every form text can carry it: the base64 as stored (with and
//   without its padding), decoded, each line of a multi-line value, and each of those as written
//   inside a JSON string (a log line or an API answer is JSON: `"` and `\n` arrive escaped).
// - Values shorter than MIN_REDACTABLE_LENGTH are not searched for (they would shred the text).
// - The search is linear in the text whatever the number of values (Aho-Corasick), so a large
//   set of values (a hostile repository's) costs memory, never time per log line.
import type { KubeObject } from '../model/k8s.js';

export const MASK = '***';

/** Shorter values are not searched for: replacing every "ab" in a log line would destroy it,
 *  and a secret of under 3 characters protects nothing anyway. */
export const MIN_REDACTABLE_LENGTH = 3;

/** Text with every known Secret value replaced by `***`. */
export type TextScrubber = (text: string) => string;

/** Decodes standard base64 to UTF-8 text; undefined when it is not valid base64. Uses the
 *  web-standard globals (atob, TextDecoder), which are pure. */
export function decodeBase64Utf8(b64: string): string | undefined {
  try {
    const binary = atob(b64.replace(/\s+/g, ''));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Every form in which the Secrets' values could leak into text: the base64 as stored, the
 *  decoded value, and each non-empty line of a multi-line value (a key file, a .env). */
export function secretValuesOf(secrets: readonly { data: Record<string, string> }[]): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    for (const b64 of Object.values(s.data)) {
      out.add(b64);
      const unpadded = b64.replace(/=+$/, '');
      if (unpadded !== b64) out.add(unpadded);
      const plain = decodeBase64Utf8(b64);
      if (plain === undefined) continue;
      out.add(plain);
      for (const line of plain.split(/\r?\n/)) if (line.trim() !== '') out.add(line.trim());
    }
  }
  return [...out];
}

/** The needles to scrub for the Secrets among `objects`: their values (secretValuesOf) and each
 *  value as it reads inside a JSON string. */
export function secretNeedlesOf(objects: readonly KubeObject[]): string[] {
  const values = secretValuesOf(objects.filter((o) => o.kind === 'Secret'));
  const out = new Set(values);
  for (const v of values) out.add(JSON.stringify(v).slice(1, -1));
  return [...out].filter((v) => v.length >= MIN_REDACTABLE_LENGTH);
}

/** Values longer than this are searched for as consecutive pieces of this length (a 1 MiB
 *  certificate is not one needle): the whole value is still hidden wherever it appears. */
const MAX_NEEDLE_LENGTH = 256;

function piecesOf(value: string): string[] {
  if (value.length <= MAX_NEEDLE_LENGTH) return [value];
  const out: string[] = [];
  for (let i = 0; i < value.length; i += MAX_NEEDLE_LENGTH) out.push(value.slice(i, i + MAX_NEEDLE_LENGTH));
  const last = out.at(-1)!;
  if (last.length < MIN_REDACTABLE_LENGTH) out.splice(-2, 2, out.at(-2)! + last);
  return out;
}

/** An Aho-Corasick automaton over the REVERSED needles: scanning a text backwards, the state at
 *  position i tells the longest needle that starts at i, in O(1) per character. */
interface Automaton {
  /** state * 65536 + UTF-16 code unit -> state. */
  next: Map<number, number>;
  /** Length of the longest needle that is a suffix of the state's string (0: none). */
  longest: Int32Array;
  fail: Int32Array;
  /** Code units with a transition from the start state: most characters of a text have none,
   *  and skip the map. */
  fromStart: Uint8Array;
}

const step = (a: Automaton, state: number, c: number): number | undefined => a.next.get(state * 65536 + c);

function buildAutomaton(needles: readonly string[]): Automaton {
  const next = new Map<number, number>();
  const own: number[] = [0];
  const parent: number[] = [0];
  const via: number[] = [0];
  const depth: number[] = [0];
  for (const n of needles) {
    let s = 0;
    for (let i = n.length - 1; i >= 0; i--) {
      const c = n.charCodeAt(i);
      let t = step({ next } as Automaton, s, c);
      if (t === undefined) {
        t = own.length;
        next.set(s * 65536 + c, t);
        own.push(0);
        parent.push(s);
        via.push(c);
        depth.push(depth[s]! + 1);
      }
      s = t;
    }
    own[s] = Math.max(own[s]!, n.length);
  }
  const a: Automaton = {
    next,
    longest: new Int32Array(own.length),
    fail: new Int32Array(own.length),
    fromStart: new Uint8Array(65536),
  };
  for (let v = 1; v < own.length; v++) if (parent[v] === 0) a.fromStart[via[v]!] = 1;
  // Breadth first (by depth): a state's failure link needs its parent's.
  for (const v of byDepth(depth)) {
    let f = parent[v] === 0 ? -1 : a.fail[parent[v]!]!;
    let target = 0;
    while (f >= 0) {
      const t = step(a, f, via[v]!);
      if (t !== undefined) {
        target = t;
        break;
      }
      f = f === 0 ? -1 : a.fail[f]!;
    }
    a.fail[v] = target;
    a.longest[v] = own[v]! || a.longest[target]!;
  }
  return a;
}

/** State numbers ordered by depth (a counting sort: there can be millions). */
function byDepth(depth: readonly number[]): Int32Array {
  const maxDepth = depth.reduce((m, d) => Math.max(m, d), 0);
  const start = new Int32Array(maxDepth + 2);
  for (const d of depth) start[d + 1]!++;
  for (let d = 1; d <= maxDepth + 1; d++) start[d]! += start[d - 1]!;
  const order = new Int32Array(depth.length);
  for (let v = 1; v < depth.length; v++) order[start[depth[v]!]!++] = v;
  return order.subarray(1); // the start state (depth 0) took slot 0
}

function scrubWith(a: Automaton, text: string): string {
  const longestAt = new Int32Array(text.length);
  let state = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (state === 0 && a.fromStart[c] === 0) continue;
    for (;;) {
      const t = step(a, state, c);
      if (t !== undefined) {
        state = t;
        break;
      }
      if (state === 0) break;
      state = a.fail[state]!;
    }
    longestAt[i] = a.longest[state]!;
  }
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; ) {
    const n = longestAt[i]!;
    if (n === 0) {
      i++;
      continue;
    }
    out += text.slice(copied, i) + MASK;
    i += n;
    copied = i;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** A scrubber for `values`: at each position the longest value found there is replaced by
 *  `***` (so a value containing another is hidden whole), left to right, in time linear in the
 *  text whatever the number of values. */
export function compileScrubber(values: Iterable<string>): TextScrubber {
  const needles = [...new Set(values)].filter((v) => v.length >= MIN_REDACTABLE_LENGTH).flatMap(piecesOf);
  if (needles.length === 0) return (text) => text;
  const automaton = buildAutomaton(needles);
  return (text) => (text.length === 0 ? text : scrubWith(automaton, text));
}

/** Replaces every occurrence of any of `secretValues` in `text` by `***`, longest first so a
 *  value containing another is masked whole. For log lines, error messages, command output. */
export function redactSecretsInText(text: string, secretValues: Iterable<string>): string {
  return compileScrubber(secretValues)(text);
}

/** A copy of `value` (plain data: what becomes JSON) with every string, key or value, scrubbed.
 *  Nesting deeper than any record of ours is flattened to its scrubbed JSON (fail closed). */
export function scrubStrings(value: unknown, scrub: TextScrubber, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 64) return scrub(JSON.stringify(value) ?? '');
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[scrub(k)] = scrubStrings(v, scrub, depth + 1);
  return out;
}
