// IntOrString fields that hold a count or a percentage (maxSurge, maxUnavailable), ported
// from k8s.io/apimachinery/pkg/util/intstr (GetScaledValueFromIntOrPercent) and
// k8s.io/kubernetes/pkg/controller/deployment/util (ResolveFenceposts). Pure.
import type { IntOrPercent } from '../model/k8s.js';

const PERCENT = /^[0-9]+%$/;

export function isValidPercent(v: string): boolean {
  return PERCENT.test(v);
}

/** The number in `v` (`3` -> 3, `"25%"` -> 25), as upstream getIntOrPercentValue. */
export function intOrPercentValue(v: IntOrPercent): number {
  return typeof v === 'number' ? v : Number.parseInt(v.slice(0, -1), 10);
}

/** Scale a count-or-percent against `total`: percentages round up or down as asked. */
export function scaledValueFromIntOrPercent(v: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (!isValidPercent(v)) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  const exact = (intOrPercentValue(v) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable down; if both end at zero the
 *  controller uses maxUnavailable = 1 so a rollout can always progress. */
export function resolveFenceposts(
  maxSurge: IntOrPercent,
  maxUnavailable: IntOrPercent,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge, desired, true);
  const unavailable = scaledValueFromIntOrPercent(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) return { surge, unavailable: 1 };
  return { surge, unavailable };
}
