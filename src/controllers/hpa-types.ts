// The HorizontalPodAutoscaler controller's vocabulary: its flags (HpaConfig), conditions,
// events, the memory it keeps between passes, the metric statuses it reports and its decision.
// Pure types and defaults; the decision is in hpa.ts, its steps in hpa-proposal.ts and
// hpa-normalize.ts.
import type { HorizontalPodAutoscalerSpec } from '../model/k8s.js';
import type { HpaRecommendation, HpaScaleEvent } from './hpa-behavior.js';
import type { HpaPod, HpaResource } from './hpa-replica-calculator.js';
import type { PodMetricSample } from './pod-metrics.js';

/** The kube-controller-manager flags the HPA algorithm depends on. */
export interface HpaConfig {
  /** --horizontal-pod-autoscaler-tolerance. */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period, ms. */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay, ms. */
  delayOfInitialReadinessStatusMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization, ms. */
  downscaleStabilizationWindowMs: number;
}

/** Upstream's defaults: 0.1, 5 min, 30 s, 5 min. */
export const defaultHpaConfig: Readonly<HpaConfig> = Object.freeze({
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
  downscaleStabilizationWindowMs: 5 * 60_000,
});

export type HpaConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

/** The reasons upstream's controller sets on the three conditions. */
export type HpaConditionReason =
  | 'SucceededGetScale'
  | 'SucceededRescale'
  | 'ReadyForNewScale'
  | 'ScaleUpStabilized'
  | 'ScaleDownStabilized'
  | 'ValidMetricFound'
  | 'ScalingDisabled'
  | 'FailedGetResourceMetric'
  | 'DesiredWithinRange'
  | 'ScaleUpLimit'
  | 'ScaleDownLimit'
  | 'TooManyReplicas'
  | 'TooFewReplicas';

export interface HpaCondition {
  type: HpaConditionType;
  status: 'True' | 'False';
  reason: HpaConditionReason;
  message: string;
  /** ms since epoch the status last flipped. */
  lastTransitionTime: number;
}

export interface HpaEvent {
  type: 'Normal' | 'Warning';
  reason: 'SuccessfulRescale' | 'FailedGetResourceMetric' | 'FailedComputeMetricsReplicas';
  message: string;
}

/** What the controller remembers about one HPA between passes (JSON-serializable). */
export interface HpaMemory {
  /** Unstabilized recommendations, for the stabilization windows. */
  recommendations: HpaRecommendation[];
  /** Recent rescales, for the scaling policies' periods (kept only when `behavior` is set). */
  scaleUpEvents: HpaScaleEvent[];
  scaleDownEvents: HpaScaleEvent[];
  /** The status conditions as last set (their transition times persist). */
  conditions: HpaCondition[];
  /** ms since epoch of the last rescale (status.lastScaleTime). */
  lastScaleTime?: number;
}

export function emptyHpaMemory(): HpaMemory {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [], conditions: [] };
}

/** One metric's current value, aligned with spec.metrics (status.currentMetrics). */
export interface HpaMetricStatus {
  type: 'Resource';
  name: HpaResource;
  /** Percent of requests; present for Utilization targets. */
  currentAverageUtilization?: number;
  /** Average usage per pod in milli-units (millicores; milli-bytes for memory). */
  currentAverageValueMilli: number;
  /** The average as kubectl prints the status quantity ("250m", "100Mi", "104857600500m"). */
  currentAverageValue: string;
}

/** Why the decision came out as it did. */
export type ScaleReason =
  /** currentReplicas is 0: upstream disables autoscaling. */
  | 'ScalingDisabled'
  /** currentReplicas above maxReplicas: clamped without reading metrics. */
  | 'AboveMaxReplicas'
  /** currentReplicas below minReplicas: raised without reading metrics. */
  | 'BelowMinReplicas'
  /** A metric is above its target: scaling up. */
  | 'MetricAboveTarget'
  /** Every metric is below its target: scaling down. */
  | 'AllMetricsBelowTarget'
  /** Metrics were read and the count stays (tolerance, stabilization or limits). */
  | 'Unchanged'
  /** No valid metric (or an invalid one while the rest would scale down): no change. */
  | 'MetricsUnavailable';

export interface DecideReplicasInput {
  /** The HPA in its autoscaling/v2 shape (see convertHpaV1ToV2 for v1). */
  hpa: { spec: HorizontalPodAutoscalerSpec };
  /** The scale target's current replicas (its spec.replicas). */
  currentReplicas: number;
  /** The target's pods (its selector's matches), including pending and terminating ones. */
  pods: readonly HpaPod[];
  /** Usage samples; only samples of `pods` are read. */
  metrics: readonly PodMetricSample[];
  memory: HpaMemory;
  /** ms since epoch. */
  now: number;
  config?: Partial<HpaConfig>;
}

export interface HpaDecision {
  desiredReplicas: number;
  /** desiredReplicas differs from currentReplicas: the shell should write it. */
  scale: boolean;
  reason: ScaleReason;
  /** Upstream's rescale reason text ("cpu resource utilization (percentage of request) above
   *  target"), or why nothing changed. */
  message: string;
  metricStatuses: (HpaMetricStatus | null)[];
  conditions: HpaCondition[];
  events: HpaEvent[];
  memory: HpaMemory;
}
