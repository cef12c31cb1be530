// The scheduler's working state for one batch: hosts as parallel arrays, so a batch of
// thousands of pods over hundreds of hosts is a tight loop, charged placement by placement
// (the scheduler cache's assume step, kubernetes pkg/scheduler/internal/cache). Pure: built
// from host views, it mutates only itself.
//
import type { PodSpec } from '../model/k8s.js';
import type { ObservedHost } from '../model/observed.js';
import { podNonZeroRequests, podRequests, type ResourceAmounts } from './pod-requests.js';
import { CapacityState, unschedulableFor } from './scheduler-capacity.js';
import { InterPodAffinityState } from './scheduler-interpod-affinity-state.js';
import {
  firstUntoleratedTaint,
  intolerablePreferNoScheduleCount,
  matchesNodeSelectorAndAffinity,
  preferredAffinityWeight,
} from './scheduler-predicates.js';
import { SpreadState } from './scheduler-topology-spread.js';
import {
  type ClaimBindings,
  type HostView,
  hostPortKey,
  type SchedulingPod,
  type SpreadService,
} from './scheduler-types.js';
import { VolumeState } from './scheduler-volumes.js';

// Resource amounts ({cpuMilli, memoryBytes}) are read in the hot loops; V8 shares one hidden
// class for every such literal and widens its fields from small integers to doubles the first
// time a double is stored, throwing away (and here never re-optimizing) the code that relied
// on integers: batches ran 5x slower from the second one on. Settling the fields as doubles at
// load time keeps the optimized code stable.
const SETTLE_AMOUNT_FIELDS: ResourceAmounts = { cpuMilli: 0.5, memoryBytes: 0.5 };
void SETTLE_AMOUNT_FIELDS;

// Static predicates (readiness, taints, affinity) depend only on the
// pod's spec and the host, so they are computed once per distinct spec.

export const STATIC_OK = 0;
const STATIC_NOT_READY = 1;
const STATIC_TAINT = 2;
const STATIC_AFFINITY = 3;
const STATIC_UNSCHEDULABLE = 4;

export interface SpecShape {
  /** First failing static filter per host (STATIC_*). */
  staticFail: Uint8Array;
  /** Raw preferred-affinity weight per host (the shared zeros when the pod has no preference;
   *  always a Float64Array so the scoring loop stays monomorphic). */
  affinity: Float64Array;
  /** Raw intolerable PreferNoSchedule count per host (null when no host has such taints). */
  taint: Float64Array;
  nonZero: ResourceAmounts;
  /** The pod's requests without the non-zero defaults (BalancedAllocation's input). */
  requests: ResourceAmounts;
}

/** The per-host arrays the hot loops read. Built as an object literal so every batch's record
 *  has the same shape: a class instance's layout can change after its first constructions,
 *  and the optimized loops would then be thrown away (measured: 5x slower batches). */
export interface HostArrays {
  n: number;
  names: string[];
  capCpu: Float64Array;
  capMem: Float64Array;
  reqCpu: Float64Array;
  reqMem: Float64Array;
  nzCpu: Float64Array;
  nzMem: Float64Array;
  hostVersion: Uint32Array;
  ports: Set<string>[];
  /** Pods placed per host and the host's maxPods (NodeResourcesFit's pod count). */
  podCount: Int32Array;
  maxPods: Int32Array;
  leastAllocatedCache: Map<string, { score: Int32Array; at: Uint32Array }>;
  /** Scratch for scoreAndSelect: the hosts tied for the best score so far. */
  tied: Int32Array;
}

export class ClusterState {
  readonly n: number;
  readonly hosts: ObservedHost[];
  readonly capCpu: Float64Array;
  readonly capMem: Float64Array;
  readonly reqCpu: Float64Array;
  readonly reqMem: Float64Array;
  readonly nzCpu: Float64Array;
  readonly nzMem: Float64Array;
  /** Bumped per host on placement: invalidates that host's cached LeastAllocated scores. */
  readonly hostVersion: Uint32Array;
  /** LeastAllocated per host for one non-zero request size ("cpu/mem"), with the host version
   *  it was computed at (+1, so 0 means never): most pods share a handful of sizes. */
  readonly leastAllocatedCache = new Map<string, { score: Int32Array; at: Uint32Array }>();
  readonly ports: Set<string>[];
  private readonly views: readonly HostView[];
  /** Placements of this batch as [host index, owner], replayed onto the views' counts. */
  private readonly placedOwners: [number, string][] = [];
  readonly shapes = new Map<PodSpec, SpecShape>();
  readonly anyPreferNoSchedule: boolean;
  readonly arrays: HostArrays;
  /** Shared all-zero scores for specs without preferences. */
  readonly zeros: Float64Array;
  /** Bumped on every placement: cached failure messages are valid for one generation. */
  generation = 0;

  /** The batch's claim bindings, charged per placement like the resources. */
  readonly volumes: VolumeState;
  /** PodTopologySpread's counts, charged per placement too. */
  readonly spread: SpreadState;
  /** The placed pods' labels and affinity, charged per placement (InterPodAffinity). */
  readonly interPod: InterPodAffinityState;
  /** Scratch for InterPodAffinity's normalized scores, per host index. */
  readonly interPodScores: Float64Array;
  /** Pod counts and extended resources, charged per placement. */
  readonly capacity: CapacityState;

  constructor(views: readonly HostView[], claims?: ClaimBindings, services?: readonly SpreadService[]) {
    this.volumes = new VolumeState(claims);
    this.capacity = new CapacityState(views);
    const n = views.length;
    this.interPod = new InterPodAffinityState(
      views.map((v) => v.host),
      views.map((v) => v.pods),
    );
    this.interPodScores = new Float64Array(n);
    this.n = n;
    this.hosts = views.map((v) => v.host);
    this.capCpu = new Float64Array(n);
    this.capMem = new Float64Array(n);
    this.reqCpu = new Float64Array(n);
    this.reqMem = new Float64Array(n);
    this.nzCpu = new Float64Array(n);
    this.nzMem = new Float64Array(n);
    this.hostVersion = new Uint32Array(n);
    this.zeros = new Float64Array(n);
    this.ports = [];
    this.views = views;
    let anyPrefer = false;
    views.forEach((v, i) => {
      this.capCpu[i] = v.host.capacity.cpuMilli;
      this.capMem[i] = v.host.capacity.memoryBytes;
      this.reqCpu[i] = v.requested.cpuMilli;
      this.reqMem[i] = v.requested.memoryBytes;
      this.nzCpu[i] = v.nonZeroRequested.cpuMilli;
      this.nzMem[i] = v.nonZeroRequested.memoryBytes;
      this.ports.push(new Set(v.usedHostPorts));
      if (v.host.taints.some((t) => t.effect === 'PreferNoSchedule')) anyPrefer = true;
    });
    this.anyPreferNoSchedule = anyPrefer;
    this.spread = new SpreadState(this.hosts, views, services);
    this.arrays = {
      n,
      names: this.hosts.map((h) => h.name),
      capCpu: this.capCpu,
      capMem: this.capMem,
      reqCpu: this.reqCpu,
      reqMem: this.reqMem,
      nzCpu: this.nzCpu,
      nzMem: this.nzMem,
      hostVersion: this.hostVersion,
      ports: this.ports,
      podCount: this.capacity.podCount,
      maxPods: this.capacity.maxPods,
      leastAllocatedCache: this.leastAllocatedCache,
      tied: new Int32Array(n),
    };
  }

  shape(spec: PodSpec): SpecShape {
    const cached = this.shapes.get(spec);
    if (cached) return cached;
    const n = this.n;
    const staticFail = new Uint8Array(n);
    const hasPreference =
      (spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;
    const affinity = hasPreference ? new Float64Array(n) : this.zeros;
    const taint = this.anyPreferNoSchedule ? new Float64Array(n) : this.zeros;
    const simple =
      Object.keys(spec.nodeSelector).length === 0 &&
      spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution === undefined;
    for (let i = 0; i < n; i++) {
      const host = this.hosts[i]!;
      if (!host.ready) staticFail[i] = STATIC_NOT_READY;
      else if (host.unschedulable && unschedulableFor(host, spec.tolerations))
        staticFail[i] = STATIC_UNSCHEDULABLE;
      else if (host.taints.length > 0 && firstUntoleratedTaint(spec.tolerations, host.taints)) {
        staticFail[i] = STATIC_TAINT;
      } else if (!simple && !matchesNodeSelectorAndAffinity(spec, host.labels))
        staticFail[i] = STATIC_AFFINITY;
      if (hasPreference) affinity[i] = preferredAffinityWeight(spec, host.labels);
      if (this.anyPreferNoSchedule)
        taint[i] = intolerablePreferNoScheduleCount(spec.tolerations, host.taints);
    }
    const shape: SpecShape = {
      staticFail,
      affinity,
      taint,
      nonZero: podNonZeroRequests(spec),
      requests: podRequests(spec),
    };
    this.shapes.set(spec, shape);
    return shape;
  }

  place(i: number, pod: SchedulingPod, shape: SpecShape, portKeys: readonly string[], owner: string): void {
    this.reqCpu[i] = this.reqCpu[i]! + pod.requests.cpuMilli;
    this.reqMem[i] = this.reqMem[i]! + pod.requests.memoryBytes;
    this.nzCpu[i] = this.nzCpu[i]! + shape.nonZero.cpuMilli;
    this.nzMem[i] = this.nzMem[i]! + shape.nonZero.memoryBytes;
    for (const k of portKeys) this.ports[i]!.add(k);
    this.placedOwners.push([i, owner]);
    this.spread.place(i, pod);
    if (pod.claims) this.volumes.assume(pod, this.hosts[i]!.name);
    this.interPod.place(i, pod);
    this.capacity.place(i, pod);
    this.hostVersion[i] = this.hostVersion[i]! + 1;
    this.generation++;
  }

  toViews(): HostView[] {
    const byHost: Record<string, number>[] = this.views.map((v) => ({ ...v.podsByOwner }));
    for (const [i, owner] of this.placedOwners) byHost[i]![owner] = (byHost[i]![owner] ?? 0) + 1;
    const views: HostView[] = [];
    const spreadPods = this.spread.podsByHost();
    for (let i = 0; i < this.n; i++) {
      const podsByOwner = byHost[i]!;
      const extended = this.capacity.requestedOn(i);
      views.push({
        ...(Object.keys(extended).length > 0 ? { extendedRequested: extended } : {}),
        host: this.hosts[i]!,
        requested: { cpuMilli: this.reqCpu[i]!, memoryBytes: this.reqMem[i]! },
        nonZeroRequested: { cpuMilli: this.nzCpu[i]!, memoryBytes: this.nzMem[i]! },
        usedHostPorts: [...this.ports[i]!].sort(),
        podsByOwner,
        spreadPods: spreadPods[i]!,
        pods: this.interPod.pods[i]!,
      });
    }
    return views;
  }
}

export function portKeysOf(pod: SchedulingPod): string[] {
  return pod.hostPorts.map((p) => hostPortKey(p.protocol, p.port));
}
