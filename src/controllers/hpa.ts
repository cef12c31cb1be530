// The HorizontalPodAutoscaler controller's decision: how many replicas a scale target should
// have now, with Kubernetes' status conditions and events. Pure: everything the upstream
// controller keeps in memory between passes (recommendation history, scale events, conditions)
// comes in as `memory` and goes out as a new value; the clock is `now` (ms). The shell reads
// metrics and pods, calls decideReplicas once per HPA and sync period, persists `memory`, and
// applies `desiredReplicas` to the Deployment.
//
// Ported from kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go
// (reconcileAutoscaler, computeReplicasForMetrics, computeReplicasForMetric,
// computeStatusForResourceMetricGeneric, buildQuantity, tolerancesForHpa, setCondition) with the
// calculator in hpa-replica-calculator.ts and normalization in hpa-behavior.ts.
//
// Invariants:
// - desiredReplicas === currentReplicas unless `scale` is true; when metrics cannot be computed
//   the target is left alone (upstream returns before rescaling).
// - `behavior` absent takes upstream's legacy path (5 min downscale stabilization, scale-up cap
//   max(2 x current, 4)); `behavior` present takes the policy path with upstream's defaults.
// - A rescale is recorded (scale events, lastScaleTime, AbleToScale=SucceededRescale) as if it
//   succeeded: the shell owns the write and reports a failure its own way.
import type { HorizontalPodAutoscalerSpec, MetricSpec } from '../model/k8s.js';
import {
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  type HpaRecommendation,
  type HpaScaleEvent,
  type LimitedReplicas,
  resolveScaleDownRules,
  resolveScaleUpRules,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
} from './hpa-behavior.js';
import { approximateFloat, formatMilliQuantity, parseQuantity, quantityMilliValue } from './hpa-quantity.js';
import {
  getRawResourceReplicas,
  getResourceReplicas,
  type HpaPod,
  type HpaResource,
  type PodMetricsInfo,
  type ResourceReplicasInput,
  type Tolerances,
} from './hpa-replica-calculator.js';
import type { PodMetricSample } from './pod-metrics.js';

export type { HpaRecommendation, HpaScaleEvent } from './hpa-behavior.js';
export type { HpaPod, HpaPodPhase, HpaResource } from './hpa-replica-calculator.js';
export type { PodMetricSample } from './pod-metrics.js';

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

const defaultMetrics: MetricSpec[] = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

function setCondition(
  conditions: HpaCondition[],
  type: HpaConditionType,
  status: 'True' | 'False',
  reason: HpaConditionReason,
  message: string,
  now: number,
): void {
  const existing = conditions.findIndex((c) => c.type === type);
  if (existing < 0) {
    conditions.push({ type, status, reason, message, lastTransitionTime: now });
    return;
  }
  const prev = conditions[existing]!;
  // Conditions are replaced, never edited in place: an unchanged one is kept as it is.
  if (prev.status === status && prev.reason === reason && prev.message === message) return;
  conditions[existing] = {
    type,
    status,
    reason,
    message,
    lastTransitionTime: prev.status === status ? prev.lastTransitionTime : now,
  };
}

/** tolerancesForHpa: per-HPA tolerances apply only when `behavior` is set. */
function tolerancesFor(spec: HorizontalPodAutoscalerSpec, config: HpaConfig): Tolerances {
  const t = { scaleDown: config.tolerance, scaleUp: config.tolerance };
  const down = spec.behavior?.scaleDown?.tolerance;
  const up = spec.behavior?.scaleUp?.tolerance;
  const downQ = down === undefined ? undefined : parseQuantity(down);
  const upQ = up === undefined ? undefined : parseQuantity(up);
  if (downQ) t.scaleDown = approximateFloat(downQ);
  if (upQ) t.scaleUp = approximateFloat(upQ);
  return t;
}

interface MetricProposal {
  replicas: number;
  metricName: string;
  status: HpaMetricStatus;
}

/** A metric that failed: the condition and event upstream derives from the error. */
interface MetricFailure {
  /** computeStatusForResourceMetricGeneric's error (condition message and event). */
  error: string;
  /** computeReplicasForMetric's wrapped error. */
  wrapped: string;
}

function buildStatus(resource: HpaResource, rawMilli: number, utilization?: number): HpaMetricStatus {
  // buildQuantity: memory prints in BinarySI, as metrics-server reports it; cpu in DecimalSI.
  const current = formatMilliQuantity(rawMilli, resource === 'memory' ? 'BinarySI' : 'DecimalSI');
  const status: HpaMetricStatus = {
    type: 'Resource',
    name: resource,
    currentAverageValueMilli: rawMilli,
    currentAverageValue: current,
  };
  if (utilization !== undefined) status.currentAverageUtilization = utilization;
  return status;
}

/** Samples of the target's pods as the metrics API's PodMetricsInfo for one resource. */
function metricsFor(samples: readonly PodMetricSample[], resource: HpaResource): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const s of samples) {
    // MilliValue rounds up: metrics-server's nanocores and bytes become milli-units.
    const value = resource === 'cpu' ? Math.ceil(s.cpuMilli) : Math.ceil(s.memoryBytes * 1000);
    out.set(s.pod, { value, timestamp: s.timestamp, windowMs: s.windowMs });
  }
  return out;
}

function metricFailure(resource: HpaResource, error: string): { ok: false } & MetricFailure {
  return { ok: false, error, wrapped: `failed to get ${resource} resource metric value: ${error}` };
}

function computeResourceMetric(
  spec: MetricSpec,
  base: Omit<ResourceReplicasInput, 'resource' | 'metrics'>,
  samples: readonly PodMetricSample[],
): { ok: true; proposal: MetricProposal } | ({ ok: false } & MetricFailure) {
  const resource = spec.resource.name;
  const target = spec.resource.target;
  const fail = (error: string) => metricFailure(resource, error);
  // The metrics client answers with nothing when no pod of the target has a sample.
  const fetchError =
    samples.length === 0
      ? `unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`
      : '';
  const input: ResourceReplicasInput = { ...base, resource, metrics: metricsFor(samples, resource) };

  // Upstream checks averageValue first, whatever target.type says.
  if (target.averageValue !== undefined) {
    const targetMilli = quantityMilliValue(target.averageValue);
    if (targetMilli === undefined)
      return fail(
        `invalid resource metric source: averageValue ${JSON.stringify(target.averageValue)} is not a quantity`,
      );
    if (fetchError) return fail(`failed to get ${resource} usage: ${fetchError}`);
    const r = getRawResourceReplicas(input, targetMilli);
    if (!r.ok) return fail(`failed to get ${resource} usage: ${r.error}`);
    return {
      ok: true,
      proposal: {
        replicas: r.replicas,
        metricName: `${resource} resource`,
        status: buildStatus(resource, r.usage),
      },
    };
  }
  if (target.averageUtilization === undefined) {
    return fail(
      'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set',
    );
  }
  if (fetchError) return fail(`failed to get ${resource} utilization: ${fetchError}`);
  const r = getResourceReplicas(input, target.averageUtilization);
  if (!r.ok) return fail(`failed to get ${resource} utilization: ${r.error}`);
  return {
    ok: true,
    proposal: {
      replicas: r.replicas,
      metricName: `${resource} resource utilization (percentage of request)`,
      status: buildStatus(resource, r.rawUtilization, r.utilization),
    },
  };
}

/** normalizeDesiredReplicas (legacy, without `behavior`) or
 *  normalizeDesiredReplicasWithBehaviors: stabilize, then limit. */
function normalize(
  spec: HorizontalPodAutoscalerSpec,
  config: HpaConfig,
  args: {
    currentReplicas: number;
    desiredReplicas: number;
    minReplicas: number;
    maxReplicas: number;
    recommendations: readonly HpaRecommendation[];
    scaleUpEvents: readonly HpaScaleEvent[];
    scaleDownEvents: readonly HpaScaleEvent[];
    now: number;
  },
): {
  stabilized: { replicas: number; reason: 'ScaleUpStabilized' | 'ScaleDownStabilized'; message: string };
  limited: LimitedReplicas;
  recommendations: HpaRecommendation[];
} {
  const { currentReplicas, desiredReplicas, minReplicas, maxReplicas, now } = args;
  if (spec.behavior === undefined) {
    const s = stabilizeRecommendation(
      args.recommendations,
      desiredReplicas,
      now,
      config.downscaleStabilizationWindowMs,
    );
    return {
      stabilized: {
        replicas: s.recommendation,
        reason: 'ScaleDownStabilized',
        message:
          'recent recommendations were higher than current one, applying the highest recent recommendation',
      },
      limited: convertDesiredReplicasWithRules(currentReplicas, s.recommendation, minReplicas, maxReplicas),
      recommendations: s.recommendations,
    };
  }
  const scaleUp = resolveScaleUpRules(spec.behavior.scaleUp);
  const scaleDown = resolveScaleDownRules(spec.behavior.scaleDown, downscaleWindowSeconds(config));
  const s = stabilizeRecommendationWithBehaviors(
    args.recommendations,
    {
      currentReplicas,
      desiredReplicas,
      scaleUpWindowSeconds: scaleUp.stabilizationWindowSeconds,
      scaleDownWindowSeconds: scaleDown.stabilizationWindowSeconds,
    },
    now,
  );
  const limited = convertDesiredReplicasWithBehaviorRate(
    {
      currentReplicas,
      desiredReplicas: s.recommendation,
      minReplicas,
      maxReplicas,
      scaleUp,
      scaleDown,
      scaleUpEvents: args.scaleUpEvents,
      scaleDownEvents: args.scaleDownEvents,
    },
    now,
  );
  return {
    stabilized: { replicas: s.recommendation, reason: s.reason, message: s.message },
    limited,
    recommendations: s.recommendations,
  };
}

function downscaleWindowSeconds(config: HpaConfig): number {
  return Math.trunc(config.downscaleStabilizationWindowMs / 1000);
}

/**
 * Decides the scale target's replica count for this pass, exactly as Kubernetes' HPA
 * controller would (see the file header for sources), and returns the status to report and the
 * memory for the next pass.
 */
export function decideReplicas(input: DecideReplicasInput): HpaDecision {
  const config: HpaConfig = { ...defaultHpaConfig, ...input.config };
  const { now, currentReplicas } = input;
  const spec = input.hpa.spec;
  const metricSpecs = spec.metrics.length > 0 ? spec.metrics : defaultMetrics;
  const minReplicas = spec.minReplicas ?? 1;
  const maxReplicas = spec.maxReplicas;
  // Shallow copies: entries are replaced, never mutated, so the caller's memory stays intact.
  const conditions = input.memory.conditions.slice();
  const events: HpaEvent[] = [];
  let recommendations: HpaRecommendation[] = input.memory.recommendations;
  let scaleUpEvents = input.memory.scaleUpEvents;
  let scaleDownEvents = input.memory.scaleDownEvents;
  let lastScaleTime = input.memory.lastScaleTime;

  setCondition(
    conditions,
    'AbleToScale',
    'True',
    'SucceededGetScale',
    "the HPA controller was able to get the target's current scale",
    now,
  );
  // recordInitialRecommendation: the current count seeds the history once.
  if (recommendations.length === 0) recommendations = [{ replicas: currentReplicas, at: now }];

  const memory = (): HpaMemory => {
    const m: HpaMemory = { recommendations, scaleUpEvents, scaleDownEvents, conditions };
    if (lastScaleTime !== undefined) m.lastScaleTime = lastScaleTime;
    return m;
  };

  let desiredReplicas = 0;
  let rescaleReason = '';
  let rescale = true;
  let needsMetrics = true;
  let reason: ScaleReason = 'Unchanged';
  let metricStatuses: (HpaMetricStatus | null)[] = [];

  if (currentReplicas === 0) {
    // A target scaled to zero by hand is left alone (HPAScaleToZero is alpha and not modelled).
    desiredReplicas = 0;
    rescale = false;
    needsMetrics = false;
    reason = 'ScalingDisabled';
    rescaleReason = 'scaling is disabled since the replica count of the target is zero';
    setCondition(conditions, 'ScalingActive', 'False', 'ScalingDisabled', rescaleReason, now);
  } else if (currentReplicas > maxReplicas) {
    rescaleReason = 'Current number of replicas above Spec.MaxReplicas';
    desiredReplicas = maxReplicas;
    needsMetrics = false;
    reason = 'AboveMaxReplicas';
  } else if (currentReplicas < minReplicas) {
    rescaleReason = 'Current number of replicas below Spec.MinReplicas';
    desiredReplicas = minReplicas;
    needsMetrics = false;
    reason = 'BelowMinReplicas';
  }

  if (needsMetrics) {
    // computeReplicasForMetrics
    const podNames = new Set(input.pods.map((p) => p.name));
    const samples = input.metrics.filter((s) => podNames.has(s.pod));
    const base = {
      currentReplicas,
      tolerances: tolerancesFor(spec, config),
      pods: input.pods,
      timing: config,
      now,
    };
    metricStatuses = metricSpecs.map(() => null);
    let metricDesired = 0;
    let metricName = '';
    let invalidCount = 0;
    let firstInvalid: MetricFailure | undefined;
    metricSpecs.forEach((metricSpec, i) => {
      const r = computeResourceMetric(metricSpec, base, samples);
      if (!r.ok) {
        // getUnableComputeReplicaCountCondition records an event for every failing metric.
        events.push({ type: 'Warning', reason: 'FailedGetResourceMetric', message: r.error });
        if (invalidCount <= 0) firstInvalid = r;
        invalidCount++;
        return;
      }
      metricStatuses[i] = r.proposal.status;
      if (metricDesired === 0 || r.proposal.replicas > metricDesired) {
        metricDesired = r.proposal.replicas;
        metricName = r.proposal.metricName;
      }
    });

    // All metrics invalid, or some invalid while the valid ones would scale down: no change.
    if (firstInvalid && (invalidCount >= metricSpecs.length || metricDesired < currentReplicas)) {
      setCondition(
        conditions,
        'ScalingActive',
        'False',
        'FailedGetResourceMetric',
        `the HPA was unable to compute the replica count: ${firstInvalid.error}`,
        now,
      );
      const error = `invalid metrics (${invalidCount} invalid out of ${metricSpecs.length}), first error is: ${firstInvalid.wrapped}`;
      events.push({ type: 'Warning', reason: 'FailedComputeMetricsReplicas', message: error });
      return {
        desiredReplicas: currentReplicas,
        scale: false,
        reason: 'MetricsUnavailable',
        message: error,
        metricStatuses,
        conditions,
        events,
        memory: memory(),
      };
    }
    setCondition(
      conditions,
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${metricName}`,
      now,
    );

    let rescaleMetric = '';
    if (metricDesired > desiredReplicas) {
      desiredReplicas = metricDesired;
      rescaleMetric = metricName;
    }
    if (desiredReplicas > currentReplicas) rescaleReason = `${rescaleMetric} above target`;
    if (desiredReplicas < currentReplicas) rescaleReason = 'All metrics below target';

    const normalized = normalize(spec, config, {
      currentReplicas,
      desiredReplicas,
      minReplicas,
      maxReplicas,
      recommendations,
      scaleUpEvents,
      scaleDownEvents,
      now,
    });
    recommendations = normalized.recommendations;
    const { stabilized, limited } = normalized;
    if (stabilized.replicas !== desiredReplicas) {
      setCondition(conditions, 'AbleToScale', 'True', stabilized.reason, stabilized.message, now);
    } else {
      setCondition(
        conditions,
        'AbleToScale',
        'True',
        'ReadyForNewScale',
        'recommended size matches current size',
        now,
      );
    }
    const isLimited = limited.replicas === stabilized.replicas ? 'False' : 'True';
    setCondition(conditions, 'ScalingLimited', isLimited, limited.reason, limited.message, now);
    desiredReplicas = limited.replicas;
    rescale = desiredReplicas !== currentReplicas;
    reason = !rescale
      ? 'Unchanged'
      : desiredReplicas > currentReplicas
        ? 'MetricAboveTarget'
        : 'AllMetricsBelowTarget';
  }

  if (rescale) {
    setCondition(
      conditions,
      'AbleToScale',
      'True',
      'SucceededRescale',
      `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      now,
    );
    events.push({
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: `New size: ${desiredReplicas}; reason: ${rescaleReason}`,
    });
    // storeScaleEvent: history is kept only when behavior is set (the legacy path never reads it).
    if (spec.behavior !== undefined) {
      if (desiredReplicas > currentReplicas) {
        scaleUpEvents = storeScaleEvent(
          scaleUpEvents,
          resolveScaleUpRules(spec.behavior.scaleUp),
          desiredReplicas - currentReplicas,
          now,
        );
      } else {
        const rules = resolveScaleDownRules(spec.behavior.scaleDown, downscaleWindowSeconds(config));
        scaleDownEvents = storeScaleEvent(scaleDownEvents, rules, currentReplicas - desiredReplicas, now);
      }
    }
    lastScaleTime = now;
  } else {
    desiredReplicas = currentReplicas;
    if (reason === 'Unchanged') rescaleReason = 'the desired replica count equals the current count';
  }

  return {
    desiredReplicas,
    scale: rescale,
    reason,
    message: rescaleReason,
    metricStatuses,
    conditions,
    events,
    memory: memory(),
  };
}
