// A fast reader for the block-YAML subset that Kubernetes manifests are written in:
// block mappings and sequences, plain/quoted single-line scalars, literal block scalars
// (`|`, `|-`), comments and `---` separators. It produces the same values as the `yaml`
// package (YAML 1.2 core schema) plus the line/column of every key and item, about an
// order of magnitude faster. Anything outside the subset (anchors, aliases, tags, flow
// collections, folded or multi-line scalars, tabs, duplicate keys, odd numbers) makes it
// give up and return undefined: the caller then parses the file with `yaml`, which also
// produces the precise error messages. Pure.

/** Positions of a container's children: for a mapping [key, pos, key, pos, ...], for a
 *  sequence [pos, pos, ...]; pos = line * POS_LINE + column (both 1-based). */
export type ChildPositions = (string | number)[];
export const POS_LINE = 1_048_576;

export interface FastDocument {
  index: number;
  value: unknown;
  line: number;
  column: number;
  positions: Map<object, ChildPositions>;
}

class GiveUp {}
const GIVE_UP = new GiveUp();
const MAX_DEPTH = 100;

const KEY_CHARS = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const LEADING_ZERO = /^[-+]?0[0-9]/;
const EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;

function resolvePlain(s: string): unknown {
  switch (s) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    // Numbers the full parser reports (a leading zero, past 2^53, non-finite) give up.
    if (INT.test(s)) {
      const n = Number.parseInt(s, 10);
      if (LEADING_ZERO.test(s) || !Number.isSafeInteger(n)) throw GIVE_UP;
      return n;
    }
    if (FLOAT.test(s) || EXP.test(s)) {
      const n = Number.parseFloat(s);
      if (!Number.isFinite(n)) throw GIVE_UP;
      return n;
    }
    // 0o17, 0x1F, .inf, .nan: rare in manifests; leave them to the full parser.
    if (s.startsWith('0o') || s.startsWith('0x') || /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(s))
      throw GIVE_UP;
  }
  return s;
}

const isSpace = (c: number): boolean => c === 32;

class Reader {
  li = 0;
  end = 0;
  /** When >= 0, the current line's content starts at this column (a mapping that begins
   *  on the same line as its sequence dash, `- name: web`). */
  vcol = -1;
  positions = new Map<object, ChildPositions>();

  constructor(
    private readonly t: string,
    private readonly ls: number[],
    private readonly le: number[],
    /** Indentation of each line, or -1 for blank and comment-only lines. */
    private readonly ind: number[],
  ) {}

  nextContent(): number {
    if (this.vcol >= 0) return this.vcol;
    const { ind } = this;
    while (this.li < this.end && ind[this.li]! < 0) this.li++;
    return this.li < this.end ? ind[this.li]! : -1;
  }

  private start(): number {
    return this.ls[this.li]! + (this.vcol >= 0 ? this.vcol : this.ind[this.li]!);
  }

  private isSeqItem(at: number, lineEnd: number): boolean {
    return this.t.charCodeAt(at) === 45 && (at + 1 === lineEnd || isSpace(this.t.charCodeAt(at + 1)));
  }

  parseBlockNode(parentIndent: number, seqAtSameIndent: boolean, depth: number): unknown {
    const ind = this.nextContent();
    if (ind < 0 || ind < parentIndent) return null;
    const at = this.start();
    const isSeq = this.isSeqItem(at, this.le[this.li]!);
    if (ind === parentIndent && !(seqAtSameIndent && isSeq)) return null;
    if (depth > MAX_DEPTH) throw GIVE_UP;
    return isSeq ? this.parseSeq(ind, depth + 1) : this.parseMap(ind, depth + 1);
  }

  /** Index of the `:` that ends a plain key starting at `at`, or -1. */
  private keyColon(at: number, lineEnd: number): number {
    const { t } = this;
    const c0 = t.charCodeAt(at);
    if (c0 === 34 || c0 === 39) return -1;
    for (let i = at; i < lineEnd; i++) {
      const c = t.charCodeAt(i);
      if (c === 58 && (i + 1 === lineEnd || isSpace(t.charCodeAt(i + 1)))) return i;
      if (c === 35 && i > at && isSpace(t.charCodeAt(i - 1))) return -1;
    }
    return -1;
  }

  parseMap(mapIndent: number, depth: number): Record<string, unknown> {
    const { t } = this;
    const obj: Record<string, unknown> = {};
    const pos: ChildPositions = [];
    this.positions.set(obj, pos);
    for (;;) {
      const ind = this.nextContent();
      if (ind < 0 || ind < mapIndent) break;
      if (ind > mapIndent) throw GIVE_UP;
      const at = this.start();
      const lineEnd = this.le[this.li]!;
      if (this.isSeqItem(at, lineEnd)) throw GIVE_UP;
      const colon = this.keyColon(at, lineEnd);
      if (colon < 0) throw GIVE_UP;
      let keyEnd = colon;
      while (keyEnd > at && isSpace(t.charCodeAt(keyEnd - 1))) keyEnd--;
      const key = t.slice(at, keyEnd);
      if (!KEY_CHARS.test(key) || key === '__proto__' || typeof resolvePlain(key) !== 'string') throw GIVE_UP;
      if (Object.hasOwn(obj, key)) throw GIVE_UP;
      pos.push(key, (this.li + 1) * POS_LINE + (at - this.ls[this.li]!) + 1);
      this.vcol = -1;
      let v = colon + 1;
      while (v < lineEnd && isSpace(t.charCodeAt(v))) v++;
      if (v >= lineEnd || t.charCodeAt(v) === 35) {
        this.li++;
        obj[key] = this.parseBlockNode(mapIndent, true, depth);
      } else {
        obj[key] = this.parseInline(v, lineEnd, mapIndent);
        if (this.nextContent() > mapIndent) throw GIVE_UP;
      }
    }
    return obj;
  }

  parseSeq(seqIndent: number, depth: number): unknown[] {
    const { t } = this;
    const arr: unknown[] = [];
    const pos: ChildPositions = [];
    this.positions.set(arr, pos);
    for (;;) {
      const ind = this.nextContent();
      if (ind < 0 || ind < seqIndent) break;
      if (ind > seqIndent) throw GIVE_UP;
      const at = this.start();
      const lineEnd = this.le[this.li]!;
      if (!this.isSeqItem(at, lineEnd)) break;
      let v = at + 1;
      while (v < lineEnd && isSpace(t.charCodeAt(v))) v++;
      const col = v - this.ls[this.li]!;
      pos.push((this.li + 1) * POS_LINE + col + 1);
      this.vcol = -1;
      if (v >= lineEnd || t.charCodeAt(v) === 35) {
        this.li++;
        arr.push(this.parseBlockNode(seqIndent, false, depth));
      } else if (this.isSeqItem(v, lineEnd)) {
        throw GIVE_UP;
      } else if (this.keyColon(v, lineEnd) >= 0) {
        this.vcol = col;
        if (depth > MAX_DEPTH) throw GIVE_UP;
        arr.push(this.parseMap(col, depth + 1));
      } else {
        arr.push(this.parseInline(v, lineEnd, seqIndent));
        if (this.nextContent() > seqIndent) throw GIVE_UP;
      }
    }
    return arr;
  }

  /** A value that starts on the current line at `v`; advances past it. */
  private parseInline(v: number, lineEnd: number, parentIndent: number): unknown {
    const { t } = this;
    const c = t.charCodeAt(v);
    if (c === 34) return this.doubleQuoted(v, lineEnd);
    if (c === 39) return this.singleQuoted(v, lineEnd);
    if (c === 124) return this.literal(v, lineEnd, parentIndent);
    if (c === 91 || c === 123) {
      const rest = this.restBeforeComment(v, lineEnd);
      if (rest === '[]' || rest === '{}') {
        this.li++;
        return rest === '[]' ? [] : {};
      }
      if (c === 91) return this.flowSequence(v, lineEnd);
      throw GIVE_UP;
    }
    // Indicators that start anchors, aliases, tags, folded scalars, directives...
    if (c === 62 || c === 38 || c === 42 || c === 33 || c === 37 || c === 64 || c === 96 || c === 44)
      throw GIVE_UP;
    if (c === 93 || c === 125) throw GIVE_UP;
    if ((c === 63 || c === 58 || c === 45) && (v + 1 === lineEnd || isSpace(t.charCodeAt(v + 1))))
      throw GIVE_UP;
    const s = this.restBeforeComment(v, lineEnd);
    if (s.includes(': ') || s.endsWith(':') || s.includes('\t')) throw GIVE_UP;
    this.li++;
    return resolvePlain(s);
  }

  /** `[a, "b", 'c', 1]` on one line: scalars only (the common `command: ["sh", "-c"]`). */
  private flowSequence(v: number, lineEnd: number): unknown[] {
    const { t } = this;
    const arr: unknown[] = [];
    const pos: ChildPositions = [];
    const lineStart = this.ls[this.li]!;
    const line = (this.li + 1) * POS_LINE;
    let i = v + 1;
    for (;;) {
      while (i < lineEnd && isSpace(t.charCodeAt(i))) i++;
      if (i >= lineEnd) throw GIVE_UP;
      const c = t.charCodeAt(i);
      if (c === 93 && arr.length === 0) throw GIVE_UP; // `[ ]` and friends: leave to yaml
      pos.push(line + (i - lineStart) + 1);
      if (c === 34 || c === 39) {
        let out = '';
        let from = i + 1;
        let j = i + 1;
        for (; j < lineEnd; j++) {
          const d = t.charCodeAt(j);
          if (d === 92 && c === 34) throw GIVE_UP;
          if (d === c) {
            if (c === 39 && t.charCodeAt(j + 1) === 39) {
              out += t.slice(from, j + 1);
              j++;
              from = j + 1;
              continue;
            }
            break;
          }
        }
        if (j >= lineEnd) throw GIVE_UP;
        arr.push(out + t.slice(from, j));
        i = j + 1;
      } else {
        let j = i;
        for (; j < lineEnd; j++) {
          const d = t.charCodeAt(j);
          if (d === 44 || d === 93) break;
          // Anything that could make this more than a plain scalar: leave it to yaml.
          if (d === 58 || d === 35 || d === 91 || d === 123 || d === 125 || d === 34 || d === 39)
            throw GIVE_UP;
        }
        if (j >= lineEnd) throw GIVE_UP;
        let e = j;
        while (e > i && isSpace(t.charCodeAt(e - 1))) e--;
        const s = t.slice(i, e);
        if (s.length === 0 || /^[&*!|>%@`?-]/.test(s)) throw GIVE_UP;
        arr.push(resolvePlain(s));
        i = j;
      }
      while (i < lineEnd && isSpace(t.charCodeAt(i))) i++;
      const d = t.charCodeAt(i);
      if (d === 44) {
        i++;
        continue;
      }
      if (d === 93) break;
      throw GIVE_UP;
    }
    this.positions.set(arr, pos);
    this.afterScalar(i + 1, lineEnd);
    return arr;
  }

  private restBeforeComment(v: number, lineEnd: number): string {
    const { t } = this;
    let e = lineEnd;
    for (let i = v + 1; i < lineEnd; i++) {
      if (t.charCodeAt(i) === 35 && isSpace(t.charCodeAt(i - 1))) {
        e = i;
        break;
      }
    }
    while (e > v && isSpace(t.charCodeAt(e - 1))) e--;
    return t.slice(v, e);
  }

  private afterScalar(i: number, lineEnd: number): void {
    const { t } = this;
    while (i < lineEnd && isSpace(t.charCodeAt(i))) i++;
    if (i < lineEnd && !(t.charCodeAt(i) === 35 && isSpace(t.charCodeAt(i - 1)))) throw GIVE_UP;
    this.li++;
  }

  private doubleQuoted(v: number, lineEnd: number): string {
    const { t } = this;
    let out = '';
    let from = v + 1;
    for (let i = v + 1; i < lineEnd; i++) {
      const c = t.charCodeAt(i);
      if (c === 34) {
        out += t.slice(from, i);
        this.afterScalar(i + 1, lineEnd);
        return out;
      }
      if (c === 92) {
        out += t.slice(from, i);
        const e = t[i + 1];
        switch (e) {
          case '\\':
          case '"':
          case '/':
            out += e;
            break;
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case '0':
            out += '\0';
            break;
          default:
            throw GIVE_UP;
        }
        i++;
        from = i + 1;
      }
    }
    throw GIVE_UP;
  }

  private singleQuoted(v: number, lineEnd: number): string {
    const { t } = this;
    let out = '';
    let from = v + 1;
    for (let i = v + 1; i < lineEnd; i++) {
      if (t.charCodeAt(i) === 39) {
        if (t.charCodeAt(i + 1) === 39 && i + 1 < lineEnd) {
          out += t.slice(from, i + 1);
          i++;
          from = i + 1;
          continue;
        }
        out += t.slice(from, i);
        this.afterScalar(i + 1, lineEnd);
        return out;
      }
    }
    throw GIVE_UP;
  }

  /** `|` or `|-` literal block scalar. */
  private literal(v: number, lineEnd: number, parentIndent: number): string {
    const { t, ls, le } = this;
    let h = v + 1;
    let strip = false;
    if (t.charCodeAt(h) === 45) {
      strip = true;
      h++;
    }
    if (h < lineEnd && !isSpace(t.charCodeAt(h))) throw GIVE_UP; // |+, |2, |x...
    this.afterScalar(h, lineEnd);
    let contentIndent = -1;
    let maxBlank = 0;
    let i = this.li;
    for (; i < this.end; i++) {
      const s = ls[i]!;
      const e = le[i]!;
      let n = 0;
      while (s + n < e && isSpace(t.charCodeAt(s + n))) n++;
      if (s + n === e) {
        if (n > maxBlank) maxBlank = n;
        continue;
      }
      contentIndent = n;
      break;
    }
    if (contentIndent <= parentIndent || maxBlank > contentIndent) throw GIVE_UP;
    const lines: string[] = [];
    let lastContent = -1;
    for (i = this.li; i < this.end; i++) {
      const s = ls[i]!;
      const e = le[i]!;
      let n = 0;
      while (s + n < e && isSpace(t.charCodeAt(s + n))) n++;
      if (s + n === e) {
        if (n > contentIndent) throw GIVE_UP;
        lines.push('');
        continue;
      }
      if (n < contentIndent) break;
      if (t.charCodeAt(s + n) === 9 && n === contentIndent) {
        // a tab right after the indentation is content; fine
      }
      lines.push(t.slice(s + contentIndent, e));
      lastContent = lines.length - 1;
    }
    // The lines consumed: content plus trailing blank lines (which belong to the scalar).
    this.li = i;
    const body = lines.slice(0, lastContent + 1).join('\n');
    return strip ? body : `${body}\n`;
  }
}

/** Where each line starts and ends (without its newline) and its indentation (-1 for blank
 *  and comment-only lines). */
interface Lines {
  ls: number[];
  le: number[];
  ind: number[];
}

/** One pass over the text; undefined when a tab indents a line (the full parser explains). */
function scanLines(text: string): Lines | undefined {
  const ls: number[] = [];
  const le: number[] = [];
  const ind: number[] = [];
  const len = text.length;
  let p = 0;
  while (p < len) {
    let e = text.indexOf('\n', p);
    const next = e < 0 ? len : e + 1;
    if (e < 0) e = len;
    if (e > p && text.charCodeAt(e - 1) === 13) e--;
    let n = 0;
    while (p + n < e && text.charCodeAt(p + n) === 32) n++;
    const c = p + n < e ? text.charCodeAt(p + n) : -1;
    if (c === 9) return undefined; // tab in indentation: the full parser explains it
    ls.push(p);
    le.push(e);
    ind.push(c === -1 || c === 35 ? -1 : n);
    p = next;
  }
  return { ls, le, ind };
}

function hasContent(ind: readonly number[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (ind[i]! >= 0) return true;
  return false;
}

/** The mapping on lines [from, to); undefined when it is outside the fast subset (a
 *  top-level sequence, or anything the reader gives up on). */
function readDocument(
  text: string,
  lines: Lines,
  reader: Reader,
  from: number,
  to: number,
  index: number,
): FastDocument | undefined {
  reader.li = from;
  reader.end = to;
  reader.vcol = -1;
  try {
    const first = reader.nextContent();
    const line = reader.li + 1;
    const column = first + 1;
    const at = lines.ls[reader.li]! + first;
    const isSeq =
      text.charCodeAt(at) === 45 && (at + 1 === lines.le[reader.li] || text.charCodeAt(at + 1) === 32);
    if (isSeq) return undefined;
    const value = reader.parseMap(first, 1);
    if (reader.nextContent() >= 0) return undefined;
    const doc = { index, value, line, column, positions: reader.positions };
    reader.positions = new Map();
    return doc;
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

/** Parse a whole file; undefined when any part of it is outside the fast subset. */
export function parseFastYaml(text: string): FastDocument[] | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  if (text.includes('\r') && /\r(?!\n)/.test(text)) return undefined;
  const lines = scanLines(text);
  if (!lines) return undefined;
  const { ls, le, ind } = lines;
  // Split into documents on `---` lines (as `yaml` counts them: an empty first one does
  // not count, an empty later one does).
  const docs: FastDocument[] = [];
  const reader = new Reader(text, ls, le, ind);
  let segStart = 0;
  let index = 0;
  let isFirst = true;
  const flush = (from: number, to: number): boolean => {
    const content = hasContent(ind, from, to);
    if (isFirst && !content) return true;
    const myIndex = index++;
    if (!content) return true;
    const doc = readDocument(text, lines, reader, from, to, myIndex);
    if (doc) docs.push(doc);
    return doc !== undefined;
  };
  for (let i = 0; i < ls.length; i++) {
    const s = ls[i]!;
    const c = text.charCodeAt(s);
    if (c === 37) return undefined; // %YAML / %TAG directives
    if (c === 45 || c === 46) {
      const three = text.slice(s, s + 3);
      if (three === '...' || three === '---') {
        const e = le[i]!;
        const after = s + 3;
        if (after < e && !isSpace(text.charCodeAt(after)) && text.charCodeAt(after) !== 9) continue; // `---x` is content
        if (three === '...') return undefined;
        let r = after;
        while (r < e && isSpace(text.charCodeAt(r))) r++;
        if (r < e && text.charCodeAt(r) !== 35) return undefined; // `--- value` / `--- !tag`
        if (!flush(segStart, i)) return undefined;
        isFirst = false;
        segStart = i + 1;
        ind[i] = -1;
      }
    }
  }
  if (!flush(segStart, ls.length)) return undefined;
  return docs;
}
