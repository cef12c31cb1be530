// Validation of one parsed document in isolation: kind dispatch, schema, defaulting and
// per-object semantic checks. Also extracts the facts the bundle-wide checks need
// (identity, references, node ports, named target ports) with their positions resolved,
// so a cached per-file result never needs the parsed text again. Pure.
import type { Diagnostic, Severity } from '../model/diagnostics.js';
import type {
  HorizontalPodAutoscaler,
  KubeObject,
  Labels,
  PodSpec,
  Service,
  SourceLocation,
} from '../model/k8s.js';
import { type PodConfigRef, podConfigRefs } from './config-refs.js';
import { defaultObject } from './defaults.js';
import type { ParsedDocument, PathSegment } from './parse.js';
import { renderPath } from './render-path.js';
import { checkSchema, hasSchema, normalizeDocument } from './schema-check.js';
import { SUPPORTED_KINDS } from './schemas.js';
import { checkObject } from './semantic.js';

export { renderPath };

/** Where a finding points: everything of a Diagnostic but what is said. */
export type Anchor = Pick<Diagnostic, 'file' | 'document' | 'line' | 'column' | 'path'>;

export interface Identity {
  /** `Kind/namespace/name`, built once so bundle checks hash a flat, cached string. */
  key: string;
  kind: string;
  namespace: string;
  name: string;
  at: Anchor;
}

export interface Reference {
  /** Identity key of the target (`Kind/namespace/name`). */
  target: string;
  kind: 'ConfigMap' | 'Secret' | 'Deployment' | 'PersistentVolumeClaim';
  namespace: string;
  name: string;
  /** A key inside the ConfigMap/Secret, when one is referenced. */
  key?: string;
  optional: boolean;
  /** kubectl-style name of the referring object, for messages: `deployment/web`. */
  from: string;
  at: Anchor;
}

export interface NodePortUse {
  port: number;
  service: string;
  at: Anchor;
}

export interface NamedTargetPort {
  /** Workload index key of the selector's first label (see workloadLabelKey). */
  firstLabelKey: string;
  namespace: string;
  selector: Labels;
  name: string;
  service: string;
  at: Anchor;
}

export interface ServiceSelector {
  /** Workload index key of the selector's first label (see workloadLabelKey). */
  firstLabelKey: string;
  selector: Labels;
  service: string;
  at: Anchor;
}

/** Everything one document contributes to the bundle. */
export interface DocumentResult {
  diagnostics: Diagnostic[];
  /** Present when the document defaulted into an object without errors. */
  object?: KubeObject;
  /** For a Pod or Deployment object: its pods' labels as workloadLabelKey strings. */
  workloadLabelKeys?: string[];
  /** Those pods' labels (kept when the object has errors: a Service still selects them). */
  workloadLabels?: Labels;
  identity?: Identity;
  refs: Reference[];
  nodePorts: NodePortUse[];
  targetPorts: NamedTargetPort[];
  /** A Service's selector, checked against the bundle's pod templates. */
  selects?: ServiceSelector;
  /** HPA -> the Deployment it scales, and which resources its metrics need requested. */
  scales?: { target: string; namespace: string; deployment: string; resources: string[]; at: Anchor };
}

export function identityKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Key of one pod label in the bundle's workload index: namespace, label and value. */
export function workloadLabelKey(namespace: string, label: string, value: string): string {
  return `${namespace}\u0000${label}\u0000${value}`;
}

/** One string per rendered field path: a repository's references repeat a handful of paths
 *  (`spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name`) across thousands of
 *  objects, and each anchor lives as long as its commit is admitted (10,000 copies, 0.8 MB at
 *  5,000 Deployments). Bounded: the paths follow the manifests' shapes. */
const renderedPaths = new Map<string, string>();
const MAX_RENDERED_PATHS = 10_000;

function sharedPath(path: readonly PathSegment[]): string {
  const text = renderPath(path);
  const kept = renderedPaths.get(text);
  if (kept !== undefined) return kept;
  if (renderedPaths.size >= MAX_RENDERED_PATHS) renderedPaths.clear();
  renderedPaths.set(text, text);
  return text;
}

function anchor(doc: ParsedDocument, path: readonly PathSegment[]): Anchor {
  const p = doc.locate(path);
  return { file: doc.file, document: doc.index, line: p.line, column: p.column, path: sharedPath(path) };
}

function finding(
  doc: ParsedDocument,
  path: readonly PathSegment[],
  severity: Severity,
  code: string,
  message: string,
): Diagnostic {
  return { ...anchor(doc, path), severity, code, message };
}

const KNOWN_KINDS = new Map(
  SUPPORTED_KINDS.map((s) => {
    const [apiVersion, kind] = s.split(' ') as [string, string];
    return [kind, apiVersion] as const;
  }),
);

/** The pod spec's ConfigMap/Secret references as bundle references: an env var's key is
 *  reported at its name, a volume's items each at their own key. */
function podSpecRefs(
  spec: PodSpec,
  base: PathSegment[],
  namespace: string,
  from: string,
  doc: ParsedDocument,
): Reference[] {
  const refs: Reference[] = [];
  const add = (r: PodConfigRef, path: PathSegment[], key?: string) => {
    refs.push({
      target: identityKey(r.kind, namespace, r.name),
      kind: r.kind,
      namespace,
      name: r.name,
      optional: r.optional,
      from,
      at: anchor(doc, [...base, ...path]),
      ...(key !== undefined ? { key } : {}),
    });
  };
  for (const r of podConfigRefs(spec)) {
    if (r.name === '') continue;
    add(r, r.path, r.key);
    for (const it of r.items ?? []) add(r, it.path, it.key);
  }
  spec.volumes.forEach((v, i) => {
    const name = v.persistentVolumeClaim?.claimName;
    if (!name) return;
    refs.push({
      target: identityKey('PersistentVolumeClaim', namespace, name),
      kind: 'PersistentVolumeClaim',
      namespace,
      name,
      optional: false,
      from,
      at: anchor(doc, [...base, 'volumes', i, 'persistentVolumeClaim', 'claimName']),
    });
  });
  return refs;
}

/** Node ports (host-wide, checked across the bundle) and named target ports (checked
 *  against the workloads the Service selects). */
function serviceFacts(obj: Service, doc: ParsedDocument, from: string, result: DocumentResult): void {
  const ns = obj.metadata.namespace;
  const selector = Object.entries(obj.spec.selector);
  if (obj.spec.type !== 'ExternalName' && selector.length > 0)
    result.selects = {
      firstLabelKey: workloadLabelKey(ns, selector[0]![0], selector[0]![1]),
      selector: obj.spec.selector,
      service: from,
      at: anchor(doc, ['spec', 'selector']),
    };
  obj.spec.ports.forEach((p, i) => {
    if (p.nodePort !== undefined)
      result.nodePorts.push({
        port: p.nodePort,
        service: from,
        at: anchor(doc, ['spec', 'ports', i, 'nodePort']),
      });
    if (typeof p.targetPort === 'string' && Object.keys(obj.spec.selector).length > 0)
      result.targetPorts.push({
        firstLabelKey: workloadLabelKey(
          ns,
          Object.keys(obj.spec.selector)[0]!,
          Object.values(obj.spec.selector)[0]!,
        ),
        namespace: ns,
        selector: obj.spec.selector,
        name: p.targetPort,
        service: from,
        at: anchor(doc, ['spec', 'ports', i, 'targetPort']),
      });
  });
}

/** The Deployment an HPA scales: a reference, and which resources need requests. */
function hpaFacts(
  obj: HorizontalPodAutoscaler,
  doc: ParsedDocument,
  from: string,
  result: DocumentResult,
): void {
  const ns = obj.metadata.namespace;
  const ref = obj.spec.scaleTargetRef;
  if (ref.kind !== 'Deployment' || ref.name === '') return;
  const at = anchor(doc, ['spec', 'scaleTargetRef', 'name']);
  result.refs.push({
    target: identityKey('Deployment', ns, ref.name),
    kind: 'Deployment',
    namespace: ns,
    name: ref.name,
    optional: false,
    from,
    at,
  });
  const resources = obj.spec.metrics
    .filter((m) => m.resource.target.type === 'Utilization')
    .map((m) => m.resource.name);
  result.scales = {
    target: identityKey('Deployment', ns, ref.name),
    namespace: ns,
    deployment: ref.name,
    resources,
    at,
  };
}

function facts(obj: KubeObject, doc: ParsedDocument, result: DocumentResult): void {
  const ns = obj.metadata.namespace;
  const from = `${obj.kind.toLowerCase()}/${obj.metadata.name}`;
  switch (obj.kind) {
    case 'Pod':
      result.refs.push(...podSpecRefs(obj.spec, ['spec'], ns, from, doc));
      result.workloadLabels = obj.metadata.labels;
      result.workloadLabelKeys = Object.entries(obj.metadata.labels).map(([k, v]) =>
        workloadLabelKey(ns, k, v),
      );
      break;
    case 'Deployment': {
      result.refs.push(...podSpecRefs(obj.spec.template.spec, ['spec', 'template', 'spec'], ns, from, doc));
      const labels = obj.spec.template.metadata.labels;
      result.workloadLabels = labels;
      result.workloadLabelKeys = Object.entries(labels).map(([k, v]) => workloadLabelKey(ns, k, v));
      break;
    }
    case 'Service':
      serviceFacts(obj, doc, from, result);
      break;
    case 'HorizontalPodAutoscaler':
      hpaFacts(obj, doc, from, result);
      break;
    case 'ConfigMap':
    case 'Secret':
      break;
  }
}

/** A document's head: a mapping with string apiVersion and kind, or what is wrong with it. */
function readHead(
  doc: ParsedDocument,
): { v: Record<string, unknown>; apiVersion: string; kind: string } | { errors: Diagnostic[] } {
  const value = doc.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return {
      errors: [
        finding(
          doc,
          [],
          'error',
          'schema.type',
          'a manifest document must be a mapping with apiVersion, kind and metadata',
        ),
      ],
    };
  const v = value as Record<string, unknown>;
  const { apiVersion, kind } = v;
  if (typeof apiVersion === 'string' && typeof kind === 'string') return { v, apiVersion, kind };
  const errors: Diagnostic[] = [];
  for (const f of ['apiVersion', 'kind'] as const)
    if (typeof v[f] !== 'string')
      errors.push(
        finding(
          doc,
          v[f] === undefined ? [] : [f],
          'error',
          v[f] === undefined ? 'schema.required' : 'schema.type',
          v[f] === undefined ? `missing required field "${f}"` : `${f} must be a string`,
        ),
      );
  return { errors };
}

/** A kind skiff does not run, or a known kind under an apiVersion skiff has no schema for. */
function unsupportedKind(doc: ParsedDocument, apiVersion: string, kind: string, label: string): Diagnostic {
  const expected = KNOWN_KINDS.get(kind);
  const message =
    expected !== undefined
      ? `${label}: apiVersion "${apiVersion}" is not supported by skiff for ${kind} (use ${kind === 'HorizontalPodAutoscaler' ? 'autoscaling/v2 or autoscaling/v1' : expected})`
      : `unsupported kind ${kind} (apiVersion ${apiVersion}) in document ${doc.index} of ${doc.file}: skiff runs ${[...new Set(SUPPORTED_KINDS.map((s) => s.split(' ')[1]))].join(', ')}`;
  return finding(
    doc,
    expected !== undefined ? ['apiVersion'] : ['kind'],
    'error',
    'unsupported.kind',
    message,
  );
}

/** Validate one document; never throws for bad input. */
export function validateDocument(doc: ParsedDocument): DocumentResult {
  const result: DocumentResult = { diagnostics: [], refs: [], nodePorts: [], targetPorts: [] };
  const { diagnostics } = result;
  const head = readHead(doc);
  if ('errors' in head) {
    diagnostics.push(...head.errors);
    return result;
  }
  const { apiVersion, kind } = head;
  if (!hasSchema(apiVersion, kind)) {
    const name = (head.v.metadata as { name?: unknown } | null | undefined)?.name;
    diagnostics.push(
      unsupportedKind(
        doc,
        apiVersion,
        kind,
        `${kind}${typeof name === 'string' && name ? ` "${name}"` : ''}`,
      ),
    );
    return result;
  }
  const v = normalizeDocument(apiVersion, kind, head.v);
  const meta = v.metadata as Record<string, unknown> | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : undefined;
  const namespace = typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const source: SourceLocation = { file: doc.file, document: doc.index, line: doc.line, column: doc.column };
  if (name !== undefined)
    result.identity = { key: identityKey(kind, namespace, name), kind, namespace, name, at: anchor(doc, []) };
  let errors = false;
  for (const f of checkSchema(apiVersion, kind, v)) {
    diagnostics.push(finding(doc, f.path, f.severity, f.code, f.message));
    if (f.severity === 'error') errors = true;
  }
  if (errors) return result;
  const obj = defaultObject(v, source);
  for (const f of checkObject(obj, v)) {
    diagnostics.push(finding(doc, f.path, f.severity, f.code, f.message));
    if (f.severity === 'error') errors = true;
  }
  facts(obj, doc, result);
  if (!errors) result.object = obj;
  return result;
}
