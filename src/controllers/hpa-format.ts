// The TARGETS column of `skiff get hpa`, printed as `kubectl get hpa` prints it. Pure.
//
// Ported from kubernetes/kubernetes pkg/printers/internalversion/printers.go
// (formatHPAMetrics): one "<name>: <current>/<target>" per metric, "<unknown>" where the
// status has no value yet, at most two metrics then " + N more...", "<none>" without metrics.
import type { HorizontalPodAutoscalerSpec } from '../model/k8s.js';
import type { HpaMetricStatus } from './hpa.js';
import { canonicalQuantity } from './hpa-quantity.js';

const maximumShown = 2;

export function formatHpaTargets(
  statuses: readonly (HpaMetricStatus | null | undefined)[],
  spec: Pick<HorizontalPodAutoscalerSpec, 'metrics'>,
): string {
  if (spec.metrics.length === 0) return '<none>';
  const list = spec.metrics.map((metric, i) => {
    if (metric.type !== 'Resource') return '<unknown type>';
    const { name, target } = metric.resource;
    const status = statuses[i];
    if (target.averageValue !== undefined) {
      const current = status ? status.currentAverageValue : '<unknown>';
      return `${name}: ${current}/${canonicalQuantity(target.averageValue)}`;
    }
    const current =
      status?.currentAverageUtilization !== undefined ? `${status.currentAverageUtilization}%` : '<unknown>';
    const wanted = target.averageUtilization !== undefined ? `${target.averageUtilization}%` : '<auto>';
    return `${name}: ${current}/${wanted}`;
  });
  if (list.length > maximumShown) {
    return `${list.slice(0, maximumShown).join(', ')} + ${list.length - maximumShown} more...`;
  }
  return list.join(', ');
}
