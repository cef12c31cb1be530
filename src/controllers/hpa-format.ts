// An HPA's metrics as text: each metric's current and target values (what history stores and
// `describe hpa` lists) and the TARGETS column of `skiff get hpa`, printed as `kubectl get hpa`
// prints it. Pure.
//
// Ported from kubernetes/kubernetes pkg/printers/internalversion/printers.go
// (formatHPAMetrics): one "<name>: <current>/<target>" per metric, "<unknown>" where the
// status has no value yet, at most two metrics then " + N more...", "<none>" without metrics.
// Only Resource metrics reach here (admission rejects the other types), so upstream's
// "<unknown type>" has no case.
import type { HorizontalPodAutoscalerSpec } from '../model/k8s.js';
import type { HpaMetricValue } from '../model/views.js';
import type { HpaMetricStatus } from './hpa.js';
import { canonicalQuantity, quantityMilliValue } from './hpa-quantity.js';

const maximumShown = 2;

type MetricTarget = HorizontalPodAutoscalerSpec['metrics'][number]['resource']['target'];

/** One entry per spec.metrics, from its status: an AverageValue target (upstream reads
 *  averageValue first, whatever target.type says) or a Utilization one. */
function perMetric<T>(
  statuses: readonly (HpaMetricStatus | null | undefined)[],
  spec: Pick<HorizontalPodAutoscalerSpec, 'metrics'>,
  averageValue: (name: string, status: HpaMetricStatus | undefined, target: string) => T,
  utilization: (name: string, status: HpaMetricStatus | undefined, target: MetricTarget) => T,
): T[] {
  return spec.metrics.map((metric, i) => {
    const { name, target } = metric.resource;
    const status = statuses[i] ?? undefined;
    return target.averageValue !== undefined
      ? averageValue(name, status, target.averageValue)
      : utilization(name, status, target);
  });
}

/** Each metric's current and target values, split as history stores them. */
export function metricSummaries(
  statuses: readonly (HpaMetricStatus | null | undefined)[],
  spec: Pick<HorizontalPodAutoscalerSpec, 'metrics'>,
): { name: string; current: string; target: string }[] {
  return perMetric(
    statuses,
    spec,
    (name, status, target) => ({
      name,
      current: status ? status.currentAverageValue : '<unknown>',
      target: canonicalQuantity(target),
    }),
    (name, status, target) => ({
      name,
      current:
        status?.currentAverageUtilization !== undefined
          ? `${status.currentAverageUtilization}%`
          : '<unknown>',
      target: target.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>',
    }),
  );
}

/** Each metric's current and target values as numbers (what the history samples and the
 *  dashboard plots): percent for a Utilization target, milli-units for an AverageValue one. */
export function metricValues(
  statuses: readonly (HpaMetricStatus | null | undefined)[],
  spec: Pick<HorizontalPodAutoscalerSpec, 'metrics'>,
): HpaMetricValue[] {
  return perMetric<HpaMetricValue>(
    statuses,
    spec,
    (name, status, target) => ({
      name,
      unit: 'milli',
      current: status ? status.currentAverageValueMilli : null,
      target: quantityMilliValue(target) ?? null,
    }),
    (name, status, target) => ({
      name,
      unit: 'percent',
      current: status?.currentAverageUtilization ?? null,
      target: target.averageUtilization ?? null,
    }),
  );
}

/** kubectl's TARGETS: `<name>: <current>/<target>` per metric (metricSummaries' values). */
export function formatHpaTargets(
  statuses: readonly (HpaMetricStatus | null | undefined)[],
  spec: Pick<HorizontalPodAutoscalerSpec, 'metrics'>,
): string {
  if (spec.metrics.length === 0) return '<none>';
  const list = metricSummaries(statuses, spec).map((m) => `${m.name}: ${m.current}/${m.target}`);
  if (list.length > maximumShown) {
    return `${list.slice(0, maximumShown).join(', ')} + ${list.length - maximumShown} more...`;
  }
  return list.join(', ');
}
