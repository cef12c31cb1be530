// The scheduler's per-host predicates on labels and taints, ported from Kubernetes: node
// selector and node affinity matching (k8s.io/component-helpers/scheduling/corev1/nodeaffinity),
// toleration matching (k8s.io/api/core/v1 Toleration.ToleratesTaint) and the TaintToleration
// plugin's filter and score inputs (pkg/scheduler/framework/plugins/tainttoleration). Pure.
import type { Labels, NodeSelectorRequirement, NodeSelectorTerm, PodSpec, Toleration } from '../model/k8s.js';
import type { Taint } from '../model/observed.js';

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, int64 range.
const INT = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
function parseInt64(s: string): bigint | undefined {
  if (!INT.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** One node selector requirement against a host's labels (nodeSelectorRequirementsAsSelector). */
export function matchesRequirement(req: NodeSelectorRequirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value!);
    case 'NotIn':
      return !has || !values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      // Exactly one integer value is required; an unparsable label never matches.
      if (!has || values.length !== 1) return false;
      const want = parseInt64(values[0]!);
      const got = parseInt64(value!);
      if (want === undefined || got === undefined) return false;
      return req.operator === 'Gt' ? got > want : got < want;
    }
  }
}

/** A term matches when all its expressions do; an empty term matches nothing. */
export function matchesTerm(term: NodeSelectorTerm, labels: Labels): boolean {
  const exprs = term.matchExpressions ?? [];
  if (exprs.length === 0) return false;
  for (const e of exprs) if (!matchesRequirement(e, labels)) return false;
  return true;
}

/** NodeAffinity's filter: spec.nodeSelector (every pair) AND required node affinity (any term). */
export function matchesNodeSelectorAndAffinity(spec: PodSpec, labels: Labels): boolean {
  for (const [k, v] of Object.entries(spec.nodeSelector)) {
    if (labels[k] !== v) return false;
  }
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    let any = false;
    for (const term of required.nodeSelectorTerms) {
      if (matchesTerm(term, labels)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

/** NodeAffinity's score before normalizing: the weights of the preferred terms that match
 *  (terms with weight 0 or no expressions are skipped, as upstream). */
export function preferredAffinityWeight(spec: PodSpec, labels: Labels): number {
  const preferred = spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  if (!preferred) return 0;
  let sum = 0;
  for (const p of preferred) {
    if (p.weight === 0 || (p.preference.matchExpressions ?? []).length === 0) continue;
    if (matchesTerm(p.preference, labels)) sum += p.weight;
  }
  return sum;
}

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** TaintToleration's filter: the first NoSchedule/NoExecute taint no toleration tolerates. */
export function firstUntoleratedTaint(
  tolerations: readonly Toleration[],
  taints: readonly Taint[],
): Taint | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerations.some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}

/** TaintToleration's score before normalizing: PreferNoSchedule taints not tolerated by a
 *  toleration whose effect is empty or PreferNoSchedule. */
export function intolerablePreferNoScheduleCount(
  tolerations: readonly Toleration[],
  taints: readonly Taint[],
): number {
  let count = 0;
  for (const taint of taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    const tolerated = tolerations.some(
      (t) => (t.effect === undefined || t.effect === 'PreferNoSchedule') && toleratesTaint(t, taint),
    );
    if (!tolerated) count++;
  }
  return count;
}

/** The scheduler's wording for an untolerated taint. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}
