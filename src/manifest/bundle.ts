// A bundle is every manifest of one commit (or of the paths given to `skiff validate`),
// validated as one unit: per-document results plus the checks that need all of them
// (duplicates, references to ConfigMaps/Secrets/Deployments, node port reuse, named target
// ports, HPA conflicts). createValidator() caches per-file results by content hash (or a
// caller-supplied blob id) so re-validating a large repository after a small change only
// re-parses what changed; the bundle-wide checks are always recomputed. Pure.
import type { Diagnostic } from '../model/diagnostics.js';
import type { Deployment, KubeObject, Labels, PodSpec } from '../model/k8s.js';
import { contentHash } from './content-hash.js';
import { serviceSelectorMatches } from './label-selector.js';
import { type ParsedDocument, parseManifests } from './parse.js';
import { type Anchor, type DocumentResult, type Reference, validateDocument } from './validate-document.js';

export interface ValidationResult {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
}

export interface BundleFile {
  /** Path relative to the bundle root; used in every diagnostic. */
  path: string;
  text: string;
  /** Optional content id (e.g. the git blob sha) to key the cache instead of hashing. */
  id?: string;
}

export interface BundleOptions {
  /** Report missing references as warnings (validating a fragment of a repository). */
  allowMissingRefs?: boolean;
}

/** What one file contributes; cached as a unit. */
interface FileResult {
  diagnostics: Diagnostic[];
  documents: DocumentResult[];
}

function validateParsed(docs: readonly ParsedDocument[], parseDiagnostics: Diagnostic[]): FileResult {
  return { diagnostics: parseDiagnostics, documents: docs.map(validateDocument) };
}

function validateFile(file: BundleFile): FileResult {
  const { documents, diagnostics } = parseManifests(file.text, file.path);
  return validateParsed(documents, diagnostics);
}

function at(a: Anchor): string {
  return `${a.file}:${a.line}:${a.column}`;
}

function diag(a: Anchor, severity: Diagnostic['severity'], code: string, message: string): Diagnostic {
  return { ...a, severity, code, message };
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.document - b.document ||
    a.line - b.line ||
    a.column - b.column ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}

/** The objects of the bundle, keyed by identity (`Kind/namespace/name`). */
interface BundleIndex {
  identities: Map<string, Anchor>;
  byKey: Map<string, KubeObject>;
  objects: KubeObject[];
}

/** Per-document diagnostics in file order; an object defined twice is reported at its
 *  second definition and left out of the bundle. */
function collectObjects(files: readonly FileResult[], diagnostics: Diagnostic[]): BundleIndex {
  const index: BundleIndex = { identities: new Map(), byKey: new Map(), objects: [] };
  const { identities, byKey, objects } = index;
  for (const f of files) {
    for (const d of f.diagnostics) diagnostics.push(d);
    for (const doc of f.documents) {
      for (const d of doc.diagnostics) diagnostics.push(d);
      const id = doc.identity;
      if (id) {
        const key = id.key;
        const first = identities.get(key);
        if (first) {
          diagnostics.push(
            diag(
              id.at,
              'error',
              'semantic.duplicate-object',
              `${id.kind.toLowerCase()}/${id.name} in namespace ${id.namespace} is already defined at ${at(first)}`,
            ),
          );
          continue;
        }
        identities.set(key, id.at);
      }
      if (doc.object) {
        objects.push(doc.object);
        byKey.set(
          `${doc.object.kind}/${doc.object.metadata.namespace}/${doc.object.metadata.name}`,
          doc.object,
        );
      }
    }
  }
  return index;
}

/** References to ConfigMaps, Secrets and Deployments inside the bundle, and to the keys of
 *  a ConfigMap/Secret. */
function checkReferences(
  files: readonly FileResult[],
  index: BundleIndex,
  refSeverity: Diagnostic['severity'],
  diagnostics: Diagnostic[],
): void {
  for (const f of files)
    for (const doc of f.documents)
      for (const r of doc.refs) {
        const key = r.target;
        if (!index.identities.has(key)) {
          if (r.optional) continue;
          diagnostics.push(
            diag(
              r.at,
              refSeverity,
              `ref.missing-${r.kind.toLowerCase()}`,
              `${r.from} refers to ${r.kind.toLowerCase()}/${r.name} in namespace ${r.namespace}, which is not in this bundle${refHint(r.kind)}`,
            ),
          );
          continue;
        }
        if (r.key === undefined || r.optional) continue;
        const target = index.byKey.get(key);
        if (!target || (target.kind !== 'ConfigMap' && target.kind !== 'Secret')) continue;
        const has =
          Object.hasOwn(target.data, r.key) ||
          (target.kind === 'ConfigMap' && Object.hasOwn(target.binaryData, r.key));
        if (!has)
          diagnostics.push(
            diag(
              r.at,
              refSeverity,
              'ref.missing-key',
              `${r.kind.toLowerCase()}/${r.name} has no key "${r.key}" (referenced by ${r.from})`,
            ),
          );
      }
}

function refHint(kind: Reference['kind']): string {
  if (kind === 'Deployment') return '';
  if (kind === 'PersistentVolumeClaim') return ' (add the PersistentVolumeClaim to the bundle)';
  return ' (mark the reference optional: true if that is intended)';
}

/** Node ports are host-wide: one Service each. */
function checkNodePortConflicts(files: readonly FileResult[], diagnostics: Diagnostic[]): void {
  const nodePorts = new Map<number, Anchor>();
  for (const f of files)
    for (const doc of f.documents)
      for (const n of doc.nodePorts) {
        const first = nodePorts.get(n.port);
        if (first && first.file === n.at.file && first.document === n.at.document) continue; // same Service
        if (first)
          diagnostics.push(
            diag(
              n.at,
              'error',
              'semantic.node-port-conflict',
              `nodePort ${n.port} of ${n.service} is already used at ${at(first)}`,
            ),
          );
        else nodePorts.set(n.port, n.at);
      }
}

/** A Pod or a Deployment's template: the pods a Service can select. */
interface Workload {
  name: string;
  spec: PodSpec;
  labels: Labels;
}

/** Workloads indexed by (namespace, label, value), so a Service only looks at the workloads
 *  carrying its first selector label, not at the whole namespace. */
function indexWorkloadsByLabel(files: readonly FileResult[]): Map<string, Workload[]> {
  const byLabel = new Map<string, Workload[]>();
  for (const f of files)
    for (const doc of f.documents) {
      const o = doc.object;
      if (!o || !doc.workloadLabelKeys || (o.kind !== 'Pod' && o.kind !== 'Deployment')) continue;
      const w =
        o.kind === 'Pod'
          ? { name: `pod/${o.metadata.name}`, labels: o.metadata.labels, spec: o.spec }
          : {
              name: `deployment/${o.metadata.name}`,
              labels: o.spec.template.metadata.labels,
              spec: o.spec.template.spec,
            };
      for (const key of doc.workloadLabelKeys) {
        const list = byLabel.get(key);
        if (list) list.push(w);
        else byLabel.set(key, [w]);
      }
    }
  return byLabel;
}

/** A Service that selects no pod template of the bundle would have no endpoints: a warning
 *  (its pods may come from another repository, as a kubectl apply of one file allows). */
function checkServiceSelectors(files: readonly FileResult[], diagnostics: Diagnostic[]): void {
  const byLabel = new Map<string, Labels[]>();
  for (const f of files)
    for (const doc of f.documents)
      for (const key of doc.workloadLabelKeys ?? []) {
        const list = byLabel.get(key);
        if (list) list.push(doc.workloadLabels!);
        else byLabel.set(key, [doc.workloadLabels!]);
      }
  for (const f of files)
    for (const doc of f.documents) {
      const s = doc.selects;
      if (!s || (byLabel.get(s.firstLabelKey) ?? []).some((l) => serviceSelectorMatches(s.selector, l)))
        continue;
      const selector = Object.entries(s.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      diagnostics.push(
        diag(
          s.at,
          'warning',
          'ref.service-selector',
          `${s.service} selects ${selector}, which no Deployment's pod template or Pod in its namespace carries: it would have no endpoints`,
        ),
      );
    }
}

/** Named Service target ports must name a container port of every workload selected. */
function checkNamedTargetPorts(
  files: readonly FileResult[],
  refSeverity: Diagnostic['severity'],
  diagnostics: Diagnostic[],
): void {
  const byLabel = indexWorkloadsByLabel(files);
  for (const f of files)
    for (const doc of f.documents)
      for (const t of doc.targetPorts) {
        const candidates = byLabel.get(t.firstLabelKey) ?? [];
        for (const w of candidates)
          if (
            serviceSelectorMatches(t.selector, w.labels) &&
            !w.spec.containers.some((c) => c.ports.some((p) => p.name === t.name))
          )
            diagnostics.push(
              diag(
                t.at,
                refSeverity,
                'ref.target-port',
                `targetPort "${t.name}" of ${t.service} is not the name of a container port of ${w.name}, which it selects`,
              ),
            );
      }
}

/** HPAs: one per Deployment, and resource metrics need requests to compute utilization. */
function checkHpaTargets(files: readonly FileResult[], index: BundleIndex, diagnostics: Diagnostic[]): void {
  const scaled = new Map<string, Anchor>();
  for (const f of files)
    for (const doc of f.documents) {
      const s = doc.scales;
      if (!s) continue;
      const key = s.target;
      const first = scaled.get(key);
      if (first)
        diagnostics.push(
          diag(
            s.at,
            'error',
            'semantic.hpa-conflict',
            `deployment/${s.deployment} is already scaled by the HorizontalPodAutoscaler at ${at(first)}`,
          ),
        );
      else scaled.set(key, s.at);
      const target = index.byKey.get(s.target) as Deployment | undefined;
      if (!target) continue;
      for (const r of s.resources)
        for (const c of target.spec.template.spec.containers)
          if (c.resources.requests[r] === undefined)
            diagnostics.push(
              diag(
                s.at,
                'warning',
                'semantic.hpa-requests',
                `container "${c.name}" of deployment/${s.deployment} has no ${r} request, so its ${r} utilization cannot be computed`,
              ),
            );
    }
}

/** The checks that need the whole bundle, after each document's own; sorted by position. */
function crossCheck(files: readonly FileResult[], opts: BundleOptions): ValidationResult {
  const diagnostics: Diagnostic[] = [];
  const refSeverity = opts.allowMissingRefs ? 'warning' : 'error';
  const index = collectObjects(files, diagnostics);
  checkReferences(files, index, refSeverity, diagnostics);
  checkNodePortConflicts(files, diagnostics);
  checkServiceSelectors(files, diagnostics);
  checkNamedTargetPorts(files, refSeverity, diagnostics);
  checkHpaTargets(files, index, diagnostics);
  diagnostics.sort(compareDiagnostics);
  return { objects: index.objects, diagnostics };
}

/** Validate parsed documents (of one or several files) as one bundle. */
export function validateManifests(
  docs: readonly ParsedDocument[],
  opts: BundleOptions = {},
): ValidationResult {
  return crossCheck([validateParsed(docs, [])], opts);
}

/** Parse and validate every file of a bundle. Pure: the caller reads the files. */
export function validateBundle(files: readonly BundleFile[], opts: BundleOptions = {}): ValidationResult {
  return crossCheck(files.map(validateFile), opts);
}

export interface Validator {
  validate(files: readonly BundleFile[], opts?: BundleOptions): ValidationResult;
  /** Files whose parse+schema results came from the cache in the last call. */
  readonly lastReused: number;
}

/** A validator that reuses per-file results across calls, keyed by path and content. Only
 *  the files of the latest call stay cached, so memory follows the repository's size. */
export function createValidator(): Validator {
  interface Entry {
    /** Only for a file without an id: one with an id is known by it, and its text (often a
     *  large file's) need not stay in memory. */
    text?: string;
    key: string;
    result: FileResult;
    generation: number;
  }
  const cache = new Map<string, Entry>();
  let generation = 0;
  let lastReused = 0;
  return {
    get lastReused() {
      return lastReused;
    },
    validate(files, opts = {}) {
      generation++;
      const results: FileResult[] = new Array(files.length);
      lastReused = 0;
      for (let i = 0; i < files.length; i++) {
        const f = files[i]!;
        const prev = cache.get(f.path);
        if (prev && (f.id !== undefined ? prev.key === f.id : prev.text === f.text)) {
          prev.generation = generation;
          lastReused++;
          results[i] = prev.result;
          continue;
        }
        const key = f.id ?? contentHash(f.text);
        const text = f.id === undefined ? f.text : undefined;
        const entry: Entry =
          prev && prev.key === key
            ? { ...prev, text, generation }
            : { text, key, result: validateFile(f), generation };
        cache.set(f.path, entry);
        results[i] = entry.result;
      }
      // Forget files that are gone, so memory follows the repository.
      if (cache.size > files.length)
        for (const [p, e] of cache) if (e.generation !== generation) cache.delete(p);
      return crossCheck(results, opts);
    },
  };
}
