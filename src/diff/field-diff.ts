// Field-by-field difference of two plain JSON-like values, with readable paths. Pure.
// Path syntax (one rule, used everywhere a path is shown):
//   - object fields: `spec.replicas`; a key that is not an identifier is quoted:
//     `metadata.labels["app.kubernetes.io/name"]`;
//   - lists Kubernetes merges by key are addressed by that key, as a reader names them:
//     containers/env/volumes/httpHeaders by name (`containers[web]`), ports by
//     `port/protocol` (`ports[8080/TCP]`), volumeMounts by mount path, envFrom by the object it
//     reads (`envFrom[configmap/app-config]`), HPA metrics by resource (`metrics[cpu]`);
//   - other lists of objects by index (`tolerations[0]`); lists of scalars (command, args,
//     values) are compared whole, since an insertion would shift every index.
// Every FieldChange is a leaf: an added or removed subtree is flattened into its leaves, so a
// renderer never has to print a nested object.
import type { FieldChange } from '../model/plan.js';

type Json = Record<string, unknown>;
type ListKey = (el: Json) => string | undefined;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `parent.key`, or `parent["odd.key"]` when the key would be ambiguous after a dot. */
export function fieldPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function isPlainObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const stringField =
  (field: string): ListKey =>
  (el) =>
    typeof el[field] === 'string' ? (el[field] as string) : undefined;

const byName = stringField('name');

function portKey(el: Json): string | undefined {
  const port = el.containerPort ?? el.port;
  if (typeof port !== 'number') return undefined;
  return `${port}/${typeof el.protocol === 'string' ? el.protocol : 'TCP'}`;
}

function envFromKey(el: Json): string | undefined {
  const cm = el.configMapRef;
  const secret = el.secretRef;
  if (isPlainObject(cm) && typeof cm.name === 'string') return `configmap/${cm.name}`;
  if (isPlainObject(secret) && typeof secret.name === 'string') return `secret/${secret.name}`;
  return undefined;
}

function metricKey(el: Json): string | undefined {
  const r = el.resource;
  return isPlainObject(r) && typeof r.name === 'string' ? r.name : undefined;
}

/** Merge keys by the name of the field holding the list (Kubernetes' patchMergeKey, except
 *  container ports, keyed by port+protocol since that is what must be unique). */
const LIST_KEYS: Record<string, ListKey> = {
  containers: byName,
  initContainers: byName,
  env: byName,
  volumes: byName,
  httpHeaders: byName,
  volumeMounts: stringField('mountPath'),
  ports: portKey,
  envFrom: envFromKey,
  metrics: metricKey,
};

/** The element keys of a keyed list, or undefined when the list cannot be keyed (an element
 *  without its key, or a duplicate key): then it is compared by index. */
function listKeys(field: string, list: unknown[]): string[] | undefined {
  const keyOf = LIST_KEYS[field];
  if (!keyOf) return undefined;
  const keys: string[] = [];
  for (const el of list) {
    const k = isPlainObject(el) ? keyOf(el) : undefined;
    if (k === undefined) return undefined;
    keys.push(k);
  }
  return new Set(keys).size === keys.length ? keys : undefined;
}

/** Structural equality of JSON-like values, without allocating: the fast path that lets an
 *  unchanged object (most of them, in most plans) skip building any path string. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Json;
  const rb = b as Json;
  const ka = Object.keys(ra);
  const kb = Object.keys(rb);
  // Equal key sets are the common case: then `b` needs no second pass. An absent key and an
  // undefined one compare equal, as JSON has no undefined.
  let sameKeys = ka.length === kb.length;
  for (const k of ka) {
    if (sameKeys && !(k in rb)) sameKeys = false;
    if (!deepEqual(ra[k], rb[k])) return false;
  }
  if (sameKeys) return true;
  for (const k of kb) if (!(k in ra) && rb[k] !== undefined) return false;
  return true;
}

/** The differences between `before` and `after` under `path` (`field` is the name of the
 *  property holding them, which selects a list's merge key). */
export function diffFields(before: unknown, after: unknown, path = '', field = ''): FieldChange[] {
  const out: FieldChange[] = [];
  diffInto(out, path, field, before, after);
  return out;
}

/** Every leaf of `value` as an added (`side: 'after'`) or removed (`'before'`) field. */
export function flattenFields(
  value: unknown,
  side: 'before' | 'after',
  path = '',
  field = '',
): FieldChange[] {
  const out: FieldChange[] = [];
  flattenInto(out, path, field, value, side);
  return out;
}

function diffInto(out: FieldChange[], path: string, field: string, a: unknown, b: unknown): void {
  if (deepEqual(a, b)) return;
  if (a === undefined || b === undefined) {
    if (a === undefined) flattenInto(out, path, field, b, 'after');
    else flattenInto(out, path, field, a, 'before');
    return;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of Object.keys(a)) diffInto(out, fieldPath(path, k), k, a[k], b[k]);
    for (const k of Object.keys(b)) if (!(k in a)) diffInto(out, fieldPath(path, k), k, undefined, b[k]);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = listKeys(field, a);
    const kb = listKeys(field, b);
    if (ka && kb) {
      const byKeyB = new Map(kb.map((k, i) => [k, b[i]]));
      const inA = new Set(ka);
      ka.forEach((k, i) => {
        diffInto(out, `${path}[${k}]`, '', a[i], byKeyB.get(k));
      });
      kb.forEach((k, i) => {
        if (!inA.has(k)) diffInto(out, `${path}[${k}]`, '', undefined, b[i]);
      });
      return;
    }
    if (a.every(isPlainObject) && b.every(isPlainObject)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) diffInto(out, `${path}[${i}]`, '', a[i], b[i]);
      return;
    }
  }
  if (!deepEqual(a, b)) out.push({ path, before: a, after: b });
}

/** Empty maps and lists inside a flattened subtree say nothing and are left out; at the top
 *  (a field that was `{}` and is now absent) they are the change itself and are kept. */
function isEmptyContainer(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);
}

function flattenInto(
  out: FieldChange[],
  path: string,
  field: string,
  v: unknown,
  side: 'before' | 'after',
  nested = false,
): void {
  if (v === undefined || (nested && isEmptyContainer(v))) return;
  if (isPlainObject(v) && Object.keys(v).length > 0) {
    for (const [k, child] of Object.entries(v)) flattenInto(out, fieldPath(path, k), k, child, side, true);
    return;
  }
  if (Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) {
    const keys = listKeys(field, v);
    v.forEach((el, i) => {
      flattenInto(out, `${path}[${keys ? keys[i] : i}]`, '', el, side, true);
    });
    return;
  }
  out.push(side === 'after' ? { path, after: v } : { path, before: v });
}
