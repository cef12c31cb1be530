// How many pods one pass may ask the scheduler to place: what the inventory could ever hold.
// Pure. A Deployment's replica count is any int32, as on Kubernetes; the pods beyond what the
// Ready hosts can hold are not materialized one by one (a replicas: 1000000000 would otherwise
// build a billion pod objects in one pass), they are counted and reported on the Deployment.
//
// The inventory's pod capacity is the kubelet's default max-pods (110) per Ready host: a pass
// plans at most that many pods in total, minus the pods already placed, and never fewer than
// one per owner (so a Deployment with no room still shows a Pending pod with the scheduler's
// reason). Whatever the scheduler then cannot place stays Pending as before.

/** kubelet --max-pods default: the pods one host can ever hold. */
export const MAX_PODS_PER_HOST = 110;

export interface PodBudget {
  /** Pods this pass may still plan. */
  left: number;
  /** The inventory's capacity, for messages. */
  capacity: number;
}

export function newPodBudget(readyHosts: number, placedPods: number): PodBudget {
  const capacity = readyHosts * MAX_PODS_PER_HOST;
  return { left: Math.max(0, capacity - placedPods), capacity };
}

/** Take up to `wanted` pods from the budget (at least one when any is wanted); returns how
 *  many may be planned now. */
export function takeFromBudget(budget: PodBudget, wanted: number): number {
  if (wanted <= 0) return 0;
  const granted = Math.min(wanted, Math.max(budget.left, 1));
  budget.left = Math.max(0, budget.left - granted);
  return granted;
}

/** The Deployment's summary of the pods it wants but the pass did not plan. */
export function unplannedMessage(name: string, unplanned: number, budget: PodBudget): string {
  return `deployment/${name}: ${unplanned} more pods unschedulable: the inventory holds at most ${budget.capacity} pods (${MAX_PODS_PER_HOST} per Ready host), the rest are not planned`;
}
