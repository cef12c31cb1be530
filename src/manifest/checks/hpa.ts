// Checks of a HorizontalPodAutoscaler (ValidateHorizontalPodAutoscalerSpec upstream, within
// what skiff collects): the scale target is a Deployment, replica bounds, each metric (v2:
// Resource metrics on cpu or memory only), behavior tolerances. Pure.
import type { HorizontalPodAutoscaler } from '../../model/k8s.js';
import { tryParseQuantity } from '../quantity.js';
import type { Collector, P } from './collector.js';
import { checkQuantity } from './fields.js';

const METRIC_TYPES = new Set(['Resource', 'Pods', 'Object', 'External', 'ContainerResource']);

type HpaSpec = HorizontalPodAutoscaler['spec'];

/** A resource metric as written (checked before defaulting reads it). */
interface RawResourceMetric {
  name: string;
  target: { type: string; averageUtilization?: number; averageValue?: string | number; value?: unknown };
}

function checkScaleTarget(c: Collector, spec: HpaSpec): void {
  const ref = spec.scaleTargetRef;
  if (ref.kind !== 'Deployment')
    c.error(
      ['spec', 'scaleTargetRef', 'kind'],
      'unsupported.scale-target',
      `skiff scales Deployments only, not ${ref.kind}`,
    );
  else if (ref.apiVersion !== '' && ref.apiVersion !== 'apps/v1')
    c.error(
      ['spec', 'scaleTargetRef', 'apiVersion'],
      'unsupported.scale-target',
      `Deployment apiVersion must be apps/v1, got "${ref.apiVersion}"`,
    );
  if (ref.name === '') c.error(['spec', 'scaleTargetRef', 'name'], 'semantic.hpa', 'name is required');
}

function checkReplicaBounds(c: Collector, spec: HpaSpec): void {
  if (spec.maxReplicas < spec.minReplicas)
    c.error(
      ['spec', 'maxReplicas'],
      'semantic.hpa',
      `must be greater than or equal to \`minReplicas\` (${spec.minReplicas})`,
    );
}

/** validateMetricTarget for a resource metric: Utilization or a positive AverageValue. */
function checkResourceTarget(c: Collector, res: RawResourceMetric, at: P): void {
  const t = res.target;
  const tAt = [...at, 'resource', 'target'];
  if (t.type === 'Value')
    c.error(
      [...tAt, 'type'],
      'semantic.hpa',
      'must be either Utilization or AverageValue for resource metrics',
    );
  if (t.type === 'Utilization' && t.averageUtilization === undefined)
    c.error(tAt, 'semantic.hpa', 'averageUtilization is required when target type is Utilization');
  if (t.type !== 'AverageValue') return;
  if (t.averageValue === undefined) {
    c.error(tAt, 'semantic.hpa', 'averageValue is required when target type is AverageValue');
    return;
  }
  const text = String(t.averageValue);
  if (checkQuantity(c, text, [...tAt, 'averageValue']) && tryParseQuantity(text)!.sign() <= 0)
    c.error([...tAt, 'averageValue'], 'semantic.hpa', 'must be positive');
}

function checkMetric(c: Collector, m: Record<string, unknown>, at: P): void {
  const type = m.type as string;
  if (!METRIC_TYPES.has(type)) {
    c.error(
      [...at, 'type'],
      'schema.enum',
      `unsupported metric type "${type}": must be one of Resource, Pods, Object, External, ContainerResource`,
    );
    return;
  }
  if (type !== 'Resource') {
    c.error(
      [...at, 'type'],
      'unsupported.metric',
      `${type} metrics are not collected by skiff; use Resource (cpu or memory)`,
    );
    return;
  }
  const res = m.resource as RawResourceMetric | undefined;
  if (!res) {
    c.error(at, 'semantic.hpa', 'must populate information for the given metric source (resource)');
    return;
  }
  if (res.name !== 'cpu' && res.name !== 'memory')
    c.error(
      [...at, 'resource', 'name'],
      'unsupported.metric',
      `resource metric "${res.name}" is not collected by skiff (cpu and memory are)`,
    );
  checkResourceTarget(c, res, at);
}

function checkBehaviorTolerances(c: Collector, spec: HpaSpec): void {
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    const r = spec.behavior?.[dir];
    if (r?.tolerance !== undefined) checkQuantity(c, r.tolerance, ['spec', 'behavior', dir, 'tolerance']);
  }
}

/** `raw` is the HPA as written: autoscaling/v1 has no metrics of its own to check. */
export function checkHpa(c: Collector, h: HorizontalPodAutoscaler, raw: Record<string, unknown>): void {
  checkScaleTarget(c, h.spec);
  checkReplicaBounds(c, h.spec);
  if (h.apiVersion === 'autoscaling/v1') return;
  const rawMetrics = ((raw.spec as Record<string, unknown>).metrics ?? []) as Record<string, unknown>[];
  rawMetrics.forEach((m, i) => {
    checkMetric(c, m, ['spec', 'metrics', i]);
  });
  checkBehaviorTolerances(c, h.spec);
}
