// The HPA's replica calculator for Resource metrics: from per-pod usage and requests to a
// proposed replica count, with upstream's treatment of unready, pending, terminal and
// metric-less pods. Pure: `now` is passed in.
//
// Ported from kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator.go
// (GetResourceReplicas, GetRawResourceReplicas, calcPlainMetricReplicas, groupPods,
// calculateRequests, removeMetricsForPods, Tolerances.isWithin) and
// pkg/controller/podautoscaler/metrics/utilization.go (GetResourceUtilizationRatio,
// GetMetricUsageRatio). Values are milli-units (millicores, milli-bytes) and integer
// arithmetic truncates as Go's int64 does.

export type HpaResource = 'cpu' | 'memory';

export type HpaPodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** A pod of the scale target, as the HPA sees it. */
export interface HpaPod {
  name: string;
  phase: HpaPodPhase;
  /** Being deleted (upstream: deletionTimestamp set): ignored. */
  deleting?: boolean;
  /** ms since epoch the pod started (status.startTime); absent if not started. */
  startTime?: number;
  /** The pod's Ready condition: its status and when it last changed. Absent while the pod has
   *  no Ready condition yet (treated as unready for CPU, as upstream). */
  readyCondition?: { ready: boolean; lastTransitionTime: number };
  /** Requests summed over the pod's containers (see podResourceRequests); undefined when a
   *  container lacks a request for that resource. */
  requests: { cpuMilli?: number; memoryBytes?: number };
}

/** One pod's metric, as upstream's metricsclient.PodMetric (value in milli-units). */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

export type PodMetricsInfo = Map<string, PodMetric>;

/** Scale-up and scale-down tolerances around a usage ratio of 1. */
export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

export function isWithinTolerance(t: Tolerances, usageRatio: number): boolean {
  return 1.0 - t.scaleDown <= usageRatio && usageRatio <= 1.0 + t.scaleUp;
}

export interface ReadinessTiming {
  /** --horizontal-pod-autoscaler-cpu-initialization-period (upstream default 5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (upstream default 30 s). */
  delayOfInitialReadinessStatusMs: number;
}

export type CalcResult<T> = ({ ok: true } & T) | { ok: false; error: string };

/** a*b/c truncated, exact also when a*b leaves the float-safe integer range. */
function mulDiv(a: number, b: number, c: number): number {
  const product = a * b;
  if (Number.isSafeInteger(product) && Number.isSafeInteger(c)) return Math.trunc(product / c) || 0;
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

function intDiv(a: number, b: number): number {
  return mulDiv(a, 1, b);
}

/** groupPods: which pods count, which are unready, which lack metrics, which are ignored. */
export function groupPods(
  pods: readonly HpaPod[],
  metrics: PodMetricsInfo,
  resource: HpaResource,
  timing: ReadinessTiming,
  now: number,
): { readyPodCount: number; unready: string[]; missing: string[]; ignored: string[] } {
  // Arrays, not sets: pod names are unique and this runs for every HPA every pass.
  const unready: string[] = [];
  const missing: string[] = [];
  const ignored: string[] = [];
  let readyPodCount = 0;
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed' || pod.phase === 'Succeeded') {
      ignored.push(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      unready.push(pod.name);
      continue;
    }
    const metric = metrics.get(pod.name);
    if (!metric) {
      missing.push(pod.name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = pod.readyCondition;
      let isUnready: boolean;
      if (!condition || pod.startTime === undefined) {
        isUnready = true;
      } else if (pod.startTime + timing.cpuInitializationPeriodMs > now) {
        // Still within the CPU initialization period: ignore the sample if the pod is unready
        // or a full metric window has not passed since its last readiness transition.
        isUnready = !condition.ready || metric.timestamp < condition.lastTransitionTime + metric.windowMs;
      } else {
        // Afterwards, ignore only a pod that is unready and has never been ready.
        isUnready =
          !condition.ready &&
          pod.startTime + timing.delayOfInitialReadinessStatusMs > condition.lastTransitionTime;
      }
      if (isUnready) {
        unready.push(pod.name);
        continue;
      }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/** calculateRequests: each pod's request in milli-units, or the first missing one. */
export function calculateRequests(
  pods: readonly HpaPod[],
  resource: HpaResource,
): CalcResult<{ requests: Map<string, number> }> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const request = resource === 'cpu' ? pod.requests.cpuMilli : pod.requests.memoryBytes;
    if (request === undefined)
      return { ok: false, error: `missing request for ${resource} in Pod ${pod.name}` };
    requests.set(pod.name, resource === 'cpu' ? Math.ceil(request) : Math.ceil(request * 1000));
  }
  return { ok: true, requests };
}

/** GetResourceUtilizationRatio. */
export function getResourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, number>,
  targetUtilization: number,
): CalcResult<{ usageRatio: number; utilization: number; rawAverageValue: number }> {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, metric] of metrics) {
    const request = requests.get(pod);
    // Missing requests are checked elsewhere: a metric without one is extraneous.
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) return { ok: false, error: 'no metrics returned matched known pods' };
  const utilization = Math.min(mulDiv(metricsTotal, 100, requestsTotal), 2147483647);
  return {
    ok: true,
    usageRatio: utilization / targetUtilization,
    utilization,
    rawAverageValue: intDiv(metricsTotal, entries),
  };
}

/** GetMetricUsageRatio: average usage over every metric present. */
export function getMetricUsageRatio(
  metrics: PodMetricsInfo,
  targetUsage: number,
): { usageRatio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = intDiv(total, metrics.size);
  return { usageRatio: usage / targetUsage, usage };
}

export interface ResourceReplicasInput {
  currentReplicas: number;
  resource: HpaResource;
  tolerances: Tolerances;
  pods: readonly HpaPod[];
  /** The metrics API's answer for the target's pods; consumed (mutated) by the calculation. */
  metrics: PodMetricsInfo;
  timing: ReadinessTiming;
  now: number;
}

type Grouped = ReturnType<typeof groupPods>;

/** The part both calculations share: group the pods and drop the metrics of ignored and
 *  unready ones. */
function groupAndFilter(input: ResourceReplicasInput): CalcResult<Grouped> {
  const { pods, metrics } = input;
  if (pods.length === 0) {
    return { ok: false, error: 'no pods returned by selector while calculating replica count' };
  }
  const grouped = groupPods(pods, metrics, input.resource, input.timing, input.now);
  for (const name of grouped.ignored) metrics.delete(name);
  for (const name of grouped.unready) metrics.delete(name);
  if (metrics.size === 0) {
    return { ok: false, error: 'did not receive metrics for targeted pods (pods might be unready)' };
  }
  return { ok: true, ...grouped };
}

/** From the first usage ratio to a replica count: directly when every pod reported, else
 *  again with conservative assumptions for missing and unready pods (the common tail of
 *  GetResourceReplicas and calcPlainMetricReplicas). */
function proposeReplicas(
  input: ResourceReplicasInput,
  grouped: Grouped,
  usageRatio: number,
  /** What a pod without metrics is assumed to use when scaling down. */
  missingOnScaleDown: (pod: string) => number,
  ratioOf: (metrics: PodMetricsInfo) => CalcResult<{ usageRatio: number }>,
): CalcResult<{ replicas: number }> {
  const { currentReplicas, tolerances, metrics } = input;
  const { readyPodCount, unready, missing } = grouped;
  const scaleUpWithUnready = unready.length > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missing.length === 0) {
    // Too small a change: keep the current count.
    if (isWithinTolerance(tolerances, usageRatio)) return { ok: true, replicas: currentReplicas };
    // No unready or missing pods: the count follows directly.
    return { ok: true, replicas: Math.ceil(usageRatio * readyPodCount) };
  }
  if (missing.length > 0) {
    if (usageRatio < 1.0) {
      for (const name of missing)
        metrics.set(name, { value: missingOnScaleDown(name), timestamp: 0, windowMs: 0 });
    } else if (usageRatio > 1.0) {
      // Scaling up: a pod without metrics is assumed to use 0%.
      for (const name of missing) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
    }
  }
  if (scaleUpWithUnready) {
    // Scaling up: unready pods are assumed to use 0%.
    for (const name of unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  }
  // Re-run the calculation with the assumed values.
  const second = ratioOf(metrics);
  if (!second.ok) return second;
  const newUsageRatio = second.usageRatio;
  if (
    isWithinTolerance(tolerances, newUsageRatio) ||
    (usageRatio < 1.0 && newUsageRatio > 1.0) ||
    (usageRatio > 1.0 && newUsageRatio < 1.0)
  ) {
    // Too small a change, or the assumptions would reverse the direction of scaling.
    return { ok: true, replicas: currentReplicas };
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if (
    (newUsageRatio < 1.0 && newReplicas > currentReplicas) ||
    (newUsageRatio > 1.0 && newReplicas < currentReplicas)
  ) {
    // The number of pods counted would reverse the direction of scaling.
    return { ok: true, replicas: currentReplicas };
  }
  return { ok: true, replicas: newReplicas };
}

/** GetResourceReplicas: replicas for a target utilization (percent of requests). */
export function getResourceReplicas(
  input: ResourceReplicasInput,
  targetUtilization: number,
): CalcResult<{ replicas: number; utilization: number; rawUtilization: number }> {
  const grouped = groupAndFilter(input);
  if (!grouped.ok) return grouped;
  const req = calculateRequests(input.pods, input.resource);
  if (!req.ok) return req;
  const { requests } = req;
  const first = getResourceUtilizationRatio(input.metrics, requests, targetUtilization);
  if (!first.ok) return first;
  // Scaling down: a pod without metrics is assumed to use 100% of its request, or the target
  // when the target is above 100%.
  const fallbackUtilization = Math.max(100, targetUtilization);
  const proposed = proposeReplicas(
    input,
    grouped,
    first.usageRatio,
    (pod) => mulDiv(requests.get(pod) ?? 0, fallbackUtilization, 100),
    (metrics) => getResourceUtilizationRatio(metrics, requests, targetUtilization),
  );
  if (!proposed.ok) return proposed;
  return {
    ok: true,
    replicas: proposed.replicas,
    utilization: first.utilization,
    rawUtilization: first.rawAverageValue,
  };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: replicas for a target average value
 *  (milli-units per pod). Requests are not consulted. */
export function getRawResourceReplicas(
  input: ResourceReplicasInput,
  targetUsage: number,
): CalcResult<{ replicas: number; usage: number }> {
  const grouped = groupAndFilter(input);
  if (!grouped.ok) return grouped;
  const { usageRatio, usage } = getMetricUsageRatio(input.metrics, targetUsage);
  const proposed = proposeReplicas(
    input,
    grouped,
    usageRatio,
    // Scaling down: a pod without metrics is assumed to use exactly the target.
    () => targetUsage,
    (metrics) => ({ ok: true, ...getMetricUsageRatio(metrics, targetUsage) }),
  );
  if (!proposed.ok) return proposed;
  return { ok: true, replicas: proposed.replicas, usage };
}
