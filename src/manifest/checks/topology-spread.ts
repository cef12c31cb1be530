// Checks of a pod spec's topologySpreadConstraints, as the API server validates them
// (pkg/apis/core/validation validateTopologySpreadConstraints): maxSkew and minDomains
// positive, minDomains only with DoNotSchedule, one constraint per {topologyKey,
// whenUnsatisfiable}, the label selector, and matchLabelKeys (label names, not also in the
// selector, only with a selector). Enums (whenUnsatisfiable, the node inclusion policies) and
// the required fields are the schema's. Pure.
import type { PodSpec, TopologySpreadConstraint } from '../../model/k8s.js';
import { isQualifiedName } from '../name-rules.js';
import type { Collector, P } from './collector.js';
import { checkSelector } from './metadata.js';

const CODE = 'semantic.topology-spread';
const NOT_POSITIVE = 'must be greater than zero';

function selectorKeys(c: TopologySpreadConstraint): Set<string> {
  const keys = new Set(Object.keys(c.labelSelector?.matchLabels ?? {}));
  for (const e of c.labelSelector?.matchExpressions ?? []) keys.add(e.key);
  return keys;
}

/** validateMatchLabelKeys: label names that the selector does not already use. Upstream also
 *  forbids them without a labelSelector (the selector they would be merged into). */
function checkMatchLabelKeys(c: Collector, t: TopologySpreadConstraint, at: P): void {
  const keys = t.matchLabelKeys ?? [];
  if (keys.length === 0) return;
  if (!t.labelSelector) {
    c.error([...at, 'matchLabelKeys'], CODE, 'must not be specified when labelSelector is not set');
    return;
  }
  const inSelector = selectorKeys(t);
  keys.forEach((key, i) => {
    for (const e of isQualifiedName(key))
      c.error([...at, 'matchLabelKeys', i], CODE, `Invalid value: "${key}": ${e}`);
    if (inSelector.has(key))
      c.error(
        [...at, 'matchLabelKeys', i],
        CODE,
        `Invalid value: "${key}": exists in both matchLabelKeys and labelSelector`,
      );
  });
}

function checkConstraint(c: Collector, all: readonly TopologySpreadConstraint[], i: number, at: P): void {
  const t = all[i]!;
  if (t.maxSkew <= 0) c.error([...at, 'maxSkew'], CODE, `Invalid value: ${t.maxSkew}: ${NOT_POSITIVE}`);
  if (t.topologyKey === '') c.error([...at, 'topologyKey'], CODE, 'Required value: can not be empty');
  const twin = all
    .slice(i + 1)
    .some((o) => o.topologyKey === t.topologyKey && o.whenUnsatisfiable === t.whenUnsatisfiable);
  if (twin) c.error(at, CODE, `Duplicate value: "{${t.topologyKey}, ${t.whenUnsatisfiable}}"`);
  if (t.minDomains !== undefined) {
    if (t.minDomains <= 0)
      c.error([...at, 'minDomains'], CODE, `Invalid value: ${t.minDomains}: ${NOT_POSITIVE}`);
    if (t.whenUnsatisfiable !== 'DoNotSchedule')
      c.error(
        [...at, 'minDomains'],
        CODE,
        `Invalid value: ${t.minDomains}: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${t.whenUnsatisfiable}`,
      );
  }
  if (t.labelSelector) checkSelector(c, t.labelSelector, [...at, 'labelSelector']);
  checkMatchLabelKeys(c, t, at);
}

export function checkTopologySpread(c: Collector, spec: PodSpec, path: P): void {
  const all = spec.topologySpreadConstraints ?? [];
  all.forEach((_, i) => {
    checkConstraint(c, all, i, [...path, 'topologySpreadConstraints', i]);
  });
}
