// parseManifests: one file's text -> its YAML documents as plain values that remember
// where every field was written, plus yaml.* diagnostics. Pure: the caller reads files.
// Hostile input is bounded here: size cap, binary (NUL) detection, alias-expansion limit,
// nesting-depth limit, duplicate keys and tabs reported as diagnostics, never thrown.

import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type Scalar,
  visit,
  type YAMLError,
} from 'yaml';
import type { Diagnostic } from '../model/diagnostics.js';
import { detachStrings } from './detach-strings.js';
import { type ChildPositions, type FastDocument, POS_LINE, parseFastYaml } from './yaml-fast.js';
import { numberProblem, OCTAL_WARNING, yaml11Octal } from './yaml-numbers.js';

/** Largest manifest file accepted: the API server's request body limit (3 MiB). */
export const MAX_FILE_CHARS = 3 * 1024 * 1024;
/** Deepest nesting accepted; real manifests stay under 15. */
export const MAX_DEPTH = 64;
/** Alias expansions allowed per document (the `yaml` package's own default). */
export const MAX_ALIAS_COUNT = 100;

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

/** One YAML document of a file, as a plain value that can point back into the text. */
export interface ParsedDocument {
  file: string;
  /** 0-based index of the document in the file, counting `---` as `yaml` does. */
  index: number;
  value: unknown;
  /** Where the document's content starts. */
  line: number;
  column: number;
  /** Position of the deepest existing node along `path` (the key for a mapping entry,
   *  the item for a sequence element); the document start for []. */
  locate(path: readonly PathSegment[]): Position;
}

export interface ParseResult {
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
}

function diag(file: string, document: number, pos: Position, code: string, message: string): Diagnostic {
  return { file, document, line: pos.line, column: pos.column, path: '', severity: 'error', code, message };
}

/** A file that yields no documents, only one file-level finding. */
function fileFinding(file: string, pos: Position, code: string, message: string): ParseResult {
  return { documents: [], diagnostics: [diag(file, 0, pos, code, message)] };
}

function lineColAt(text: string, offset: number): Position {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

function fastDocument(file: string, d: FastDocument): ParsedDocument {
  const { positions } = d;
  return {
    file,
    index: d.index,
    value: detachStrings(d.value),
    line: d.line,
    column: d.column,
    locate(path) {
      let pos = d.line * POS_LINE + d.column;
      let node: unknown = d.value;
      for (const seg of path) {
        if (node === null || typeof node !== 'object') break;
        const children: ChildPositions | undefined = positions.get(node);
        if (!children) break;
        if (Array.isArray(node)) {
          if (typeof seg !== 'number' || seg >= node.length) break;
          pos = children[seg] as number;
          node = node[seg];
        } else {
          const i = children.indexOf(String(seg));
          if (i < 0 || i % 2 !== 0) break;
          pos = children[i + 1] as number;
          node = (node as Record<string, unknown>)[String(seg)];
        }
      }
      return { line: Math.floor(pos / POS_LINE), column: pos % POS_LINE };
    },
  };
}

/** Depth of a plain value, walking shared (aliased) nodes once. */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    if (depth > MAX_DEPTH) return true;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function yamlDocument(file: string, index: number, doc: Document.Parsed, lc: LineCounter): ParsedDocument {
  const toPos = (offset: number): Position => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const root = doc.contents;
  const start = toPos(root?.range?.[0] ?? 0);
  return {
    file,
    index,
    value: undefined,
    line: start.line,
    column: start.column,
    locate(path) {
      let pos = start;
      let node: unknown = root;
      for (const seg of path) {
        if (isAlias(node)) node = node.resolve(doc);
        if (isMap(node)) {
          const pair = node.items.find((p) => {
            const k = p.key;
            return (isScalar(k) ? String(k.value) : String(k)) === String(seg);
          });
          if (!pair) break;
          const k = pair.key as Node | null;
          if (k?.range) pos = toPos(k.range[0]);
          node = pair.value;
        } else if (isSeq(node)) {
          if (typeof seg !== 'number') break;
          const item = node.items[seg] as Node | undefined;
          if (!item) break;
          if (item.range) pos = toPos(item.range[0]);
          node = item;
        } else break;
      }
      return pos;
    },
  };
}

const YAML_CODES: Record<string, string> = {
  DUPLICATE_KEY: 'yaml.duplicate-key',
  TAB_AS_INDENT: 'yaml.tab',
  KEY_OVER_1024_CHARS: 'yaml.key-too-long',
  RESOURCE_EXHAUSTION: 'yaml.alias-limit',
};

/** Characters a YAML stream may not hold (YAML 1.2 c-printable; Kubernetes' YAML reader
 *  refuses them too, "control characters are not allowed"). Escapes in double-quoted
 *  scalars ("\e") are still allowed: the fields that must not hold them check values. */
const NOT_PRINTABLE = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]/;

function controlCharacter(text: string, fileName: string): Diagnostic | undefined {
  const nul = text.indexOf('\0');
  if (nul >= 0)
    return diag(
      fileName,
      0,
      lineColAt(text, nul),
      'yaml.binary',
      'file contains NUL bytes: it looks binary, not YAML',
    );
  const m = NOT_PRINTABLE.exec(text);
  if (!m) return undefined;
  const pos = lineColAt(text, m.index);
  const code = `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return diag(
    fileName,
    0,
    pos,
    'yaml.control-character',
    `control characters are not allowed (${code}); write it as an escape in a double-quoted string, or remove it`,
  );
}

/** Parse one file's text into documents with positions. Never throws for bad input. */
export function parseManifests(text: string, fileName: string): ParseResult {
  if (text.length > MAX_FILE_CHARS) {
    return fileFinding(
      fileName,
      { line: 1, column: 1 },
      'yaml.too-large',
      `file is ${text.length} characters, over the ${MAX_FILE_CHARS} limit for one manifest file (the API server's request size); split it`,
    );
  }
  const control = controlCharacter(text, fileName);
  if (control) return { documents: [], diagnostics: [control] };
  const fast = parseFastYaml(text);
  if (fast) return { documents: fast.map((d) => fastDocument(fileName, d)), diagnostics: [] };
  return parseWithYaml(text, fileName);
}

/** One syntax error of the `yaml` package, with skiff's code and wording. */
function yamlErrorDiagnostic(fileName: string, index: number, e: YAMLError, lc: LineCounter): Diagnostic {
  const p = lc.linePos(e.pos[0]);
  // The yaml package turns a stack overflow on deep nesting into RESOURCE_EXHAUSTION.
  const tooDeep = e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(e.message);
  const code = tooDeep ? 'yaml.too-deep' : (YAML_CODES[e.code] ?? 'yaml.syntax');
  const message = tooDeep
    ? `nesting is deeper than ${MAX_DEPTH} levels`
    : code === 'yaml.tab'
      ? 'tabs are not allowed for indentation in YAML; indent with spaces'
      : e.message.replace(/\s+at line \d+, column \d+:?$/, '');
  return diag(fileName, index, { line: p.line, column: p.col }, code, message);
}

/** The document's value, refusing alias bombs and nesting past MAX_DEPTH. */
function documentValue(
  fileName: string,
  index: number,
  doc: Document.Parsed,
  d: ParsedDocument,
): { value: unknown } | { error: Diagnostic } {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message))
      return {
        error: diag(
          fileName,
          index,
          d,
          'yaml.alias-limit',
          `too many alias expansions (over ${MAX_ALIAS_COUNT}): refusing a possible "billion laughs" alias bomb`,
        ),
      };
    if (err instanceof RangeError)
      return {
        error: diag(fileName, index, d, 'yaml.too-deep', `nesting is deeper than ${MAX_DEPTH} levels`),
      };
    throw err;
  }
  if (value !== null && value !== undefined && tooDeep(value))
    return { error: diag(fileName, index, d, 'yaml.too-deep', `nesting is deeper than ${MAX_DEPTH} levels`) };
  return { value };
}

/** Plain numbers Kubernetes would read differently (read its way here, with a warning unless
 *  it is a file mode) or not at all (an error). */
function numberDiagnostics(
  fileName: string,
  index: number,
  doc: Document.Parsed,
  lc: LineCounter,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Scalar(_key, node: Scalar, path) {
      if (typeof node.value !== 'number' || node.type !== 'PLAIN' || node.source === undefined) return;
      const p = lc.linePos(node.range?.[0] ?? 0);
      const at = { line: p.line, column: p.col };
      const problem = numberProblem(node.source, node.value);
      if (problem) {
        out.push(diag(fileName, index, at, problem.code, problem.message));
        return;
      }
      const parent = path.at(-1);
      const key =
        isPair(parent) && parent.value === node && isScalar(parent.key) ? parent.key.value : undefined;
      const octal = yaml11Octal(node.source, node.value, key);
      if (!octal) return;
      node.value = octal.value;
      if (octal.warn)
        out.push({ ...diag(fileName, index, at, 'yaml.octal-number', OCTAL_WARNING), severity: 'warning' });
    },
  });
  return out;
}

/** The `yaml` package's reader: what the fast reader does not handle, and every error. */
function parseWithYaml(text: string, fileName: string): ParseResult {
  const lc = new LineCounter();
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  let docs: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, {
      lineCounter: lc,
      merge: true,
      uniqueKeys: true,
      prettyErrors: false,
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (err) {
    if (err instanceof RangeError)
      return fileFinding(
        fileName,
        { line: 1, column: 1 },
        'yaml.too-deep',
        `nesting is deeper than ${MAX_DEPTH} levels`,
      );
    throw err;
  }
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) diagnostics.push(yamlErrorDiagnostic(fileName, index, e, lc));
      return;
    }
    const numbers = numberDiagnostics(fileName, index, doc, lc);
    diagnostics.push(...numbers);
    if (numbers.some((n) => n.severity !== 'warning')) return;
    const d = yamlDocument(fileName, index, doc, lc);
    const read = documentValue(fileName, index, doc, d);
    if ('error' in read) {
      diagnostics.push(read.error);
      return;
    }
    if (read.value === null || read.value === undefined) return;
    for (const w of doc.warnings) {
      const p = lc.linePos(w.pos[0]);
      diagnostics.push({
        ...diag(fileName, index, { line: p.line, column: p.col }, 'yaml.warning', w.message),
        severity: 'warning',
      });
    }
    d.value = detachStrings(read.value);
    documents.push(d);
  });
  return { documents, diagnostics };
}
