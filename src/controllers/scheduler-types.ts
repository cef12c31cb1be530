// The scheduler's vocabulary: the pod and host views it reads, its per-host verdicts (filter
// reasons, scores) and results, and the keys it counts by. Pure types and key functions; the
// scheduler is scheduler.ts.
import type { Labels, PodSpec } from '../model/k8s.js';
import type { ObservedHost } from '../model/observed.js';
import type { RandomSource } from './pod-name.js';
import type { ResourceAmounts } from './pod-requests.js';
import type { AffinityPod } from './scheduler-interpod-affinity.js';

/** One claim a pod mounts, keyed `namespace/name`. */
export interface PodClaim {
  key: string;
  readWriteOncePod: boolean;
}

/** What is known of the claims before the batch: the host each bound claim's volume is on, and
 *  how many placed pods use each claim. */
export interface ClaimBindings {
  hosts: Readonly<Record<string, string>>;
  users: Readonly<Record<string, number>>;
  /** Hosts whose claim volumes were never read: an unbound-looking claim may be bound there. */
  unknownHosts?: readonly string[];
}

/** What the scheduler needs of a pod. DesiredPod has all of it. */
export interface SchedulingPod {
  name: string;
  namespace: string;
  owner: { kind: 'Deployment' | 'Pod'; name: string };
  spec: PodSpec;
  /** Requests summed over containers, requests defaulting to limits (podRequests(spec)). */
  requests: ResourceAmounts;
  hostPorts: readonly { port: number; protocol: 'TCP' | 'UDP' }[];
  /** The PersistentVolumeClaims the pod mounts (absent: none). */
  claims?: readonly PodClaim[];
  /** The pod's labels (topology spread selectors match them; absent: none). */
  labels?: Readonly<Labels>;
  /** A Deployment pod's revision: with the owner, the ReplicaSet upstream would have. */
  templateHash?: string;
}

/** A pod on a host as topology spreading counts it: terminating pods are not in the views, as
 *  upstream's countPodsMatchSelector skips pods with a deletionTimestamp. */
export interface SpreadPod {
  namespace: string;
  labels: Readonly<Labels>;
  /** replicaSetKey() of a Deployment's pod: the selector of the default spreading. */
  replicaSet?: string;
}

/** A Service's selector: a pod it selects is spread by the default constraints. */
export interface SpreadService {
  namespace: string;
  selector: Readonly<Labels>;
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
  /** Placed pods per owner, keyed by ownerKey(). */
  podsByOwner: Readonly<Record<string, number>>;
  /** The placed pods topology spreading counts (not terminating); absent: none. */
  spreadPods?: readonly SpreadPod[];
  /** The placed pods' namespace, labels and affinity: what inter-pod affinity counts
   *  (absent: none). */
  pods?: readonly AffinityPod[];
  /** Extended resources the placed pods request (absent: none). */
  extendedRequested?: Readonly<Record<string, number>>;
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
  labels?: Readonly<Labels>;
  templateHash?: string;
  /** Being deleted: still holds its resources, no longer counted by topology spreading. */
  terminating?: boolean;
}

export type FilterName =
  | 'NodeReady'
  | 'NodeUnschedulable'
  | 'TaintToleration'
  | 'NodeAffinity'
  | 'NodePorts'
  | 'NodeResourcesFit'
  | 'VolumeRestrictions'
  | 'VolumeBinding'
  | 'PodTopologySpread'
  | 'InterPodAffinity';

/** The score plugins' normalized scores (0..100 each) and their weighted total. */
export interface HostScore {
  leastAllocated: number;
  /** PodTopologySpread: the pod's ScheduleAnyway constraints, or the default profile's
   *  system default constraints (0 when none apply, as upstream skips the plugin). */
  spread: number;
  nodeAffinity: number;
  taintToleration: number;
  /** InterPodAffinity: preferred terms, both ways, normalized min..max to 0..100. */
  interPodAffinity: number;
  /** NodeResourcesBalancedAllocation (0 for a pod requesting neither cpu nor memory). */
  balancedAllocation: number;
  /** Weighted sum: the host with the highest total is chosen. */
  total: number;
}

/** The filter plugins' verdict on one host for one pod. */
export interface HostFilterResult {
  host: string;
  fits: boolean;
  /** Every failing filter's reason, in filter order, in the scheduler's words. */
  reasons: string[];
  /** The first failing filter: the one Kubernetes would report for this host. */
  failedFilter?: FilterName;
}

/** One host's normalized, weighted scores for one pod (hosts that pass the filters only). */
export interface HostScoreResult {
  host: string;
  score: HostScore;
}

export interface HostExplanation extends HostFilterResult {
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
  /** Where the claims are bound and how many pods use each (default: none). */
  claims?: ClaimBindings;
  /** The Services' selectors: the default spreading of pods without a Deployment. */
  services?: readonly SpreadService[];
  /** schedulePods: the share of hosts (percent) to find feasible before scoring, as upstream's
   *  percentageOfNodesToScore: 0 or absent is the adaptive default (all below 100 hosts, else
   *  50% minus 1% per 125 hosts, at least 5% and 100 hosts), 100 is every host. */
  percentageOfNodesToScore?: number;
}

export interface ScheduleBatchResult {
  /** Placed pods: key podKey(pod) = namespace/name, value the host name. */
  placements: Map<string, string>;
  unschedulable: { pod: SchedulingPod; message: string }[];
  /** The host views with the batch's placements charged. */
  hosts: HostView[];
}

export function ownerKey(namespace: string, kind: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
/** The ReplicaSet a Deployment's pod would belong to upstream (its owner and revision); none
 *  for a bare Pod. */
export function replicaSetKey(pod: {
  namespace: string;
  owner: { kind: string; name: string };
  templateHash?: string;
}): string | undefined {
  if (pod.owner.kind !== 'Deployment') return undefined;
  return `${ownerKey(pod.namespace, pod.owner.kind, pod.owner.name)}@${pod.templateHash ?? ''}`;
}
export function hostPortKey(protocol: 'TCP' | 'UDP', port: number): string {
  return `${protocol}/${port}`;
}
export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}
