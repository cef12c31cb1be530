// Pure edits of manifest text for the GitOps forms of kubectl's imperative verbs (`scale`,
// `set image`, `rollout undo` of one object). The `yaml` package's Document API finds the node;
// the edit then splices only that node's source range, so every other byte of the file (comments,
// key order, quoting, blank lines, other documents) is left exactly as the user wrote it.
// Pure: text in, text out; no I/O.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseAllDocuments,
  type Scalar,
  stringify,
  visit,
  type YAMLMap,
} from 'yaml';

export interface ObjectRef {
  /** Kubernetes kind as written in manifests (`Deployment`). */
  kind: string;
  name: string;
  /** Undefined matches objects with no namespace or `default`. */
  namespace?: string;
}

export type EditResult =
  | {
      ok: true;
      text: string;
      changed: boolean;
      /** The values that were there before (one per edited field), for commit messages. */
      previous: string[];
    }
  | { ok: false; reason: string };

const KIND_ALIASES: Record<string, string> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  pod: 'Pod',
  pods: 'Pod',
  po: 'Pod',
  service: 'Service',
  services: 'Service',
  svc: 'Service',
  configmap: 'ConfigMap',
  configmaps: 'ConfigMap',
  cm: 'ConfigMap',
  secret: 'Secret',
  secrets: 'Secret',
  horizontalpodautoscaler: 'HorizontalPodAutoscaler',
  horizontalpodautoscalers: 'HorizontalPodAutoscaler',
  hpa: 'HorizontalPodAutoscaler',
};

/** `deployment/web`, `deploy/web`, `Deployment/web` -> `{ kind: 'Deployment', name: 'web' }`. */
export function parseObjectRef(text: string, namespace?: string): ObjectRef | undefined {
  const m = /^([A-Za-z]+)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text.trim());
  if (!m) return undefined;
  const kind = KIND_ALIASES[m[1]!.toLowerCase()];
  if (!kind) return undefined;
  return namespace === undefined ? { kind, name: m[2]! } : { kind, name: m[2]!, namespace };
}

/** `deployment/web` as kubectl prints it. */
export function formatObjectRef(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`;
}

/** Indexes of the documents in `text` that declare `ref`. */
export function findObjectDocuments(text: string, ref: ObjectRef): number[] {
  const out: number[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (declares(doc, ref)) out.push(i);
  });
  return out;
}

/** Names of HorizontalPodAutoscalers in `text` whose scaleTargetRef is `ref` (they own replicas). */
export function findHpasTargeting(text: string, ref: ObjectRef): string[] {
  const out: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0 || doc.get('kind') !== 'HorizontalPodAutoscaler') continue;
    const target = doc.getIn(['spec', 'scaleTargetRef', 'name']);
    const kind = doc.getIn(['spec', 'scaleTargetRef', 'kind']);
    if (kind === ref.kind && target === ref.name && sameNamespace(doc, ref)) {
      out.push(String(doc.getIn(['metadata', 'name'])));
    }
  }
  return out;
}

/** Set `spec.replicas` of the Deployment `ref` (inserted as spec's first key when absent). */
export function setReplicasInText(text: string, ref: ObjectRef, replicas: number): EditResult {
  if (!Number.isInteger(replicas) || replicas < 0)
    return { ok: false, reason: `replicas must be an integer >= 0` };
  if (ref.kind !== 'Deployment')
    return { ok: false, reason: `${formatObjectRef(ref)} has no replicas to scale` };
  const found = findSingleDocument(text, ref);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const { doc } = found;
  const spec = doc.get('spec', true);
  if (!isMap(spec)) return { ok: false, reason: `${formatObjectRef(ref)} has no spec mapping` };
  const current = spec.get('replicas', true);
  if (current === undefined || current === null) {
    const inserted = insertFirstKey(text, spec, 'replicas', String(replicas));
    if (!inserted)
      return { ok: false, reason: `cannot add replicas to an empty spec of ${formatObjectRef(ref)}` };
    return { ok: true, text: inserted, changed: true, previous: ['(unset, 1)'] };
  }
  return replaceValue(text, doc, current as Node, replicas);
}

/**
 * Set the image of container `container` (or of every container for `*`, as kubectl does) in
 * the Deployment's pod template or the Pod's spec; init containers count too, as in kubectl.
 */
export function setImageInText(text: string, ref: ObjectRef, container: string, image: string): EditResult {
  if (!/^\S+$/.test(image)) return { ok: false, reason: `invalid image reference ${JSON.stringify(image)}` };
  const podSpecPath =
    ref.kind === 'Deployment' ? ['spec', 'template', 'spec'] : ref.kind === 'Pod' ? ['spec'] : undefined;
  if (!podSpecPath) return { ok: false, reason: `${formatObjectRef(ref)} has no containers` };
  const found = findSingleDocument(text, ref);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const targets: (string | number)[][] = [];
  const names: string[] = [];
  for (const field of ['containers', 'initContainers']) {
    const list = found.doc.getIn([...podSpecPath, field], true);
    if (!isSeq(list)) continue;
    list.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const name = String(item.get('name'));
      names.push(name);
      if (container === '*' || name === container) targets.push([...podSpecPath, field, i, 'image']);
    });
  }
  if (targets.length === 0) {
    return {
      ok: false,
      reason: `${formatObjectRef(ref)} has no container named ${container} (containers: ${names.join(', ') || 'none'})`,
    };
  }
  // One field at a time, re-parsing in between, so every splice works on fresh offsets.
  let out = text;
  const previous: string[] = [];
  let changed = false;
  for (const path of targets) {
    const doc = parseAllDocuments(out)[found.index]!;
    const node = doc.getIn(path, true);
    if (node === undefined || node === null)
      return { ok: false, reason: `container at ${path.join('.')} has no image` };
    const r = replaceValue(out, doc, node as Node, image);
    if (!r.ok) return r;
    out = r.text;
    changed ||= r.changed;
    previous.push(...r.previous);
  }
  return { ok: true, text: out, changed, previous };
}

/**
 * Replace the document declaring `ref` in `currentText` with the one declaring it in `oldText`
 * (other documents of the file keep their current text). Adds the old document at the end when
 * the file no longer has it.
 */
export function restoreObjectInText(currentText: string, oldText: string, ref: ObjectRef): EditResult {
  const old = findSingleDocument(oldText, ref);
  if ('reason' in old) return { ok: false, reason: `in the old revision: ${old.reason}` };
  const oldSource = documentSource(oldText, old.doc);
  const cur = parseAllDocuments(currentText);
  const index = cur.findIndex((d) => declares(d, ref));
  if (index < 0) {
    const sep = currentText === '' || currentText.endsWith('\n') ? '' : '\n';
    const text = currentText.trim() === '' ? oldSource : `${currentText}${sep}---\n${oldSource}`;
    return { ok: true, text, changed: true, previous: ['(absent)'] };
  }
  const doc = cur[index]!;
  const [start, end] = documentBodyRange(currentText, doc);
  const text = currentText.slice(0, start) + oldSource + currentText.slice(end);
  return { ok: true, text, changed: text !== currentText, previous: [] };
}

function declares(doc: Document.Parsed, ref: ObjectRef): boolean {
  if (doc.errors.length > 0 || !isMap(doc.contents)) return false;
  return (
    doc.get('kind') === ref.kind && doc.getIn(['metadata', 'name']) === ref.name && sameNamespace(doc, ref)
  );
}

function sameNamespace(doc: Document.Parsed, ref: ObjectRef): boolean {
  const ns = doc.getIn(['metadata', 'namespace']);
  const docNs = typeof ns === 'string' && ns !== '' ? ns : 'default';
  return docNs === (ref.namespace ?? 'default');
}

function findSingleDocument(
  text: string,
  ref: ObjectRef,
): { doc: Document.Parsed; index: number } | { reason: string } {
  const docs = parseAllDocuments(text);
  const matches = docs.map((doc, index) => ({ doc, index })).filter(({ doc }) => declares(doc, ref));
  if (matches.length === 0) return { reason: `${formatObjectRef(ref)} is not declared here` };
  if (matches.length > 1) return { reason: `${formatObjectRef(ref)} is declared ${matches.length} times` };
  return matches[0]!;
}

/**
 * Replace a scalar's (or an alias's) value text, keeping its quoting style and anchor. If the
 * scalar is an anchor other nodes alias, those aliases are first written out with the old
 * value, so the edit changes only the intended field.
 */
function replaceValue(text: string, doc: Document.Parsed, node: Node, newValue: string | number): EditResult {
  if (isAlias(node)) {
    const resolved = node.resolve(doc);
    const previous = isScalar(resolved) ? String(resolved.value) : String(node.source);
    if (previous === String(newValue)) return { ok: true, text, changed: false, previous: [previous] };
    const [start, end] = node.range!;
    return {
      ok: true,
      text: text.slice(0, start) + renderScalar(newValue, undefined) + text.slice(end),
      changed: true,
      previous: [previous],
    };
  }
  if (!isScalar(node))
    return { ok: false, reason: `expected a plain value, found a ${node.constructor.name}` };
  const previous = String(node.value);
  if (previous === String(newValue) && typeof node.value === typeof newValue) {
    return { ok: true, text, changed: false, previous: [previous] };
  }
  const [start, end] = node.range!;
  const oldSource = text.slice(start, end);
  const rendered = renderScalar(newValue, node);
  // Splice aliases first, back to front, so the scalar's own offsets stay valid.
  const aliasRanges: [number, number][] = [];
  if (node.anchor) {
    visit(doc, {
      Alias(_k, a) {
        if (a.source === node.anchor && a.range) aliasRanges.push([a.range[0], a.range[1]]);
      },
    });
  }
  const edits: { start: number; end: number; text: string }[] = [
    { start, end, text: rendered },
    ...aliasRanges.map(([s, e]) => ({ start: s, end: e, text: oldSource })),
  ].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { ok: true, text: out, changed: true, previous: [previous] };
}

/** A value in the quoting style of the scalar it replaces (plain stays plain when it can). */
function renderScalar(value: string | number, like: Scalar | undefined): string {
  if (typeof value === 'number') return String(value);
  switch (like?.type) {
    case 'QUOTE_DOUBLE':
      return JSON.stringify(value);
    case 'QUOTE_SINGLE':
      return `'${value.replace(/'/g, "''")}'`;
    default: {
      const plain = stringify(value).replace(/\n$/, '');
      return plain;
    }
  }
}

/** Insert `key: value` before the first key of a mapping, in that mapping's own style. */
function insertFirstKey(text: string, map: YAMLMap, key: string, value: string): string | undefined {
  const first = map.items[0];
  const firstKey = first?.key as Node | undefined;
  if (!firstKey?.range) return undefined;
  const at = firstKey.range[0];
  if (map.flow) {
    const open = text.lastIndexOf('{', at);
    const gap = text.slice(open + 1, at);
    const quoted = isScalar(firstKey) && firstKey.type === 'QUOTE_DOUBLE';
    const k = quoted ? JSON.stringify(key) : key;
    return `${text.slice(0, at)}${k}: ${value},${gap.length > 0 ? gap : ' '}${text.slice(at)}`;
  }
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = text.slice(lineStart, at);
  if (!/^[ ]*$/.test(indent)) return undefined;
  return `${text.slice(0, lineStart)}${indent}${key}: ${value}\n${text.slice(lineStart)}`;
}

/** The source of a document from its first content line to its end, with a final newline. */
function documentSource(text: string, doc: Document.Parsed): string {
  const [start, end] = documentBodyRange(text, doc);
  const body = text.slice(start, end);
  return body.endsWith('\n') ? body : `${body}\n`;
}

/**
 * Offsets of a document's own lines: from the start of the line holding its first comment or
 * content (after any `---` marker) to the end of its content (before the next `---`).
 */
function documentBodyRange(text: string, doc: Document.Parsed): [number, number] {
  const [contentStart, , contentEnd] = doc.range;
  // Leading comments belong to the document: start after the previous `---` line, or at 0.
  let start = doc.contents?.range ? doc.contents.range[0] : contentStart;
  const before = text.slice(0, start);
  const marker = before.lastIndexOf('\n---');
  const docStartMarker = before.startsWith('---') && marker < 0 ? before.indexOf('\n') + 1 : -1;
  if (marker >= 0) start = text.indexOf('\n', marker + 1) + 1;
  else if (docStartMarker > 0) start = docStartMarker;
  else start = 0;
  let end = contentEnd;
  // Trailing comment lines up to the next document marker stay with this document.
  const next = text.indexOf('\n---', end - 1);
  end = next >= 0 ? next + 1 : text.length;
  return [start, end];
}
