// Pod metrics from raw container stats: what metrics-server and the HPA's metrics client make
// of kubelet's numbers, done here from Docker stats samples. Pure: no I/O, no clock.
//
// - A pod's usage is the sum over its containers (metrics client getPodMetrics); a pod whose
//   expected containers are not all sampled has no metric at all, as upstream treats a pod
//   with a container missing the resource.
// - A pod's request is the sum of its containers' requests, and a container without a request
//   for the resource makes the request unknown (replica_calculator.go
//   calculatePodRequestsFromContainers); requests default to limits, as the API server does.
// - Utilization is int32((usage * 100) / request), truncated (metrics/utilization.go).
import type { ContainerStats } from '../model/container-stats.js';
import type { PodSpec } from '../model/k8s.js';
import { milliValue, parseQuantity } from './hpa-quantity.js';

/** The fields of a container's sample this module reads. */
export type ContainerStatsSample = Omit<ContainerStats, 'host' | 'containerId'>;

/** One pod's resource usage, as the HPA reads it from the metrics API. */
export interface PodMetricSample {
  namespace: string;
  pod: string;
  /** CPU used by the pod's containers together, in millicores. */
  cpuMilli: number;
  /** Working-set memory of the pod's containers together, in bytes. */
  memoryBytes: number;
  /** ms since epoch: when the sample was taken (the oldest of its containers' samples). */
  timestamp: number;
  /** ms: the window the CPU rate was averaged over (the sampling period). */
  windowMs: number;
  /** How many containers were summed. */
  containers: number;
}

/** A pod's requests summed over its containers; undefined where some container has none. */
export interface PodRequests {
  cpuMilli?: number;
  memoryBytes?: number;
}

export interface PodMetricsOptions {
  /** The sampling period: the window a CPU rate stands for when its sample carries none. */
  windowMs: number;
  /** `namespace/pod` -> container names the pod should have. A pod listed here whose stats lack
   *  one of them gets no sample (upstream drops a pod with a missing container metric). */
  expectedContainers?: ReadonlyMap<string, readonly string[]>;
}

/** Sums container stats into one sample per pod (namespace/pod), in first-seen order. */
export function podMetricsFromStats(
  stats: readonly ContainerStatsSample[],
  options: PodMetricsOptions,
): PodMetricSample[] {
  const byPod = new Map<string, PodMetricSample & { names: Set<string> }>();
  for (const s of stats) {
    const key = `${s.namespace}/${s.pod}`;
    let acc = byPod.get(key);
    if (!acc) {
      acc = {
        namespace: s.namespace,
        pod: s.pod,
        cpuMilli: 0,
        memoryBytes: 0,
        timestamp: s.at,
        windowMs: s.windowMs ?? options.windowMs,
        containers: 0,
        names: new Set(),
      };
      byPod.set(key, acc);
    }
    if (acc.names.has(s.container)) continue; // one sample per container and pass
    acc.names.add(s.container);
    acc.cpuMilli += s.cpuMilli;
    acc.memoryBytes += s.memoryBytes;
    // The pod's time is its earliest container's, with that container's window (metrics-server
    // GetMetrics' earliestTimeInfo).
    if (s.at < acc.timestamp) {
      acc.timestamp = s.at;
      acc.windowMs = s.windowMs ?? options.windowMs;
    }
    acc.containers++;
  }
  const out: PodMetricSample[] = [];
  for (const [key, acc] of byPod) {
    const expected = options.expectedContainers?.get(key);
    if (expected?.some((name) => !acc.names.has(name))) continue;
    const { names: _names, ...sample } = acc;
    out.push(sample);
  }
  return out;
}

/** Utilization in percent of the request, truncated as upstream: int32((usage*100)/request).
 *  Undefined when the request is unknown or zero. */
export function podUtilization(usage: number, request: number | undefined): number | undefined {
  if (request === undefined || request <= 0) return undefined;
  return Math.trunc((usage * 100) / request);
}

/** Sums a pod spec's container requests per resource. Requests default to limits, as the API
 *  server defaults them; a container without either leaves the resource undefined. */
export function podResourceRequests(spec: Pick<PodSpec, 'containers'>): PodRequests {
  let cpuMilli: number | undefined = 0;
  let memoryMilli: number | undefined = 0;
  for (const c of spec.containers) {
    const cpu = quantityMilli(c.resources.requests.cpu ?? c.resources.limits.cpu);
    const memory = quantityMilli(c.resources.requests.memory ?? c.resources.limits.memory);
    cpuMilli = cpu === undefined || cpuMilli === undefined ? undefined : cpuMilli + cpu;
    memoryMilli = memory === undefined || memoryMilli === undefined ? undefined : memoryMilli + memory;
  }
  return {
    cpuMilli,
    memoryBytes: memoryMilli === undefined ? undefined : memoryMilli / 1000,
  };
}

function quantityMilli(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const q = parseQuantity(text);
  return q ? milliValue(q) : undefined;
}
