// skiff's programmatic API: the pure building blocks, importable as the package.
// Each export is a pure function of values (no I/O, no clock): replay it with your own inputs.

// kubectl top's number formats (renderers, in cli/views; still part of the package's API).
export { formatTopCpu, formatTopMemory } from './cli/views/top.js';
// Restarts (pure): kubelet restart policy and CrashLoopBackOff.
export {
  type BackoffEntry,
  backoffKey,
  decideContainerRestart,
  pruneBackoffMemory,
  type RestartDecision,
  type RestartReason,
} from './controllers/backoff.js';
// Deployments (pure): rollout, scaling, progress deadline; ResolveFenceposts.
export {
  type DeploymentCondition,
  type DeploymentEvent,
  type DeploymentInput,
  type DeploymentMemory,
  type DeploymentPhase,
  type DeploymentResult,
  type DeploymentStatus,
  deploymentComplete,
  emptyDeploymentMemory,
  maxSurgeOf,
  maxUnavailableOf,
  type PodDeletion,
  type PodReadinessState,
  type PodReplacementPolicy,
  type RevisionMemory,
  reconcileDeployment,
} from './controllers/deployment.js';
// Horizontal Pod Autoscaler (pure): the proposal, its normalization, the decision, v1 conversion, TARGETS, pod metrics.
export {
  computeReplicasForMetrics,
  type DecideReplicasInput,
  decideReplicas,
  defaultHpaConfig,
  emptyHpaMemory,
  type HpaCondition,
  type HpaConditionReason,
  type HpaConditionType,
  type HpaConfig,
  type HpaDecision,
  type HpaEvent,
  type HpaMemory,
  type HpaMetricStatus,
  type HpaNormalization,
  type HpaNormalizationInput,
  type HpaPod,
  type HpaPodPhase,
  type HpaProposal,
  type HpaProposalInput,
  type HpaRecommendation,
  type HpaResource,
  type HpaScaleEvent,
  normalizeDesiredReplicas,
  type ScaleReason,
} from './controllers/hpa.js';
export { formatHpaTargets } from './controllers/hpa-format.js';
export {
  convertHpaV1ToV2,
  type HpaV1Conversion,
  type HpaV1Spec,
  hpaRoundTripAnnotations,
} from './controllers/hpa-v1.js';
export {
  compareForDeletion,
  type DeletionCandidate,
  pickPodsToDelete,
} from './controllers/pod-deletion-order.js';
export {
  type ContainerStatsSample,
  type PodMetricSample,
  type PodMetricsOptions,
  type PodRequests,
  podMetricsFromStats,
  podResourceRequests,
  podUtilization,
} from './controllers/pod-metrics.js';
export {
  encodeTemplateHash,
  generatePodName,
  type RandomSource,
  replicaSetName,
  safeEncodeString,
} from './controllers/pod-name.js';
export { maxContainerRestarts, podPhase, type RestartPolicy } from './controllers/pod-phase.js';
export { podNonZeroRequests, podRequests, type ResourceAmounts } from './controllers/pod-requests.js';
// Scheduler (pure): filters, scores and the "why is my pod Pending" explanation.
export {
  buildHostViews,
  explainSchedule,
  type FilterName,
  filterHosts,
  formatUnschedulable,
  type HostExplanation,
  type HostFilterResult,
  type HostScore,
  type HostScoreResult,
  type HostView,
  hostPortKey,
  ownerKey,
  type PlacedPod,
  placedFromObserved,
  podKey,
  SCORE_WEIGHTS,
  type ScheduleBatchResult,
  type ScheduleExplanation,
  type ScheduleOptions,
  type SchedulingPod,
  schedulePods,
  scoreHosts,
} from './controllers/scheduler.js';
// Manifests (pure): parse with positions, validate, default; quantities and selectors.
export * from './manifest/index.js';
// The rollout fenceposts: resolveFenceposts (one definition for the controller and the checks)
// comes with manifest/ above; its result type here.
export type { RolloutFenceposts } from './manifest/int-or-percent.js';
export type * from './model/actions.js';
export type * from './model/desired.js';
export * from './model/diagnostics.js';
export * from './model/errors.js';
export * from './model/k8s.js';
export type * from './model/observed.js';
// The reconcile pass (pure): (desired apps, observed world, inputs, memory, now) -> actions,
// views, events, memory. Every decision skiff makes on the hosts is in its result.
export {
  type AppDesired,
  emptyPassInputs,
  emptyPassMemory,
  type PassEvent,
  type PassInput,
  type PassInputs,
  type PassMemory,
  type PassOptions,
  type PassResult,
  type PassViews,
  reconcilePass,
} from './reconcile/pass.js';
