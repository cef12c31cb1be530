// The InterPodAffinity plugin's part of the batch state: the placed pods (from the host views,
// then each placement of the batch) and, per distinct incoming pod, its affinity cycle, charged
// with the placements made since it was last used (upstream's AddPod, caught up lazily, so a
// placement costs nothing for the cycles of specs already placed). A new cycle looks its
// candidates up instead of trying every placed pod: placed pods are indexed by namespace and
// label, placed pods' terms by the namespace and label they require. Pure: mutates only itself.
import type { Labels, PodSpec } from '../model/k8s.js';
import type { ObservedHost } from '../model/observed.js';
import {
  type AffinityCycle,
  type AffinityPod,
  chargeExistingTerm,
  chargeIncoming,
  type ExistingTermKind,
  existingTerms,
  hostsByTopologyPair,
  interPodAffinityVerdicts,
  newCycle,
  type PodInfo,
  podIndexKey,
  podInfoOf,
  type Term,
  termIndexKeys,
  topologyLabels,
} from './scheduler-interpod-affinity.js';
import type { SchedulingPod } from './scheduler-types.js';

const NO_LABELS: Labels = {};

/** The plugin's view of a scheduling pod. */
export function affinityPodOf(pod: SchedulingPod): AffinityPod {
  const p: AffinityPod = { namespace: pod.namespace, labels: pod.labels ?? NO_LABELS };
  if (pod.spec.affinity) p.affinity = pod.spec.affinity;
  return p;
}

/** Cached by spec: a batch's replicas share their template's spec (and so labels). */
interface CachedInfo {
  namespace: string;
  labels: Labels;
  info: PodInfo;
  cycle?: AffinityCycle;
  /** How many placed pods and placed terms the cycle has charged: it catches up when next
   *  asked for, not on every placement. */
  seenPods: number;
  seenTerms: number;
}

interface PlacedTerm {
  host: number;
  term: Term;
  kind: ExistingTermKind;
}

function push<T>(m: Map<string, T[]>, key: string, value: T): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

export class InterPodAffinityState {
  /** Each host's labels with kubernetes.io/hostname: what topology keys are read from. */
  readonly hostLabels: Labels[];
  /** The placed pods per host, as the views gave them plus this batch's placements. */
  readonly pods: AffinityPod[][];
  private readonly placed: { host: number; info: PodInfo }[] = [];
  /** Placed pod indices by podIndexKey(namespace, label key, value). */
  private readonly podIndex = new Map<string, number[]>();
  private readonly placedTerms: PlacedTerm[] = [];
  /** Placed terms by the podIndexKey they require; the rest may select any pod. */
  private readonly termIndex = new Map<string, PlacedTerm[]>();
  private readonly anyPodTerms: PlacedTerm[] = [];
  private readonly infos = new Map<PodSpec, CachedInfo>();

  private hostsByPair: Map<string, number[]> | undefined;
  private readonly verdicts: Uint8Array;

  constructor(hosts: readonly ObservedHost[], pods: readonly (readonly AffinityPod[] | undefined)[]) {
    this.hostLabels = hosts.map(topologyLabels);
    this.verdicts = new Uint8Array(hosts.length);
    this.pods = pods.map((list) => [...(list ?? [])]);
    this.pods.forEach((list, i) => {
      for (const p of list) this.record(i, podInfoOf(p));
    });
  }

  private record(host: number, info: PodInfo): void {
    const index = this.placed.length;
    this.placed.push({ host, info });
    for (const key in info.labels)
      push(this.podIndex, podIndexKey(info.namespace, key, info.labels[key]!), index);
    if (!info.hasTerms) return;
    for (const [term, kind] of existingTerms(info)) {
      const placed: PlacedTerm = { host, term, kind };
      this.placedTerms.push(placed);
      const keys = termIndexKeys(term);
      if (keys === undefined) this.anyPodTerms.push(placed);
      else for (const k of keys) push(this.termIndex, k, placed);
    }
  }

  private cached(pod: SchedulingPod): CachedInfo {
    const hit = this.infos.get(pod.spec);
    const labels = pod.labels ?? NO_LABELS;
    if (hit && hit.namespace === pod.namespace && hit.labels === labels) return hit;
    const info = podInfoOf(affinityPodOf(pod));
    const entry: CachedInfo = { namespace: pod.namespace, labels, info, seenPods: 0, seenTerms: 0 };
    this.infos.set(pod.spec, entry);
    return entry;
  }

  /** The placed pods any of the pod's terms may select (indices into `placed`). */
  private candidates(info: PodInfo): Iterable<number> {
    const found = new Set<number>();
    for (const t of [...info.required, ...info.requiredAnti, ...info.preferred, ...info.preferredAnti]) {
      const keys = termIndexKeys(t);
      if (keys === undefined) return this.placed.keys();
      for (const k of keys) for (const i of this.podIndex.get(k) ?? []) found.add(i);
    }
    return found;
  }

  /** The placed terms that may select the pod. */
  private termsFor(info: PodInfo): PlacedTerm[] {
    const out = [...this.anyPodTerms];
    for (const key in info.labels) {
      const hit = this.termIndex.get(podIndexKey(info.namespace, key, info.labels[key]!));
      if (hit) out.push(...hit);
    }
    return out;
  }

  private charge(c: AffinityCycle, pods: Iterable<number>, terms: readonly PlacedTerm[]): void {
    if (c.pod.hasTerms)
      for (const i of pods) chargeIncoming(c, this.placed[i]!.info, this.hostLabels[this.placed[i]!.host]!);
    for (const t of terms) chargeExistingTerm(c, t.term, t.kind, this.hostLabels[t.host]!);
  }

  /** The pod's cycle (PreFilter + PreScore state), or undefined when the plugin has nothing
   *  to do: the pod has no terms and no placed pod has any. */
  cycleFor(pod: SchedulingPod): AffinityCycle | undefined {
    const entry = this.cached(pod);
    if (!entry.info.hasTerms && this.placedTerms.length === 0) return undefined;
    if (!entry.cycle) {
      entry.cycle = newCycle(entry.info);
      this.charge(entry.cycle, this.candidates(entry.info), this.termsFor(entry.info));
    } else {
      const pods = Array.from({ length: this.placed.length - entry.seenPods }, (_, k) => entry.seenPods + k);
      this.charge(entry.cycle, pods, this.placedTerms.slice(entry.seenTerms));
    }
    entry.seenPods = this.placed.length;
    entry.seenTerms = this.placedTerms.length;
    return entry.cycle;
  }

  /** The Filter's verdict on every host (0: passes), valid until the next call. */
  verdictsFor(c: AffinityCycle): Uint8Array {
    this.hostsByPair ??= hostsByTopologyPair(this.hostLabels);
    return interPodAffinityVerdicts(c, this.hostLabels, this.hostsByPair, this.verdicts);
  }

  /** Records a placement; each cycle charges it when next asked for (cycleFor). */
  place(i: number, pod: SchedulingPod): void {
    this.pods[i]!.push(affinityPodOf(pod));
    this.record(i, this.cached(pod).info);
  }

  /** A spec that failed everywhere may fit later in the batch when it requires affinity to
   *  pods: placements add matches. */
  mayFitLater(pod: SchedulingPod): boolean {
    return this.cached(pod).info.required.length > 0;
  }
}
