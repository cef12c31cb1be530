// Redaction of manifest TEXT: a file's YAML or JSON with every Secret value replaced by a marker,
// for any output that shows manifest text (a `--dry-run` patch, a revert preview). Pure.
// Invariants:
// - Positions come from the `yaml` package's document nodes, never from regexes on the text: a
//   value in flow style, JSON, a block scalar, behind an alias or in a multi-document file is
//   found as the validator would read it.
// - Line structure is kept: a value spanning N lines becomes N marker lines, so a unified diff of
//   redacted texts has the same hunks as the diff of the real ones.
// - In a Secret (any document whose kind ends in "secret", or that has `stringData`), everything
//   but apiVersion, kind, metadata, type and immutable is a value to hide (an allowlist: a typo
//   like `stringdata:` is hidden too), and so is kubectl's last-applied annotation.
// - Fail closed: a document the parser cannot read that mentions a Secret is hidden whole.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type ParsedNode,
  parseAllDocuments,
} from 'yaml';

export const REDACTED = '<redacted>';
/** The marker on the new side of a diff where the value is not the old one (or is new). */
export const REDACTED_CHANGED = '<redacted: changed>';

const SAFE_SECRET_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'type', 'immutable']);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** One hidden value: where it is, what it is (for comparing two versions), and its text. */
interface Span {
  start: number;
  end: number;
  /** The Secret and the key path, stable across versions of the file. */
  id: string;
  source: string;
}

/** `text` with every Secret value replaced by `<redacted>`. */
export function redactManifestText(text: string): string {
  return applySpans(text, secretSpans(text), () => REDACTED);
}

/** Both versions of a file redacted for a diff: a value that differs from (or is absent in) the
 *  old version reads `<redacted: changed>` on the new side, so the diff still shows it changed. */
export function redactManifestTextPair(
  before: string | null,
  after: string | null,
): { before: string | null; after: string | null } {
  const old = before === null ? [] : secretSpans(before);
  const oldById = joinById(old);
  const redactedAfter =
    after === null
      ? null
      : applySpans(after, secretSpans(after), (s, all) =>
          oldById.get(s.id) === all.get(s.id) ? REDACTED : REDACTED_CHANGED,
        );
  return { before: before === null ? null : applySpans(before, old, () => REDACTED), after: redactedAfter };
}

function joinById(spans: readonly Span[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of spans) out.set(s.id, `${out.get(s.id) ?? ''}\u0000${s.source}`);
  return out;
}

function mentionsSecret(text: string): boolean {
  return /secret|stringdata/i.test(text);
}

/** Every Secret value of every document in `text`. */
function secretSpans(text: string): Span[] {
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { prettyErrors: false }) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [];
  } catch {
    return mentionsSecret(text) ? [{ start: 0, end: text.length, id: '*', source: text }] : [];
  }
  const out: Span[] = [];
  docs.forEach((doc, index) => {
    const [start, , end] = doc.range;
    const source = text.slice(start, end);
    if (doc.errors.length > 0) {
      if (mentionsSecret(source)) out.push({ start, end, id: `#${index}\u0000*`, source });
      return;
    }
    const found: Span[] = [];
    try {
      collectObject(new Walk(text, doc, found), doc.contents, `#${index}`);
      out.push(...found);
    } catch {
      // Nesting too deep to walk: hide the whole document rather than guess.
      if (mentionsSecret(source)) out.push({ start, end, id: `#${index}\u0000*`, source });
    }
  });
  return out;
}

/** The state of one document's walk: its text, its nodes (for aliases), what was visited. */
class Walk {
  readonly visited = new Set<Node>();
  constructor(
    readonly text: string,
    readonly doc: Document.Parsed,
    readonly out: Span[],
  ) {}
  resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }
}

function scalarString(w: Walk, node: unknown): string | undefined {
  const n = w.resolve(node);
  return isScalar(n) ? String(n.value) : undefined;
}

/** A top-level object (or a List's item): a Secret's values are collected, others skipped. */
function collectObject(w: Walk, node: unknown, fallbackId: string): void {
  const map = w.resolve(node);
  if (!isMap(map)) return;
  const fields = new Map<string, unknown>();
  for (const pair of map.items) fields.set(scalarString(w, pair.key) ?? '', pair.value);
  const kind = scalarString(w, fields.get('kind')) ?? '';
  const items = w.resolve(fields.get('items'));
  if (/list$/i.test(kind) && isSeq(items)) {
    for (const [i, item] of items.items.entries()) collectObject(w, item, `${fallbackId}.items[${i}]`);
    return;
  }
  if (!/secret$/i.test(kind) && !fields.has('stringData')) return;
  const id = secretId(w, fields.get('metadata')) ?? fallbackId;
  for (const pair of map.items) {
    const key = scalarString(w, pair.key);
    if (key === 'metadata') collectAnnotation(w, pair.value, id);
    else if (key === undefined || !SAFE_SECRET_FIELDS.has(key))
      collectValue(w, pair.value, `${id}\u0000${key}`);
  }
}

function field(w: Walk, node: unknown, name: string): unknown {
  const map = w.resolve(node);
  if (!isMap(map)) return undefined;
  return map.items.find((p) => scalarString(w, p.key) === name)?.value;
}

function secretId(w: Walk, metadata: unknown): string | undefined {
  const name = scalarString(w, field(w, metadata, 'name'));
  if (name === undefined) return undefined;
  return `${scalarString(w, field(w, metadata, 'namespace')) ?? ''}/${name}`;
}

function collectAnnotation(w: Walk, metadata: unknown, id: string): void {
  const value = field(w, field(w, metadata, 'annotations'), LAST_APPLIED);
  if (value !== undefined) collectValue(w, value, `${id}\u0000${LAST_APPLIED}`);
}

/** Every scalar under `node` (through aliases and merge keys), each once. */
function collectValue(w: Walk, node: unknown, id: string): void {
  const n = w.resolve(node) as ParsedNode | null | undefined;
  if (!n || w.visited.has(n)) return;
  w.visited.add(n);
  if (isMap(n)) {
    for (const pair of n.items) collectValue(w, pair.value, `${id}\u0000${scalarString(w, pair.key)}`);
  } else if (isSeq(n)) {
    for (const [i, item] of n.items.entries()) collectValue(w, item, `${id}\u0000${i}`);
  } else if (n.range) {
    const [start, end] = n.range;
    w.out.push({ start, end, id, source: w.text.slice(start, end) });
  }
}

/** `text` with each span replaced, line by line, by the marker `markerOf` chooses. */
function applySpans(
  text: string,
  spans: readonly Span[],
  markerOf: (s: Span, all: Map<string, string>) => string,
): string {
  if (spans.length === 0) return text;
  const all = joinById(spans);
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue; // nested in a span already replaced (a whole broken document)
    out += text.slice(at, s.start) + replaceLines(s.source, markerOf(s, all));
    at = s.end;
  }
  return out + text.slice(at);
}

/** Each line of `source` replaced by the marker, its indentation and line ending kept; a
 *  quoted value keeps its quotes so JSON stays JSON. */
function replaceLines(source: string, marker: string): string {
  const quote = source.startsWith('"') ? '"' : source.startsWith("'") ? "'" : '';
  return source
    .split('\n')
    .map((line, i) => {
      const m = /^(\s*)(.*?)(\r?)$/.exec(line)!;
      if (m[2] === '') return line;
      return i === 0 ? `${m[1]}${quote}${marker}${quote}${m[3]}` : `${m[1]}${marker}${m[3]}`;
    })
    .join('\n');
}
