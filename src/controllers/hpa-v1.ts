// autoscaling/v1 HorizontalPodAutoscaler spec -> the autoscaling/v2 shape skiff works with,
// as the API server converts it. Pure.
//
// Ported from kubernetes/kubernetes pkg/apis/autoscaling/v1/conversion.go
// (Convert_v1_HorizontalPodAutoscalerSpec_To_autoscaling_HorizontalPodAutoscalerSpec,
// Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler,
// Convert_v1_ResourceMetricSource_To_autoscaling_ResourceMetricSource), the v1 defaults
// (minReplicas 1) and pkg/apis/autoscaling/annotations.go:
// - targetCPUUtilizationPercentage becomes a cpu Utilization metric;
// - extra v2 metrics round-trip through the `autoscaling.alpha.kubernetes.io/metrics`
//   annotation (v1 MetricSpec JSON), placed before the cpu one;
// - `behavior` round-trips through `autoscaling.alpha.kubernetes.io/behavior` (the internal
//   type's JSON: Go field names, matched case-insensitively as encoding/json does);
// - no metric at all means cpu at 80% (autoscaling.DefaultCPUUtilization);
// - the round-trip annotations are dropped from the converted object.
// An annotation that is not valid JSON is ignored, as upstream ignores it; metric types skiff
// does not support (Pods, Object, External, ContainerResource) are reported in `warnings`.
import type {
  HorizontalPodAutoscalerSpec,
  HPAScalingPolicy,
  HPAScalingRules,
  Labels,
  MetricSpec,
} from '../model/k8s.js';

export interface HpaV1Spec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage?: number;
}

export interface HpaV1Conversion {
  spec: HorizontalPodAutoscalerSpec;
  /** The object's annotations without the round-trip ones. */
  annotations: Labels;
  /** What was dropped and why (unsupported metric types). */
  warnings: string[];
}

export const hpaRoundTripAnnotations = {
  metrics: 'autoscaling.alpha.kubernetes.io/metrics',
  currentMetrics: 'autoscaling.alpha.kubernetes.io/current-metrics',
  conditions: 'autoscaling.alpha.kubernetes.io/conditions',
  behavior: 'autoscaling.alpha.kubernetes.io/behavior',
  scaleDownTolerance: 'autoscaling.alpha.kubernetes.io/scale-down-tolerance',
  scaleUpTolerance: 'autoscaling.alpha.kubernetes.io/scale-up-tolerance',
} as const;

/** autoscaling.DefaultCPUUtilization. */
export const defaultCpuUtilization = 80;

type Json = Record<string, unknown>;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** encoding/json matches field names case-insensitively. */
function field(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Json;
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(o)) if (key.toLowerCase() === lower) return o[key];
  return undefined;
}

function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function convertV1Metric(m: unknown, warnings: string[]): MetricSpec | undefined {
  const type = asString(field(m, 'type'));
  if (type !== 'Resource') {
    warnings.push(`metric of type ${JSON.stringify(type ?? '')} is not supported by skiff and is ignored`);
    return undefined;
  }
  const resource = field(m, 'resource');
  const name = asString(field(resource, 'name'));
  if (name !== 'cpu' && name !== 'memory') {
    warnings.push(`resource metric ${JSON.stringify(name ?? '')} is not supported by skiff and is ignored`);
    return undefined;
  }
  const utilization = asNumber(field(resource, 'targetAverageUtilization'));
  const averageValue = asString(field(resource, 'targetAverageValue'));
  const target: MetricSpec['resource']['target'] =
    utilization === undefined
      ? { type: 'AverageValue' }
      : { type: 'Utilization', averageUtilization: utilization };
  if (averageValue !== undefined) target.averageValue = averageValue;
  return { type: 'Resource', resource: { name, target } };
}

function convertRules(raw: unknown): HPAScalingRules | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const rules: HPAScalingRules = {};
  const window = asNumber(field(raw, 'stabilizationWindowSeconds'));
  if (window !== undefined) rules.stabilizationWindowSeconds = window;
  const select = asString(field(raw, 'selectPolicy'));
  if (select === 'Max' || select === 'Min' || select === 'Disabled') rules.selectPolicy = select;
  const policies = field(raw, 'policies');
  if (Array.isArray(policies)) {
    rules.policies = policies.flatMap((p): HPAScalingPolicy[] => {
      const type = asString(field(p, 'type'));
      const value = asNumber(field(p, 'value'));
      const periodSeconds = asNumber(field(p, 'periodSeconds'));
      if ((type !== 'Pods' && type !== 'Percent') || value === undefined || periodSeconds === undefined)
        return [];
      return [{ type, value, periodSeconds }];
    });
  }
  const tolerance = field(raw, 'tolerance');
  if (typeof tolerance === 'string') rules.tolerance = tolerance;
  else if (typeof tolerance === 'number') rules.tolerance = String(tolerance);
  return rules;
}

/** Converts an autoscaling/v1 spec (and its annotations) to the v2 spec, as the API server does. */
export function convertHpaV1ToV2(v1: HpaV1Spec, annotations: Labels = {}): HpaV1Conversion {
  const warnings: string[] = [];
  const metrics: MetricSpec[] = [];

  const other = parseJson(annotations[hpaRoundTripAnnotations.metrics]);
  if (Array.isArray(other)) {
    for (const m of other) {
      const converted = convertV1Metric(m, warnings);
      if (converted) metrics.push(converted);
    }
  }
  if (v1.targetCPUUtilizationPercentage !== undefined) {
    metrics.push({
      type: 'Resource',
      resource: {
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: v1.targetCPUUtilizationPercentage },
      },
    });
  }
  if (metrics.length === 0) {
    // autoscaling/v1 had an implicit default applied in the controller; v2 spells it out.
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCpuUtilization } },
    });
  }

  const spec: HorizontalPodAutoscalerSpec = {
    scaleTargetRef: { ...v1.scaleTargetRef },
    minReplicas: v1.minReplicas ?? 1,
    maxReplicas: v1.maxReplicas,
    metrics,
  };

  const rawBehavior = parseJson(annotations[hpaRoundTripAnnotations.behavior]);
  const scaleUp = convertRules(field(rawBehavior, 'scaleUp'));
  const scaleDown = convertRules(field(rawBehavior, 'scaleDown'));
  // An all-empty behavior stays absent (behavior != HorizontalPodAutoscalerBehavior{}).
  if (scaleUp || scaleDown) {
    spec.behavior = {};
    if (scaleUp) spec.behavior.scaleUp = scaleUp;
    if (scaleDown) spec.behavior.scaleDown = scaleDown;
  }

  const roundTrip = new Set<string>(Object.values(hpaRoundTripAnnotations));
  const kept: Labels = {};
  for (const [k, v] of Object.entries(annotations)) if (!roundTrip.has(k)) kept[k] = v;
  return { spec, annotations: kept, warnings };
}
