// The scheduler: which host runs a pod, and why a pod cannot run anywhere. Pure: hosts and what
// is placed on them come in as values; randomness (for tie-breaking) only through a parameter.
//
// Kubernetes' kube-scheduler, reduced to what a Docker host has, with its plugins' semantics
// and wording (pkg/scheduler/framework/plugins):
// - Filters, in the default profile's order (a host's summary reason is its first failing
//   filter, as upstream's RunFilterPlugins stops there; `reasons` lists every failure):
//   host Ready ("node(s) were not ready"), NodeUnschedulable (cordoned hosts),
//   TaintToleration (NoSchedule/NoExecute), NodeAffinity (nodeSelector + required node
//   affinity), NodePorts (host ports), NodeResourcesFit (pod count against maxPods,
//   CPU/memory/extended resources against capacity minus what is placed; scheduler-capacity.ts),
//   the volume filters, PodTopologySpread (DoNotSchedule constraints:
//   scheduler-topology-spread.ts) and InterPodAffinity (required pod affinity and anti-affinity,
//   both ways: scheduler-interpod-affinity.ts).
// - Scores, each normalized to 0..100 over the hosts that passed, weighted as the default
//   profile weighs them: NodeResourcesFit LeastAllocated (cpu and memory, weight 1 each, over
//   non-zero requests) x1; NodeResourcesBalancedAllocation (cpu/memory balance) x1;
//   PodTopologySpread x2 (the pod's ScheduleAnyway constraints, or the system defaults spreading
//   a ReplicaSet's pods over hostname and zone); preferred node affinity x2; PreferNoSchedule
//   taints x3; InterPodAffinity's preferred terms x2.
// - The highest total wins; ties go to the first host by name, or to a random one among the
//   tied when a random source is given (upstream's selectHost samples ties at random).
// - "0/3 hosts are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient
//   cpu." is upstream's FitError message: reasons counted over hosts, sorted as strings.
//
// The steps live beside this file: scheduler-filters.ts (filter plugins), scheduler-scores.ts
// (score plugins, normalize, selectHost), scheduler-cluster-state.ts (the batch's hosts as
// arrays, charged per placement), scheduler-host-views.ts (hosts and what is placed on them).
// filterHosts and scoreHosts expose each host's reasons and scores as plain values.
//
// Scale: on 100 hosts or more, schedulePods filters each pod only until it has found
// percentageOfNodesToScore of the hosts feasible, sampling round-robin, and scores those
// (scheduler-sampling.ts); filterHosts, scoreHosts and explainSchedule judge every host.
//
// Invariant: schedulePods places pods one by one and charges each placement (requests, ports,
// spreading counts) before placing the next, so a batch never overcommits a host.
import type { PodSpec } from '../model/k8s.js';
import type { RandomSource } from './pod-name.js';
import { ClusterState, portKeysOf } from './scheduler-cluster-state.js';
import {
  formatUnschedulable,
  type HostFailure,
  hostFailures,
  primaryReasons,
  unschedulableMessage,
} from './scheduler-filters.js';
import { type AffinityCycle, interPodAffinityScores } from './scheduler-interpod-affinity.js';
import { findFeasibleSample, type HostSampler, hostSampler } from './scheduler-sampling.js';
import { scoreAndSelect } from './scheduler-scores.js';
import {
  type HostExplanation,
  type HostFilterResult,
  type HostScore,
  type HostScoreResult,
  type HostView,
  ownerKey,
  podKey,
  type ScheduleBatchResult,
  type ScheduleExplanation,
  type ScheduleOptions,
  type SchedulingPod,
} from './scheduler-types.js';

export {
  DEFAULT_MAX_PODS,
  insufficientReason,
  podExtendedRequests,
  REASON_TOO_MANY_PODS,
  REASON_UNSCHEDULABLE,
  UNSCHEDULABLE_TAINT_KEY,
} from './scheduler-capacity.js';
export {
  formatUnschedulable,
  REASON_AFFINITY,
  REASON_CPU,
  REASON_MEMORY,
  REASON_NOT_READY,
  REASON_PORTS,
} from './scheduler-filters.js';
export { buildHostViews, POD_TEMPLATE_HASH, placedFromObserved } from './scheduler-host-views.js';
export {
  REASON_EXISTING_ANTI_AFFINITY,
  REASON_POD_AFFINITY,
  REASON_POD_ANTI_AFFINITY,
} from './scheduler-interpod-affinity.js';
export {
  MIN_FEASIBLE_HOSTS_PERCENTAGE_TO_FIND,
  MIN_FEASIBLE_HOSTS_TO_FIND,
  numFeasibleHostsToFind,
} from './scheduler-sampling.js';
export { SCORE_WEIGHTS } from './scheduler-scores.js';
export {
  LABEL_HOSTNAME,
  LABEL_ZONE,
  REASON_SPREAD,
  REASON_SPREAD_LABEL,
  SYSTEM_DEFAULT_CONSTRAINTS,
} from './scheduler-topology-spread.js';
export * from './scheduler-types.js';
export {
  REASON_READ_WRITE_ONCE_POD,
  REASON_VOLUME_NODE_CONFLICT,
} from './scheduler-volumes.js';

function assignedMessage(pod: SchedulingPod, host: string): string {
  return `Successfully assigned ${podKey(pod)} to ${host}`;
}

/** The filter plugins on every host, in host order; the hosts that pass into `feasible`. */
function runFilters(
  state: ClusterState,
  pod: SchedulingPod,
): { failures: HostFailure[]; feasible: Int32Array; count: number; cycle: AffinityCycle | undefined } {
  const portKeys = portKeysOf(pod);
  const cycle = state.interPod.cycleFor(pod);
  const failures: HostFailure[] = [];
  const feasible = new Int32Array(state.n);
  let count = 0;
  for (let i = 0; i < state.n; i++) {
    const f = hostFailures(state, i, pod, portKeys, cycle);
    failures.push(f);
    if (!f.failedFilter) feasible[count++] = i;
  }
  return { failures, feasible, count, cycle };
}

/** The score plugins on the feasible hosts: each one's scores, and the host selectHost picks
 *  (-1 when none is feasible). */
function runScores(
  state: ClusterState,
  pod: SchedulingPod,
  feasible: Int32Array,
  count: number,
  random: RandomSource | undefined,
  cycle: AffinityCycle | undefined,
): { scores: Map<number, HostScore>; chosen: number } {
  const scores = new Map<number, HostScore>();
  if (count === 0) return { scores, chosen: -1 };
  const shape = state.shape(pod.spec);
  const spread = state.spread.score(pod, feasible, count);
  const interPod = interPodAffinityScores(
    cycle,
    state.interPod.hostLabels,
    feasible,
    count,
    state.interPodScores,
  );
  const chosen = scoreAndSelect(state.arrays, shape, spread, feasible, count, random, scores, interPod);
  return { scores, chosen };
}

function filterResult(state: ClusterState, f: HostFailure, i: number): HostFilterResult {
  const r: HostFilterResult = { host: state.hosts[i]!.name, fits: !f.failedFilter, reasons: f.reasons };
  if (f.failedFilter) r.failedFilter = f.failedFilter;
  return r;
}

/** Each host's filter verdict for the pod, in host order: every failing filter's reason. */
export function filterHosts(
  pod: SchedulingPod,
  hosts: readonly HostView[],
  options: ScheduleOptions = {},
): HostFilterResult[] {
  const state = new ClusterState(hosts, options.claims, options.services);
  return runFilters(state, pod).failures.map((f, i) => filterResult(state, f, i));
}

/** The normalized, weighted scores of the hosts that pass the filters, in host order. */
export function scoreHosts(
  pod: SchedulingPod,
  hosts: readonly HostView[],
  options: ScheduleOptions = {},
): HostScoreResult[] {
  const state = new ClusterState(hosts, options.claims, options.services);
  const { feasible, count, cycle } = runFilters(state, pod);
  const { scores } = runScores(state, pod, feasible, count, undefined, cycle);
  return [...scores].map(([i, score]) => ({ host: state.hosts[i]!.name, score }));
}

/** Why a pod would (or would not) run on each host, and where it would go: filterHosts and
 *  scoreHosts together, and the host selectHost picks. */
export function explainSchedule(
  pod: SchedulingPod,
  hosts: readonly HostView[],
  options: ScheduleOptions = {},
): ScheduleExplanation {
  const state = new ClusterState(hosts, options.claims, options.services);
  const { failures, feasible, count, cycle } = runFilters(state, pod);
  const { scores, chosen } = runScores(state, pod, feasible, count, options.random, cycle);
  const explanations: HostExplanation[] = failures.map((f, i) => {
    const e: HostExplanation = filterResult(state, f, i);
    const score = scores.get(i);
    if (score) e.score = score;
    return e;
  });
  if (chosen < 0) {
    return {
      pod: podKey(pod),
      hosts: explanations,
      message: formatUnschedulable(state.n, failures.map(primaryReasons)),
    };
  }
  const host = state.hosts[chosen]!.name;
  return { pod: podKey(pod), hosts: explanations, chosen: host, message: assignedMessage(pod, host) };
}

interface FailedSpec {
  generation: number;
  message: string;
  cpu: number;
  mem: number;
}

/** One pod of a batch: place it (charging the host) and return the host index, or -1. Kept
 *  out of the batch loop so the engine optimizes it as a function, not a long loop. */
function scheduleOne(
  state: ClusterState,
  pod: SchedulingPod,
  feasible: Int32Array,
  failed: Map<PodSpec, FailedSpec>,
  random: RandomSource | undefined,
  sampler: HostSampler,
): number | string {
  // Placements can lower a DoNotSchedule constraint's skew, or satisfy a required pod affinity:
  // such a spec is never cached.
  const cacheable = !state.spread.hasHard(pod) && !state.interPod.mayFitLater(pod);
  const known = cacheable ? failed.get(pod.spec) : undefined;
  if (known !== undefined && known.cpu <= pod.requests.cpuMilli && known.mem <= pod.requests.memoryBytes) {
    if (known.generation !== state.generation) {
      known.message = unschedulableMessage(state, pod, portKeysOf(pod));
      known.generation = state.generation;
    }
    return known.message;
  }
  const shape = state.shape(pod.spec);
  const portKeys = portKeysOf(pod);
  const cycle = state.interPod.cycleFor(pod);
  const count = findFeasibleSample(state, sampler, pod, shape, portKeys, cycle, feasible);
  if (count === 0) {
    const message = unschedulableMessage(state, pod, portKeys);
    if (cacheable)
      failed.set(pod.spec, {
        generation: state.generation,
        message,
        cpu: pod.requests.cpuMilli,
        mem: pod.requests.memoryBytes,
      });
    return message;
  }
  const key = ownerKey(pod.namespace, pod.owner.kind, pod.owner.name);
  const spread = state.spread.score(pod, feasible, count);
  const interPod = interPodAffinityScores(
    cycle,
    state.interPod.hostLabels,
    feasible,
    count,
    state.interPodScores,
  );
  const chosen = scoreAndSelect(state.arrays, shape, spread, feasible, count, random, undefined, interPod);
  state.place(chosen, pod, shape, portKeys, key);
  return chosen;
}

/** Places a batch in order, charging each placement before the next pod is considered. */
export function schedulePods(
  pods: readonly SchedulingPod[],
  hosts: readonly HostView[],
  options: ScheduleOptions = {},
): ScheduleBatchResult {
  const state = new ClusterState(hosts, options.claims, options.services);
  const placements = new Map<string, string>();
  const unschedulable: { pod: SchedulingPod; message: string }[] = [];
  const feasible = new Int32Array(state.n);
  // A spec that fit nowhere fits nowhere later in the batch either (placements only consume);
  // its message is recomputed only when something was placed since.
  const failed = new Map<PodSpec, FailedSpec>();
  const sampler = hostSampler(options.percentageOfNodesToScore, state.n);
  for (const pod of pods) {
    const outcome = scheduleOne(state, pod, feasible, failed, options.random, sampler);
    if (typeof outcome === 'string') unschedulable.push({ pod, message: outcome });
    else placements.set(podKey(pod), state.hosts[outcome]!.name);
  }
  return { placements, unschedulable, hosts: state.toViews() };
}
