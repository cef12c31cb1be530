// The Deployment controller's vocabulary: its input (spec, template hash, observed pods and their
// readiness, memory), its result (pods to create and delete, status, conditions, events, memory)
// and the condition reasons deployment_util.go names. Pure types and constants.
//
// What upstream keeps in ReplicaSet objects (spec.replicas, the desired/max-replicas annotations,
// creation time) and in Deployment status (conditions) lives in DeploymentMemory.
import type { Deployment, DeploymentPodReplacementPolicy } from '../../model/k8s.js';
import type { ObservedPod } from '../../model/observed.js';
import type { PodPhase } from '../../model/views.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface DeploymentCondition {
  type: 'Available' | 'Progressing';
  status: ConditionStatus;
  reason: string;
  message: string;
  lastUpdateTime: number;
  lastTransitionTime: number;
}

export interface DeploymentStatus {
  /** Live pods (terminating ones excluded), all revisions. */
  replicas: number;
  /** Live pods of the current template. */
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** Pods still needed for full capacity: the revisions' targets minus available pods. */
  unavailableReplicas: number;
  /** Pods being deleted but still present. */
  terminatingReplicas: number;
  conditions: DeploymentCondition[];
}

export type DeploymentPhase = 'Progressing' | 'Complete' | 'Failed' | 'Paused';

/** What the lead's readiness derivation says about one pod. */
export interface PodReadinessState {
  ready: boolean;
  /** When the pod last became ready: minReadySeconds counts from here. */
  readySince?: number;
  /** Overrides the phase derived from the containers (e.g. 'Unknown' on an unreachable host). */
  phase?: PodPhase;
  /** Why the pod is not ready, in kubelet words (ImagePullBackOff, CrashLoopBackOff, ...):
   *  used to explain a failed rollout. */
  notReadyReason?: string;
}

/** KEP-3973's Deployment spec.podReplacementPolicy (see replacement-policy.ts). */
export type PodReplacementPolicy = DeploymentPodReplacementPolicy;

export interface RevisionMemory {
  createdAt: number;
  /** spec.replicas of the revision. */
  replicas: number;
  desiredReplicas?: number;
  maxReplicas?: number;
}

export interface DeploymentMemory {
  revisions: Record<string, RevisionMemory>;
  /** Pods this controller asked to delete: name -> when, and the grace period given. */
  terminating: Record<string, { since: number; gracePeriodSeconds: number }>;
  /** The status of the previous pass: progress is judged against it. */
  status?: DeploymentStatus;
}

export interface DeploymentInput {
  deployment: Deployment;
  /** Hash of the current template (as the lead computes it). */
  templateHash: string;
  /** The Deployment's pods; others are ignored, never touched. */
  pods: readonly ObservedPod[];
  /** Per pod name. A pod without an entry is not ready. */
  podReadiness: Readonly<Record<string, PodReadinessState>>;
  memory: DeploymentMemory | undefined;
  now: number;
}

export interface PodDeletion {
  pod: ObservedPod;
  reason: string;
  gracePeriodSeconds: number;
}

export interface DeploymentEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface DeploymentResult {
  /** Pods of the current template to create (new names: generatePodName). */
  create: number;
  /** Pods of older revisions to create again: only when an older revision must grow (a paused
   *  Deployment scaled up, a proportional scale mid-rollout, a pod of it lost). */
  createOfRevision: { templateHash: string; count: number }[];
  delete: PodDeletion[];
  status: DeploymentStatus;
  phase: DeploymentPhase;
  /** Why the rollout fails to progress (set when phase is Failed). */
  failure?: { reason: string; message: string };
  events: DeploymentEvent[];
  memory: DeploymentMemory;
  /** Run a pass again after this long even if nothing changes (progress deadline,
   *  minReadySeconds, a deletion to retry). */
  requeueAfterMs?: number;
}

// Condition reasons, as deployment_util.go names them.
export const REASON_NEW_RS_CREATED = 'NewReplicaSetCreated';
export const REASON_FOUND_NEW_RS = 'FoundNewReplicaSet';
export const REASON_RS_UPDATED = 'ReplicaSetUpdated';
export const REASON_NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const REASON_TIMED_OUT = 'ProgressDeadlineExceeded';
export const REASON_PAUSED = 'DeploymentPaused';
export const REASON_RESUMED = 'DeploymentResumed';
export const REASON_MIN_AVAILABLE = 'MinimumReplicasAvailable';
export const REASON_MIN_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** A deletion is issued again when the pod is still there this long after its grace period. */
export const DELETE_RETRY_SLACK_MS = 30_000;
/** progressDeadlineSeconds = MaxInt32 means no deadline (HasProgressDeadline). */
export const NO_DEADLINE = 2147483647;

export function emptyDeploymentMemory(): DeploymentMemory {
  return { revisions: {}, terminating: {} };
}
