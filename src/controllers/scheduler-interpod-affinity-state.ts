// The InterPodAffinity plugin's part of the batch state: the placed pods (from the host views,
// then each placement of the batch) and, per distinct incoming pod, its affinity cycle, charged
// on every placement as upstream's AddPod charges a cycle state. Pure: mutates only itself.
import type { Labels, PodSpec } from '../model/k8s.js';
import type { ObservedHost } from '../model/observed.js';
import {
  type AffinityCycle,
  type AffinityPod,
  chargeExisting,
  newCycle,
  podInfoOf,
  topologyLabels,
} from './scheduler-interpod-affinity.js';
import type { SchedulingPod } from './scheduler-types.js';

type PodInfo = ReturnType<typeof podInfoOf>;

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
}

export class InterPodAffinityState {
  /** Each host's labels with kubernetes.io/hostname: what topology keys are read from. */
  readonly hostLabels: Labels[];
  /** The placed pods per host, as the views gave them plus this batch's placements. */
  readonly pods: AffinityPod[][];
  private readonly placed: { host: number; info: PodInfo }[] = [];
  private readonly placedWithTerms: { host: number; info: PodInfo }[] = [];
  private readonly infos = new Map<PodSpec, CachedInfo>();
  private readonly cycles: AffinityCycle[] = [];

  constructor(hosts: readonly ObservedHost[], pods: readonly (readonly AffinityPod[] | undefined)[]) {
    this.hostLabels = hosts.map(topologyLabels);
    this.pods = pods.map((list) => [...(list ?? [])]);
    this.pods.forEach((list, i) => {
      for (const p of list) this.record(i, podInfoOf(p));
    });
  }

  private record(host: number, info: PodInfo): void {
    this.placed.push({ host, info });
    if (info.hasTerms) this.placedWithTerms.push({ host, info });
  }

  private cached(pod: SchedulingPod): CachedInfo {
    const hit = this.infos.get(pod.spec);
    const labels = pod.labels ?? NO_LABELS;
    if (hit && hit.namespace === pod.namespace && hit.labels === labels) return hit;
    const entry: CachedInfo = { namespace: pod.namespace, labels, info: podInfoOf(affinityPodOf(pod)) };
    this.infos.set(pod.spec, entry);
    return entry;
  }

  /** The pod's cycle (PreFilter + PreScore state), or undefined when the plugin has nothing
   *  to do: the pod has no terms and no placed pod has any. */
  cycleFor(pod: SchedulingPod): AffinityCycle | undefined {
    const entry = this.cached(pod);
    if (!entry.info.hasTerms && this.placedWithTerms.length === 0) return undefined;
    if (entry.cycle) return entry.cycle;
    const cycle = newCycle(entry.info);
    // Without terms of its own, only the placed pods' terms can concern the pod.
    const scan = entry.info.hasTerms ? this.placed : this.placedWithTerms;
    for (const { host, info } of scan) chargeExisting(cycle, info, this.hostLabels[host]!);
    entry.cycle = cycle;
    this.cycles.push(cycle);
    return cycle;
  }

  /** Charges a placement: recorded, and counted into every live cycle. */
  place(i: number, pod: SchedulingPod): void {
    const entry = this.cached(pod);
    const info = entry.info;
    this.pods[i]!.push(affinityPodOf(pod));
    this.record(i, info);
    const host = this.hostLabels[i]!;
    for (const cycle of this.cycles)
      if (cycle.pod.hasTerms || info.hasTerms) chargeExisting(cycle, info, host);
  }

  /** A spec that failed everywhere may fit later in the batch when it requires affinity to
   *  pods: placements add matches. */
  mayFitLater(pod: SchedulingPod): boolean {
    return this.cached(pod).info.required.length > 0;
  }
}
