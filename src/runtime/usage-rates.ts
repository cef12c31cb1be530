// CPU rates from cumulative counters, as metrics-server makes them from kubelet's points: the
// CPU time a container used between two reads divided by the time between them. Pure: reads
// and the previous points in, container samples and the points to keep out; no clock.
//
// Upstream (kubernetes-sigs/metrics-server pkg/storage/types.go resourceUsage, pod.go):
// - rate = (last.cumulative - prev.cumulative) / (last.timestamp - prev.timestamp); the sample's
//   timestamp is the last read's, its window the time between the two;
// - a counter that went down (the container restarted in place) or a window that is not
//   positive gives no rate for that pair;
// - a container seen for the first time has no rate yet, and a pod whose containers do not all
//   have one is left out whole (GetMetrics' allContainersPresent);
// - whole nanocores, read as millicores rounded up (the HPA metrics client's MilliValue()).
// Skiff does not take metrics-server's shortcut for fresh containers (a synthetic zero point at
// the container's start time): the start time comes from the engine's clock and the reads from
// the host's uptime, and clocks of different machines are not ours to compare.
import type { ContainerStats, ContainerUsage, UsageSource } from './runtime.js';

/** One read of one container (the runtime's cumulative counters). */
export type UsageRead = ContainerUsage;

/** What is kept of a read for the next sweep. */
export interface UsagePoint {
  cpuUsageNanos: number;
  source: UsageSource;
  counterClockMs: number;
}

/** A container's sample with its CPU rate and the window it was averaged over. */
export type ContainerRateSample = ContainerStats & { windowMs: number };

/** Millicores used between two points of one container, or undefined when the pair gives no
 *  rate (another source, a window that is not positive, a counter that went down). */
export function cpuRate(
  last: UsagePoint,
  prev: UsagePoint,
): { cpuMilli: number; windowMs: number } | undefined {
  if (last.source !== prev.source) return undefined;
  const windowMs = last.counterClockMs - prev.counterClockMs;
  const usedNanos = last.cpuUsageNanos - prev.cpuUsageNanos;
  if (!(windowMs > 0) || usedNanos < 0) return undefined;
  // metrics-server keeps whole nanocores (uint64 of ns per second); the HPA's metrics client
  // reads each container's usage with Quantity.MilliValue(), which rounds up.
  const nanocores = Math.trunc((usedNanos * 1000) / windowMs);
  return { cpuMilli: Math.ceil(nanocores / 1e6), windowMs };
}

/** The key a container's point is kept under: ids are unique per engine, not across hosts. */
export function pointKey(r: { host: string; containerId: string }): string {
  return `${r.host}/${r.containerId}`;
}

export interface RatesResult {
  /** Containers of pods whose every read container has a rate. */
  samples: ContainerRateSample[];
  /** This sweep's points, by pointKey. */
  points: Map<string, UsagePoint>;
  /** Pods (namespace/pod) left out this sweep for want of a rate. */
  podsWithoutRate: string[];
}

/** Pairs this sweep's reads with the previous sweep's points. */
export function ratesFromUsage(
  reads: readonly UsageRead[],
  previous: ReadonlyMap<string, UsagePoint>,
): RatesResult {
  const points = new Map<string, UsagePoint>();
  const samples: ContainerRateSample[] = [];
  const withoutRate = new Set<string>();
  for (const r of reads) {
    const point = { cpuUsageNanos: r.cpuUsageNanos, source: r.source, counterClockMs: r.counterClockMs };
    points.set(pointKey(r), point);
    const prev = previous.get(pointKey(r));
    const rate = prev && cpuRate(point, prev);
    if (!rate) {
      withoutRate.add(`${r.namespace}/${r.pod}`);
      continue;
    }
    samples.push({
      host: r.host,
      containerId: r.containerId,
      namespace: r.namespace,
      pod: r.pod,
      container: r.container,
      cpuMilli: rate.cpuMilli,
      memoryBytes: r.memoryBytes,
      at: r.at,
      windowMs: rate.windowMs,
    });
  }
  return {
    samples: samples.filter((s) => !withoutRate.has(`${s.namespace}/${s.pod}`)),
    points,
    podsWithoutRate: [...withoutRate],
  };
}
