// The scheduler: which host runs a pod, and why a pod cannot run anywhere. Pure: hosts and what
// is placed on them come in as values; randomness (for tie-breaking) only through a parameter.
//
// Kubernetes' kube-scheduler, reduced to what a Docker host has, with its plugins' semantics
// and wording (pkg/scheduler/framework/plugins):
// - Filters, in the default profile's order (a host's summary reason is its first failing
//   filter, as upstream's RunFilterPlugins stops there; `reasons` lists every failure):
//   host Ready ("node(s) were not ready"), TaintToleration (NoSchedule/NoExecute), NodeAffinity
//   (nodeSelector + required node affinity), NodePorts (host ports), NodeResourcesFit
//   (CPU/memory requests against capacity minus what is placed).
// - Scores, each normalized to 0..100 over the hosts that passed, weighted as the default
//   profile weighs them: NodeResourcesFit LeastAllocated (cpu and memory, weight 1 each, over
//   non-zero requests) x1; spreading one owner's pods across hosts (SelectorSpread's formula) at
//   PodTopologySpread's weight x2; preferred node affinity x2; PreferNoSchedule taints x3.
// - The highest total wins; ties go to the first host by name, or to a random one among the
//   tied when a random source is given (upstream's selectHost samples ties at random).
// - "0/3 hosts are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient
//   cpu." is upstream's FitError message: reasons counted over hosts, sorted as strings.
//
// Invariant: schedulePods places pods one by one and charges each placement (requests, ports,
// owner counts) before placing the next, so a batch never overcommits a host.
import type { PodSpec } from '../model/k8s.js';
import type { ObservedHost, ObservedPod } from '../model/observed.js';
import type { RandomSource } from './pod-name.js';
import { podNonZeroRequests, podRequests, type ResourceAmounts } from './pod-requests.js';
import {
  firstUntoleratedTaint,
  intolerablePreferNoScheduleCount,
  matchesNodeSelectorAndAffinity,
  preferredAffinityWeight,
  untoleratedTaintReason,
} from './scheduler-predicates.js';

/** What the scheduler needs of a pod. DesiredPod has all of it. */
export interface SchedulingPod {
  name: string;
  namespace: string;
  owner: { kind: 'Deployment' | 'Pod'; name: string };
  spec: PodSpec;
  /** Requests summed over containers, requests defaulting to limits (podRequests(spec)). */
  requests: ResourceAmounts;
  hostPorts: readonly { port: number; protocol: 'TCP' | 'UDP' }[];
}

/** A host as the scheduler sees it: the observed host plus what is already placed on it. */
export interface HostView {
  host: ObservedHost;
  /** Sum of the placed pods' requests: the fit filter compares against capacity minus this. */
  requested: ResourceAmounts;
  /** Same sum with the non-zero defaults per container without requests: for scoring. */
  nonZeroRequested: ResourceAmounts;
  /** Host ports in use, as hostPortKey(protocol, port). */
  usedHostPorts: readonly string[];
  /** Placed pods per owner, keyed by ownerKey(): the spreading score's input. */
  podsByOwner: Readonly<Record<string, number>>;
}

/** A pod already placed on a host, as buildHostViews counts it. */
export interface PlacedPod {
  host: string;
  namespace: string;
  owner: { kind: 'Deployment' | 'Pod'; name: string };
  /** The pod's spec, for its requests; absent: no requests, non-zero defaults per container. */
  spec?: PodSpec;
  containerCount?: number;
  hostPorts: readonly { port: number; protocol: 'TCP' | 'UDP' }[];
}

export type FilterName = 'NodeReady' | 'TaintToleration' | 'NodeAffinity' | 'NodePorts' | 'NodeResourcesFit';

export interface HostScore {
  leastAllocated: number;
  spread: number;
  nodeAffinity: number;
  taintToleration: number;
  /** Weighted sum: the host with the highest total is chosen. */
  total: number;
}

export interface HostExplanation {
  host: string;
  fits: boolean;
  /** Every failing filter's reason, in filter order, in the scheduler's words. */
  reasons: string[];
  /** The first failing filter: the one Kubernetes would report for this host. */
  failedFilter?: FilterName;
  /** Present for hosts that fit. */
  score?: HostScore;
}

export interface ScheduleExplanation {
  /** namespace/name */
  pod: string;
  hosts: HostExplanation[];
  chosen?: string;
  /** "Successfully assigned default/web-x to h1", or the FitError message when none fits. */
  message: string;
}

export interface ScheduleOptions {
  /** Break score ties at random among the tied hosts (default: first by host name). */
  random?: RandomSource;
}

export interface ScheduleBatchResult {
  /** Placed pods: key podKey(pod) = namespace/name, value the host name. */
  placements: Map<string, string>;
  unschedulable: { pod: SchedulingPod; message: string }[];
  /** The host views with the batch's placements charged. */
  hosts: HostView[];
}

// Resource amounts ({cpuMilli, memoryBytes}) are read in the hot loops; V8 shares one hidden
// class for every such literal and widens its fields from small integers to doubles the first
// time a double is stored, throwing away (and here never re-optimizing) the code that relied
// on integers: batches ran 5x slower from the second one on. Settling the fields as doubles at
// load time keeps the optimized code stable.
const SETTLE_AMOUNT_FIELDS: ResourceAmounts = { cpuMilli: 0.5, memoryBytes: 0.5 };
void SETTLE_AMOUNT_FIELDS;

export const SCORE_WEIGHTS = { leastAllocated: 1, spread: 2, nodeAffinity: 2, taintToleration: 3 } as const;
const MAX_NODE_SCORE = 100;

export const REASON_NOT_READY = 'node(s) were not ready';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_CPU = 'Insufficient cpu';
export const REASON_MEMORY = 'Insufficient memory';

export function ownerKey(namespace: string, kind: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
export function hostPortKey(protocol: 'TCP' | 'UDP', port: number): string {
  return `${protocol}/${port}`;
}
export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

/** What an observed pod occupies on its host. */
export function placedFromObserved(pod: ObservedPod): PlacedPod {
  return {
    host: pod.host,
    namespace: pod.namespace,
    owner: { kind: pod.ownerKind, name: pod.ownerName },
    spec: pod.spec,
    containerCount: pod.containers.length,
    hostPorts: pod.publishedPorts.map((p) => ({ port: p.hostPort, protocol: p.protocol })),
  };
}

/** Host views from the hosts and the pods placed on them (pods on unknown hosts are ignored). */
export function buildHostViews(hosts: readonly ObservedHost[], placed: readonly PlacedPod[]): HostView[] {
  const byName = new Map<string, { view: HostView; ports: Set<string>; owners: Record<string, number> }>();
  for (const host of hosts) {
    const owners: Record<string, number> = {};
    const view: HostView = {
      host,
      requested: { cpuMilli: 0, memoryBytes: 0 },
      nonZeroRequested: { cpuMilli: 0, memoryBytes: 0 },
      usedHostPorts: [],
      podsByOwner: owners,
    };
    byName.set(host.name, { view, ports: new Set(), owners });
  }
  for (const pod of placed) {
    const entry = byName.get(pod.host);
    if (!entry) continue;
    const req = pod.spec ? podRequests(pod.spec) : { cpuMilli: 0, memoryBytes: 0 };
    const nz = pod.spec
      ? podNonZeroRequests(pod.spec)
      : {
          cpuMilli: 100 * (pod.containerCount ?? 1),
          memoryBytes: 200 * 1024 * 1024 * (pod.containerCount ?? 1),
        };
    entry.view.requested.cpuMilli += req.cpuMilli;
    entry.view.requested.memoryBytes += req.memoryBytes;
    entry.view.nonZeroRequested.cpuMilli += nz.cpuMilli;
    entry.view.nonZeroRequested.memoryBytes += nz.memoryBytes;
    for (const p of pod.hostPorts) entry.ports.add(hostPortKey(p.protocol, p.port));
    const key = ownerKey(pod.namespace, pod.owner.kind, pod.owner.name);
    entry.owners[key] = (entry.owners[key] ?? 0) + 1;
  }
  return [...byName.values()].map(({ view, ports }) => ({ ...view, usedHostPorts: [...ports].sort() }));
}

// ---------------------------------------------------------------------------------------------
// Internal state: hosts as parallel arrays, so a batch of thousands of pods over hundreds of
// hosts is a tight loop. Static predicates (readiness, taints, affinity) depend only on the
// pod's spec and the host, so they are computed once per distinct spec.

const STATIC_OK = 0;
const STATIC_NOT_READY = 1;
const STATIC_TAINT = 2;
const STATIC_AFFINITY = 3;

interface SpecShape {
  /** First failing static filter per host (STATIC_*). */
  staticFail: Uint8Array;
  /** Raw preferred-affinity weight per host (the shared zeros when the pod has no preference;
   *  always a Float64Array so the scoring loop stays monomorphic). */
  affinity: Float64Array;
  /** Raw intolerable PreferNoSchedule count per host (null when no host has such taints). */
  taint: Float64Array;
  nonZero: ResourceAmounts;
}

/** The per-host arrays the hot loops read. Built as an object literal so every batch's record
 *  has the same shape: a class instance's layout can change after its first constructions,
 *  and the optimized loops would then be thrown away (measured: 5x slower batches). */
interface HostArrays {
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
  leastAllocatedCache: Map<string, { score: Int32Array; at: Uint32Array }>;
  /** Scratch for scoreAndSelect: the hosts tied for the best score so far. */
  tied: Int32Array;
}

class ClusterState {
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
  /** Owner -> flat [host index, count, ...] from the views: cheap to build, sparse. */
  private readonly ownerIndex = new Map<string, number[]>();
  /** Owner -> count per host, materialized when one of the owner's pods is first scored. */
  private readonly owners = new Map<string, Int32Array>();
  /** Placements of this batch as [host index, owner], replayed onto the views' counts. */
  private readonly placedOwners: [number, string][] = [];
  readonly shapes = new Map<PodSpec, SpecShape>();
  readonly anyPreferNoSchedule: boolean;
  readonly arrays: HostArrays;
  /** Shared all-zero scores for specs without preferences. */
  readonly zeros: Float64Array;
  /** Bumped on every placement: cached failure messages are valid for one generation. */
  generation = 0;

  constructor(views: readonly HostView[]) {
    const n = views.length;
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
      for (const key in v.podsByOwner) {
        let list = this.ownerIndex.get(key);
        if (!list) {
          list = [];
          this.ownerIndex.set(key, list);
        }
        list.push(i, v.podsByOwner[key]!);
      }
      if (v.host.taints.some((t) => t.effect === 'PreferNoSchedule')) anyPrefer = true;
    });
    this.anyPreferNoSchedule = anyPrefer;
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
      leastAllocatedCache: this.leastAllocatedCache,
      tied: new Int32Array(n),
    };
  }

  ownerCounts(key: string): Int32Array {
    let counts = this.owners.get(key);
    if (!counts) {
      counts = new Int32Array(this.n);
      const list = this.ownerIndex.get(key) ?? [];
      for (let k = 0; k < list.length; k += 2) counts[list[k]!] = list[k + 1]!;
      this.owners.set(key, counts);
    }
    return counts;
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
      else if (host.taints.length > 0 && firstUntoleratedTaint(spec.tolerations, host.taints)) {
        staticFail[i] = STATIC_TAINT;
      } else if (!simple && !matchesNodeSelectorAndAffinity(spec, host.labels))
        staticFail[i] = STATIC_AFFINITY;
      if (hasPreference) affinity[i] = preferredAffinityWeight(spec, host.labels);
      if (this.anyPreferNoSchedule)
        taint[i] = intolerablePreferNoScheduleCount(spec.tolerations, host.taints);
    }
    const shape: SpecShape = { staticFail, affinity, taint, nonZero: podNonZeroRequests(spec) };
    this.shapes.set(spec, shape);
    return shape;
  }

  place(i: number, pod: SchedulingPod, shape: SpecShape, portKeys: readonly string[], owner: string): void {
    this.reqCpu[i] = this.reqCpu[i]! + pod.requests.cpuMilli;
    this.reqMem[i] = this.reqMem[i]! + pod.requests.memoryBytes;
    this.nzCpu[i] = this.nzCpu[i]! + shape.nonZero.cpuMilli;
    this.nzMem[i] = this.nzMem[i]! + shape.nonZero.memoryBytes;
    for (const k of portKeys) this.ports[i]!.add(k);
    const counts = this.ownerCounts(owner);
    counts[i] = counts[i]! + 1;
    this.placedOwners.push([i, owner]);
    this.hostVersion[i] = this.hostVersion[i]! + 1;
    this.generation++;
  }

  toViews(): HostView[] {
    const byHost: Record<string, number>[] = this.views.map((v) => ({ ...v.podsByOwner }));
    for (const [i, owner] of this.placedOwners) byHost[i]![owner] = (byHost[i]![owner] ?? 0) + 1;
    const views: HostView[] = [];
    for (let i = 0; i < this.n; i++) {
      const podsByOwner = byHost[i]!;
      views.push({
        host: this.hosts[i]!,
        requested: { cpuMilli: this.reqCpu[i]!, memoryBytes: this.reqMem[i]! },
        nonZeroRequested: { cpuMilli: this.nzCpu[i]!, memoryBytes: this.nzMem[i]! },
        usedHostPorts: [...this.ports[i]!].sort(),
        podsByOwner,
      });
    }
    return views;
  }
}

function portKeysOf(pod: SchedulingPod): string[] {
  return pod.hostPorts.map((p) => hostPortKey(p.protocol, p.port));
}

interface Maxima {
  owner: number;
  affinity: number;
  taint: number;
}

function maximaOver(shape: SpecShape, owner: Int32Array, feasible: Int32Array, count: number): Maxima {
  const m: Maxima = { owner: 0, affinity: 0, taint: 0 };
  const { affinity, taint } = shape;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    if (owner[i]! > m.owner) m.owner = owner[i]!;
    if (affinity[i]! > m.affinity) m.affinity = affinity[i]!;
    if (taint[i]! > m.taint) m.taint = taint[i]!;
  }
  return m;
}

/** The feasible hosts for a pod (static filters, then ports and resources) into `feasible`;
 *  returns how many. The same decisions as hostFailures, without building reasons. */
function collectFeasible(
  state: HostArrays,
  shape: SpecShape,
  pod: SchedulingPod,
  portKeys: readonly string[],
  feasible: Int32Array,
): number {
  const { staticFail } = shape;
  const { capCpu, capMem, reqCpu, reqMem, ports } = state;
  const cpu = pod.requests.cpuMilli;
  const mem = pod.requests.memoryBytes;
  const checkPorts = portKeys.length > 0;
  let count = 0;
  for (let i = 0; i < state.n; i++) {
    if (staticFail[i] !== STATIC_OK) continue;
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

/** Scores the feasible hosts (indices in `feasible[0..count)`) and returns the chosen index.
 *  Score formulas:
 *  - LeastAllocated (leastRequestedScore): ((capacity - requested) * 100) / capacity, integer
 *    division, 0 when over capacity; the mean of cpu and memory.
 *  - SelectorSpread's NormalizeScore: 100 * (max - count) / max, truncated (100 when max is 0).
 *  - DefaultNormalizeScore: 100 * raw / max (NodeAffinity), reversed for TaintToleration. */
function scoreAndSelect(
  state: HostArrays,
  shape: SpecShape,
  owner: Int32Array,
  feasible: Int32Array,
  count: number,
  random: RandomSource | undefined,
  scores?: Map<number, HostScore>,
): number {
  const max = maximaOver(shape, owner, feasible, count);
  const { affinity, taint } = shape;
  const { nzCpu, nzMem, capCpu, capMem, names, hostVersion } = state;
  const podCpu = shape.nonZero.cpuMilli;
  const podMem = shape.nonZero.memoryBytes;
  const sizeKey = `${podCpu}/${podMem}`;
  let cache = state.leastAllocatedCache.get(sizeKey);
  if (!cache) {
    cache = { score: new Int32Array(state.n), at: new Uint32Array(state.n) };
    state.leastAllocatedCache.set(sizeKey, cache);
  }
  const cachedScore = cache.score;
  const cachedAt = cache.at;
  let best = -1;
  let bestTotal = -1;
  let ties = 0;
  const { tied } = state;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    let leastAllocated: number;
    if (cachedAt[i] === hostVersion[i]! + 1) leastAllocated = cachedScore[i]!;
    else {
      const cCap = capCpu[i]!;
      const cReq = nzCpu[i]! + podCpu;
      const mCap = capMem[i]!;
      const mReq = nzMem[i]! + podMem;
      const cpuScore = cCap === 0 || cReq > cCap ? 0 : Math.floor(((cCap - cReq) * MAX_NODE_SCORE) / cCap);
      const memScore = mCap === 0 || mReq > mCap ? 0 : Math.floor(((mCap - mReq) * MAX_NODE_SCORE) / mCap);
      leastAllocated = Math.floor((cpuScore + memScore) / 2);
      cachedScore[i] = leastAllocated;
      cachedAt[i] = hostVersion[i]! + 1;
    }
    const spread =
      max.owner > 0 ? Math.trunc(MAX_NODE_SCORE * ((max.owner - owner[i]!) / max.owner)) : MAX_NODE_SCORE;
    const nodeAffinity = max.affinity > 0 ? Math.floor((MAX_NODE_SCORE * affinity[i]!) / max.affinity) : 0;
    const taintToleration =
      max.taint > 0 ? MAX_NODE_SCORE - Math.floor((MAX_NODE_SCORE * taint[i]!) / max.taint) : MAX_NODE_SCORE;
    const total =
      SCORE_WEIGHTS.leastAllocated * leastAllocated +
      SCORE_WEIGHTS.spread * spread +
      SCORE_WEIGHTS.nodeAffinity * nodeAffinity +
      SCORE_WEIGHTS.taintToleration * taintToleration;
    if (scores) scores.set(i, { leastAllocated, spread, nodeAffinity, taintToleration, total });
    if (total > bestTotal) {
      best = i;
      bestTotal = total;
      ties = 0;
      tied[ties++] = i;
    } else if (total === bestTotal) {
      tied[ties++] = i;
      if (!random && names[i]! < names[best]!) best = i;
    }
  }
  // A uniform pick among the tied hosts, as upstream's selectHost (which samples the ties as
  // a reservoir, one draw per tie; kubernetes pkg/scheduler/schedule_one.go): one draw per pod
  // here, since hundreds of identical hosts tie and the daemon's source is crypto-backed.
  if (random && ties > 1) best = tied[Math.min(ties - 1, Math.floor(random() * ties))]!;
  return best;
}

interface HostFailure {
  reasons: string[];
  failedFilter?: FilterName;
}

/** Every failing filter of host i for the pod, in filter order. */
function hostFailures(
  state: ClusterState,
  i: number,
  pod: SchedulingPod,
  portKeys: readonly string[],
): HostFailure {
  const host = state.hosts[i]!;
  const reasons: string[] = [];
  let failedFilter: FilterName | undefined;
  const fail = (filter: FilterName, reason: string) => {
    failedFilter ??= filter;
    reasons.push(reason);
  };
  if (!host.ready) fail('NodeReady', REASON_NOT_READY);
  const taint = host.taints.length > 0 ? firstUntoleratedTaint(pod.spec.tolerations, host.taints) : undefined;
  if (taint) fail('TaintToleration', untoleratedTaintReason(taint));
  if (!matchesNodeSelectorAndAffinity(pod.spec, host.labels)) fail('NodeAffinity', REASON_AFFINITY);
  if (portKeys.some((k) => state.ports[i]!.has(k))) fail('NodePorts', REASON_PORTS);
  const cpu = pod.requests.cpuMilli;
  const mem = pod.requests.memoryBytes;
  if (cpu > 0 && cpu > state.capCpu[i]! - state.reqCpu[i]!) fail('NodeResourcesFit', REASON_CPU);
  if (mem > 0 && mem > state.capMem[i]! - state.reqMem[i]!) fail('NodeResourcesFit', REASON_MEMORY);
  return { reasons, failedFilter };
}

/** The reasons Kubernetes reports for a host: those of its first failing filter only. */
function primaryReasons(f: HostFailure): string[] {
  if (!f.failedFilter) return [];
  if (f.failedFilter !== 'NodeResourcesFit') return [f.reasons[0]!];
  return f.reasons.filter((r) => r === REASON_CPU || r === REASON_MEMORY);
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

function unschedulableMessage(state: ClusterState, pod: SchedulingPod, portKeys: string[]): string {
  const perHost: string[][] = [];
  for (let i = 0; i < state.n; i++) perHost.push(primaryReasons(hostFailures(state, i, pod, portKeys)));
  return formatUnschedulable(state.n, perHost);
}

function assignedMessage(pod: SchedulingPod, host: string): string {
  return `Successfully assigned ${podKey(pod)} to ${host}`;
}

/** Why a pod would (or would not) run on each host, and where it would go. */
export function explainSchedule(
  pod: SchedulingPod,
  hosts: readonly HostView[],
  options: ScheduleOptions = {},
): ScheduleExplanation {
  const state = new ClusterState(hosts);
  const shape = state.shape(pod.spec);
  const portKeys = portKeysOf(pod);
  const failures: HostFailure[] = [];
  const feasible = new Int32Array(state.n);
  let count = 0;
  for (let i = 0; i < state.n; i++) {
    const f = hostFailures(state, i, pod, portKeys);
    failures.push(f);
    if (!f.failedFilter) feasible[count++] = i;
  }
  const scores = new Map<number, HostScore>();
  const owner = state.ownerCounts(ownerKey(pod.namespace, pod.owner.kind, pod.owner.name));
  const chosen =
    count > 0 ? scoreAndSelect(state.arrays, shape, owner, feasible, count, options.random, scores) : -1;
  const explanations: HostExplanation[] = failures.map((f, i) => {
    const e: HostExplanation = { host: state.hosts[i]!.name, fits: !f.failedFilter, reasons: f.reasons };
    if (f.failedFilter) e.failedFilter = f.failedFilter;
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
): number | string {
  const known = failed.get(pod.spec);
  if (known !== undefined && known.cpu <= pod.requests.cpuMilli && known.mem <= pod.requests.memoryBytes) {
    if (known.generation !== state.generation) {
      known.message = unschedulableMessage(state, pod, portKeysOf(pod));
      known.generation = state.generation;
    }
    return known.message;
  }
  const shape = state.shape(pod.spec);
  const portKeys = portKeysOf(pod);
  const count = collectFeasible(state.arrays, shape, pod, portKeys, feasible);
  if (count === 0) {
    const message = unschedulableMessage(state, pod, portKeys);
    failed.set(pod.spec, {
      generation: state.generation,
      message,
      cpu: pod.requests.cpuMilli,
      mem: pod.requests.memoryBytes,
    });
    return message;
  }
  const key = ownerKey(pod.namespace, pod.owner.kind, pod.owner.name);
  const chosen = scoreAndSelect(state.arrays, shape, state.ownerCounts(key), feasible, count, random);
  state.place(chosen, pod, shape, portKeys, key);
  return chosen;
}

/** Places a batch in order, charging each placement before the next pod is considered. */
export function schedulePods(
  pods: readonly SchedulingPod[],
  hosts: readonly HostView[],
  options: ScheduleOptions = {},
): ScheduleBatchResult {
  const state = new ClusterState(hosts);
  const placements = new Map<string, string>();
  const unschedulable: { pod: SchedulingPod; message: string }[] = [];
  const feasible = new Int32Array(state.n);
  // A spec that fit nowhere fits nowhere later in the batch either (placements only consume);
  // its message is recomputed only when something was placed since.
  const failed = new Map<PodSpec, FailedSpec>();
  for (const pod of pods) {
    const outcome = scheduleOne(state, pod, feasible, failed, options.random);
    if (typeof outcome === 'string') unschedulable.push({ pod, message: outcome });
    else placements.set(podKey(pod), state.hosts[outcome]!.name);
  }
  return { placements, unschedulable, hosts: state.toViews() };
}
