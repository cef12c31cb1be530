// skiff's programmatic API: the pure building blocks, importable as the package.
// Later issues add their exports here (scheduler, rollout, HPA decisions).

// Horizontal Pod Autoscaler (pure): the decision, v1 conversion, TARGETS, pod metrics.
export {
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
  type HpaPod,
  type HpaPodPhase,
  type HpaRecommendation,
  type HpaResource,
  type HpaScaleEvent,
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
  type ContainerStatsSample,
  formatTopCpu,
  formatTopMemory,
  type PodMetricSample,
  type PodMetricsOptions,
  type PodRequests,
  podMetricsFromStats,
  podResourceRequests,
  podUtilization,
} from './controllers/pod-metrics.js';
export type * from './model/actions.js';
export type * from './model/desired.js';
export * from './model/diagnostics.js';
export * from './model/errors.js';
export * from './model/k8s.js';
export type * from './model/observed.js';
