// The HPA's proposal: what the metrics alone say the replica count should be, before
// stabilization and limits. Ported from kubernetes/kubernetes
// pkg/controller/podautoscaler/horizontal.go (computeReplicasForMetrics,
// computeReplicasForMetric, computeStatusForResourceMetricGeneric, buildQuantity,
// tolerancesForHpa); the per-metric arithmetic is the replica calculator
// (hpa-replica-calculator.ts). Pure.
import type { HorizontalPodAutoscalerSpec, MetricSpec } from '../model/k8s.js';
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
import type { HpaConfig, HpaMetricStatus } from './hpa-types.js';
import type { PodMetricSample } from './pod-metrics.js';

const defaultMetrics: MetricSpec[] = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

/** What computeReplicasForMetrics reads. */
export interface HpaProposalInput {
  spec: HorizontalPodAutoscalerSpec;
  /** The scale target's current replicas. */
  currentReplicas: number;
  /** The target's pods, including pending and terminating ones. */
  pods: readonly HpaPod[];
  /** Usage samples; only samples of `pods` are read. */
  metrics: readonly PodMetricSample[];
  config: HpaConfig;
  /** ms since epoch. */
  now: number;
}

/** computeReplicasForMetrics' answer: the largest count any valid metric proposes. */
export interface HpaProposal {
  /** The proposed replica count (0 when no metric is valid). */
  replicas: number;
  /** The metric that proposed it, as the rescale reason names it
   *  ("cpu resource utilization (percentage of request)"). */
  metricName: string;
  /** Per spec.metrics entry (cpu at 80% when none): its current value, null when it failed. */
  metricStatuses: (HpaMetricStatus | null)[];
  /** Every failing metric, in spec order (each is a FailedGetResourceMetric event). */
  failures: MetricFailure[];
  /** Set when the proposal must not be acted on (all metrics invalid, or some invalid while the
   *  valid ones would scale down): upstream's "invalid metrics (n invalid out of m), first
   *  error is: ..." error. */
  error?: string;
}

/** computeReplicasForMetrics: each metric's proposal; the largest wins. */
export function computeReplicasForMetrics(input: HpaProposalInput): HpaProposal {
  const { spec, currentReplicas, config, now } = input;
  const metricSpecs = spec.metrics.length > 0 ? spec.metrics : defaultMetrics;
  const podNames = new Set(input.pods.map((p) => p.name));
  const samples = input.metrics.filter((s) => podNames.has(s.pod));
  const base = {
    currentReplicas,
    tolerances: tolerancesFor(spec, config),
    pods: input.pods,
    timing: config,
    now,
  };
  const proposal: HpaProposal = {
    replicas: 0,
    metricName: '',
    metricStatuses: metricSpecs.map(() => null),
    failures: [],
  };
  metricSpecs.forEach((metricSpec, i) => {
    const r = computeResourceMetric(metricSpec, base, samples);
    if (!r.ok) {
      proposal.failures.push({ error: r.error, wrapped: r.wrapped });
      return;
    }
    proposal.metricStatuses[i] = r.proposal.status;
    if (proposal.replicas === 0 || r.proposal.replicas > proposal.replicas) {
      proposal.replicas = r.proposal.replicas;
      proposal.metricName = r.proposal.metricName;
    }
  });
  const invalidCount = proposal.failures.length;
  const firstInvalid = proposal.failures[0];
  if (firstInvalid && (invalidCount >= metricSpecs.length || proposal.replicas < currentReplicas))
    proposal.error = `invalid metrics (${invalidCount} invalid out of ${metricSpecs.length}), first error is: ${firstInvalid.wrapped}`;
  return proposal;
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

/** One valid metric's proposal. */
export interface MetricProposal {
  replicas: number;
  metricName: string;
  status: HpaMetricStatus;
}

/** A metric that failed: the condition and event upstream derives from the error. */
export interface MetricFailure {
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

/** computeReplicasForMetric for a Resource metric: its proposal, or why it has none. */
export function computeResourceMetric(
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
