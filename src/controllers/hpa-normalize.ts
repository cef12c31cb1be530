// The HPA's normalization: the proposal (hpa-proposal.ts) stabilized over the recent
// recommendations, then limited by the scaling policies and min/max. Ported from
// kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go: normalizeDesiredReplicas
// (legacy, `behavior` absent) and normalizeDesiredReplicasWithBehaviors; the steps themselves
// (stabilizeRecommendation[WithBehaviors], convertDesiredReplicasWith[Rules|BehaviorRate]) are
// in hpa-behavior.ts. Pure.
import type { HorizontalPodAutoscalerSpec } from '../model/k8s.js';
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
} from './hpa-behavior.js';
import type { HpaConfig } from './hpa-types.js';

/** What normalization reads: the proposal, the bounds and the history. */
export interface HpaNormalizationInput {
  spec: HorizontalPodAutoscalerSpec;
  config: HpaConfig;
  currentReplicas: number;
  /** The proposal (computeReplicasForMetrics' replicas). */
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  /** Recent unstabilized recommendations (seeded with the current count on the first pass). */
  recommendations: readonly HpaRecommendation[];
  scaleUpEvents: readonly HpaScaleEvent[];
  scaleDownEvents: readonly HpaScaleEvent[];
  /** ms since epoch. */
  now: number;
}

/** The stabilized recommendation and why (the AbleToScale condition when it differs from the
 *  proposal). */
export interface HpaStabilized {
  replicas: number;
  reason: 'ScaleUpStabilized' | 'ScaleDownStabilized';
  message: string;
}

export interface HpaNormalization {
  stabilized: HpaStabilized;
  /** The final count and the ScalingLimited condition's reason. */
  limited: LimitedReplicas;
  /** The recommendation history to remember, this pass's proposal included. */
  recommendations: HpaRecommendation[];
}

/** normalizeDesiredReplicas or normalizeDesiredReplicasWithBehaviors: stabilize, then limit. */
export function normalizeDesiredReplicas(input: HpaNormalizationInput): HpaNormalization {
  return input.spec.behavior === undefined
    ? normalizeLegacy(input)
    : normalizeWithBehaviors(input, input.spec.behavior);
}

/** Without `behavior`: the downscale window's highest recommendation, then the legacy limits. */
function normalizeLegacy(input: HpaNormalizationInput): HpaNormalization {
  const s = stabilizeRecommendation(
    input.recommendations,
    input.desiredReplicas,
    input.now,
    input.config.downscaleStabilizationWindowMs,
  );
  return {
    stabilized: {
      replicas: s.recommendation,
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    },
    limited: convertDesiredReplicasWithRules(
      input.currentReplicas,
      s.recommendation,
      input.minReplicas,
      input.maxReplicas,
    ),
    recommendations: s.recommendations,
  };
}

/** With `behavior`: both windows, then the scaling policies' rate limits. */
function normalizeWithBehaviors(
  input: HpaNormalizationInput,
  behavior: NonNullable<HorizontalPodAutoscalerSpec['behavior']>,
): HpaNormalization {
  const { currentReplicas, now } = input;
  const scaleUp = resolveScaleUpRules(behavior.scaleUp);
  const scaleDown = resolveScaleDownRules(behavior.scaleDown, downscaleWindowSeconds(input.config));
  const s = stabilizeRecommendationWithBehaviors(
    input.recommendations,
    {
      currentReplicas,
      desiredReplicas: input.desiredReplicas,
      scaleUpWindowSeconds: scaleUp.stabilizationWindowSeconds,
      scaleDownWindowSeconds: scaleDown.stabilizationWindowSeconds,
    },
    now,
  );
  const limited = convertDesiredReplicasWithBehaviorRate(
    {
      currentReplicas,
      desiredReplicas: s.recommendation,
      minReplicas: input.minReplicas,
      maxReplicas: input.maxReplicas,
      scaleUp,
      scaleDown,
      scaleUpEvents: input.scaleUpEvents,
      scaleDownEvents: input.scaleDownEvents,
    },
    now,
  );
  return {
    stabilized: { replicas: s.recommendation, reason: s.reason, message: s.message },
    limited,
    recommendations: s.recommendations,
  };
}

/** --horizontal-pod-autoscaler-downscale-stabilization in whole seconds. */
export function downscaleWindowSeconds(config: HpaConfig): number {
  return Math.trunc(config.downscaleStabilizationWindowMs / 1000);
}
