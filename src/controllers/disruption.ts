// PodDisruptionBudgets: each budget's status as upstream's disruption controller computes it
// (pkg/controller/disruption/disruption.go: getExpectedPodCount, countHealthyPods,
// updatePdbStatus), and the eviction decision of the Eviction API (pkg/registry/core/pod/
// storage/eviction.go: canIgnorePDB, the unhealthy-pod policies, checkAndDecrement). Pure.
//
// Invariants, as upstream:
// - disruptionsAllowed = currentHealthy - desiredHealthy, never below 0, and 0 while the budget
//   expects no pods (no selected pods, or only pods without a controller).
// - A terminating pod is not healthy; a pod without a controller (a standalone Pod) counts as
//   healthy but adds nothing to the expected count a percent or maxUnavailable needs.
// - An allowed eviction that is guarded by a budget consumes one of its disruptions: the caller
//   passes the decremented status to the next decision of the same pass.
import { scaledValueFromIntOrPercent } from '../manifest/int-or-percent.js';
import { labelSelectorMatches, labelSelectorRequirements } from '../manifest/label-selector.js';
import type { Labels, PodDisruptionBudget } from '../model/k8s.js';

/** The scale of a pod's controller (a Deployment's replicas), undefined when unknown. */
export type ScaleOf = (namespace: string, controller: { kind: string; name: string }) => number | undefined;

/** A pod as the budgets see it. */
export interface BudgetPod {
  namespace: string;
  name: string;
  labels: Labels;
  ready: boolean;
  terminating: boolean;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** The pod's controller (a Deployment), absent for a pod without one. */
  controller?: { kind: string; name: string };
}

export interface PdbStatus {
  /** `pdb/NAME`, as kubectl names it. */
  name: string;
  namespace: string;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  disruptionsAllowed: number;
  /** Selected pods without a controller (upstream's UnmanagedPods event). */
  unmanagedPods: string[];
}

/** The disruption controller's selection (getPodsForPdb): `{}` selects every pod of the
 *  namespace, an absent selector none. A malformed selector was refused at validation. */
export function pdbSelectsPod(
  pdb: PodDisruptionBudget,
  pod: Pick<BudgetPod, 'namespace' | 'labels'>,
): boolean {
  if (pdb.metadata.namespace !== pod.namespace) return false;
  try {
    return labelSelectorMatches(pdb.spec.selector, pod.labels);
  } catch {
    return false;
  }
}

/** The Eviction API's selection (getPodDisruptionBudgets): "a PDB with a nil or empty selector
 *  creeps in, it should match nothing, not everything". */
function guardsPod(pdb: PodDisruptionBudget, pod: BudgetPod): boolean {
  const sel = pdb.spec.selector;
  if (!sel || labelSelectorRequirements(sel).length === 0) return false;
  return pdbSelectsPod(pdb, pod);
}

/** getExpectedScale: the summed scale of the selected pods' controllers, each counted once. */
function expectedScale(
  pods: readonly BudgetPod[],
  scaleOf: ScaleOf,
): { expected: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const c = pod.controller;
    const scale = c ? scaleOf(pod.namespace, c) : undefined;
    if (!c || scale === undefined) unmanaged.push(pod.name);
    else scales.set(`${c.kind}/${c.name}`, scale);
  }
  let expected = 0;
  for (const s of scales.values()) expected += s;
  return { expected, unmanaged };
}

/** desiredHealthy for `expected` pods (getExpectedPodCount's arithmetic): an integer
 *  minAvailable is itself, a percent is of the expected pods rounded up, maxUnavailable (int or
 *  percent, rounded up) is taken from them; neither set wants none. */
export function desiredHealthyOf(pdb: PodDisruptionBudget, expected: number): number {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable !== undefined)
    return Math.max(0, expected - scaledValueFromIntOrPercent(maxUnavailable, expected, true));
  if (minAvailable === undefined) return 0;
  return typeof minAvailable === 'number'
    ? minAvailable
    : scaledValueFromIntOrPercent(minAvailable, expected, true);
}

/** getExpectedPodCount: maxUnavailable and a percent minAvailable scale with the controllers;
 *  an integer minAvailable is compared with the pods that exist. */
function expectedPodCount(
  pdb: PodDisruptionBudget,
  pods: readonly BudgetPod[],
  scaleOf: ScaleOf,
): { expected: number; desired: number; unmanaged: string[] } {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable === undefined && minAvailable === undefined)
    return { expected: 0, desired: 0, unmanaged: [] };
  if (typeof minAvailable === 'number')
    return { expected: pods.length, desired: minAvailable, unmanaged: [] };
  const { expected, unmanaged } = expectedScale(pods, scaleOf);
  return { expected, desired: desiredHealthyOf(pdb, expected), unmanaged };
}

/** One budget's status over the pods of its namespace (it selects among them itself). */
export function computePdbStatus(
  pdb: PodDisruptionBudget,
  pods: readonly BudgetPod[],
  scaleOf: ScaleOf,
): PdbStatus {
  const selected = pods.filter((p) => pdbSelectsPod(pdb, p));
  const { expected, desired, unmanaged } = expectedPodCount(pdb, selected, scaleOf);
  const currentHealthy = selected.filter((p) => p.ready && !p.terminating).length;
  const allowed = currentHealthy - desired;
  return {
    name: `pdb/${pdb.metadata.name}`,
    namespace: pdb.metadata.namespace,
    currentHealthy,
    desiredHealthy: desired,
    expectedPods: expected,
    disruptionsAllowed: expected <= 0 || allowed <= 0 ? 0 : allowed,
    unmanagedPods: unmanaged,
  };
}

export type EvictionDecision =
  /** `budget`: the budget whose disruption this eviction consumes (absent: none consumed). */
  | { allowed: true; budget?: string }
  /** 429 (a budget forbids it now: retry later) or 500 (more than one budget). */
  | { allowed: false; code: 429 | 500; budget?: string; message: string };

export const VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";

/** The Eviction API's decision for one pod, given every budget and its current status. */
export function decideEviction(
  pod: BudgetPod,
  budgets: readonly { pdb: PodDisruptionBudget; status: PdbStatus }[],
): EvictionDecision {
  // canIgnorePDB: a terminal, pending or already terminating pod disrupts nothing more.
  if (pod.terminating || pod.phase === 'Succeeded' || pod.phase === 'Failed' || pod.phase === 'Pending')
    return { allowed: true };
  const guarding = budgets.filter((b) => guardsPod(b.pdb, pod));
  if (guarding.length > 1)
    return {
      allowed: false,
      code: 500,
      message:
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    };
  const only = guarding[0];
  if (!only) return { allowed: true };
  const { pdb, status } = only;
  if (!pod.ready) {
    // An unready pod does not count towards currentHealthy: evicting it takes nothing away.
    if (pdb.spec.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { allowed: true };
    if (status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0) return { allowed: true };
  }
  if (status.disruptionsAllowed <= 0)
    return {
      allowed: false,
      code: 429,
      budget: status.name,
      message: `${VIOLATES_BUDGET} The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
    };
  return { allowed: true, budget: status.name };
}
