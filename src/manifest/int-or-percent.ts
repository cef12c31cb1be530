// IntOrString fields that hold a count or a percentage (a Deployment's maxSurge and
// maxUnavailable), and the rollout fenceposts they resolve to: ONE definition, used by the
// Deployment controller (controllers/deployment/revision-group.ts) and the manifest checks. Pure.
//
// Kubernetes' semantics:
// - the percent syntax is validation's IsValidPercent, `^[0-9]+%$`
//   (k8s.io/apimachinery/pkg/util/validation): "25%" and "0%" are percentages; "-5%", "5.5%",
//   "%", " 5%" and "+5%" are not. Upstream's intstr would scale "-5%" or "+5%" (its Atoi takes a
//   sign) but validation rejects them first, so no admitted Deployment carries one; here the
//   scaling refuses them too, so one syntax holds everywhere;
// - scaling is intstr.GetScaledValueFromIntOrPercent, its errors worded as upstream's
//   ("invalid value for IntOrString: invalid type: string is not a percentage");
// - rounding is pkg/controller/deployment/util ResolveFenceposts: maxSurge rounds up,
//   maxUnavailable down, and when both come out 0, maxUnavailable is 1 so a rollout can always
//   progress (a surge might be impossible, e.g. for lack of room).
import type { IntOrPercent } from '../model/k8s.js';

const PERCENT = /^[0-9]+%$/;

/** IsValidPercent: digits followed by "%", nothing else. */
export function isValidPercent(v: string): boolean {
  return PERCENT.test(v);
}

/** The number in `v` (`3` -> 3, `"25%"` -> 25), as upstream getIntOrPercentValue. */
export function intOrPercentValue(v: IntOrPercent): number {
  return typeof v === 'number' ? v : Number.parseInt(v.slice(0, -1), 10);
}

/** GetScaledValueFromIntOrPercent: an int as is; "N%" of `total`, rounded up or down as asked.
 *  Throws on a string that is not a valid percentage (validation must have caught it). */
export function scaledValueFromIntOrPercent(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (!v.endsWith('%'))
    throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  if (!isValidPercent(v))
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}`);
  const exact = (intOrPercentValue(v) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** A RollingUpdate's maxSurge and maxUnavailable as pod counts at a replica count. */
export interface RolloutFenceposts {
  /** Pods allowed above the desired count (rounded up). */
  maxSurge: number;
  /** Pods allowed below the desired count (rounded down; 1 when both would be 0). */
  maxUnavailable: number;
}

/** The rollout fenceposts (ResolveFenceposts): maxSurge rounds up, maxUnavailable down; when
 *  both end at 0, maxUnavailable is 1. Argument order as upstream's. */
export function resolveFenceposts(
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  replicas: number,
): RolloutFenceposts {
  const surge = scaledValueFromIntOrPercent(maxSurge, replicas, true);
  const unavailable = scaledValueFromIntOrPercent(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge: surge, maxUnavailable: unavailable };
}
