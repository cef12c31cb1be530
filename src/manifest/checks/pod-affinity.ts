// Checks of inter-pod affinity and anti-affinity (validatePodAffinity, validatePodAntiAffinity,
// validatePodAffinityTerm, validateWeightedPodAffinityTerms and
// validateMatchLabelKeysAndMismatchLabelKeys in kubernetes pkg/apis/core/validation), with the
// API server's messages. Pure.
import type { LabelSelector, PodAffinity, PodAffinityTerm, PodSpec } from '../../model/k8s.js';
import { isDns1123Label, isQualifiedName } from '../name-rules.js';
import type { Collector, P } from './collector.js';
import { checkSelector } from './metadata.js';

const CODE = 'semantic.affinity';

function selectorKeys(selector: LabelSelector): Set<string> {
  return new Set([
    ...Object.keys(selector.matchLabels ?? {}),
    ...(selector.matchExpressions ?? []).map((e) => e.key),
  ]);
}

/** validateLabelKeys: label names, and only with a labelSelector to merge into. */
function checkLabelKeys(
  c: Collector,
  keys: readonly string[],
  selector: LabelSelector | undefined,
  at: P,
): void {
  if (keys.length === 0) return;
  if (!selector) {
    c.error(at, CODE, 'must not be specified when labelSelector is not set');
    return;
  }
  keys.forEach((k, i) => {
    for (const e of isQualifiedName(k)) c.error([...at, i], CODE, `invalid label key "${k}": ${e}`);
  });
}

/** validateMatchLabelKeysAndMismatchLabelKeys: a matchLabelKeys key may not also be in the
 *  labelSelector (the merged `In` would leave nothing to filter) nor in mismatchLabelKeys. */
function checkMatchLabelKeys(c: Collector, term: PodAffinityTerm, at: P): void {
  const match = term.matchLabelKeys ?? [];
  const mismatch = term.mismatchLabelKeys ?? [];
  checkLabelKeys(c, match, term.labelSelector, [...at, 'matchLabelKeys']);
  checkLabelKeys(c, mismatch, term.labelSelector, [...at, 'mismatchLabelKeys']);
  const inSelector = term.labelSelector ? selectorKeys(term.labelSelector) : new Set<string>();
  const mismatchSet = new Set(mismatch);
  match.forEach((k, i) => {
    if (inSelector.has(k))
      c.error([...at, 'matchLabelKeys', i], CODE, `"${k}" exists in both matchLabelKeys and labelSelector`);
    if (mismatchSet.has(k))
      c.error(
        [...at, 'matchLabelKeys', i],
        CODE,
        `"${k}" exists in both matchLabelKeys and mismatchLabelKeys`,
      );
  });
}

/** validatePodAffinityTerm: selectors, namespace names, label keys, a topologyKey that is a
 *  label name. */
function checkTerm(c: Collector, term: PodAffinityTerm, at: P): void {
  if (term.labelSelector) checkSelector(c, term.labelSelector, [...at, 'labelSelector']);
  if (term.namespaceSelector) checkSelector(c, term.namespaceSelector, [...at, 'namespaceSelector']);
  (term.namespaces ?? []).forEach((ns, i) => {
    for (const e of isDns1123Label(ns))
      c.error([...at, 'namespaces', i], CODE, `invalid namespace "${ns}": ${e}`);
  });
  checkMatchLabelKeys(c, term, at);
  const key = term.topologyKey ?? '';
  if (key === '') {
    c.error([...at, 'topologyKey'], CODE, 'topologyKey: Required value: can not be empty');
    return;
  }
  for (const e of isQualifiedName(key))
    c.error([...at, 'topologyKey'], CODE, `invalid topologyKey "${key}": ${e}`);
}

function checkPodAffinity(c: Collector, a: PodAffinity | undefined, at: P): void {
  if (!a) return;
  (a.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
    checkTerm(c, t, [...at, 'requiredDuringSchedulingIgnoredDuringExecution', i]);
  });
  (a.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w, i) => {
    const wAt = [...at, 'preferredDuringSchedulingIgnoredDuringExecution', i];
    if (w.weight <= 0 || w.weight > 100)
      c.error([...wAt, 'weight'], CODE, `weight ${w.weight}: must be in the range 1-100`);
    checkTerm(c, w.podAffinityTerm, [...wAt, 'podAffinityTerm']);
  });
}

/** spec.affinity.podAffinity, then podAntiAffinity, as ValidateAffinity orders them. */
export function checkInterPodAffinity(c: Collector, spec: PodSpec, path: P): void {
  const at = [...path, 'affinity'];
  checkPodAffinity(c, spec.affinity?.podAffinity, [...at, 'podAffinity']);
  checkPodAffinity(c, spec.affinity?.podAntiAffinity, [...at, 'podAntiAffinity']);
}
