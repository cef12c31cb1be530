// Read models: what status, `get`, `describe`, the API and the dashboard show. Built by the
// pure core from (desired, observed, memory, now); rendered by the CLI; served by the daemon.
// Never contains secret values.
import type { Diagnostic } from './diagnostics.js';
import type { Labels, Service } from './k8s.js';
import type { ObservedHost } from './observed.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: number;
}

export type SyncState = 'Synced' | 'OutOfSync' | 'Unknown';
export type HealthState = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Suspended' | 'Unknown';

export interface AppStatus {
  name: string;
  repoURL: string;
  revision: string;
  path: string;
  /** Commit whose objects are live (the last admitted one). */
  liveCommit?: string;
  /** Who signed the live commit, when the app verifies signatures (`apps[].verify`). */
  liveSignedBy?: string;
  /** Author and subject of the live commit, when the source could read them. */
  liveCommitInfo?: CommitSummary;
  /** Newest commit fetched from the branch (may be rejected or quarantined). */
  headCommit?: string;
  /** Author and subject of the head commit, when the source could read them. */
  headCommitInfo?: CommitSummary;
  sync: SyncState;
  health: HealthState;
  conditions: Condition[];
  /** Diagnostics of the newest commit when it was rejected (nothing of it applied). */
  rejected?: { commit: string; diagnostics: Diagnostic[] };
  quarantined: { commit: string; reason: string; at: number }[];
  lastSyncAt?: number;
  message?: string;
  /** The last notification deliveries about the app (newest first), when there are any. */
  notifications?: NotificationDeliveryView[];
}

/** Who made a commit and its message's first line, as `git log --oneline` and Argo CD show them. */
export interface CommitSummary {
  /** `Name <email>`, as the revisions table records it. */
  author: string;
  subject: string;
  /** Author time, ms since epoch. */
  at: number;
}

/** One notification delivery's outcome, as `skiff status` and `describe app/NAME` list it. */
export interface NotificationDeliveryView {
  at: number;
  service: string;
  trigger: string;
  commit?: string;
  state?: string;
  outcome: 'sent' | 'failed';
  attempts: number;
  error?: string;
}

export interface ContainerView {
  name: string;
  image: string;
  state: 'waiting' | 'running' | 'terminated';
  /** kubectl's reason: ContainerCreating, CrashLoopBackOff, Error, Completed, ... */
  reason?: string;
  exitCode?: number;
  startedAt?: number;
  restartCount: number;
  ready: boolean;
  lastProbeFailure?: { at: number; probe: string; message: string };
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodView {
  namespace: string;
  name: string;
  app: string;
  owner: { kind: 'Deployment' | 'Pod'; name: string };
  host?: string;
  ip?: string;
  phase: PodPhase;
  /** The STATUS column of `kubectl get pods`: Running, Pending, CrashLoopBackOff, Terminating... */
  status: string;
  ready: { ready: number; total: number };
  restarts: number;
  createdAt?: number;
  templateHash: string;
  commit: string;
  labels: Record<string, string>;
  conditions: Condition[];
  containers: ContainerView[];
  /** Init containers (sidecars too), in spec order; absent when the pod has none. */
  initContainers?: ContainerView[];
  /** Why a Pending pod is not placed (scheduler message). */
  pendingReason?: string;
}

export interface DeploymentView {
  namespace: string;
  name: string;
  app: string;
  /** The app commit this status was computed from (kubectl's observedGeneration): a view
   *  older than the admitted commit says nothing about that commit's rollout. */
  commit?: string;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  templateHash: string;
  images: string[];
  /** Container names of the template, in order (`get deployments -o wide`). */
  containers?: string[];
  /** The selector as kubectl prints it: `app=web,tier in (front)`. */
  selector?: string;
  /** The Deployment's own metadata.labels (`get deployments -l`); absent from an older daemon. */
  labels?: Labels;
  phase: 'Progressing' | 'Complete' | 'Failed' | 'Paused';
  conditions: Condition[];
  /** Set when an HPA owns replicas: "hpa/web-hpa". */
  replicasOwnedBy?: string;
  createdAt?: number;
  /** Why the rollout failed (phase Failed): ReadinessNeverPassed, CrashLoopBackOff, ... */
  failure?: { reason: string; message: string };
  /** Pods wanted but not planned this pass: beyond what the inventory could ever hold. */
  unplannedReplicas?: number;
}

export interface ConfigView {
  kind: 'ConfigMap' | 'Secret';
  namespace: string;
  name: string;
  app: string;
  type?: string;
  keys: string[];
  /** When skiff first applied it (AGE); absent when unknown. */
  createdAt?: number;
}

/** A PersistentVolumeClaim as `skiff get pvc` shows it: a claim in Git (Pending until its
 *  first pod is placed, then Bound to the host of its volume), or a volume whose claim left
 *  Git (Released: kept until `skiff delete pvc`). */
export interface ClaimView {
  namespace: string;
  name: string;
  app: string;
  status: 'Pending' | 'Bound' | 'Released';
  /** The Docker volume's name (Bound and Released). */
  volume?: string;
  /** The host the volume lives on. */
  host?: string;
  /** The storage requested (Git's, or the volume's label once the claim left Git). */
  capacity: string;
  accessModes: string[];
  storageClass: string;
  volumeMode: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Pods mounting the claim (kubectl describe's Used By). */
  usedBy: string[];
  inGit: boolean;
  /** When the volume was created (AGE); absent while Pending. */
  createdAt?: number;
}

export interface EventView {
  type: 'Normal' | 'Warning';
  reason: string;
  object: string;
  namespace: string;
  message: string;
  count: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

export interface ClusterView {
  at: number;
  apps: AppStatus[];
  hosts: ObservedHost[];
  pods: PodView[];
  deployments: DeploymentView[];
  configs: ConfigView[];
  services: ServiceView[];
  endpoints: EndpointsView[];
  /** PersistentVolumeClaims (absent from an older daemon). */
  claims?: ClaimView[];
  /** Hosts being drained (`skiff drain`), with the pods still on them; absent: none. */
  drains?: DrainView[];
  /** The daemon's hold on the hosts (single actor across machines); absent when no daemon
   *  computed the view (the CLI acting on its own). */
  lease?: LeaseView;
}

/** Whether this daemon acts on the hosts or stands by because another daemon holds their
 *  lease (a file on each host, see src/lease/host-lease.ts). */
export interface LeaseView {
  role: 'acting' | 'standby';
  /** This daemon's holder id. */
  holder: string;
  /** Standby: why (HeldByOther, NoQuorum, LeaseError, NoHostReachable, LeaseNotRenewed, NotChecked). */
  reason?: string;
  /** Standby because another daemon holds the lease: who, until when (ms, our clock), where. */
  heldBy?: { holder: string; description: string; until: number; hosts: string[] };
  /** Acting: the hosts leased, and until when (ms, our clock) the lease is sure to be ours. */
  hosts: string[];
  validUntil?: number;
  message: string;
  checkedAt: number;
}

/** A Service as `skiff get services` shows it. */
export interface ServiceView {
  namespace: string;
  name: string;
  app: string;
  type: Service['spec']['type'];
  /** The virtual IP, `None` for a headless Service, absent when none (ExternalName). */
  clusterIP?: string;
  /** LoadBalancer: the Ready hosts' addresses. */
  externalIPs: string[];
  externalName?: string;
  /** As kubectl prints them: `80/TCP`, or `80:30080/TCP` with a node port. */
  ports: string[];
  selector: Labels;
  sessionAffinity: 'None' | 'ClientIP';
}

export interface EndpointsView {
  namespace: string;
  name: string;
  app: string;
  /** Ready endpoints as `address:port` (host address and published port), per Service port. */
  endpoints: string[];
}

/** One decision of an HPA as `describe hpa` lists it (from the history database). */
export interface HpaDecisionView {
  at: number;
  /** Last time the same decision repeated (consecutive identical decisions share a row). */
  lastAt: number;
  count: number;
  currentReplicas: number;
  desiredReplicas: number;
  reason: string;
  message: string;
}

/** One metric's observed value as a number to plot: the utilization in percent of requests for
 *  a Utilization target, the per-pod average in milli-units for an AverageValue target. */
export interface HpaMetricValue {
  name: string;
  unit: 'percent' | 'milli';
  /** null while the metric has no value (no samples yet, a failed read). */
  current: number | null;
  target: number | null;
}

/** What an HPA observed and held at one time (the history samples it at most once a minute
 *  while nothing changes), for the dashboard's utilization chart. */
export interface HpaSampleView {
  at: number;
  currentReplicas: number;
  desiredReplicas: number;
  metrics: HpaMetricValue[];
}

/** A HorizontalPodAutoscaler as `skiff get hpa` / `describe hpa` show it. */
export interface HpaView {
  namespace: string;
  name: string;
  app: string;
  /** kubectl's REFERENCE column: `Deployment/web`. */
  reference: string;
  /** kubectl's TARGETS column: `cpu: 45%/70%`. */
  targets: string;
  /** Per metric, aligned with spec.metrics. */
  metrics: { name: string; current: string; target: string }[];
  minReplicas: number;
  maxReplicas: number;
  /** The target's replica count the HPA holds now (what it last decided). */
  currentReplicas: number;
  desiredReplicas: number;
  conditions: Condition[];
  lastScaleTime?: number;
  /** When this daemon first saw the HPA admitted (AGE). */
  createdAt?: number;
  /** Recent decisions, newest first. */
  decisions: HpaDecisionView[];
  /** Recent samples, oldest first, when asked for (`GET /api/v1/hpas?samples=N`). */
  samples?: HpaSampleView[];
}

/** One pod still on a host being drained: evicted this pass, terminating, or held back (a
 *  budget forbids it now, a pod without a controller without --force, an app not admitted). */
export interface DrainPodView {
  namespace: string;
  name: string;
  app: string;
  status: 'Evicted' | 'Terminating' | 'Blocked';
  message?: string;
  /** The budget (`pdb/NAME`) that holds a Blocked eviction back, when one does. */
  budget?: string;
}

/** A host cordoned by `skiff drain` and what remains of its pods (empty: drained). */
export interface DrainView {
  host: string;
  force: boolean;
  /** ms since epoch when the drain was asked. */
  since: number;
  pods: DrainPodView[];
  /** The host is being removed from the inventory (an automatic drain), not drained by hand. */
  removal?: true;
}
