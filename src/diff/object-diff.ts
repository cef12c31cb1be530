// Object-level diff of two revisions' (defaulted) objects: what changes, field by field, and
// what that means on the hosts. Pure.
// Change classes:
//   - create / delete / unchanged;
//   - replace-pods: a Deployment's spec.template or spec.selector, a standalone Pod's spec or
//     labels (skiff bakes a pod's labels into its containers' Docker labels, which cannot be
//     edited in place), or a ConfigMap/Secret key the workload reads (skiff rolls workloads on
//     config changes, a deliberate improvement on Kubernetes); `forcedBy` lists those paths;
//   - update-in-place: anything else (replicas, strategy, Service and HPA fields, config data
//     no running workload reads).
// Invariants: `source` (where the object was written) is never compared; Secret values are
// redacted here, at the source, so no later stage can leak them; a Deployment targeted by an
// HPA does not take `spec.replicas` from Git (the HPA owns it), which is a warning, not a change.

import { type ConfigKind, type ConfigReads, configId, configReadsOf } from '../manifest/config-refs.js';
import { assertNever } from '../model/errors.js';
import type { ConfigMap, Deployment, KubeObject, Pod, Secret } from '../model/k8s.js';
import { objectKey } from '../model/k8s.js';
import type { ChangeClass, FieldChange, ObjectChange } from '../model/plan.js';
import { changedConfigKeys, keysReadBy } from './config-key-changes.js';
import { diffFields, fieldPath, flattenFields } from './field-diff.js';
import { DEFAULT_SECRET_REDACTION, MASK, redactSecretData, type SecretRedaction } from './redact.js';

export interface DiffOptions {
  /** The app owning each object (default: `app`, else ""). */
  appOf?: (o: KubeObject) => string;
  app?: string;
  /** How changed Secret values are shown (default: a `hash:` fingerprint per value). */
  secrets?: SecretRedaction;
}

export interface ObjectDiff {
  changes: ObjectChange[];
  /** Notes for the reader: Git values that will not take effect, and why. */
  warnings: string[];
}

/** Display order: what workloads read first, then workloads, then what routes/scales them. */
const KIND_ORDER: Record<string, number> = {
  ConfigMap: 0,
  Secret: 1,
  Deployment: 2,
  Pod: 3,
  Service: 4,
  HorizontalPodAutoscaler: 5,
  PodDisruptionBudget: 6,
};

/** kubectl's way of naming an object (`deployment/web`), HPAs and PDBs by their short names as
 *  kubectl users type them (`hpa/web`, `pdb/web`), with the namespace as a flag when not the default one. */
export function displayName(kind: string, namespace: string, name: string): string {
  const k =
    kind === 'HorizontalPodAutoscaler' ? 'hpa' : kind === 'PodDisruptionBudget' ? 'pdb' : kind.toLowerCase();
  return namespace === 'default' ? `${k}/${name}` : `${k}/${name} -n ${namespace}`;
}

function displayOf(o: KubeObject): string {
  return displayName(o.kind, o.metadata.namespace, o.metadata.name);
}

/** What is compared: the object without its identity and without `source`. */
function comparable(o: KubeObject): Record<string, unknown> {
  const { source: _source, kind: _kind, apiVersion, metadata, ...rest } = o;
  const { name: _name, namespace: _ns, ...meta } = metadata;
  return { apiVersion, metadata: meta, ...rest };
}

const LAST_APPLIED = fieldPath('metadata.annotations', 'kubectl.kubernetes.io/last-applied-configuration');

/** Secret fields that are not values and may be shown; everything else is redacted. */
function isShowableSecretPath(path: string): boolean {
  if (path === LAST_APPLIED) return false;
  return (
    path === 'apiVersion' ||
    path === 'type' ||
    path === 'immutable' ||
    path.startsWith('metadata.labels') ||
    path.startsWith('metadata.annotations')
  );
}

function redactSecretFields(fields: FieldChange[], redaction: SecretRedaction): FieldChange[] {
  return fields.map((f) => {
    if (isShowableSecretPath(f.path)) return f;
    const isData = f.path === 'data' || f.path.startsWith('data.') || f.path.startsWith('data[');
    const hide = (v: unknown) =>
      isData ? redactSecretData(v, redaction) : v === undefined ? undefined : MASK;
    const out: FieldChange = { path: f.path, redacted: true };
    if ('before' in f) out.before = hide(f.before);
    if ('after' in f) out.after = hide(f.after);
    return out;
  });
}

/** The paths among `fields` that force the object's pods to be replaced. */
function forcingPaths(kind: KubeObject['kind'], fields: FieldChange[]): string[] {
  switch (kind) {
    case 'Deployment':
      return fields
        .map((f) => f.path)
        .filter((p) => p.startsWith('spec.template') || p.startsWith('spec.selector'));
    case 'Pod':
      return fields.map((f) => f.path).filter((p) => p.startsWith('spec') || p.startsWith('metadata.labels'));
    case 'Service':
    case 'ConfigMap':
    case 'Secret':
    case 'HorizontalPodAutoscaler':
    case 'PersistentVolumeClaim':
    case 'PodDisruptionBudget':
      return [];
    default:
      return assertNever(kind, 'kind');
  }
}

function hpaOwners(objects: readonly KubeObject[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== 'HorizontalPodAutoscaler' || o.spec.scaleTargetRef.kind !== 'Deployment') continue;
    owners.set(`Deployment/${o.metadata.namespace}/${o.spec.scaleTargetRef.name}`, `hpa/${o.metadata.name}`);
  }
  return owners;
}

function sortChanges(changes: ObjectChange[]): ObjectChange[] {
  return changes.sort(
    (a, b) =>
      (KIND_ORDER[a.kind] ?? 99) - (KIND_ORDER[b.kind] ?? 99) ||
      (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function classify(fields: FieldChange[], forcedBy: string[]): ChangeClass {
  if (forcedBy.length > 0) return 'replace-pods';
  return fields.length > 0 ? 'update-in-place' : 'unchanged';
}

type Workload = Deployment | Pod;

function podSpecOf(w: Workload) {
  return w.kind === 'Deployment' ? w.spec.template.spec : w.spec;
}

/** Diff two revisions' objects: changes (sorted by kind, namespace, name) and warnings. */
export function diffObjectSets(
  before: readonly KubeObject[],
  after: readonly KubeObject[],
  options: DiffOptions = {},
): ObjectDiff {
  const redaction = options.secrets ?? DEFAULT_SECRET_REDACTION;
  const appOf = options.appOf ?? (() => options.app ?? '');
  const warnings: string[] = [];
  const beforeByKey = new Map(before.map((o) => [objectKey(o), o]));
  const afterByKey = new Map(after.map((o) => [objectKey(o), o]));
  const owners = hpaOwners(after);
  const changes = new Map<string, ObjectChange>();

  for (const key of new Set([...beforeByKey.keys(), ...afterByKey.keys()])) {
    const a = beforeByKey.get(key);
    const b = afterByKey.get(key);
    const o = (b ?? a)!;
    const base = { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, app: appOf(o) };
    let fields: FieldChange[];
    let change: ChangeClass;
    let forcedBy: string[] = [];
    if (!a) {
      fields = flattenFields(comparable(o), 'after');
      change = 'create';
    } else if (!b) {
      fields = flattenFields(comparable(o), 'before');
      change = 'delete';
    } else {
      fields = diffFields(comparable(a), comparable(b));
      const owner = owners.get(key);
      if (o.kind === 'Deployment' && owner) {
        const replicas = fields.find((f) => f.path === 'spec.replicas');
        if (replicas) {
          fields = fields.filter((f) => f !== replicas);
          warnings.push(
            `${displayOf(o)}: spec.replicas ${String(replicas.before)} -> ${String(replicas.after)} in Git ` +
              `is ignored: replicas owned by ${owner}`,
          );
        }
      }
      forcedBy = forcingPaths(o.kind, fields);
      change = classify(fields, forcedBy);
      if ((o.kind === 'ConfigMap' || o.kind === 'Secret') && a.kind === o.kind && b.kind === o.kind) {
        const immutable = (a as ConfigMap | Secret).immutable === true;
        const dataChanged = fields.some((f) => f.path.startsWith('data') || f.path.startsWith('binaryData'));
        if (immutable && dataChanged) {
          warnings.push(`${displayOf(o)} is immutable but its data changed (Kubernetes would reject this)`);
        }
      }
    }
    if (o.kind === 'Secret') fields = redactSecretFields(fields, redaction);
    changes.set(key, { ...base, change, fields, forcedBy });
  }

  propagateConfigChanges(beforeByKey, afterByKey, changes);
  return { changes: sortChanges([...changes.values()]), warnings };
}

/** A changed ConfigMap/Secret rolls every surviving workload that reads a changed key: the
 *  workload becomes replace-pods, forced by `configmap/NAME data.KEY`; the config lists it in
 *  `rolls`. Workloads being created or deleted do not roll: they are replaced anyway. */
function propagateConfigChanges(
  beforeByKey: Map<string, KubeObject>,
  afterByKey: Map<string, KubeObject>,
  changes: Map<string, ObjectChange>,
): void {
  const workloads = [...afterByKey.values()].filter(
    (o): o is Workload => (o.kind === 'Deployment' || o.kind === 'Pod') && beforeByKey.has(objectKey(o)),
  );
  if (workloads.length === 0) return;
  // Computed on first need: most plans change no config at all.
  let readsByWorkload: Map<Workload, ConfigReads> | undefined;
  for (const [key, change] of changes) {
    if ((change.kind !== 'ConfigMap' && change.kind !== 'Secret') || change.change === 'unchanged') continue;
    const a = beforeByKey.get(key) as ConfigMap | Secret | undefined;
    const b = afterByKey.get(key) as ConfigMap | Secret | undefined;
    const changed = changedConfigKeys(a, b);
    if (changed.length === 0) continue;
    const id = configId(change.kind as ConfigKind, change.name);
    const configName = displayName(change.kind, 'default', change.name);
    const rolls: string[] = [];
    for (const w of workloads) {
      if (w.metadata.namespace !== change.namespace) continue;
      readsByWorkload ??= new Map(workloads.map((x) => [x, configReadsOf(podSpecOf(x))]));
      const hit = keysReadBy(readsByWorkload.get(w)?.get(id), changed);
      if (hit.length === 0) continue;
      const wc = changes.get(objectKey(w))!;
      for (const k of hit) wc.forcedBy.push(`${configName} ${k.path}`);
      wc.change = 'replace-pods';
      rolls.push(displayName(w.kind, 'default', w.metadata.name));
    }
    if (rolls.length > 0) change.rolls = rolls.sort();
  }
}

/** The changes only (see diffObjectSets for the warnings). */
export function diffObjects(
  before: readonly KubeObject[],
  after: readonly KubeObject[],
  options: DiffOptions = {},
): ObjectChange[] {
  return diffObjectSets(before, after, options).changes;
}
