// PodTopologySpread (kubernetes pkg/scheduler/framework/plugins/podtopologyspread): how a pod's
// replicas spread over the hosts' topology domains. Pure; one SpreadState per batch, charged
// per placement like the resources.
//
// - Filter (whenUnsatisfiable DoNotSchedule, filtering.go): a host without every constraint's
//   topologyKey fails with "(missing required label)"; otherwise, per constraint, the matching
//   pods in the host's domain + 1 if the pod matches its own selector - the global minimum
//   must not exceed maxSkew. The minimum is over the domains of the hosts that carry every
//   key and pass the node inclusion policies (nodeAffinityPolicy Honor: the pod's nodeSelector
//   and required node affinity; nodeTaintsPolicy Honor: its tolerations), and is 0 while
//   fewer than minDomains domains exist.
// - Score (ScheduleAnyway, scoring.go): per host, the sum over constraints of count *
//   log(domains + 2) + maxSkew - 1, rounded, then normalized so the fewest matching pods
//   scores 100: 100 * (max + min - score) / max.
// - A pod with no constraints of its own gets the default profile's system defaults
//   (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) over DefaultSelector: its ReplicaSet
//   (a Deployment's pods of one revision: skiff keeps no ReplicaSets, the owner and template
//   hash stand for one) or, for a bare Pod, the Services that select it. Hosts without a zone
//   label still spread by hostname (requireAllTopologies is off for system defaults).
// - Counting: the pods on each host in the pod's namespace that match the selector; the
//   views leave terminating pods out, and every placement of the batch is charged.
// `kubernetes.io/hostname` is always the host's name, whatever its labels say.
import {
  labelSelectorRequirements,
  type Requirement,
  requirementsMatch,
} from '../manifest/label-selector.js';
import type { Labels, PodSpec, TopologySpreadConstraint } from '../model/k8s.js';
import type { ObservedHost } from '../model/observed.js';
import { firstUntoleratedTaint, matchesNodeSelectorAndAffinity } from './scheduler-predicates.js';
import {
  type HostView,
  replicaSetKey,
  type SchedulingPod,
  type SpreadPod,
  type SpreadService,
} from './scheduler-types.js';

export const REASON_SPREAD = "node(s) didn't match pod topology spread constraints";
export const REASON_SPREAD_LABEL =
  "node(s) didn't match pod topology spread constraints (missing required label)";
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/** The default profile's cluster-level defaults (podtopologyspread/plugin.go
 *  systemDefaultConstraints), ScheduleAnyway. */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly { topologyKey: string; maxSkew: number }[] = [
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
  { topologyKey: LABEL_ZONE, maxSkew: 5 },
];

const MAX_NODE_SCORE = 100;
const MAX_INT32 = 2 ** 31 - 1;

/** Which pods a constraint counts: a ReplicaSet's (by key), or a selector's in a namespace
 *  (null requirements: a nil labelSelector, which selects nothing). */
type Matcher =
  | { kind: 'set'; key: string }
  | { kind: 'selector'; key: string; namespace: string; reqs: Requirement[] | null };

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  honorAffinity: boolean;
  honorTaints: boolean;
  matcher: Matcher;
}

/** The pod's constraints for one action, as filterTopologySpreadConstraints builds them. */
interface PodConstraints {
  hard: Constraint[];
  soft: Constraint[];
  /** The pod has constraints of its own (not the system defaults). */
  own: boolean;
  /** Per hard constraint: does the pod match its own selector. */
  selfMatch: boolean[];
}

/** A topology key over the hosts: each host's domain id (-1: the host lacks the key). */
interface Topology {
  domain: Int32Array;
  size: number;
}

/** What the filter precomputes for one pod (PreFilter): per hard constraint, the matching pods
 *  per domain (-1: no eligible host in the domain) and the global minimum. */
interface FilterState {
  perDomain: Int32Array[];
  min: number[];
}

export type SpreadFailure = 'label' | 'skew';

function hostLabel(host: ObservedHost, key: string): string | undefined {
  return key === LABEL_HOSTNAME ? host.name : host.labels[key];
}

function selectorMatcher(namespace: string, reqs: Requirement[] | null): Matcher {
  return { kind: 'selector', key: `${namespace}\n${JSON.stringify(reqs)}`, namespace, reqs };
}

/** The constraint's selector with matchLabelKeys merged in from the pod's labels. */
function ownMatcher(c: TopologySpreadConstraint, pod: SchedulingPod): Matcher {
  if (!c.labelSelector) return selectorMatcher(pod.namespace, null);
  const reqs = labelSelectorRequirements(c.labelSelector);
  const labels = pod.labels ?? {};
  for (const key of c.matchLabelKeys ?? [])
    if (Object.hasOwn(labels, key)) reqs.push({ key, operator: 'Equals', values: [labels[key]!] });
  return selectorMatcher(pod.namespace, reqs);
}

/** helper.DefaultSelector: the pod's ReplicaSet, else the merged selectors of the Services
 *  selecting it; undefined when nothing selects it (no default spreading). */
function defaultMatcher(pod: SchedulingPod, services: readonly SpreadService[]): Matcher | undefined {
  const replicaSet = replicaSetKey(pod);
  if (replicaSet) return { kind: 'set', key: replicaSet };
  const labels = pod.labels ?? {};
  const merged: Record<string, string> = {};
  let any = false;
  for (const s of services) {
    const keys = Object.keys(s.selector);
    if (s.namespace !== pod.namespace || keys.length === 0) continue;
    if (!keys.every((k) => labels[k] === s.selector[k])) continue;
    Object.assign(merged, s.selector);
    any = true;
  }
  if (!any) return undefined;
  const reqs: Requirement[] = Object.entries(merged).map(([key, v]) => ({
    key,
    operator: 'Equals',
    values: [v],
  }));
  return selectorMatcher(pod.namespace, reqs);
}

function podConstraints(pod: SchedulingPod, services: readonly SpreadService[]): PodConstraints {
  const declared = pod.spec.topologySpreadConstraints ?? [];
  const result: PodConstraints = { hard: [], soft: [], own: declared.length > 0, selfMatch: [] };
  for (const c of declared) {
    const matcher = ownMatcher(c, pod);
    const constraint: Constraint = {
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      minDomains: c.minDomains ?? 1,
      honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      matcher,
    };
    if (c.whenUnsatisfiable === 'ScheduleAnyway') result.soft.push(constraint);
    else {
      result.hard.push(constraint);
      result.selfMatch.push(matches(matcher, pod.namespace, pod.labels ?? {}, replicaSetKey(pod)));
    }
  }
  if (result.own) return result;
  const matcher = defaultMatcher(pod, services);
  if (!matcher) return result;
  for (const d of SYSTEM_DEFAULT_CONSTRAINTS)
    result.soft.push({ ...d, minDomains: 1, honorAffinity: true, honorTaints: false, matcher });
  return result;
}

function matches(
  m: Matcher,
  namespace: string,
  labels: Readonly<Labels>,
  replicaSet: string | undefined,
): boolean {
  if (m.kind === 'set') return replicaSet === m.key;
  return m.reqs !== null && namespace === m.namespace && requirementsMatch(m.reqs, labels);
}

/** The batch's spreading state: pods per host from the views, counts per selector built on
 *  first use and charged per placement. */
export class SpreadState {
  private readonly n: number;
  private readonly views: readonly HostView[];
  /** ReplicaSet -> flat [host, count, ...]: built once, on the first ReplicaSet counted. */
  private setIndex: Map<string, number[]> | undefined;
  private readonly counters = new Map<string, Int32Array>();
  private readonly selectorCounters: { m: Matcher; counts: Int32Array }[] = [];
  /** This batch's placements, for counters built after them. */
  private readonly placed: [number, SpreadPod][] = [];
  private readonly topologies = new Map<string, Topology>();
  private readonly inclusion = new Map<PodSpec, { affinity: Uint8Array; taints: Uint8Array }>();
  private readonly constraints = new Map<PodSpec, { pod: SchedulingPod; c: PodConstraints }>();
  private filterCache: { pod: SchedulingPod; version: number; state: FilterState } | undefined;
  private version = 0;
  /** Scratch: the normalized scores of the last scored pod, by host index. */
  readonly scores: Int32Array;

  constructor(
    private readonly hosts: readonly ObservedHost[],
    views: readonly HostView[],
    private readonly services: readonly SpreadService[] = [],
  ) {
    this.n = hosts.length;
    this.views = views;
    this.scores = new Int32Array(this.n);
  }

  /** The pod's constraints; pods of one template share them (same spec, labels, revision). */
  private of(pod: SchedulingPod): PodConstraints {
    const cached = this.constraints.get(pod.spec);
    const p = cached?.pod;
    if (
      p &&
      p.labels === pod.labels &&
      p.namespace === pod.namespace &&
      replicaSetKey(p) === replicaSetKey(pod)
    )
      return cached.c;
    const c = podConstraints(pod, this.services);
    this.constraints.set(pod.spec, { pod, c });
    return c;
  }

  /** Does the pod have DoNotSchedule constraints (then placements can make hosts feasible). */
  hasHard(pod: SchedulingPod): boolean {
    return (pod.spec.topologySpreadConstraints?.length ?? 0) > 0 && this.of(pod).hard.length > 0;
  }

  private topology(key: string): Topology {
    let t = this.topologies.get(key);
    if (t) return t;
    const domain = new Int32Array(this.n);
    const ids = new Map<string, number>();
    for (let i = 0; i < this.n; i++) {
      const v = hostLabel(this.hosts[i]!, key);
      if (v === undefined) domain[i] = -1;
      else {
        let id = ids.get(v);
        if (id === undefined) {
          id = ids.size;
          ids.set(v, id);
        }
        domain[i] = id;
      }
    }
    t = { domain, size: ids.size };
    this.topologies.set(key, t);
    return t;
  }

  /** matchNodeInclusionPolicies' inputs for a spec: node affinity and taints per host. */
  private inclusionOf(spec: PodSpec): { affinity: Uint8Array; taints: Uint8Array } {
    let inc = this.inclusion.get(spec);
    if (inc) return inc;
    inc = { affinity: new Uint8Array(this.n), taints: new Uint8Array(this.n) };
    for (let i = 0; i < this.n; i++) {
      const h = this.hosts[i]!;
      inc.affinity[i] = matchesNodeSelectorAndAffinity(spec, h.labels) ? 1 : 0;
      // A NotReady host carries the not-ready NoSchedule taint upstream.
      const tainted = !h.ready || (h.taints.length > 0 && firstUntoleratedTaint(spec.tolerations, h.taints));
      inc.taints[i] = tainted ? 0 : 1;
    }
    this.inclusion.set(spec, inc);
    return inc;
  }

  private included(c: Constraint, spec: PodSpec, i: number): boolean {
    if (!c.honorAffinity && !c.honorTaints) return true;
    const inc = this.inclusionOf(spec);
    return (!c.honorAffinity || inc.affinity[i] === 1) && (!c.honorTaints || inc.taints[i] === 1);
  }

  /** Matching pods per host for the matcher, this batch's placements included. */
  private counts(m: Matcher): Int32Array {
    const cached = this.counters.get(m.key);
    if (cached) return cached;
    const counts = new Int32Array(this.n);
    if (m.kind === 'set') {
      this.setIndex ??= this.buildSetIndex();
      const list = this.setIndex.get(m.key) ?? [];
      for (let k = 0; k < list.length; k += 2) counts[list[k]!] = counts[list[k]!]! + list[k + 1]!;
    } else {
      this.views.forEach((v, i) => {
        for (const p of v.spreadPods ?? []) if (matches(m, p.namespace, p.labels, p.replicaSet)) counts[i]!++;
      });
      for (const [i, p] of this.placed) if (matches(m, p.namespace, p.labels, p.replicaSet)) counts[i]!++;
      this.selectorCounters.push({ m, counts });
    }
    this.counters.set(m.key, counts);
    return counts;
  }

  private buildSetIndex(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    const add = (i: number, key: string) => {
      const list = index.get(key);
      if (list) list.push(i, 1);
      else index.set(key, [i, 1]);
    };
    this.views.forEach((v, i) => {
      for (const p of v.spreadPods ?? []) if (p.replicaSet) add(i, p.replicaSet);
    });
    for (const [i, p] of this.placed) if (p.replicaSet) add(i, p.replicaSet);
    return index;
  }

  /** Charges a placement to every counter it matches (the cache's AddPod). */
  place(i: number, pod: SchedulingPod): void {
    const replicaSet = replicaSetKey(pod);
    const p: SpreadPod = {
      namespace: pod.namespace,
      labels: pod.labels ?? {},
      ...(replicaSet ? { replicaSet } : {}),
    };
    this.placed.push([i, p]);
    if (replicaSet) {
      const counts = this.counters.get(replicaSet);
      if (counts) counts[i]!++;
      else if (this.setIndex) {
        const list = this.setIndex.get(replicaSet);
        if (list) list.push(i, 1);
        else this.setIndex.set(replicaSet, [i, 1]);
      }
    }
    for (const { m, counts } of this.selectorCounters)
      if (matches(m, p.namespace, p.labels, replicaSet)) counts[i]!++;
    this.version++;
  }

  /** The pods counted on each host, this batch's placements included. */
  podsByHost(): SpreadPod[][] {
    const pods = this.views.map((v) => [...(v.spreadPods ?? [])]);
    for (const [i, p] of this.placed) pods[i]!.push(p);
    return pods;
  }

  /** PreFilter: matching pods per domain and the global minimum, per hard constraint. */
  private filterState(pod: SchedulingPod, cs: PodConstraints): FilterState {
    const c = this.filterCache;
    if (c && c.pod === pod && c.version === this.version) return c.state;
    const topologies = cs.hard.map((h) => this.topology(h.topologyKey));
    const perDomain = topologies.map((t) => new Int32Array(t.size).fill(-1));
    const counts = cs.hard.map((h) => this.counts(h.matcher));
    for (let i = 0; i < this.n; i++) {
      if (topologies.some((t) => t.domain[i]! < 0)) continue;
      cs.hard.forEach((h, k) => {
        if (!this.included(h, pod.spec, i)) return;
        const d = topologies[k]!.domain[i]!;
        perDomain[k]![d] = Math.max(perDomain[k]![d]!, 0) + counts[k]![i]!;
      });
    }
    const min = cs.hard.map((h, k) => {
      let domains = 0;
      let least = MAX_INT32;
      for (const v of perDomain[k]!)
        if (v >= 0) {
          domains++;
          if (v < least) least = v;
        }
      return domains < h.minDomains ? 0 : least;
    });
    const state = { perDomain, min };
    this.filterCache = { pod, version: this.version, state };
    return state;
  }

  /** Filter on host i: why the pod's DoNotSchedule constraints refuse it, if they do. */
  failure(pod: SchedulingPod, i: number): SpreadFailure | undefined {
    if ((pod.spec.topologySpreadConstraints?.length ?? 0) === 0) return undefined;
    const cs = this.of(pod);
    if (cs.hard.length === 0) return undefined;
    const state = this.filterState(pod, cs);
    for (let k = 0; k < cs.hard.length; k++) {
      const h = cs.hard[k]!;
      const d = this.topology(h.topologyKey).domain[i]!;
      if (d < 0) return 'label';
      const matchNum = Math.max(state.perDomain[k]![d]!, 0);
      if (matchNum + (cs.selfMatch[k] ? 1 : 0) - state.min[k]! > h.maxSkew) return 'skew';
    }
    return undefined;
  }

  /** The feasible hosts that pass the filter stay in `feasible`; returns how many. */
  keepFeasible(pod: SchedulingPod, feasible: Int32Array, count: number): number {
    if (!this.hasHard(pod)) return count;
    let kept = 0;
    for (let k = 0; k < count; k++) if (!this.failure(pod, feasible[k]!)) feasible[kept++] = feasible[k]!;
    return kept;
  }

  /** PreScore + Score + NormalizeScore over the feasible hosts, into `scores` by host index;
   *  null when no ScheduleAnyway constraint applies (upstream skips the plugin). */
  score(pod: SchedulingPod, feasible: Int32Array, count: number): Int32Array | null {
    const cs = this.of(pod);
    // Without a host carrying its key, a system default constraint scores no host.
    const soft = cs.own ? cs.soft : cs.soft.filter((c) => this.topology(c.topologyKey).size > 0);
    if (soft.length === 0) return null;
    const topologies = soft.map((c) => this.topology(c.topologyKey));
    const counts = soft.map((c) => this.counts(c.matcher));
    const ignored = (i: number) => cs.own && topologies.some((t) => t.domain[i]! < 0);
    const perDomain = this.scoreDomains(pod, soft, topologies, counts, feasible, count, ignored);
    const raw = this.scores;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      if (ignored(i)) continue;
      let s = 0;
      soft.forEach((c, j) => {
        const d = topologies[j]!.domain[i]!;
        if (d < 0) return;
        const cnt = c.topologyKey === LABEL_HOSTNAME ? counts[j]![i]! : perDomain.counts[j]![d]!;
        s += cnt * perDomain.weights[j]! + (c.maxSkew - 1);
      });
      raw[i] = Math.round(s);
      if (raw[i]! < min) min = raw[i]!;
      if (raw[i]! > max) max = raw[i]!;
    }
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      if (ignored(i)) raw[i] = 0;
      else raw[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - raw[i]!)) / max);
    }
    return raw;
  }

  /** initPreScoreState + PreScore's counting: the domains of the feasible hosts (a missing
   *  key is a domain of its own when not every key is required), each constraint's weight
   *  log(domains + 2), and the matching pods per domain over every eligible host. */
  private scoreDomains(
    pod: SchedulingPod,
    soft: Constraint[],
    topologies: Topology[],
    counts: Int32Array[],
    feasible: Int32Array,
    count: number,
    ignored: (i: number) => boolean,
  ): { weights: number[]; counts: Float64Array[] } {
    const byHost = soft.map((c) => c.topologyKey === LABEL_HOSTNAME);
    const present = topologies.map((t, j) => new Uint8Array(byHost[j] ? 0 : t.size + 1));
    const sizes = soft.map(() => 0);
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      if (ignored(i)) continue;
      topologies.forEach((t, j) => {
        if (byHost[j]) {
          sizes[j]!++;
          return;
        }
        const d = t.domain[i]! < 0 ? t.size : t.domain[i]!;
        if (present[j]![d] === 0) {
          present[j]![d] = 1;
          sizes[j]!++;
        }
      });
    }
    const perDomain = topologies.map((t, j) => new Float64Array(byHost[j] ? 0 : t.size + 1));
    soft.forEach((c, j) => {
      if (byHost[j]) return;
      const t = topologies[j]!;
      for (let i = 0; i < this.n; i++) {
        if (ignored(i) || !this.included(c, pod.spec, i)) continue;
        const d = t.domain[i]! < 0 ? t.size : t.domain[i]!;
        if (present[j]![d] === 1) perDomain[j]![d] = perDomain[j]![d]! + counts[j]![i]!;
      }
    });
    return { weights: sizes.map((s) => Math.log(s + 2)), counts: perDomain };
  }
}
