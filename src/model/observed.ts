// What the runtime reports about the world: hosts and the pods skiff owns on them, rebuilt
// from Docker labels on every pass. Plain data; produced by src/runtime, read by the core.
import type { Labels, PodSpec } from './k8s.js';
import type { HostRuleState } from './service-rules.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface ObservedHost {
  name: string;
  address: string;
  ready: boolean;
  /** ms since epoch when the host was first seen unreachable (absent while Ready). */
  notReadySince?: number;
  /** Why the host is NotReady, for status and events. */
  reason?: string;
  labels: Labels;
  taints: Taint[];
  /** Allocatable capacity as the engine reports it (NCPU*1000, MemTotal). */
  capacity: { cpuMilli: number; memoryBytes: number };
  /** Pods the scheduler places here at most (skiff.yaml maxPods; absent: the kubelet's 110). */
  maxPods?: number;
  /** Extended resources the host offers, whole units (skiff.yaml resources: "nvidia.com/gpu"). */
  extendedResources?: Record<string, number>;
  dockerVersion?: string;
  /** True while this daemon has never read the host's claim volumes (unreachable since it
   *  started): a claim's volume may be there, so no claim is bound anywhere else meanwhile. */
  claimVolumesUnknown?: boolean;
  /** Cordoned (skiff.yaml `unschedulable`, or `skiff drain`): takes no new pods; the scheduler
   *  sees the node.kubernetes.io/unschedulable:NoSchedule taint, as kubectl cordon sets it, and
   *  NodeUnschedulable keeps new pods off. */
  unschedulable?: boolean;
  /** Gone from skiff.yaml's inventory while it still ran skiff pods: cordoned and drained
   *  (reconcile/host-removal.ts), then forgotten. Set by the pass, never by the runtime. */
  removing?: HostRemovalStatus;
}

/** Where the removal of a host from the inventory stands. */
export interface HostRemovalStatus {
  /** ms since epoch when skiff found the host gone from skiff.yaml. */
  since: number;
  /** Draining: its pods are evicted as budgets allow; Unreachable: its pods are replaced as a
   *  failed host's, and the host is forgotten when back and empty or after a bound. */
  state: 'Draining' | 'Unreachable';
  /** skiff pods still on the host (the last seen ones while it is unreachable). */
  podsLeft: number;
  /** The budgets (`pdb/NAME`) holding an eviction back this pass. */
  blockedBy?: string[];
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ObservedContainer {
  id: string;
  /** Container name inside the pod (as in the manifest). */
  name: string;
  image: string;
  state: ContainerState;
  exitCode: number;
  /** ms since epoch; absent if never started. */
  startedAt?: number;
  finishedAt?: number;
  restartCount: number;
  labels: Labels;
}

/** Probe outcome per container, kept by the shell's prober and handed to the core. */
export interface ObservedProbeState {
  startupPassed: boolean;
  ready: boolean;
  /** ms since epoch when `ready` last became true (for minReadySeconds). */
  readySince?: number;
  live: boolean;
  lastFailure?: { at: number; probe: 'liveness' | 'readiness' | 'startup'; message: string };
}

export interface ObservedPod {
  host: string;
  name: string;
  namespace: string;
  app: string;
  ownerKind: 'Deployment' | 'Pod';
  ownerName: string;
  templateHash: string;
  commit: string;
  labels: Labels;
  /** The PodSpec as recorded at creation (references, not resolved values). */
  spec?: PodSpec;
  createdAt: number;
  /** The pod's IP on its host's Docker bridge (the infra container's). */
  ip?: string;
  /** Host ports published by the pod: containerPort/protocol -> host port. */
  publishedPorts: { containerPort: number; protocol: 'TCP' | 'UDP'; hostPort: number }[];
  infra?: { id: string; state: ContainerState };
  /** The current container of each init container (sidecars too), in spec order; absent or
   *  shorter than spec.initContainers when some were never created. */
  initContainers?: ObservedContainer[];
  containers: ObservedContainer[];
  /** Keyed by container name; absent when no probe has run yet. */
  probes: Record<string, ObservedProbeState>;
  /** Set by the shell while a graceful deletion of this pod is in flight, or read from the
   *  host's deletion mark (a deletion begun by this or an earlier daemon). */
  terminating?: boolean;
  /** From the host's deletion mark: when the deletion's grace period ends (ms since epoch).
   *  A deletion survives the daemon that began it: the next pass finishes it. */
  deletionDeadline?: number;
  /** Set by the core for pods remembered on a host that is NotReady (not seen this pass). */
  unreachable?: boolean;
  /** The host's GPU indices the pod holds, from its containers' label (absent: none). */
  gpuDevices?: number[];
}

/** Probe results by container id, as the shell's prober holds them: an input of the pass. */
export type ProbeResults = Record<string, ObservedProbeState>;

/** skiff's Service rules on one Ready host. The shell reads a host back only when it must (new
 *  or back from NotReady, after a failure, or once its trust interval is over); in between it
 *  reports what its last read or write left there. */
export interface ObservedServiceRules {
  /** What of skiff's is on the host; absent when it could not be read. */
  current?: HostRuleState;
  /** Why the last read or write failed. A failed write stays reported (through later reads)
   *  until a write succeeds: the host's rules are not skiff's current ones. */
  error?: string;
}

/** A PersistentVolumeClaim's Docker volume, read back from its labels. */
export interface ObservedClaimVolume {
  host: string;
  /** The Docker volume's name. */
  volume: string;
  app: string;
  namespace: string;
  claim: string;
  storage: string;
  accessModes: string[];
  /** ms since epoch (Docker's CreatedAt); absent when the engine did not say. */
  createdAt?: number;
}

export interface Observed {
  /** ms since epoch when this observation was taken. */
  at: number;
  hosts: ObservedHost[];
  pods: ObservedPod[];
  /** The claims' volumes on the Ready hosts (absent: not read, e.g. an older fake). */
  claimVolumes?: ObservedClaimVolume[];
  /** Service rules by Ready host name. Absent when this observation did not read them (no data
   *  plane, a dry run, or a daemon on standby): the pass then plans no rule change. */
  serviceRules?: Record<string, ObservedServiceRules>;
}
