// Which ConfigMap/Secret keys a pod spec reads, and through which door (env, envFrom, volume).
// Pure. A workload rolls when a key it reads changes: a key read by name (env valueFrom, a
// volume with `items`) only for that key; envFrom and a volume without items for any key,
// because every key of the object lands in the container.
import type { ConfigMap, PodSpec, Secret } from '../model/k8s.js';
import { fieldPath } from './field-diff.js';

export type ConfigKind = 'ConfigMap' | 'Secret';

/** `ConfigMap/app-config` -> the keys read, or 'all'. */
export type ConfigReads = Map<string, Set<string> | 'all'>;

export function configId(kind: ConfigKind, name: string): string {
  return `${kind}/${name}`;
}

function addRead(reads: ConfigReads, id: string, keys: string[] | 'all'): void {
  const prev = reads.get(id);
  if (prev === 'all') return;
  if (keys === 'all') {
    reads.set(id, 'all');
    return;
  }
  const set = prev ?? new Set<string>();
  for (const k of keys) set.add(k);
  reads.set(id, set);
}

/** Every ConfigMap/Secret key the pod spec reads (same namespace, as Kubernetes resolves). */
export function configReadsOf(spec: PodSpec): ConfigReads {
  const reads: ConfigReads = new Map();
  for (const c of spec.containers) {
    for (const e of c.env) {
      const cm = e.valueFrom?.configMapKeyRef;
      const sec = e.valueFrom?.secretKeyRef;
      if (cm) addRead(reads, configId('ConfigMap', cm.name), [cm.key]);
      if (sec) addRead(reads, configId('Secret', sec.name), [sec.key]);
    }
    for (const f of c.envFrom) {
      if (f.configMapRef) addRead(reads, configId('ConfigMap', f.configMapRef.name), 'all');
      if (f.secretRef) addRead(reads, configId('Secret', f.secretRef.name), 'all');
    }
  }
  for (const v of spec.volumes) {
    if (v.configMap) {
      addRead(reads, configId('ConfigMap', v.configMap.name), v.configMap.items?.map((i) => i.key) ?? 'all');
    }
    if (v.secret) {
      addRead(reads, configId('Secret', v.secret.secretName), v.secret.items?.map((i) => i.key) ?? 'all');
    }
  }
  return reads;
}

/** A changed key of a ConfigMap/Secret, with the path under which it is shown. */
export interface ChangedKey {
  key: string;
  path: string;
}

function changedIn(
  field: 'data' | 'binaryData',
  a: Record<string, string>,
  b: Record<string, string>,
): ChangedKey[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: ChangedKey[] = [];
  for (const k of keys) if (a[k] !== b[k]) out.push({ key: k, path: fieldPath(field, k) });
  return out;
}

/** Keys whose value differs between two versions of a ConfigMap/Secret (a missing side counts
 *  as empty: created or deleted objects change every key they hold). Sorted by path. */
export function changedConfigKeys(
  before: ConfigMap | Secret | undefined,
  after: ConfigMap | Secret | undefined,
): ChangedKey[] {
  const empty: Record<string, string> = {};
  const out = changedIn('data', before?.data ?? empty, after?.data ?? empty);
  const binA = before?.kind === 'ConfigMap' ? before.binaryData : empty;
  const binB = after?.kind === 'ConfigMap' ? after.binaryData : empty;
  out.push(...changedIn('binaryData', binA, binB));
  return out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** The changed keys a workload actually reads. */
export function keysReadBy(reads: Set<string> | 'all' | undefined, changed: ChangedKey[]): ChangedKey[] {
  if (reads === undefined) return [];
  if (reads === 'all') return changed;
  return changed.filter((c) => reads.has(c.key));
}
