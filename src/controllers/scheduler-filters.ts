// The filter plugins, in the default profile's order (kubernetes
// pkg/scheduler/framework/plugins: NodeReady as the node lifecycle taint, TaintToleration,
// NodeAffinity, NodePorts, NodeResourcesFit, then the volume filters of
// scheduler-volumes.ts, then PodTopologySpread of scheduler-topology-spread.ts and InterPodAffinity
// of scheduler-interpod-affinity.ts): which hosts can run a pod, every reason a host
// cannot, and upstream's FitError message. Two forms of the same decisions: collectFeasible
// for the hot batch loop (no reasons built), hostFailures for the reasons. Pure.

import {
  insufficientReason,
  REASON_TOO_MANY_PODS,
  REASON_UNSCHEDULABLE,
  unschedulableFor,
} from './scheduler-capacity.js';
import { type ClusterState, type HostArrays, type SpecShape, STATIC_OK } from './scheduler-cluster-state.js';
import { type AffinityCycle, interPodAffinityFailures } from './scheduler-interpod-affinity.js';
import {
  firstUntoleratedTaint,
  matchesNodeSelectorAndAffinity,
  untoleratedTaintReason,
} from './scheduler-predicates.js';
import { REASON_SPREAD, REASON_SPREAD_LABEL } from './scheduler-topology-spread.js';
import type { FilterName, SchedulingPod } from './scheduler-types.js';

export const REASON_NOT_READY = 'node(s) were not ready';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_CPU = 'Insufficient cpu';
export const REASON_MEMORY = 'Insufficient memory';

/** The feasible hosts for a pod (static filters, then ports and resources) among host indices
 *  [from, to) into `feasible`; returns how many. The same decisions as hostFailures, without
 *  building reasons. */
export function collectFeasible(
  state: HostArrays,
  shape: SpecShape,
  pod: SchedulingPod,
  portKeys: readonly string[],
  feasible: Int32Array,
  from = 0,
  to = state.n,
): number {
  const { staticFail } = shape;
  const { capCpu, capMem, reqCpu, reqMem, ports, podCount, maxPods } = state;
  const cpu = pod.requests.cpuMilli;
  const mem = pod.requests.memoryBytes;
  const checkPorts = portKeys.length > 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    if (staticFail[i] !== STATIC_OK) continue;
    if (podCount[i]! >= maxPods[i]!) continue;
    if (cpu > 0 && cpu > capCpu[i]! - reqCpu[i]!) continue;
    if (mem > 0 && mem > capMem[i]! - reqMem[i]!) continue;
    if (checkPorts) {
      const used = ports[i]!;
      let clash = false;
      for (const k of portKeys) if (used.has(k)) clash = true;
      if (clash) continue;
    }
    feasible[count++] = i;
  }
  return count;
}

/** The volume filters (VolumeRestrictions, VolumeBinding) on the hosts collectFeasible kept:
 *  only pods with claims pay for them. Returns how many remain. */
export function keepVolumeFeasible(
  state: ClusterState,
  pod: SchedulingPod,
  feasible: Int32Array,
  count: number,
): number {
  if (!pod.claims || pod.claims.length === 0) return count;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    if (!state.volumes.failure(pod, state.hosts[i]!.name)) feasible[kept++] = i;
  }
  return kept;
}

/** InterPodAffinity's filter (last in the default profile) on the hosts still feasible, by the
 *  pod's verdicts per host (state.interPod.verdictsFor; undefined: no terms); returns how many
 *  remain. */
export function keepInterPodFeasible(
  verdicts: Uint8Array | undefined,
  feasible: Int32Array,
  count: number,
): number {
  if (!verdicts || count === 0) return count;
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    if (verdicts[i] === 0) feasible[kept++] = i;
  }
  return kept;
}

/** Every failing filter of one host, in filter order. */
export interface HostFailure {
  reasons: string[];
  failedFilter?: FilterName;
}

/** Every failing filter of host i for the pod, in filter order. */
export function hostFailures(
  state: ClusterState,
  i: number,
  pod: SchedulingPod,
  portKeys: readonly string[],
  /** The pod's InterPodAffinity cycle (state.interPod.cycleFor(pod)). */
  affinity?: AffinityCycle,
): HostFailure {
  const host = state.hosts[i]!;
  const reasons: string[] = [];
  let failedFilter: FilterName | undefined;
  const fail = (filter: FilterName, reason: string) => {
    failedFilter ??= filter;
    reasons.push(reason);
  };
  if (!host.ready) fail('NodeReady', REASON_NOT_READY);
  if (unschedulableFor(host, pod.spec.tolerations)) fail('NodeUnschedulable', REASON_UNSCHEDULABLE);
  const taint = host.taints.length > 0 ? firstUntoleratedTaint(pod.spec.tolerations, host.taints) : undefined;
  if (taint) fail('TaintToleration', untoleratedTaintReason(taint));
  if (!matchesNodeSelectorAndAffinity(pod.spec, host.labels)) fail('NodeAffinity', REASON_AFFINITY);
  if (portKeys.some((k) => state.ports[i]!.has(k))) fail('NodePorts', REASON_PORTS);
  // NodeResourcesFit in fitsRequest's order: pod count, cpu, memory, extended resources.
  if (state.capacity.tooManyPods(i)) fail('NodeResourcesFit', REASON_TOO_MANY_PODS);
  const cpu = pod.requests.cpuMilli;
  const mem = pod.requests.memoryBytes;
  if (cpu > 0 && cpu > state.capCpu[i]! - state.reqCpu[i]!) fail('NodeResourcesFit', REASON_CPU);
  if (mem > 0 && mem > state.capMem[i]! - state.reqMem[i]!) fail('NodeResourcesFit', REASON_MEMORY);
  for (const name of state.capacity.insufficient(i, pod)) fail('NodeResourcesFit', insufficientReason(name));
  const volume = state.volumes.failure(pod, host.name);
  if (volume) fail(volume.filter, volume.reason);
  const spread = state.spread.failure(pod, i);
  if (spread) fail('PodTopologySpread', spread === 'label' ? REASON_SPREAD_LABEL : REASON_SPREAD);
  if (affinity)
    for (const r of interPodAffinityFailures(affinity, state.interPod.hostLabels[i]!))
      fail('InterPodAffinity', r);
  return { reasons, failedFilter };
}

/** The reasons Kubernetes reports for a host: those of its first failing filter only. */
export function primaryReasons(f: HostFailure): string[] {
  if (!f.failedFilter) return [];
  if (f.failedFilter !== 'NodeResourcesFit') return [f.reasons[0]!];
  return f.reasons.filter((r) => r === REASON_TOO_MANY_PODS || r.startsWith('Insufficient '));
}

/** FitError.Error(): "0/N hosts are available: <count reason>, ... ." */
export function formatUnschedulable(
  totalHosts: number,
  reasonsPerHost: readonly (readonly string[])[],
): string {
  if (totalHosts === 0) return 'no hosts available to schedule pods';
  const histogram = new Map<string, number>();
  for (const reasons of reasonsPerHost)
    for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const parts = [...histogram].map(([reason, count]) => `${count} ${reason}`).sort();
  const head = `0/${totalHosts} hosts are available:`;
  return parts.length > 0 ? `${head} ${parts.join(', ')}.` : head;
}

export function unschedulableMessage(state: ClusterState, pod: SchedulingPod, portKeys: string[]): string {
  const perHost: string[][] = [];
  const affinity = state.interPod.cycleFor(pod);
  for (let i = 0; i < state.n; i++)
    perHost.push(primaryReasons(hostFailures(state, i, pod, portKeys, affinity)));
  return formatUnschedulable(state.n, perHost);
}
