// A host's capacity beyond cpu and memory, cordoning, and the balanced-allocation score
// (kubernetes pkg/scheduler/framework/plugins):
// - NodeUnschedulable: a cordoned host (skiff.yaml `unschedulable: true`, kubectl cordon's
//   spec.unschedulable) admits only pods tolerating the node.kubernetes.io/unschedulable
//   NoSchedule taint: "node(s) were unschedulable".
// - NodeResourcesFit, beyond cpu/memory (fit.go fitsRequest): the pod count against the host's
//   maxPods ("Too many pods", the kubelet's default 110) and each extended resource the pod
//   requests against what the host declares minus what is placed ("Insufficient
//   nvidia.com/gpu"). Extended resources are whole units and never overcommitted.
// - NodeResourcesBalancedAllocation (balanced_allocation.go): (1 - std) * 100 over the cpu and
//   memory fractions (requests, the pod's included, over allocatable, each capped at 1);
//   skipped (0 everywhere) for a pod requesting neither, as upstream's PreScore skips it.
// Pure: built from host views, the state mutates only itself (charged per placement).
import { isExtendedResourceName } from '../manifest/extended-resources.js';
import { parseQuantity } from '../manifest/quantity.js';
import type { Container, PodSpec, Toleration } from '../model/k8s.js';
import type { ObservedHost } from '../model/observed.js';
import { toleratesTaint } from './scheduler-predicates.js';
import type { HostView, SchedulingPod } from './scheduler-types.js';

export const UNSCHEDULABLE_TAINT_KEY = 'node.kubernetes.io/unschedulable';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_TOO_MANY_PODS = 'Too many pods';
/** The kubelet's default --max-pods. */
export const DEFAULT_MAX_PODS = 110;
const MAX_NODE_SCORE = 100;

export const insufficientReason = (resource: string): string => `Insufficient ${resource}`;

/** Extended resources by name, whole units. */
export type ExtendedAmounts = Record<string, number>;

/** NodeUnschedulable's test: does a toleration tolerate {unschedulable, NoSchedule}? */
export function toleratesUnschedulable(tolerations: readonly Toleration[]): boolean {
  const taint = { key: UNSCHEDULABLE_TAINT_KEY, effect: 'NoSchedule' as const };
  return tolerations.some((t) => toleratesTaint(t, taint));
}

/** NodeUnschedulable's filter: true when the host refuses the pod. */
export function unschedulableFor(host: ObservedHost, tolerations: readonly Toleration[]): boolean {
  return host.unschedulable === true && !toleratesUnschedulable(tolerations);
}

function containerExtended(c: Container): ExtendedAmounts {
  const out: ExtendedAmounts = {};
  const names = new Set([...Object.keys(c.resources.limits), ...Object.keys(c.resources.requests)]);
  for (const name of names) {
    if (!isExtendedResourceName(name)) continue;
    const q = c.resources.requests[name] ?? c.resources.limits[name];
    if (q !== undefined) out[name] = Math.ceil(Number(parseQuantity(q).milliValue()) / 1000);
  }
  return out;
}

function combine(
  a: ExtendedAmounts,
  b: ExtendedAmounts,
  f: (x: number, y: number) => number,
): ExtendedAmounts {
  const out: ExtendedAmounts = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = f(out[k] ?? 0, v);
  return out;
}
const sum = (x: number, y: number) => x + y;

/** The pod's extended resource requests (requests default to limits), aggregated over init
 *  containers and sidecars as upstream's PodRequests does for every resource. */
export function podExtendedRequests(spec: PodSpec): ExtendedAmounts {
  let reqs: ExtendedAmounts = {};
  for (const c of spec.containers) reqs = combine(reqs, containerExtended(c), sum);
  let sidecars: ExtendedAmounts = {};
  let initPeak: ExtendedAmounts = {};
  for (const c of spec.initContainers ?? []) {
    const own = containerExtended(c);
    if (c.restartPolicy === 'Always') {
      reqs = combine(reqs, own, sum);
      sidecars = combine(sidecars, own, sum);
      initPeak = combine(initPeak, sidecars, Math.max);
    } else initPeak = combine(initPeak, combine(own, sidecars, sum), Math.max);
  }
  for (const k of Object.keys(reqs)) if (reqs[k] === 0) delete reqs[k];
  return combine(reqs, initPeak, Math.max);
}

/** NodeResourcesBalancedAllocation's score on one host: requested (placed + the pod's) over
 *  allocatable for cpu and memory; a resource the host has none of is left out. */
export function balancedAllocationScore(
  capCpu: number,
  capMem: number,
  reqCpu: number,
  reqMem: number,
): number {
  if (capCpu === 0 || capMem === 0) return MAX_NODE_SCORE;
  const cpu = Math.min(1, reqCpu / capCpu);
  const mem = Math.min(1, reqMem / capMem);
  return Math.trunc((1 - Math.abs((cpu - mem) / 2)) * MAX_NODE_SCORE);
}

/** Pod counts and extended resources per host for one batch, charged per placement. */
export class CapacityState {
  readonly podCount: Int32Array;
  readonly maxPods: Int32Array;
  private readonly allocatable: ExtendedAmounts[];
  private readonly requested: ExtendedAmounts[];
  private readonly bySpec = new Map<PodSpec, ExtendedAmounts>();

  constructor(views: readonly HostView[]) {
    const n = views.length;
    this.podCount = new Int32Array(n);
    this.maxPods = new Int32Array(n);
    this.allocatable = [];
    this.requested = [];
    views.forEach((v, i) => {
      let pods = 0;
      for (const key in v.podsByOwner) pods += v.podsByOwner[key]!;
      this.podCount[i] = pods;
      this.maxPods[i] = v.host.maxPods ?? DEFAULT_MAX_PODS;
      this.allocatable.push(v.host.extendedResources ?? {});
      this.requested.push({ ...v.extendedRequested });
    });
  }

  /** The pod's extended requests, once per spec. */
  extendedOf(spec: PodSpec): ExtendedAmounts {
    let r = this.bySpec.get(spec);
    if (!r) {
      r = podExtendedRequests(spec);
      this.bySpec.set(spec, r);
    }
    return r;
  }

  tooManyPods(i: number): boolean {
    return this.podCount[i]! + 1 > this.maxPods[i]!;
  }

  /** The extended resources host i lacks for the pod, sorted by name. */
  insufficient(i: number, pod: SchedulingPod): string[] {
    const want = this.extendedOf(pod.spec);
    const out: string[] = [];
    for (const name of Object.keys(want).sort()) {
      const free = (this.allocatable[i]![name] ?? 0) - (this.requested[i]![name] ?? 0);
      if (want[name]! > free) out.push(name);
    }
    return out;
  }

  /** Keeps the feasible hosts with room for the pod's extended requests; returns how many.
   *  Only pods requesting extended resources pay for it. */
  keepFeasible(pod: SchedulingPod, feasible: Int32Array, count: number): number {
    const want = this.extendedOf(pod.spec);
    if (Object.keys(want).length === 0) return count;
    let kept = 0;
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      if (this.insufficient(i, pod).length === 0) feasible[kept++] = i;
    }
    return kept;
  }

  place(i: number, pod: SchedulingPod): void {
    this.podCount[i] = this.podCount[i]! + 1;
    const want = this.extendedOf(pod.spec);
    for (const name in want) this.requested[i]![name] = (this.requested[i]![name] ?? 0) + want[name]!;
  }

  /** What the placed pods request of each extended resource on host i. */
  requestedOn(i: number): ExtendedAmounts {
    return { ...this.requested[i] };
  }
}
