// A plan: what applying a revision would change, object by object and on the hosts. Pure data,
// rendered as text, markdown (for a PR comment) or JSON. Secret values never appear: changed
// Secret keys are shown by name with a hash of the value.

export type ChangeClass = 'create' | 'update-in-place' | 'replace-pods' | 'delete' | 'unchanged';

export interface FieldChange {
  /** Field path: spec.template.spec.containers[0].image */
  path: string;
  before?: unknown;
  after?: unknown;
  /** True when before/after are redacted (Secret data): they hold `***` or a short hash. */
  redacted?: boolean;
}

export interface ObjectChange {
  kind: string;
  namespace: string;
  name: string;
  app: string;
  change: ChangeClass;
  fields: FieldChange[];
  /** The fields that force pods to be replaced (template fields, referenced config). */
  forcedBy: string[];
  /** For replace-pods: how many pods will be replaced. */
  replacePods?: number;
  /** For ConfigMaps/Secrets: the workloads that will roll because of this change. */
  rolls?: string[];
}

export interface HostPlacement {
  host: string;
  before: number;
  after: number;
}

export interface Plan {
  app: string;
  fromCommit?: string;
  toCommit: string;
  /** What a reviewer must see first: a revision the daemon would refuse, one that deletes every
   *  workload, pods that would not be scheduled, Services left without endpoints. */
  alerts: string[];
  changes: ObjectChange[];
  placement: HostPlacement[];
  unschedulable: { pod: string; owner: string; reason: string }[];
  prunes: { kind: string; namespace: string; name: string; pods: number }[];
  /** Per Deployment that will change: why, its waves, bounds, estimate (see DeploymentRollout). */
  rollouts: DeploymentRollout[];
  warnings: string[];
}

// The rollout section (`rollouts` in `skiff plan -o json`). Field names are part of the JSON
// schema; counts are pods, durations seconds.
//
// A step is one pass of the Deployment controller that creates or deletes pods of the
// Deployment, recorded from the plan's simulation of the real pass. `ready` after a step
// counts the pods this step created as NOT ready: the real controller waits for their
// readiness probe (and minReadySeconds) before its next step.

export interface RolloutStep {
  /** Pods created in this step. */
  created: number;
  /** Pods deleted (marked terminating) in this step. */
  deleted: number;
  /** Ready pods right after the step (this step's new pods not ready yet). */
  ready: number;
  /** Pods not terminating right after the step. */
  total: number;
}

export interface RolloutEstimate {
  /** Estimated seconds until the rollout is done: waves x (podReadySeconds + minReadySeconds). */
  seconds: number;
  /** Steps that create pods: each waits for its new pods to become ready. */
  waves: number;
  /** Seconds one new pod takes to become ready (recorded median, or the probe timings). */
  podReadySeconds: number;
  minReadySeconds: number;
  /** Where podReadySeconds comes from: `recorded` pod starts of this Deployment, or `probe`
   *  timings (initialDelaySeconds + periodSeconds x successThreshold, Kubernetes defaults). */
  source: 'recorded' | 'probe';
  /** How many recorded starts the median is taken over (0 for `probe`). */
  samples: number;
}

/** A PodDisruptionBudget selecting the Deployment's pods, next to the rollout's floor.
 *  Kubernetes rollouts do not honour PDBs (only evictions do): this is information only. */
export interface RolloutPdb {
  /** `pdb/web` */
  name: string;
  /** As written: `minAvailable 2`, `maxUnavailable 25%`. */
  limit: string;
  /** The healthy pods the PDB wants, at the rollout's replicas (the disruption controller's
   *  desiredHealthy: percentages round up). */
  desiredHealthy: number;
  /** Whether the rollout's floor stays at or above desiredHealthy. */
  respected: boolean;
}

export interface DeploymentRollout {
  namespace: string;
  name: string;
  /** One line: `image web: a:1 -> a:2`, `configmap/web-config key LOG_LEVEL`, `template
   *  change: spec.template...`, `scale 3 -> 5`, `new deployment`. */
  reason: string;
  strategy: 'RollingUpdate' | 'Recreate';
  /** Pods live now -> the replicas the controller will keep (the HPA's count when it owns them). */
  replicasBefore: number;
  replicasAfter: number;
  /** `hpa/web` when an HPA owns the replicas (spec.replicas is ignored). */
  replicasOwnedBy?: string;
  /** maxSurge and maxUnavailable resolved as the controller does (surge rounds up,
   *  unavailable down; 0 for Recreate). */
  maxSurge: number;
  maxUnavailable: number;
  steps: RolloutStep[];
  /** Fewest ready pods at any moment of the rollout, and most pods not terminating. */
  floor: number;
  ceiling: number;
  /** Kubernetes' bounds: replicas - maxUnavailable and replicas + maxSurge. */
  minAvailable: number;
  maxPods: number;
  estimate: RolloutEstimate;
  pdbs: RolloutPdb[];
}
