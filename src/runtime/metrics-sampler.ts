// The metrics sampler: one sweep reads the cumulative CPU and memory counters of every skiff
// container on every Ready host (runtime.sampleStats: one cgroup read per host over its
// persistent connection, hosts in parallel), turns two consecutive sweeps' counters into CPU
// rates as metrics-server does (usage-rates.ts), and sums them per pod (podMetricsFromStats).
// Shell: it does I/O, holds the previous sweep's points and the latest sweep; time comes from
// the injected clock, waiting from the injected sleep.
// - A container's first sweep gives no CPU rate (a rate needs two points), so a new pod has
//   metrics from its second sweep on, as with metrics-server. When the sampler holds no point
//   at all (the daemon just started, or a one-off `skiff top`), the sweep reads twice, primeMs
//   apart, so that it answers at once instead of one period later.
// - A host whose read fails keeps no samples this sweep and is reported, not thrown: the HPA
//   then sees those pods as missing metrics, as upstream does. Its previous points are kept, so
//   the next good sweep has a rate (over the longer window).

import type { PodMetricSample } from '../controllers/pod-metrics.js';
import { podMetricsFromStats } from '../controllers/pod-metrics.js';
import type { ObservedPod } from '../model/observed.js';
import type { Clock } from './clock.js';
import type { ContainerStats, ContainerUsage, Runtime } from './runtime.js';
import { pointKey, ratesFromUsage, type UsagePoint } from './usage-rates.js';

export interface MetricsSweep {
  /** ms since epoch when the sweep started. */
  at: number;
  durationMs: number;
  /** Container samples with a CPU rate, every host together. */
  containers: ContainerStats[];
  /** Pods (namespace/pod) read but left out for want of a CPU rate (first sight of a container). */
  podsWithoutRate: string[];
  /** Per-pod samples (namespace/pod unique). */
  pods: PodMetricSample[];
  /** Hosts swept, and why a host could not be read. */
  hosts: string[];
  failures: { host: string; message: string }[];
}

export interface MetricsSamplerDeps {
  runtime: Pick<Runtime, 'sampleStats'>;
  clock: Pick<Clock, 'now'>;
  /** The sampling period (metricsIntervalSeconds): the window of a sample that carries none. */
  windowMs: number;
  /** Waits `ms` (between the two reads of a priming sweep). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** ms between the two reads when the sampler holds no point; 0 reads once. Default 1000. */
  primeMs?: number;
}

/** Default gap of a priming sweep's two reads: a CLI user waits for it once. The host clock's
 *  10 ms resolution and the read's own spread (a few ms, tens on a loaded host) make such a
 *  short-window rate a few percent off; the daemon's later sweeps average over the period. */
export const DEFAULT_PRIME_MS = 1000;

/** `namespace/pod` -> the containers the pod's spec declares, for pods the runtime observed.
 *  A pod missing one of them in the stats gets no sample (podMetricsFromStats). */
export function expectedContainersOf(pods: readonly ObservedPod[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of pods) {
    if (p.spec)
      out.set(
        `${p.namespace}/${p.name}`,
        p.spec.containers.map((c) => c.name),
      );
  }
  return out;
}

export class MetricsSampler {
  private last: MetricsSweep | undefined;
  /** Each container's point from its latest read, by pointKey. */
  private points = new Map<string, UsagePoint>();

  constructor(private readonly deps: MetricsSamplerDeps) {}

  /** The newest completed sweep. */
  get latest(): MetricsSweep | undefined {
    return this.last;
  }

  /** Reads usage on `hosts` (the Ready ones) in parallel and keeps the result. */
  async sweep(hosts: readonly string[], pods: readonly ObservedPod[] = []): Promise<MetricsSweep> {
    const at = this.deps.clock.now();
    const primeMs = this.deps.primeMs ?? DEFAULT_PRIME_MS;
    let read = await this.read(hosts);
    if (this.points.size === 0 && primeMs > 0 && read.usage.length > 0) {
      this.remember(read);
      await (this.deps.sleep ?? defaultSleep)(primeMs);
      read = await this.read(hosts);
    }
    const rates = ratesFromUsage(read.usage, this.points);
    this.remember(read);
    const sweep: MetricsSweep = {
      at,
      durationMs: this.deps.clock.now() - at,
      containers: rates.samples,
      podsWithoutRate: rates.podsWithoutRate,
      pods: podMetricsFromStats(rates.samples, {
        windowMs: this.deps.windowMs,
        expectedContainers: expectedContainersOf(pods),
      }),
      hosts: [...hosts],
      failures: read.failures,
    };
    this.last = sweep;
    return sweep;
  }

  private async read(hosts: readonly string[]): Promise<{
    usage: ContainerUsage[];
    failures: MetricsSweep['failures'];
  }> {
    const failures: MetricsSweep['failures'] = [];
    const perHost = await Promise.all(
      hosts.map((host) =>
        this.deps.runtime.sampleStats(host).catch((err: unknown) => {
          failures.push({ host, message: err instanceof Error ? err.message : String(err) });
          return [] as ContainerUsage[];
        }),
      ),
    );
    return { usage: perHost.flat(), failures };
  }

  /** Keeps this read's points; a host that failed keeps its older ones, a container no longer
   *  read on a host that answered is forgotten. */
  private remember(read: { usage: ContainerUsage[]; failures: MetricsSweep['failures'] }): void {
    const failed = new Set(read.failures.map((f) => f.host));
    const next = new Map<string, UsagePoint>();
    for (const [key, point] of this.points)
      if (failed.has(key.slice(0, key.indexOf('/')))) next.set(key, point);
    for (const u of read.usage)
      next.set(pointKey(u), {
        cpuUsageNanos: u.cpuUsageNanos,
        source: u.source,
        counterClockMs: u.counterClockMs,
      });
    this.points = next;
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
