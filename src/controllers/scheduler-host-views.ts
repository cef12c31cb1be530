// Host views: each host with what is already placed on it (requests, non-zero requests, host
// ports, pods per owner, the pods' labels and affinity), the input of every scheduling decision. Stands in for the scheduler
// cache's NodeInfo (kubernetes pkg/scheduler/framework/types.go). Pure.
import type { ObservedHost, ObservedPod } from '../model/observed.js';
import { podNonZeroRequests, podRequests } from './pod-requests.js';
import { podExtendedRequests } from './scheduler-capacity.js';
import type { AffinityPod } from './scheduler-interpod-affinity.js';
import {
  type HostView,
  hostPortKey,
  ownerKey,
  type PlacedPod,
  replicaSetKey,
  type SpreadPod,
} from './scheduler-types.js';

/** The label Kubernetes' ReplicaSet controller gives a Deployment's pods; skiff's pods carry the
 *  revision as their template hash, and the scheduler sees it under this label. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** What an observed pod occupies on its host. */
export function placedFromObserved(pod: ObservedPod): PlacedPod {
  return {
    host: pod.host,
    namespace: pod.namespace,
    owner: { kind: pod.ownerKind, name: pod.ownerName },
    spec: pod.spec,
    containerCount: pod.containers.length,
    hostPorts: pod.publishedPorts.map((p) => ({ port: p.hostPort, protocol: p.protocol })),
    labels: pod.templateHash ? { ...pod.labels, [POD_TEMPLATE_HASH]: pod.templateHash } : pod.labels,
    templateHash: pod.templateHash,
    ...(pod.terminating ? { terminating: true } : {}),
  };
}

/** The taint kubectl cordon puts on a node (pkg/scheduler NodeUnschedulable's key). */
export const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

/** A cordoned host carries the unschedulable taint (once). */
function withUnschedulableTaint(host: ObservedHost): ObservedHost {
  if (!host.unschedulable || host.taints.some((t) => t.key === UNSCHEDULABLE_TAINT.key)) return host;
  return { ...host, taints: [...host.taints, { ...UNSCHEDULABLE_TAINT }] };
}

function spreadPodOf(pod: PlacedPod): SpreadPod {
  const replicaSet = replicaSetKey(pod);
  return { namespace: pod.namespace, labels: pod.labels ?? {}, ...(replicaSet ? { replicaSet } : {}) };
}

function chargeExtended(view: HostView, want: Record<string, number>): void {
  const names = Object.keys(want);
  if (names.length === 0) return;
  const used = { ...view.extendedRequested };
  for (const name of names) used[name] = (used[name] ?? 0) + want[name]!;
  view.extendedRequested = used;
}

/** Host views from the hosts and the pods placed on them (pods on unknown hosts are ignored). */
export function buildHostViews(hosts: readonly ObservedHost[], placed: readonly PlacedPod[]): HostView[] {
  const byName = new Map<
    string,
    {
      view: HostView;
      ports: Set<string>;
      owners: Record<string, number>;
      spread: SpreadPod[];
      pods: AffinityPod[];
    }
  >();
  for (const host of hosts) {
    const owners: Record<string, number> = {};
    const pods: AffinityPod[] = [];
    const view: HostView = {
      host: withUnschedulableTaint(host),
      requested: { cpuMilli: 0, memoryBytes: 0 },
      nonZeroRequested: { cpuMilli: 0, memoryBytes: 0 },
      usedHostPorts: [],
      podsByOwner: owners,
      pods,
    };
    byName.set(host.name, { view, ports: new Set(), owners, spread: [], pods });
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
    if (!pod.terminating) entry.spread.push(spreadPodOf(pod));
    const placedPod: AffinityPod = { namespace: pod.namespace, labels: pod.labels ?? {} };
    if (pod.spec?.affinity) placedPod.affinity = pod.spec.affinity;
    entry.pods.push(placedPod);
    if (pod.spec) chargeExtended(entry.view, podExtendedRequests(pod.spec));
  }
  return [...byName.values()].map(({ view, ports, spread }) => ({
    ...view,
    usedHostPorts: [...ports].sort(),
    spreadPods: spread,
  }));
}
