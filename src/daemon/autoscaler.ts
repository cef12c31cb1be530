// skiff's HorizontalPodAutoscaler shell. Every metricsIntervalSeconds it sweeps
// container usage (cgroup counters) on the Ready hosts (MetricsSampler), then runs one HPA
// decision per HPA over the sweep (HpaLoop -> the pure decideReplicas); the replica counts the
// HPAs own reach the reconciler through `overrides()`, and a change wakes it. Shell: owns a
// timer and the clock.
// Invariants: decisions happen once per sweep; the reconciler's own observation (fed in through
// `noteObserved` before each pass) is the only source of pods and host readiness, so the
// autoscaler never disagrees with the pass about which pods exist.
import type { Logger } from 'pino';
import type { HpaConfig } from '../controllers/hpa.js';
import type { AutoscaledApp } from '../controllers/hpa-targets.js';
import type { Observed } from '../model/observed.js';
import type { HpaView } from '../model/views.js';
import type { Clock } from '../runtime/clock.js';
import { MetricsSampler, type MetricsSweep } from '../runtime/metrics-sampler.js';
import type { Runtime } from '../runtime/runtime.js';
import { type HpaHistory, HpaLoop, type HpaPassResult, type ReplicaOverride } from './hpa-loop.js';

export interface AutoscalerDeps {
  runtime: Pick<Runtime, 'sampleStats'>;
  /** Each app's admitted objects now (the trackers' snapshots). */
  apps: () => AutoscaledApp[];
  history?: HpaHistory;
  log?: Logger;
  clock: Pick<Clock, 'now'>;
  /** config.daemon.metricsIntervalSeconds, in ms. */
  intervalMs: number;
  /** An HPA changed a replica count: run a reconcile pass now (the daemon's wake). */
  onReplicasChange?: () => void;
  hpaConfig?: Partial<HpaConfig>;
  /** Waits `ms`: the sampler's priming read (tests advance a fake clock). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface AutoscalerTick {
  sweep: MetricsSweep;
  result: HpaPassResult;
}

export class Autoscaler {
  readonly sampler: MetricsSampler;
  private readonly loop: HpaLoop;
  private observed: Observed | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<AutoscalerTick | undefined> | undefined;
  private stopped = false;
  /** Hosts whose last sweep failed, with the message (to log changes only). */
  private readonly failingHosts = new Map<string, string>();

  constructor(private readonly deps: AutoscalerDeps) {
    this.sampler = new MetricsSampler({
      runtime: deps.runtime,
      clock: deps.clock,
      windowMs: deps.intervalMs,
      sleep: deps.sleep,
    });
    this.loop = new HpaLoop({ history: deps.history, log: deps.log, config: deps.hpaConfig });
  }

  /** The reconciler's observation of this pass (after probes): pods and host readiness. Also
   *  brings the HPAs in step with the admitted objects, so the overrides this very pass reads
   *  are current (no wake-up needed: the pass is already running). */
  noteObserved(observed: Observed): void {
    this.observed = observed;
    this.loop.syncTargets(this.deps.apps(), observed, this.deps.clock.now());
  }

  overrides(): Record<string, ReplicaOverride> {
    return this.loop.overrides();
  }

  views(decisions?: number, samples?: number): HpaView[] {
    return this.loop.views(decisions, samples);
  }

  get latestSweep(): MetricsSweep | undefined {
    return this.sampler.latest;
  }

  /** One sweep and one decision per HPA. Undefined until the reconciler has observed once.
   *  Concurrent calls share the sweep in flight. */
  tick(): Promise<AutoscalerTick | undefined> {
    this.running ??= this.runTick().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runTick(): Promise<AutoscalerTick | undefined> {
    const observed = this.observed;
    if (!observed) return undefined;
    const hosts = observed.hosts.filter((h) => h.ready).map((h) => h.name);
    const sweep = await this.sampler.sweep(hosts, observed.pods);
    // Said when a host starts failing (or fails differently) and when it recovers, not every
    // sweep in between.
    const failing = new Map(sweep.failures.map((f) => [f.host, f.message]));
    for (const [host, message] of failing)
      if (this.failingHosts.get(host) !== message)
        this.deps.log?.warn({ host, error: message }, 'stats sweep failed');
    for (const host of this.failingHosts.keys())
      if (!failing.has(host) && sweep.hosts.includes(host))
        this.deps.log?.info({ host }, 'stats sweep works again');
    for (const host of sweep.hosts) if (!failing.has(host)) this.failingHosts.delete(host);
    for (const [host, message] of failing) this.failingHosts.set(host, message);
    // The newest observation (a pass may have run during the sweep) decides which pods count.
    const result = this.loop.decide(
      this.deps.apps(),
      this.observed ?? observed,
      sweep.pods,
      this.deps.clock.now(),
    );
    if (result.changed) this.deps.onReplicasChange?.();
    return { sweep, result };
  }

  /** Sweeps every intervalMs until stop(). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(delayMs = this.deps.intervalMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.deps.clock.now();
      this.tick()
        .catch((err: unknown) => this.deps.log?.error({ err }, 'autoscaler tick failed'))
        // A fixed rate, as upstream's resync ticker: a slow sweep shortens the next wait.
        .finally(() => this.schedule(Math.max(0, this.deps.intervalMs - (this.deps.clock.now() - started))));
    }, delayMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }
}
