// The reconcile pass's input and output, as plain data (see pass.ts for what the pass does).
import type { BackoffEntry } from '../controllers/backoff.js';
import type { DeploymentMemory } from '../controllers/deployment.js';
import type { RandomSource } from '../controllers/pod-name.js';
import type { Action } from '../model/actions.js';
import type { KubeObject } from '../model/k8s.js';
import type { Observed, ObservedHost, ObservedPod, ProbeResults } from '../model/observed.js';
import type {
  ClaimView,
  DeploymentView,
  DrainView,
  EndpointsView,
  PodView,
  ServiceView,
} from '../model/views.js';

export interface AppDesired {
  name: string;
  commit: string;
  objects: KubeObject[];
  /** Remove pods whose object left Git (sync option prune). */
  prune: boolean;
}

export interface PassOptions {
  hostGracePeriodMs: number;
  /** Service range: when set, Services get cluster IPs, new pods get the service env vars and
   *  /etc/hosts names of the Services that exist now, and the views list Services. */
  serviceCIDR?: string;
  /** Views of pods of apps not in `apps` (frozen or unknown), for `get pods`; default true. A
   *  plan's dry run leaves them out: it reads only the planned app's views, and on a large
   *  cluster building them was most of its time. */
  foreignPodViews?: boolean;
}

export interface PassMemory {
  /** Last pods seen per host, to remember a host's pods while it does not answer. */
  lastSeen: Record<string, ObservedPod[]>;
  /** Pods given up because their host stayed NotReady past the grace period: pod key -> host. */
  lost: Record<string, string>;
  backoff: Record<string, BackoffEntry>;
  deployments: Record<string, DeploymentMemory>;
  /** Since when (pass time) each Ready host's Service rules have failed to read or write. */
  rulesFailingSince?: Record<string, number>;
  /** Why each held-back eviction waits (pod key -> message), to say it once as an event. */
  blockedEvictions?: Record<string, string>;
  /** Each removed host's last reported removal state, to say a change once as an event. */
  removals?: Record<string, string>;
}

export interface PassEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  /** kubectl-style name: deployment/web, pod/web-abc12-xyz */
  object: string;
  namespace: string;
  message: string;
}

/** What the shell's other loops know that the observation does not: the pass applies them to
 *  the observed pods itself. */
export interface PassInputs {
  /** The prober's results by container id (containers without one keep what observe said). */
  probes: ProbeResults;
  /** Replicas owned by an HPA, by Deployment objectKey. */
  hpaReplicas: Record<string, { replicas: number; owner: string }>;
  /** Pods (`host/namespace/name`) whose graceful deletion is in flight: they are terminating. */
  deletionsInFlight: string[];
  /** Hosts being drained (`skiff drain`, kept in the state directory): cordoned, their pods
   *  evicted as PodDisruptionBudgets allow. */
  drains?: DrainRequest[];
  /** Hosts gone from skiff.yaml's inventory that skiff still observes (the state directory's
   *  host inventory): drained automatically, then forgotten (reconcile/host-removal.ts). */
  removals?: HostRemoval[];
}

/** A host removed from skiff.yaml that skiff still observes until its pods are gone. */
export interface HostRemoval {
  host: string;
  /** ms since epoch when skiff found it gone from skiff.yaml. */
  since: number;
}

/** A drain asked by an admin: the host takes no new pods and its pods are evicted. */
export interface DrainRequest {
  host: string;
  /** Evict pods without a controller (standalone Pods) too, as kubectl drain --force. */
  force: boolean;
  /** ms since epoch when it was asked. */
  since: number;
  /** An automatic drain: the host is being removed from the inventory. */
  removal?: true;
}

export interface PassInput {
  apps: AppDesired[];
  /** Apps configured but without an admitted commit (source error, first fetch failed):
   *  their pods are neither counted nor pruned, and no Service rule changes while any exists. */
  frozenApps: string[];
  observed: Observed;
  inputs: PassInputs;
  memory: PassMemory;
  now: number;
  random: RandomSource;
  options: PassOptions;
}

export interface PassViews {
  pods: PodView[];
  deployments: DeploymentView[];
  services: ServiceView[];
  endpoints: EndpointsView[];
  /** The hosts as the pass judged them (a Ready host without its Service rules carries the
   *  network-unavailable taint). */
  hosts: ObservedHost[];
  /** PersistentVolumeClaims: in Git (Pending, Bound) and volumes whose claim left (Released). */
  claims: ClaimView[];
  /** Hosts being drained and the pods left on them. */
  drains: DrainView[];
}

export interface PassResult {
  actions: Action[];
  views: PassViews;
  events: PassEvent[];
  memory: PassMemory;
  /** Ask to run again within this many ms (backoff expiring, rollout waiting). */
  requeueAfterMs?: number;
  /** Nothing left to do: no actions, every workload complete, nothing pending. */
  converged: boolean;
  /** Removed hosts skiff stops observing now (empty, or unreachable past the bound): the shell
   *  takes its Service rules and data dir off each (if reachable) and forgets it. */
  forgetHosts?: string[];
}

export const emptyPassInputs = (): PassInputs => ({ probes: {}, hpaReplicas: {}, deletionsInFlight: [] });

export const emptyPassMemory = (): PassMemory => ({ lastSeen: {}, lost: {}, backoff: {}, deployments: {} });
