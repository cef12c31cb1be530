// percentageOfNodesToScore (kubernetes pkg/scheduler/schedule_one.go: numFeasibleNodesToFind,
// findNodesThatPassFilters): on a large cluster a pod's filters stop once enough feasible hosts
// are found, and only those are scored. Each search starts at the host after the one where the
// previous search stopped (nextStartNodeIndex), so the batch samples hosts round-robin.
// Upstream's guarantees hold: a pod that fits somewhere finds a host (the search only stops
// early on feasible hosts), and when fewer than the target are feasible every host is filtered,
// so a FitError counts every host. Deterministic: no randomness in the sample. Pure.
import type { ClusterState, SpecShape } from './scheduler-cluster-state.js';
import { collectFeasible, keepInterPodFeasible, keepVolumeFeasible } from './scheduler-filters.js';
import type { AffinityCycle } from './scheduler-interpod-affinity.js';
import type { SchedulingPod } from './scheduler-types.js';

/** Upstream's minFeasibleNodesToFind: below this many hosts, all are filtered and scored. */
export const MIN_FEASIBLE_HOSTS_TO_FIND = 100;
/** Upstream's minFeasibleNodesPercentageToFind: the adaptive percentage's floor. */
export const MIN_FEASIBLE_HOSTS_PERCENTAGE_TO_FIND = 5;
/** Hosts filtered per step beyond what is still needed: fewer passes over the filter stages
 *  when many hosts fail. The hosts past the target are filtered but neither kept nor counted. */
const MIN_STEP = 64;

/** How many feasible hosts to find before scoring: numFeasibleNodesToFind. `percentage` 0 (or
 *  absent) is the adaptive default, 50% minus 1% per 125 hosts, floored at 5%; 100 is all. */
export function numFeasibleHostsToFind(percentage: number | undefined, numAllHosts: number): number {
  if (numAllHosts < MIN_FEASIBLE_HOSTS_TO_FIND) return numAllHosts;
  let p = Math.min(Math.max(Math.trunc(percentage ?? 0), 0), 100);
  if (p === 0) p = Math.max(50 - Math.trunc(numAllHosts / 125), MIN_FEASIBLE_HOSTS_PERCENTAGE_TO_FIND);
  return Math.max(Math.trunc((numAllHosts * p) / 100), MIN_FEASIBLE_HOSTS_TO_FIND);
}

/** A batch's sampling state: the target and where the next search starts. */
export interface HostSampler {
  target: number;
  nextStart: number;
  /** Scratch: one step's feasible hosts. */
  step: Int32Array;
}

export function hostSampler(percentage: number | undefined, n: number): HostSampler {
  return { target: numFeasibleHostsToFind(percentage, n), nextStart: 0, step: new Int32Array(n) };
}

/** Every filter stage on hosts [from, to) into `out`; returns how many pass. */
function filterRange(
  state: ClusterState,
  pod: SchedulingPod,
  shape: SpecShape,
  portKeys: readonly string[],
  verdicts: Uint8Array | undefined,
  out: Int32Array,
  from: number,
  to: number,
): number {
  let m = collectFeasible(state.arrays, shape, pod, portKeys, out, from, to);
  m = state.capacity.keepFeasible(pod, out, m);
  m = keepVolumeFeasible(state, pod, out, m);
  m = state.spread.keepFeasible(pod, out, m);
  return keepInterPodFeasible(verdicts, out, m);
}

/** findNodesThatPassFilters: the first `sampler.target` feasible hosts from sampler.nextStart
 *  (wrapping) into `feasible`, in search order; returns how many (fewer only when every host
 *  was filtered) and advances nextStart past the last host the search needed. */
export function findFeasibleSample(
  state: ClusterState,
  sampler: HostSampler,
  pod: SchedulingPod,
  shape: SpecShape,
  portKeys: readonly string[],
  cycle: AffinityCycle | undefined,
  feasible: Int32Array,
): number {
  const n = state.n;
  const { target, step } = sampler;
  const start = sampler.nextStart;
  const verdicts = cycle ? state.interPod.verdictsFor(cycle) : undefined;
  let count = 0;
  let processed = 0;
  while (count < target && processed < n) {
    const from = (start + processed) % n;
    const size = Math.min(n - processed, n - from, Math.max(target - count, MIN_STEP));
    const m = filterRange(state, pod, shape, portKeys, verdicts, step, from, from + size);
    for (let k = 0; k < m && count < target; k++) feasible[count++] = step[k]!;
    processed += size;
  }
  // Upstream counts the hosts judged until the target was met: up to the last one kept.
  if (count === target && count > 0) processed = ((feasible[count - 1]! - start + n) % n) + 1;
  sampler.nextStart = n === 0 ? 0 : (start + processed) % n;
  return count;
}
