// The metrics sampler: one sweep reads the Docker stats of every skiff container on every
// Ready host (in parallel; the runtime makes one-shot reads, batched over each host's
// persistent connection) and turns them into per-pod samples as metrics-server would
// (podMetricsFromStats). Shell: it does I/O and holds the latest sweep; time comes from the
// injected clock. A host whose read fails keeps no samples this sweep and is reported, not
// thrown: the HPA then sees those pods as missing metrics, as upstream does.

import type { PodMetricSample } from '../controllers/pod-metrics.js';
import { podMetricsFromStats } from '../controllers/pod-metrics.js';
import type { ObservedPod } from '../model/observed.js';
import type { ContainerStats, Runtime } from '../runtime/runtime.js';

export interface MetricsSweep {
  /** ms since epoch when the sweep started. */
  at: number;
  durationMs: number;
  /** Container samples, every host together. */
  containers: ContainerStats[];
  /** Per-pod samples (namespace/pod unique). */
  pods: PodMetricSample[];
  /** Hosts swept, and why a host could not be read. */
  hosts: string[];
  failures: { host: string; message: string }[];
}

export interface MetricsSamplerDeps {
  runtime: Pick<Runtime, 'stats'>;
  clock: () => number;
  /** The CPU rate's window: the sampling period (metricsIntervalSeconds). */
  windowMs: number;
}

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

  constructor(private readonly deps: MetricsSamplerDeps) {}

  /** The newest completed sweep. */
  get latest(): MetricsSweep | undefined {
    return this.last;
  }

  /** Reads stats on `hosts` (the Ready ones) in parallel and keeps the result. */
  async sweep(hosts: readonly string[], pods: readonly ObservedPod[] = []): Promise<MetricsSweep> {
    const at = this.deps.clock();
    const failures: MetricsSweep['failures'] = [];
    const perHost = await Promise.all(
      hosts.map((host) =>
        this.deps.runtime.stats(host).catch((err: unknown) => {
          failures.push({ host, message: err instanceof Error ? err.message : String(err) });
          return [] as ContainerStats[];
        }),
      ),
    );
    const containers = perHost.flat();
    const sweep: MetricsSweep = {
      at,
      durationMs: this.deps.clock() - at,
      containers,
      pods: podMetricsFromStats(containers, {
        windowMs: this.deps.windowMs,
        expectedContainers: expectedContainersOf(pods),
      }),
      hosts: [...hosts],
      failures,
    };
    this.last = sweep;
    return sweep;
  }
}
