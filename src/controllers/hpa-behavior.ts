// The HPA's normalization of a metric-derived recommendation: stabilization windows, scaling
// policies (rate limits) and the min/max clamp, both for `behavior` and for the legacy path
// used when `behavior` is absent. Pure: history comes in as values and goes out as new values;
// `now` is a number (ms), never read from a clock.
//
// Ported from kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go
// (stabilizeRecommendation, normalizeDesiredReplicas, stabilizeRecommendationWithBehaviors,
// convertDesiredReplicasWithBehaviorRate, convertDesiredReplicasWithRules, calculateScaleUpLimit,
// calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors,
// getReplicasChangePerPeriod, storeScaleEvent, markScaleEventsOutdated, getLongestPolicyPeriod)
// and the defaults of pkg/apis/autoscaling/v2/defaults.go (GenerateHPAScaleUpRules,
// GenerateHPAScaleDownRules). Comparisons keep Go's strictness: time.Before/After are strict.
import type { HPAScalingPolicy, HPAScalingRules } from '../model/k8s.js';

/** One unstabilized recommendation, as upstream's timestampedRecommendation. */
export interface HpaRecommendation {
  replicas: number;
  /** ms since epoch. */
  at: number;
}

/** One rescale, as upstream's timestampedScaleEvent: `change` is the absolute replica change. */
export interface HpaScaleEvent {
  change: number;
  at: number;
  /** Older than the longest policy period: the slot may be reused by the next event. */
  outdated: boolean;
}

/** Scaling rules with upstream's defaults filled in. */
export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: readonly HPAScalingPolicy[];
}

export type ScalingLimitedReason =
  | 'DesiredWithinRange'
  | 'ScaleUpLimit'
  | 'ScaleDownLimit'
  | 'TooManyReplicas'
  | 'TooFewReplicas';

export interface LimitedReplicas {
  replicas: number;
  reason: ScalingLimitedReason;
  message: string;
}

const int32Max = 2147483647;
const int32Min = -2147483648;

/** Scale up defaults (defaults.go): no stabilization; Max of 4 pods or 100% per 15 s. */
export function resolveScaleUpRules(rules: HPAScalingRules | undefined): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? 0,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** Scale down defaults (defaults.go): 100% per 15 s, Max; the window is left to the
 *  controller's --horizontal-pod-autoscaler-downscale-stabilization (maybeInitScaleDownStabilizationWindow). */
export function resolveScaleDownRules(
  rules: HPAScalingRules | undefined,
  downscaleStabilizationWindowSeconds: number,
): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? downscaleStabilizationWindowSeconds,
    selectPolicy: rules?.selectPolicy ?? 'Max',
    policies: rules?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

/** Legacy (no `behavior`) stabilization: the highest recommendation of the downscale window
 *  wins; the newest recommendation replaces an expired one or is appended. */
export function stabilizeRecommendation(
  recommendations: readonly HpaRecommendation[],
  prenormalized: number,
  now: number,
  downscaleWindowMs: number,
): { recommendation: number; recommendations: HpaRecommendation[] } {
  let max = prenormalized;
  let oldIndex = -1;
  const cutoff = now - downscaleWindowMs;
  recommendations.forEach((rec, i) => {
    if (rec.at < cutoff) oldIndex = i;
    else if (rec.replicas > max) max = rec.replicas;
  });
  const next = recommendations.slice();
  const fresh = { replicas: prenormalized, at: now };
  if (oldIndex >= 0) next[oldIndex] = fresh;
  else next.push(fresh);
  return { recommendation: max, recommendations: next };
}

/** stabilizeRecommendationWithBehaviors: bring the current count within [lowest recommendation
 *  of the scale-up window, highest of the scale-down window]. */
export function stabilizeRecommendationWithBehaviors(
  recommendations: readonly HpaRecommendation[],
  args: {
    currentReplicas: number;
    desiredReplicas: number;
    scaleUpWindowSeconds: number;
    scaleDownWindowSeconds: number;
  },
  now: number,
): {
  recommendation: number;
  reason: 'ScaleUpStabilized' | 'ScaleDownStabilized';
  message: string;
  recommendations: HpaRecommendation[];
} {
  let up = args.desiredReplicas;
  let down = args.desiredReplicas;
  const upCutoff = now - args.scaleUpWindowSeconds * 1000;
  const downCutoff = now - args.scaleDownWindowSeconds * 1000;
  let oldIndex = -1;
  recommendations.forEach((rec, i) => {
    if (rec.at > upCutoff) up = Math.min(rec.replicas, up);
    if (rec.at > downCutoff) down = Math.max(rec.replicas, down);
    if (rec.at < upCutoff && rec.at < downCutoff) oldIndex = i;
  });
  let recommendation = args.currentReplicas;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;

  const next = recommendations.slice();
  const fresh = { replicas: args.desiredReplicas, at: now };
  if (oldIndex >= 0) next[oldIndex] = fresh;
  else next.push(fresh);

  if (args.desiredReplicas >= args.currentReplicas) {
    return {
      recommendation,
      reason: 'ScaleUpStabilized',
      message:
        'recent recommendations were lower than current one, applying the lowest recent recommendation',
      recommendations: next,
    };
  }
  return {
    recommendation,
    reason: 'ScaleDownStabilized',
    message:
      'recent recommendations were higher than current one, applying the highest recent recommendation',
    recommendations: next,
  };
}

/** Legacy scale-up cap: max(2 x current, 4) (calculateScaleUpLimit, scaleUpLimitFactor 2,
 *  scaleUpLimitMinimum 4). */
export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(2 * currentReplicas, 4));
}

/** convertDesiredReplicasWithRules: the legacy clamp to [min, min(max, scale-up cap)]. */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
): LimitedReplicas {
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  let maximumAllowed: number;
  let reason: ScalingLimitedReason;
  let message: string;
  if (maxReplicas > scaleUpLimit) {
    maximumAllowed = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximumAllowed = maxReplicas;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desiredReplicas < minReplicas) {
    return {
      replicas: minReplicas,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  }
  if (desiredReplicas > maximumAllowed) return { replicas: maximumAllowed, reason, message };
  return {
    replicas: desiredReplicas,
    reason: 'DesiredWithinRange',
    message: 'the desired count is within the acceptable range',
  };
}

/** Sum of the changes recorded within the last `periodSeconds` (strictly after the cutoff). */
export function getReplicasChangePerPeriod(
  periodSeconds: number,
  events: readonly HpaScaleEvent[],
  now: number,
): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.at > cutoff) replicas += e.change;
  return replicas;
}

/** The replica count at the start of the policy's period: now, minus what was added and plus
 *  what was removed within it. */
function replicasAtPeriodStart(
  currentReplicas: number,
  policy: HPAScalingPolicy,
  scaleUpEvents: readonly HpaScaleEvent[],
  scaleDownEvents: readonly HpaScaleEvent[],
  now: number,
): number {
  const added = getReplicasChangePerPeriod(policy.periodSeconds, scaleUpEvents, now);
  const deleted = getReplicasChangePerPeriod(policy.periodSeconds, scaleDownEvents, now);
  return currentReplicas - added + deleted;
}

/** calculateScaleUpLimitWithScalingRules and calculateScaleDownLimitWithBehaviors: the count
 *  the policies allow now. For scaling up 'Min' (the smallest change) picks the lowest count;
 *  for scaling down it picks the highest. */
function limitFromPolicies(
  direction: 'up' | 'down',
  currentReplicas: number,
  scaleUpEvents: readonly HpaScaleEvent[],
  scaleDownEvents: readonly HpaScaleEvent[],
  rules: ResolvedScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const pickHighest = (direction === 'up') === (rules.selectPolicy !== 'Min');
  let result = pickHighest ? int32Min : int32Max;
  for (const policy of rules.policies) {
    const start = replicasAtPeriodStart(currentReplicas, policy, scaleUpEvents, scaleDownEvents, now);
    let proposed: number;
    if (direction === 'up') {
      // A Percent proposal is rounded up: one that adds no replica would never let the target grow.
      proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    } else {
      proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    }
    result = pickHighest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** The most replicas the scale-up policies allow now. */
export function calculateScaleUpLimitWithScalingRules(
  currentReplicas: number,
  scaleUpEvents: readonly HpaScaleEvent[],
  scaleDownEvents: readonly HpaScaleEvent[],
  rules: ResolvedScalingRules,
  now: number,
): number {
  return limitFromPolicies('up', currentReplicas, scaleUpEvents, scaleDownEvents, rules, now);
}

/** The fewest replicas the scale-down policies allow now. */
export function calculateScaleDownLimitWithBehaviors(
  currentReplicas: number,
  scaleUpEvents: readonly HpaScaleEvent[],
  scaleDownEvents: readonly HpaScaleEvent[],
  rules: ResolvedScalingRules,
  now: number,
): number {
  return limitFromPolicies('down', currentReplicas, scaleUpEvents, scaleDownEvents, rules, now);
}

/** What convertDesiredReplicasWithBehaviorRate limits: the stabilized recommendation, the
 *  bounds, the resolved rules and the recent scale events. */
export interface BehaviorRateInput {
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  scaleUp: ResolvedScalingRules;
  scaleDown: ResolvedScalingRules;
  scaleUpEvents: readonly HpaScaleEvent[];
  scaleDownEvents: readonly HpaScaleEvent[];
}

const WITHIN_RANGE: Omit<LimitedReplicas, 'replicas'> = {
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};

/** convertDesiredReplicasWithBehaviorRate: apply the policies' rate limits and min/max. */
export function convertDesiredReplicasWithBehaviorRate(
  args: BehaviorRateInput,
  now: number,
): LimitedReplicas {
  const { currentReplicas, desiredReplicas } = args;
  const limited =
    desiredReplicas > currentReplicas
      ? limitScaleUp(args, now)
      : desiredReplicas < currentReplicas
        ? limitScaleDown(args, now)
        : undefined;
  return limited ?? { replicas: desiredReplicas, ...WITHIN_RANGE };
}

/** The scale-up branch: the policies' limit, else maxReplicas; undefined when neither binds. */
function limitScaleUp(args: BehaviorRateInput, now: number): LimitedReplicas | undefined {
  const { currentReplicas, desiredReplicas } = args;
  let scaleUpLimit = calculateScaleUpLimitWithScalingRules(
    currentReplicas,
    args.scaleUpEvents,
    args.scaleDownEvents,
    args.scaleUp,
    now,
  );
  // No further scale up until the recent scale-up events age out.
  if (scaleUpLimit < currentReplicas) scaleUpLimit = currentReplicas;
  if (args.maxReplicas > scaleUpLimit) {
    if (desiredReplicas > scaleUpLimit) {
      return {
        replicas: scaleUpLimit,
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      };
    }
  } else if (desiredReplicas > args.maxReplicas) {
    return {
      replicas: args.maxReplicas,
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    };
  }
  return undefined;
}

/** The scale-down branch: the policies' limit, else minReplicas; undefined when neither binds. */
function limitScaleDown(args: BehaviorRateInput, now: number): LimitedReplicas | undefined {
  const { currentReplicas, desiredReplicas } = args;
  let scaleDownLimit = calculateScaleDownLimitWithBehaviors(
    currentReplicas,
    args.scaleUpEvents,
    args.scaleDownEvents,
    args.scaleDown,
    now,
  );
  // No further scale down until the recent scale-down events age out.
  if (scaleDownLimit > currentReplicas) scaleDownLimit = currentReplicas;
  if (args.minReplicas < scaleDownLimit) {
    if (desiredReplicas < scaleDownLimit) {
      return {
        replicas: scaleDownLimit,
        reason: 'ScaleDownLimit',
        message: 'the desired replica count is decreasing faster than the maximum scale rate',
      };
    }
  } else if (desiredReplicas < args.minReplicas) {
    return {
      replicas: args.minReplicas,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  }
  return undefined;
}

function longestPolicyPeriod(rules: ResolvedScalingRules): number {
  let longest = 0;
  for (const p of rules.policies) if (p.periodSeconds > longest) longest = p.periodSeconds;
  return longest;
}

/** storeScaleEvent for one direction: mark events older than the longest policy period as
 *  outdated, then reuse the last outdated slot for the new event or append it. */
export function storeScaleEvent(
  events: readonly HpaScaleEvent[],
  rules: ResolvedScalingRules,
  change: number,
  now: number,
): HpaScaleEvent[] {
  const cutoff = now - longestPolicyPeriod(rules) * 1000;
  const next = events.map((e) => (e.at < cutoff ? { ...e, outdated: true } : e));
  let oldIndex = -1;
  next.forEach((e, i) => {
    if (e.outdated) oldIndex = i;
  });
  const fresh = { change, at: now, outdated: false };
  if (oldIndex >= 0) next[oldIndex] = fresh;
  else next.push(fresh);
  return next;
}
