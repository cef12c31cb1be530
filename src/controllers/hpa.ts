// The HorizontalPodAutoscaler controller's decision: how many replicas a scale target should
// have now, with Kubernetes' status conditions and events. Pure: everything the upstream
// controller keeps in memory between passes (recommendation history, scale events, conditions)
// comes in as `memory` and goes out as a new value; the clock is `now` (ms). The shell reads
// metrics and pods, calls decideReplicas once per HPA and sync period, persists `memory`, and
// applies `desiredReplicas` to the Deployment.
//
// Ported from kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go
// (reconcileAutoscaler, setCondition), in upstream's steps, each exported so a user or a test
// can replay it: the proposal (computeReplicasForMetrics, hpa-proposal.ts, over the replica
// calculator in hpa-replica-calculator.ts), the normalization (normalizeDesiredReplicas
// [WithBehaviors], hpa-normalize.ts, over the stabilization and rate limits in
// hpa-behavior.ts), and here the full decision with its conditions, events and memory.
//
// Invariants:
// - desiredReplicas === currentReplicas unless `scale` is true; when metrics cannot be computed
//   the target is left alone (upstream returns before rescaling).
// - `behavior` absent takes upstream's legacy path (5 min downscale stabilization, scale-up cap
//   max(2 x current, 4)); `behavior` present takes the policy path with upstream's defaults.
// - A rescale is recorded (scale events, lastScaleTime, AbleToScale=SucceededRescale) as if it
//   succeeded: the shell owns the write and reports a failure its own way.
import type { HorizontalPodAutoscalerSpec } from '../model/k8s.js';
import { resolveScaleDownRules, resolveScaleUpRules, storeScaleEvent } from './hpa-behavior.js';
import { downscaleWindowSeconds, normalizeDesiredReplicas } from './hpa-normalize.js';
import { computeReplicasForMetrics, type HpaProposal } from './hpa-proposal.js';
import {
  type DecideReplicasInput,
  defaultHpaConfig,
  type HpaCondition,
  type HpaConditionReason,
  type HpaConditionType,
  type HpaConfig,
  type HpaDecision,
  type HpaEvent,
  type HpaMemory,
  type HpaMetricStatus,
  type ScaleReason,
} from './hpa-types.js';

export type { HpaRecommendation, HpaScaleEvent } from './hpa-behavior.js';
export {
  downscaleWindowSeconds,
  type HpaNormalization,
  type HpaNormalizationInput,
  type HpaStabilized,
  normalizeDesiredReplicas,
} from './hpa-normalize.js';
export {
  computeReplicasForMetrics,
  type HpaProposal,
  type HpaProposalInput,
  type MetricFailure,
} from './hpa-proposal.js';
export type { HpaPod, HpaPodPhase, HpaResource } from './hpa-replica-calculator.js';
export * from './hpa-types.js';
export type { PodMetricSample } from './pod-metrics.js';

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

/** What one decision sets as it goes: conditions, events and the history to remember. */
interface DecisionState {
  now: number;
  conditions: HpaCondition[];
  events: HpaEvent[];
  recommendations: HpaMemory['recommendations'];
  scaleUpEvents: HpaMemory['scaleUpEvents'];
  scaleDownEvents: HpaMemory['scaleDownEvents'];
  lastScaleTime?: number;
}

/** The count decided before any rescale is recorded, and why. */
interface Outcome {
  desiredReplicas: number;
  rescale: boolean;
  reason: ScaleReason;
  message: string;
  metricStatuses: (HpaMetricStatus | null)[];
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
  const st = startDecision(input);
  const bounded = checkReplicaBounds(currentReplicas, spec.minReplicas ?? 1, spec.maxReplicas);
  if (bounded?.reason === 'ScalingDisabled')
    setCondition(st.conditions, 'ScalingActive', 'False', 'ScalingDisabled', bounded.message, now);
  if (bounded) return finishDecision(spec, config, currentReplicas, st, bounded);

  const proposal = computeReplicasForMetrics({
    spec,
    currentReplicas,
    pods: input.pods,
    metrics: input.metrics,
    config,
    now,
  });
  // getUnableComputeReplicaCountCondition records an event for every failing metric.
  for (const f of proposal.failures)
    st.events.push({ type: 'Warning', reason: 'FailedGetResourceMetric', message: f.error });
  if (proposal.error !== undefined) return metricsUnavailable(currentReplicas, st, proposal, proposal.error);
  const outcome = applyProposal(input, config, st, proposal);
  return finishDecision(spec, config, currentReplicas, st, outcome);
}

/** The caller's memory, copied (entries are replaced, never mutated); AbleToScale set;
 *  recordInitialRecommendation: the current count seeds the history once. */
function startDecision(input: DecideReplicasInput): DecisionState {
  const { now, memory } = input;
  const st: DecisionState = {
    now,
    conditions: memory.conditions.slice(),
    events: [],
    recommendations:
      memory.recommendations.length === 0
        ? [{ replicas: input.currentReplicas, at: now }]
        : memory.recommendations,
    scaleUpEvents: memory.scaleUpEvents,
    scaleDownEvents: memory.scaleDownEvents,
    lastScaleTime: memory.lastScaleTime,
  };
  setCondition(
    st.conditions,
    'AbleToScale',
    'True',
    'SucceededGetScale',
    "the HPA controller was able to get the target's current scale",
    now,
  );
  return st;
}

function memoryOf(st: DecisionState): HpaMemory {
  const m: HpaMemory = {
    recommendations: st.recommendations,
    scaleUpEvents: st.scaleUpEvents,
    scaleDownEvents: st.scaleDownEvents,
    conditions: st.conditions,
  };
  if (st.lastScaleTime !== undefined) m.lastScaleTime = st.lastScaleTime;
  return m;
}

/** reconcileAutoscaler's checks before reading metrics: a target at zero, or outside
 *  [minReplicas, maxReplicas], is decided without them. */
function checkReplicaBounds(
  currentReplicas: number,
  minReplicas: number,
  maxReplicas: number,
): Outcome | undefined {
  if (currentReplicas === 0) {
    // A target scaled to zero by hand is left alone (HPAScaleToZero is alpha and not modelled).
    const message = 'scaling is disabled since the replica count of the target is zero';
    return { desiredReplicas: 0, rescale: false, reason: 'ScalingDisabled', message, metricStatuses: [] };
  }
  if (currentReplicas > maxReplicas) {
    const message = 'Current number of replicas above Spec.MaxReplicas';
    return {
      desiredReplicas: maxReplicas,
      rescale: true,
      reason: 'AboveMaxReplicas',
      message,
      metricStatuses: [],
    };
  }
  if (currentReplicas < minReplicas) {
    const message = 'Current number of replicas below Spec.MinReplicas';
    return {
      desiredReplicas: minReplicas,
      rescale: true,
      reason: 'BelowMinReplicas',
      message,
      metricStatuses: [],
    };
  }
  return undefined;
}

/** All metrics invalid, or some invalid while the valid ones would scale down: no change. */
function metricsUnavailable(
  currentReplicas: number,
  st: DecisionState,
  proposal: HpaProposal,
  error: string,
): HpaDecision {
  const first = proposal.failures[0]!;
  setCondition(
    st.conditions,
    'ScalingActive',
    'False',
    'FailedGetResourceMetric',
    `the HPA was unable to compute the replica count: ${first.error}`,
    st.now,
  );
  st.events.push({ type: 'Warning', reason: 'FailedComputeMetricsReplicas', message: error });
  return {
    desiredReplicas: currentReplicas,
    scale: false,
    reason: 'MetricsUnavailable',
    message: error,
    metricStatuses: proposal.metricStatuses,
    conditions: st.conditions,
    events: st.events,
    memory: memoryOf(st),
  };
}

/** A valid proposal, normalized (stabilized, then limited), with the conditions that say so. */
function applyProposal(
  input: DecideReplicasInput,
  config: HpaConfig,
  st: DecisionState,
  proposal: HpaProposal,
): Outcome {
  const { currentReplicas, now } = input;
  const spec = input.hpa.spec;
  const msg = `the HPA was able to successfully calculate a replica count from ${proposal.metricName}`;
  setCondition(st.conditions, 'ScalingActive', 'True', 'ValidMetricFound', msg, now);
  const desired = proposal.replicas;
  let message = '';
  if (desired > currentReplicas) message = `${proposal.metricName} above target`;
  if (desired < currentReplicas) message = 'All metrics below target';
  const { stabilized, limited, recommendations } = normalizeDesiredReplicas({
    spec,
    config,
    currentReplicas,
    desiredReplicas: desired,
    minReplicas: spec.minReplicas ?? 1,
    maxReplicas: spec.maxReplicas,
    recommendations: st.recommendations,
    scaleUpEvents: st.scaleUpEvents,
    scaleDownEvents: st.scaleDownEvents,
    now,
  });
  st.recommendations = recommendations;
  if (stabilized.replicas !== desired)
    setCondition(st.conditions, 'AbleToScale', 'True', stabilized.reason, stabilized.message, now);
  else
    setCondition(
      st.conditions,
      'AbleToScale',
      'True',
      'ReadyForNewScale',
      'recommended size matches current size',
      now,
    );
  const isLimited = limited.replicas === stabilized.replicas ? 'False' : 'True';
  setCondition(st.conditions, 'ScalingLimited', isLimited, limited.reason, limited.message, now);
  const rescale = limited.replicas !== currentReplicas;
  const reason: ScaleReason = !rescale
    ? 'Unchanged'
    : limited.replicas > currentReplicas
      ? 'MetricAboveTarget'
      : 'AllMetricsBelowTarget';
  return {
    desiredReplicas: limited.replicas,
    rescale,
    reason,
    message,
    metricStatuses: proposal.metricStatuses,
  };
}

/** A rescale is recorded as if it succeeded (condition, event, scale history, lastScaleTime);
 *  otherwise the target keeps its count. */
function finishDecision(
  spec: HorizontalPodAutoscalerSpec,
  config: HpaConfig,
  currentReplicas: number,
  st: DecisionState,
  o: Outcome,
): HpaDecision {
  let { desiredReplicas, message } = o;
  if (o.rescale) {
    setCondition(
      st.conditions,
      'AbleToScale',
      'True',
      'SucceededRescale',
      `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      st.now,
    );
    st.events.push({
      type: 'Normal',
      reason: 'SuccessfulRescale',
      message: `New size: ${desiredReplicas}; reason: ${message}`,
    });
    recordScaleEvent(spec, config, currentReplicas, desiredReplicas, st);
    st.lastScaleTime = st.now;
  } else {
    desiredReplicas = currentReplicas;
    if (o.reason === 'Unchanged') message = 'the desired replica count equals the current count';
  }
  return {
    desiredReplicas,
    scale: o.rescale,
    reason: o.reason,
    message,
    metricStatuses: o.metricStatuses,
    conditions: st.conditions,
    events: st.events,
    memory: memoryOf(st),
  };
}

/** storeScaleEvent: history is kept only when behavior is set (the legacy path never reads it). */
function recordScaleEvent(
  spec: HorizontalPodAutoscalerSpec,
  config: HpaConfig,
  currentReplicas: number,
  desiredReplicas: number,
  st: DecisionState,
): void {
  if (spec.behavior === undefined) return;
  if (desiredReplicas > currentReplicas) {
    const rules = resolveScaleUpRules(spec.behavior.scaleUp);
    st.scaleUpEvents = storeScaleEvent(st.scaleUpEvents, rules, desiredReplicas - currentReplicas, st.now);
  } else {
    const rules = resolveScaleDownRules(spec.behavior.scaleDown, downscaleWindowSeconds(config));
    st.scaleDownEvents = storeScaleEvent(
      st.scaleDownEvents,
      rules,
      currentReplicas - desiredReplicas,
      st.now,
    );
  }
}
