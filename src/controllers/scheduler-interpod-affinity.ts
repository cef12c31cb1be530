// The InterPodAffinity plugin (kubernetes pkg/scheduler/framework/plugins/interpodaffinity):
// required pod affinity and anti-affinity as a filter, preferred terms as a score, both
// symmetric (existing pods' required anti-affinity repels the incoming pod; existing pods'
// required affinity, at hardPodAffinityWeight 1, and preferred terms attract or repel it). Pure.
//
// A topology domain is a pair (topologyKey, the host's value for it): hosts without the label
// are in no domain. `kubernetes.io/hostname` is always the host's name.
//
// As upstream's PreFilter/AddPod: the counts one pod is judged by (per topology pair) are built
// once per distinct pod (spec, namespace, labels) by a scan of the placed pods, then charged
// placement by placement, so a batch of replicas with anti-affinity spreads like a sequence of
// scheduling cycles at the cost of one scan.
//
// Namespaces: skiff has no Namespace objects, so a namespaceSelector sees only the label
// `kubernetes.io/metadata.name` (the API server sets it on every namespace): `{}` selects every
// namespace. matchLabelKeys/mismatchLabelKeys are merged into the labelSelector from the pod's
// own labels, as the API server does when the pod is created.

import {
  LabelSelectorError,
  labelSelectorRequirements,
  type Requirement,
  requirementsMatch,
} from '../manifest/label-selector.js';
import type { Affinity, LabelSelector, Labels, PodAffinityTerm } from '../model/k8s.js';
import { LABEL_HOSTNAME } from '../model/labels.js';
import type { ObservedHost } from '../model/observed.js';

export const REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** InterPodAffinityArgs.hardPodAffinityWeight's default. */
const HARD_POD_AFFINITY_WEIGHT = 1;
const MAX_NODE_SCORE = 100;

/** A pod as this plugin sees it: where it lives, its labels, its processed terms. */
export interface AffinityPod {
  namespace: string;
  labels: Labels;
  affinity?: Affinity | undefined;
}

/** framework.AffinityTerm: the term with its namespaces and selectors resolved. */
export interface Term {
  namespaces: ReadonlySet<string>;
  /** undefined: selects nothing (a nil selector). */
  namespaceSelector: Requirement[] | undefined;
  selector: Requirement[] | undefined;
  topologyKey: string;
  weight: number;
}

/** framework.PodInfo's affinity part. */
export interface PodInfo {
  namespace: string;
  labels: Labels;
  required: Term[];
  requiredAnti: Term[];
  preferred: Term[];
  preferredAnti: Term[];
  /** Any term at all (upstream's PodsWithAffinity). */
  hasTerms: boolean;
}

function requirementsOf(selector: LabelSelector | undefined): Requirement[] | undefined {
  if (!selector) return undefined;
  try {
    return labelSelectorRequirements(selector);
  } catch (err) {
    // Admission refuses malformed selectors; one read back from a host selects nothing.
    if (err instanceof LabelSelectorError) return undefined;
    throw err;
  }
}

/** applyMatchLabelKeysAndMismatchLabelKeys (pkg/registry/core/pod/strategy.go). */
function mergedSelector(term: PodAffinityTerm, labels: Labels): LabelSelector | undefined {
  const selector = term.labelSelector;
  const match = term.matchLabelKeys ?? [];
  const mismatch = term.mismatchLabelKeys ?? [];
  if (!selector || (match.length === 0 && mismatch.length === 0)) return selector;
  const exprs = [...(selector.matchExpressions ?? [])];
  for (const key of match)
    if (Object.hasOwn(labels, key)) exprs.push({ key, operator: 'In', values: [labels[key]!] });
  for (const key of mismatch)
    if (Object.hasOwn(labels, key)) exprs.push({ key, operator: 'NotIn', values: [labels[key]!] });
  return { ...selector, matchExpressions: exprs };
}

function newTerm(term: PodAffinityTerm, pod: AffinityPod, weight: number): Term {
  const namespaces = term.namespaces ?? [];
  return {
    // GetNamespacesFromPodAffinityTerm: no namespaces and no selector means the pod's own.
    namespaces: new Set(namespaces.length === 0 && !term.namespaceSelector ? [pod.namespace] : namespaces),
    namespaceSelector: requirementsOf(term.namespaceSelector),
    selector: requirementsOf(mergedSelector(term, pod.labels)),
    topologyKey: term.topologyKey,
    weight,
  };
}

const NO_TERMS: Term[] = [];

export function podInfoOf(pod: AffinityPod): PodInfo {
  const a = pod.affinity;
  const required = (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
    newTerm(t, pod, 1),
  );
  const requiredAnti = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
    newTerm(t, pod, 1),
  );
  const preferred = (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) =>
    newTerm(w.podAffinityTerm, pod, w.weight),
  );
  const preferredAnti = (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) =>
    newTerm(w.podAffinityTerm, pod, w.weight),
  );
  const hasTerms = required.length + requiredAnti.length + preferred.length + preferredAnti.length > 0;
  return {
    namespace: pod.namespace,
    labels: pod.labels,
    required: required.length > 0 ? required : NO_TERMS,
    requiredAnti: requiredAnti.length > 0 ? requiredAnti : NO_TERMS,
    preferred: preferred.length > 0 ? preferred : NO_TERMS,
    preferredAnti: preferredAnti.length > 0 ? preferredAnti : NO_TERMS,
    hasTerms,
  };
}

/** AffinityTerm.Matches: the pod's namespace is in the term's (by name or by selector), and
 *  the term's selector selects the pod's labels. */
function termMatches(t: Term, pod: PodInfo): boolean {
  if (!t.selector) return false;
  const inNamespace =
    t.namespaces.has(pod.namespace) ||
    (t.namespaceSelector !== undefined &&
      requirementsMatch(t.namespaceSelector, { [NAMESPACE_NAME_LABEL]: pod.namespace }));
  return inNamespace && requirementsMatch(t.selector, pod.labels);
}

/** podMatchesAllAffinityTerms: false for no terms. */
function matchesAll(terms: readonly Term[], pod: PodInfo): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod)) return false;
  return true;
}

const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

function bump(m: Map<string, number>, key: string, value: string, by: number): void {
  const k = pairKey(key, value);
  m.set(k, (m.get(k) ?? 0) + by);
}

/** The pre-filter and pre-score state of one incoming pod, charged as pods are placed. */
export interface AffinityCycle {
  pod: PodInfo;
  /** Topology pairs -> existing pods whose required anti-affinity matches the pod. */
  existingAnti: Map<string, number>;
  /** Topology pairs -> existing pods matching all the pod's required affinity terms. */
  affinity: Map<string, number>;
  /** Topology pairs -> existing pods matching one of the pod's required anti-affinity terms. */
  anti: Map<string, number>;
  /** topologyKey -> value -> raw score (the preScoreState's topologyScore). */
  score: Map<string, Map<string, number>>;
  hasPreferred: boolean;
}

function addScore(c: AffinityCycle, key: string, value: string, by: number): void {
  let values = c.score.get(key);
  if (!values) {
    values = new Map();
    c.score.set(key, values);
  }
  values.set(value, (values.get(value) ?? 0) + by);
}

/** How an existing pod's term concerns an incoming pod it selects. */
export type ExistingTermKind = 'requiredAnti' | 'required' | 'preferred' | 'preferredAnti';

/** Each term of an existing pod, with how it concerns the pods it selects. */
export function existingTerms(e: PodInfo): [Term, ExistingTermKind][] {
  const out: [Term, ExistingTermKind][] = [];
  for (const t of e.requiredAnti) out.push([t, 'requiredAnti']);
  for (const t of e.required) out.push([t, 'required']);
  for (const t of e.preferred) out.push([t, 'preferred']);
  for (const t of e.preferredAnti) out.push([t, 'preferredAnti']);
  return out;
}

/** One term of an existing pod on a host with `host` labels, against the incoming pod:
 *  required anti-affinity repels (the filter's symmetry); required affinity attracts at
 *  hardPodAffinityWeight, preferred terms by their weight (processExistingPod). */
export function chargeExistingTerm(c: AffinityCycle, t: Term, kind: ExistingTermKind, host: Labels): void {
  const value = host[t.topologyKey];
  if (value === undefined || !termMatches(t, c.pod)) return;
  if (kind === 'requiredAnti') bump(c.existingAnti, t.topologyKey, value, 1);
  else if (kind === 'required') addScore(c, t.topologyKey, value, HARD_POD_AFFINITY_WEIGHT);
  else addScore(c, t.topologyKey, value, kind === 'preferred' ? t.weight : -t.weight);
}

/** The incoming pod's terms against one existing pod `e` on a host with `host` labels. */
export function chargeIncoming(c: AffinityCycle, e: PodInfo, host: Labels): void {
  const p = c.pod;
  if (p.required.length > 0 && matchesAll(p.required, e))
    for (const t of p.required) {
      const value = host[t.topologyKey];
      if (value !== undefined) bump(c.affinity, t.topologyKey, value, 1);
    }
  for (const t of p.requiredAnti) {
    const value = host[t.topologyKey];
    if (value !== undefined && termMatches(t, e)) bump(c.anti, t.topologyKey, value, 1);
  }
  for (const t of p.preferred) {
    const value = host[t.topologyKey];
    if (value !== undefined && termMatches(t, e)) addScore(c, t.topologyKey, value, t.weight);
  }
  for (const t of p.preferredAnti) {
    const value = host[t.topologyKey];
    if (value !== undefined && termMatches(t, e)) addScore(c, t.topologyKey, value, -t.weight);
  }
}

/** Where a term's candidates can be looked up: its namespaces and one key with the values it
 *  requires (an `=`/`In` requirement); undefined when it can select any pod (a namespace
 *  selector, or no such requirement), and every pod must be tried. */
export function termIndexKeys(t: Term): string[] | undefined {
  if (t.namespaceSelector !== undefined || !t.selector) return t.selector ? undefined : [];
  const req = t.selector.find((r) => r.operator === 'Equals' || r.operator === 'In');
  if (!req) return undefined;
  const keys: string[] = [];
  for (const ns of t.namespaces) for (const v of req.values) keys.push(podIndexKey(ns, req.key, v));
  return keys;
}

export function podIndexKey(namespace: string, key: string, value: string): string {
  return `${namespace}\u0000${key}\u0000${value}`;
}

export function newCycle(pod: PodInfo): AffinityCycle {
  return {
    pod,
    existingAnti: new Map(),
    affinity: new Map(),
    anti: new Map(),
    score: new Map(),
    hasPreferred: pod.preferred.length + pod.preferredAnti.length > 0,
  };
}

/** satisfyPodAffinity, with the first-pod-of-a-group exception: a pod whose required terms
 *  select itself may go where its topology keys exist when no pod matches them anywhere. */
function satisfiesAffinity(c: AffinityCycle, host: Labels): boolean {
  let podsExist = true;
  for (const t of c.pod.required) {
    const value = host[t.topologyKey];
    if (value === undefined) return false;
    if ((c.affinity.get(pairKey(t.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  return podsExist || (c.affinity.size === 0 && matchesAll(c.pod.required, c.pod));
}

function satisfiesAntiAffinity(c: AffinityCycle, host: Labels): boolean {
  for (const t of c.pod.requiredAnti) {
    const value = host[t.topologyKey];
    if (value !== undefined && (c.anti.get(pairKey(t.topologyKey, value)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfiesExistingAntiAffinity(c: AffinityCycle, host: Labels): boolean {
  if (c.existingAnti.size === 0) return true;
  for (const key in host) if ((c.existingAnti.get(pairKey(key, host[key]!)) ?? 0) > 0) return false;
  return true;
}

/** The plugin's Filter: every failing rule's reason, in upstream's order (the first one is
 *  the host's status). */
export function interPodAffinityFailures(c: AffinityCycle, host: Labels): string[] {
  const reasons: string[] = [];
  if (!satisfiesAffinity(c, host)) reasons.push(REASON_POD_AFFINITY);
  if (!satisfiesAntiAffinity(c, host)) reasons.push(REASON_POD_ANTI_AFFINITY);
  if (!satisfiesExistingAntiAffinity(c, host)) reasons.push(REASON_EXISTING_ANTI_AFFINITY);
  return reasons;
}

/** The Filter on every host at once, for the batch loop: `out[i]` is 0 when host i passes.
 *  Anti-affinity marks the hosts of each repelling domain (`hostsByPair`: host indices by
 *  pairKey) instead of looking every host's labels up, so a pod costs the domains it is
 *  barred from, not hosts x labels. */
export function interPodAffinityVerdicts(
  c: AffinityCycle,
  hostLabels: readonly Labels[],
  hostsByPair: ReadonlyMap<string, readonly number[]>,
  out: Uint8Array,
): Uint8Array {
  out.fill(0);
  if (c.pod.required.length > 0)
    for (let i = 0; i < out.length; i++) if (!satisfiesAffinity(c, hostLabels[i]!)) out[i] = 1;
  for (const counts of [c.anti, c.existingAnti])
    for (const [pair, count] of counts)
      if (count > 0) for (const i of hostsByPair.get(pair) ?? []) out[i] = 1;
  return out;
}

/** Host indices by topology pair: every label of every host. */
export function hostsByTopologyPair(hostLabels: readonly Labels[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  hostLabels.forEach((labels, i) => {
    for (const key in labels) {
      const k = pairKey(key, labels[key]!);
      const list = m.get(k);
      if (list) list.push(i);
      else m.set(k, [i]);
    }
  });
  return m;
}

/** Score then NormalizeScore over the feasible hosts: each host's raw sum over the topology
 *  scores, scaled so the lowest (possibly negative) is 0 and the highest 100. Writes `out[i]`
 *  for every feasible i and returns `out`; undefined (every host 0) when nothing scored, as
 *  upstream skips the plugin. */
export function interPodAffinityScores(
  c: AffinityCycle | undefined,
  hostLabels: readonly Labels[],
  feasible: Int32Array,
  count: number,
  out: Float64Array,
): Float64Array | undefined {
  if (!c || c.score.size === 0) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    const host = hostLabels[i]!;
    let raw = 0;
    for (const [key, values] of c.score) {
      const value = host[key];
      if (value !== undefined) raw += values.get(value) ?? 0;
    }
    out[i] = raw;
    if (raw < min) min = raw;
    if (raw > max) max = raw;
  }
  const diff = max - min;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    out[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((out[i]! - min) / diff)) : 0;
  }
  return out;
}

/** The labels topology keys are read from: the host's, plus kubernetes.io/hostname. */
export function topologyLabels(host: ObservedHost): Labels {
  return { ...host.labels, [LABEL_HOSTNAME]: host.name };
}
