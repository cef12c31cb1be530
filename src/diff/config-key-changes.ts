// Which keys of a ConfigMap/Secret changed between two revisions, and which of them a
// workload reads (its reads come from manifest/config-refs.ts). Pure. A workload rolls when
// a key it reads changes: a key read by name (env valueFrom, a volume with `items`) only for
// that key; envFrom and a volume without items for any key, because every key of the object
// lands in the container.
import type { ConfigMap, Secret } from '../model/k8s.js';
import { fieldPath } from './field-diff.js';

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
