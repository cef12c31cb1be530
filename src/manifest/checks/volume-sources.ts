// Checks of the volume sources beyond configMap/secret/emptyDir (validateHostPathVolumeSource,
// validateDownwardAPIVolumeSource, validateProjectedVolumeSource upstream) and of resource
// field selectors, which env and downwardAPI files share (validateContainerResourceFieldSelector).
// Pure.
import type { DownwardAPIFile, KeyToPath, ResourceFieldSelector, Volume } from '../../model/k8s.js';
import { isConfigMapKey, isQualifiedName } from '../name-rules.js';
import { tryParseQuantity } from '../quantity.js';
import type { Collector, P } from './collector.js';
import { checkRelativePath } from './fields.js';

/** validContainerResourceFieldPathExpressions upstream (hugepages-* are not run by skiff). */
export const RESOURCE_FIELDS = [
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
];
const CPU_DIVISORS = ['1m', '1'];
const MEMORY_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];
/** validVolumeDownwardAPIFieldPathExpressions upstream. */
const VOLUME_FIELD_PATHS = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.labels',
  'metadata.annotations',
  'metadata.uid',
]);
const SUBSCRIPTED_FIELD_PATH = /^metadata\.(labels|annotations)\['([^']+)'\]$/;

function sameQuantity(a: string, b: string): boolean {
  const qa = tryParseQuantity(a);
  const qb = tryParseQuantity(b);
  return !!qa && !!qb && qa.cmp(qb) === 0;
}

/** Resource and divisor; `volume` makes containerName required, as upstream. */
export function checkResourceFieldSelector(
  c: Collector,
  r: ResourceFieldSelector,
  at: P,
  volume: boolean,
): void {
  if (volume && !r.containerName)
    c.error([...at, 'containerName'], 'semantic.env', 'containerName is required');
  if (!RESOURCE_FIELDS.includes(r.resource)) {
    const list = RESOURCE_FIELDS.map((f) => `"${f}"`).join(', ');
    c.error(
      [...at, 'resource'],
      'semantic.env',
      `unsupported value "${r.resource}": supported values: ${list}`,
    );
    return;
  }
  const cpu = r.resource.endsWith('.cpu');
  const allowed = cpu ? CPU_DIVISORS : MEMORY_DIVISORS;
  if (!tryParseQuantity(r.divisor)) {
    c.error([...at, 'divisor'], 'semantic.quantity', `"${r.divisor}" is not a valid quantity`);
    return;
  }
  if (allowed.some((d) => sameQuantity(d, r.divisor))) return;
  const what = cpu ? 'cpu' : r.resource.endsWith('.memory') ? 'memory' : 'local ephemeral storage';
  c.error(
    [...at, 'divisor'],
    'semantic.env',
    `only divisor's values ${cpu ? '1m and 1' : allowed.join(', ')} are supported with the ${what} resource`,
  );
}

/** One file of a downwardAPI volume or projection: exactly one of fieldRef/resourceFieldRef. */
function checkDownwardAPIFile(c: Collector, f: DownwardAPIFile, at: P): void {
  checkRelativePath(c, f.path, [...at, 'path']);
  if (f.fieldRef && f.resourceFieldRef)
    c.error(at, 'semantic.volume', 'fieldRef and resourceFieldRef can not be specified simultaneously');
  if (!f.fieldRef && !f.resourceFieldRef)
    c.error(at, 'semantic.volume', 'must specify one of: `fieldRef` or `resourceFieldRef`');
  if (f.resourceFieldRef)
    checkResourceFieldSelector(c, f.resourceFieldRef, [...at, 'resourceFieldRef'], true);
  const fp = f.fieldRef?.fieldPath;
  if (fp === undefined || VOLUME_FIELD_PATHS.has(fp)) return;
  const where = [...at, 'fieldRef', 'fieldPath'];
  const m = SUBSCRIPTED_FIELD_PATH.exec(fp);
  if (!m) c.error(where, 'semantic.volume', `unsupported fieldPath "${fp}"`);
  else
    for (const x of isQualifiedName(m[2]!)) c.error(where, 'semantic.volume', `invalid key in "${fp}": ${x}`);
}

export function checkKeyItems(c: Collector, items: readonly KeyToPath[], at: P): void {
  items.forEach((it, j) => {
    for (const e of isConfigMapKey(it.key))
      c.error([...at, j, 'key'], 'semantic.volume', `invalid key "${it.key}": ${e}`);
    checkRelativePath(c, it.path, [...at, j, 'path']);
  });
}

/** Paths of a projected volume are unique across its sources ("conflicting duplicate paths"). */
function checkProjected(c: Collector, p: NonNullable<Volume['projected']>, at: P): void {
  const seen = new Set<string>();
  const path = (p2: string, where: P) => {
    if (seen.has(p2)) c.error(where, 'semantic.volume', `conflicting duplicate paths "${p2}"`);
    seen.add(p2);
  };
  p.sources.forEach((s, i) => {
    const where = [...at, 'sources', i];
    const n = (s.configMap ? 1 : 0) + (s.secret ? 1 : 0) + (s.downwardAPI ? 1 : 0);
    if (n > 1) c.error(where, 'semantic.volume', 'may not specify more than 1 volume type per source');
    for (const [field, ref] of [['configMap', s.configMap] as const, ['secret', s.secret] as const]) {
      if (!ref) continue;
      if (ref.name === '') c.error([...where, field, 'name'], 'semantic.volume', `${field}.name is required`);
      checkKeyItems(c, ref.items ?? [], [...where, field, 'items']);
      (ref.items ?? []).forEach((it, j) => {
        path(it.path, [...where, field, 'items', j, 'path']);
      });
    }
    s.downwardAPI?.items.forEach((f, j) => {
      checkDownwardAPIFile(c, f, [...where, 'downwardAPI', 'items', j]);
      path(f.path, [...where, 'downwardAPI', 'items', j, 'path']);
    });
  });
}

/** hostPath, downwardAPI and projected sources of one volume. */
export function checkOtherVolumeSources(c: Collector, v: Volume, at: P): void {
  if (v.hostPath) {
    if (v.hostPath.path === '') c.error([...at, 'hostPath', 'path'], 'semantic.volume', 'path is required');
    if (v.hostPath.path.split('/').includes('..'))
      c.error([...at, 'hostPath', 'path'], 'semantic.volume', "must not contain '..'");
  }
  v.downwardAPI?.items.forEach((f, j) => {
    checkDownwardAPIFile(c, f, [...at, 'downwardAPI', 'items', j]);
  });
  if (v.projected) checkProjected(c, v.projected, [...at, 'projected']);
  if (v.persistentVolumeClaim?.claimName === '')
    c.error([...at, 'persistentVolumeClaim', 'claimName'], 'semantic.volume', 'claimName is required');
}

/** Number of volume sources of the kinds this file checks. */
export function otherVolumeSourceCount(v: Volume): number {
  return (
    (v.hostPath ? 1 : 0) + (v.downwardAPI ? 1 : 0) + (v.projected ? 1 : 0) + (v.persistentVolumeClaim ? 1 : 0)
  );
}
