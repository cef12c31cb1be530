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
import { LABEL_HOSTNAME } from '../model/labels.js';
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
export { LABEL_HOSTNAME };
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/** The default profile's cluster-level defaults (podtopologyspread/plugin.go
 *  systemDefaultConstraints), ScheduleAnyway. */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly { topologyKey: string; maxSkew: number }[] = [
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
  { topologyKey: LABEL_ZONE, maxSkew: 5 },
];

const MAX_NODE_SCORE = 100;
const MAX_INT32 = 2 ** 31 - 1;

/** Which pods a constraint counts: the scheduled pod's ReplicaSet's (replicaSetKey), or a
 *  selector's in a namespace (null requirements: a nil labelSelector, which selects nothing). */
type Matcher =
  | { kind: 'replicaSet' }
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

/** A Deployment's pod without constraints of its own: the system defaults over its ReplicaSet.
 *  Shared by every such pod (thousands of Deployments in a batch build nothing). */
const REPLICASET_DEFAULTS: PodConstraints = {
  hard: [],
  soft: SYSTEM_DEFAULT_CONSTRAINTS.map((d) => ({
    ...d,
    minDomains: 1,
    honorAffinity: true,
    honorTaints: false,
    matcher: { kind: 'replicaSet' },
  })),
  own: false,
  selfMatch: [],
};

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

/** helper.DefaultSelector for a bare Pod: the merged selectors of the Services selecting it;
 *  undefined when none does (no default spreading). A Deployment's pod has its ReplicaSet's
 *  (REPLICASET_DEFAULTS): Services selecting it narrow nothing, its revision's pods share its
 *  labels. */
function serviceMatcher(pod: SchedulingPod, services: readonly SpreadService[]): Matcher | undefined {
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
      result.selfMatch.push(matches(matcher, pod.namespace, pod.labels ?? {}));
    }
  }
  if (result.own) return result;
  if (pod.owner.kind === 'Deployment') return REPLICASET_DEFAULTS;
  const matcher = serviceMatcher(pod, services);
  if (!matcher) return result;
  for (const d of SYSTEM_DEFAULT_CONSTRAINTS)
    result.soft.push({ ...d, minDomains: 1, honorAffinity: true, honorTaints: false, matcher });
  return result;
}

interface SelectorCounter {
  m: Matcher;
  counts: Int32Array;
}

const labelKey = (namespace: string, key: string, value: string) => `${namespace}\n${key}=${value}`;

/** A label every pod the selector matches carries (its first single-value Equals or In), as
 *  labelKey; undefined when it has none (or matches nothing). */
function anchorOf(m: Matcher): string | undefined {
  if (m.kind !== 'selector' || m.reqs === null) return undefined;
  for (const r of m.reqs)
    if ((r.operator === 'Equals' || r.operator === 'In') && r.values.length === 1)
      return labelKey(m.namespace, r.key, r.values[0]!);
  return undefined;
}

/** A pod matches a selector matcher (ReplicaSet matchers count by key, never pod by pod). */
function matches(m: Matcher, namespace: string, labels: Readonly<Labels>): boolean {
  if (m.kind !== 'selector') return false;
  return m.reqs !== null && namespace === m.namespace && requirementsMatch(m.reqs, labels);
}

/** The batch's spreading state: pods per host from the views, counts per selector built on
 *  first use and charged per placement. */
export class SpreadState {
  private readonly n: number;
  private readonly views: readonly HostView[];
  /** ReplicaSet -> its pods per host index (sparse: a ReplicaSet is on few hosts), built once
   *  on the first ReplicaSet counted. A dense array per ReplicaSet cost more than the scoring
   *  (an off-heap allocation each, thousands of Deployments per batch). */
  private sets: Map<string, Map<number, number>> | undefined;
  /** The ReplicaSet whose counts `setScratch` holds (dense, by host index). */
  private loadedSet: Map<number, number> | undefined;
  private readonly setScratch: Int32Array;
  /** Selector -> its pods per host (one per spread group: thousands in a large batch). */
  private readonly counters = new Map<string, Int32Array>();
  /** Counters by their anchor label (anchorOf), so a placement charges only the counters its
   *  labels can satisfy and a new counter walks only the pods with its anchor label; those
   *  without an anchor are checked against every pod. */
  private readonly anchoredCounters = new Map<string, SelectorCounter[]>();
  private readonly unanchoredCounters: SelectorCounter[] = [];
  /** Pods by label (labelKey), [host index, pod]: built when the first counter needs it. */
  private byLabel: Map<string, [number, SpreadPod][]> | undefined;
  /** This batch's placements, for counters built after them. */
  private readonly placed: [number, SpreadPod][] = [];
  private readonly topologies = new Map<string, Topology>();
  private readonly inclusion = new Map<PodSpec, { affinity: Uint8Array; taints: Uint8Array }>();
  private readonly constraints = new Map<PodSpec, { pod: SchedulingPod; c: PodConstraints }>();
  /** Per constraint set: the soft constraints that can score a host, and their topologies. */
  private readonly scorings = new Map<PodConstraints, { soft: Constraint[]; topologies: Topology[] }>();
  private filterCache: { pod: SchedulingPod; version: number; state: FilterState } | undefined;
  private version = 0;
  /** Scratch: the normalized scores of the last scored pod, by host index. */
  readonly scores: Int32Array;
  /** Scratch: the raw scores being summed, by host index. */
  private readonly raw: Float64Array;

  constructor(
    private readonly hosts: readonly ObservedHost[],
    views: readonly HostView[],
    private readonly services: readonly SpreadService[] = [],
  ) {
    this.n = hosts.length;
    this.views = views;
    this.scores = new Int32Array(this.n);
    this.raw = new Float64Array(this.n);
    this.setScratch = new Int32Array(this.n);
  }

  /** The pod's constraints; pods of one template share them (same spec, labels, revision). */
  private of(pod: SchedulingPod): PodConstraints {
    if ((pod.spec.topologySpreadConstraints?.length ?? 0) === 0 && pod.owner.kind === 'Deployment')
      return REPLICASET_DEFAULTS;
    const cached = this.constraints.get(pod.spec);
    const p = cached?.pod;
    if (
      p &&
      p.labels === pod.labels &&
      p.namespace === pod.namespace &&
      p.templateHash === pod.templateHash &&
      p.owner.kind === pod.owner.kind &&
      p.owner.name === pod.owner.name
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

  /** Matching pods per host for the matcher, this batch's placements included. A
   *  ReplicaSet's are valid until another ReplicaSet's are asked for (one shared array). */
  private counts(m: Matcher, pod: SchedulingPod): Int32Array {
    if (m.kind === 'replicaSet') return this.setCounts(replicaSetKey(pod) ?? '');
    const cached = this.counters.get(m.key);
    if (cached) return cached;
    const counts = new Int32Array(this.n);
    const anchor = anchorOf(m);
    if (anchor === undefined) {
      this.views.forEach((v, i) => {
        for (const p of v.spreadPods ?? []) if (matches(m, p.namespace, p.labels)) counts[i]!++;
      });
      for (const [i, p] of this.placed) if (matches(m, p.namespace, p.labels)) counts[i]!++;
      this.unanchoredCounters.push({ m, counts });
    } else {
      for (const [i, p] of this.podsByLabel().get(anchor) ?? [])
        if (matches(m, p.namespace, p.labels)) counts[i]!++;
      const list = this.anchoredCounters.get(anchor);
      if (list) list.push({ m, counts });
      else this.anchoredCounters.set(anchor, [{ m, counts }]);
    }
    this.counters.set(m.key, counts);
    return counts;
  }

  private podsByLabel(): Map<string, [number, SpreadPod][]> {
    if (this.byLabel) return this.byLabel;
    this.byLabel = new Map();
    this.views.forEach((v, i) => {
      for (const p of v.spreadPods ?? []) this.indexByLabel(i, p);
    });
    for (const [i, p] of this.placed) this.indexByLabel(i, p);
    return this.byLabel;
  }

  private indexByLabel(i: number, p: SpreadPod): void {
    for (const k in p.labels) {
      const key = labelKey(p.namespace, k, p.labels[k]!);
      const list = this.byLabel!.get(key);
      if (list) list.push([i, p]);
      else this.byLabel!.set(key, [[i, p]]);
    }
  }

  private setCounts(key: string): Int32Array {
    this.sets ??= this.buildSets();
    let set = this.sets.get(key);
    if (!set) {
      set = new Map();
      this.sets.set(key, set);
    }
    const scratch = this.setScratch;
    if (this.loadedSet !== set) {
      if (this.loadedSet) for (const i of this.loadedSet.keys()) scratch[i] = 0;
      for (const [i, v] of set) scratch[i] = v;
      this.loadedSet = set;
    }
    return scratch;
  }

  private buildSets(): Map<string, Map<number, number>> {
    const sets = new Map<string, Map<number, number>>();
    const add = (i: number, key: string) => {
      let set = sets.get(key);
      if (!set) {
        set = new Map();
        sets.set(key, set);
      }
      set.set(i, (set.get(i) ?? 0) + 1);
    };
    this.views.forEach((v, i) => {
      for (const p of v.spreadPods ?? []) if (p.replicaSet) add(i, p.replicaSet);
    });
    for (const [i, p] of this.placed) if (p.replicaSet) add(i, p.replicaSet);
    return sets;
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
    const set = replicaSet && this.sets?.get(replicaSet);
    if (set) {
      set.set(i, (set.get(i) ?? 0) + 1);
      if (this.loadedSet === set) this.setScratch[i]!++;
    } else if (replicaSet && this.sets) this.sets.set(replicaSet, new Map([[i, 1]]));
    if (this.byLabel) this.indexByLabel(i, p);
    // A counter sits under one anchor, and a pod has each label key once: charged at most once.
    for (const k in p.labels)
      for (const { m, counts } of this.anchoredCounters.get(labelKey(p.namespace, k, p.labels[k]!)) ?? [])
        if (matches(m, p.namespace, p.labels)) counts[i]!++;
    for (const { m, counts } of this.unanchoredCounters) if (matches(m, p.namespace, p.labels)) counts[i]!++;
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
    const counts = cs.hard.map((h) => this.counts(h.matcher, pod));
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
    let scoring = this.scorings.get(cs);
    if (!scoring) {
      scoring = this.scoringOf(cs);
      this.scorings.set(cs, scoring);
    }
    const { soft, topologies } = scoring;
    if (soft.length === 0) return null;
    if (!cs.own && soft.length === 1 && soft[0]!.topologyKey === LABEL_HOSTNAME)
      return this.scoreHostnameOnly(pod, soft[0]!, feasible, count);
    // requireAllTopologies (own constraints only): a host without every key scores 0.
    const ignored = cs.own ? this.ignoredHosts(topologies) : null;
    const raw = this.raw;
    for (let k = 0; k < count; k++) raw[feasible[k]!] = 0;
    for (let j = 0; j < soft.length; j++)
      this.addScores(pod, soft[j]!, topologies[j]!, feasible, count, ignored);
    return this.normalize(feasible, count, ignored);
  }

  /** The usual case (system defaults, no host with a zone label), in two passes: the raw
   *  score grows with the host's count, so the counts' extremes give the raw extremes. */
  private scoreHostnameOnly(
    pod: SchedulingPod,
    c: Constraint,
    feasible: Int32Array,
    count: number,
  ): Int32Array {
    const counts = this.counts(c.matcher, pod);
    const scores = this.scores;
    const weight = Math.log(count + 2);
    const offset = c.maxSkew - 1;
    let least = MAX_INT32;
    let most = 0;
    for (let k = 0; k < count; k++) {
      const v = counts[feasible[k]!]!;
      if (v < least) least = v;
      if (v > most) most = v;
    }
    const min = Math.round(least * weight + offset);
    const max = Math.round(most * weight + offset);
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      scores[i] =
        max === 0
          ? MAX_NODE_SCORE
          : Math.floor((MAX_NODE_SCORE * (max + min - Math.round(counts[i]! * weight + offset))) / max);
    }
    return scores;
  }

  private scoringOf(cs: PodConstraints): { soft: Constraint[]; topologies: Topology[] } {
    // Without a host carrying its key, a system default constraint scores no host.
    const soft = cs.own ? cs.soft : cs.soft.filter((c) => this.topology(c.topologyKey).size > 0);
    return { soft, topologies: soft.map((c) => this.topology(c.topologyKey)) };
  }

  private ignoredHosts(topologies: readonly Topology[]): Uint8Array {
    const ignored = new Uint8Array(this.n);
    for (const t of topologies) for (let i = 0; i < this.n; i++) if (t.domain[i]! < 0) ignored[i] = 1;
    return ignored;
  }

  /** One constraint's scoreForCount on every feasible host with its key: count *
   *  log(domains + 2) + maxSkew - 1 (the domains: of the feasible hosts scored, a missing key
   *  being one of its own when keys are not all required; the count: the host's own for
   *  hostname, else its domain's over every host passing the inclusion policies). */
  private addScores(
    pod: SchedulingPod,
    c: Constraint,
    t: Topology,
    feasible: Int32Array,
    count: number,
    ignored: Uint8Array | null,
  ): void {
    const counts = this.counts(c.matcher, pod);
    const raw = this.raw;
    const offset = c.maxSkew - 1;
    const missing = t.size;
    if (c.topologyKey === LABEL_HOSTNAME) {
      let size = 0;
      for (let k = 0; k < count; k++) if (!ignored || ignored[feasible[k]!] === 0) size++;
      const weight = Math.log(size + 2);
      for (let k = 0; k < count; k++) {
        const i = feasible[k]!;
        if (!ignored || ignored[i] === 0) raw[i] = raw[i]! + counts[i]! * weight + offset;
      }
      return;
    }
    const present = new Uint8Array(missing + 1);
    let size = 0;
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      if (ignored && ignored[i] === 1) continue;
      const d = t.domain[i]! < 0 ? missing : t.domain[i]!;
      if (present[d] === 0) size++;
      present[d] = 1;
    }
    const perDomain = new Float64Array(missing + 1);
    for (let i = 0; i < this.n; i++) {
      if ((ignored && ignored[i] === 1) || !this.included(c, pod.spec, i)) continue;
      const d = t.domain[i]! < 0 ? missing : t.domain[i]!;
      if (present[d] === 1) perDomain[d] = perDomain[d]! + counts[i]!;
    }
    const weight = Math.log(size + 2);
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      const d = t.domain[i]!;
      if (d >= 0 && (!ignored || ignored[i] === 0)) raw[i] = raw[i]! + perDomain[d]! * weight + offset;
    }
  }

  /** Rounds each raw score, then NormalizeScore: 100 * (max + min - score) / max, ignored
   *  hosts 0, every host 100 when the highest is 0. */
  private normalize(feasible: Int32Array, count: number, ignored: Uint8Array | null): Int32Array {
    const { raw, scores } = this;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      if (ignored && ignored[i] === 1) continue;
      const s = Math.round(raw[i]!);
      raw[i] = s;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let k = 0; k < count; k++) {
      const i = feasible[k]!;
      if (ignored && ignored[i] === 1) scores[i] = 0;
      else
        scores[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - raw[i]!)) / max);
    }
    return scores;
  }
}
