// The prober: one worker per running container that has probes, as the kubelet's prober
// manager keeps them. `sync` is level-triggered (called with every observation: starts
// workers for new containers, stops those whose container is gone); `results` hands them to
// the pure pass as an input (ObservedProbeState by container id). Shell: it owns timers and the clock.
// A restarted container is a new container (new id), so its probe state starts afresh, as
// on Kubernetes.
import type { Logger } from 'pino';
import {
  initialTrack,
  type ProbeKind,
  type ProbeTrack,
  probeDue,
  recordProbeOutcome,
  startupFailed,
} from '../controllers/probe-state.js';
import type { Container, Probe } from '../model/k8s.js';
import type {
  Observed,
  ObservedContainer,
  ObservedPod,
  ObservedProbeState,
  ProbeResults,
} from '../model/observed.js';
import { applyProbeResults } from '../reconcile/observed-inputs.js';
import type { Clock } from '../runtime/clock.js';
import { runProbe } from '../runtime/probe-runner.js';
import type { Runtime } from '../runtime/runtime.js';

export interface ProberOptions {
  clock: Pick<Clock, 'now'>;
  /** Called when a result flips (readiness or liveness): the reconciler should run a pass. */
  onChange: () => void;
  log?: Logger;
  /** How often a worker checks whether a probe is due (ms). */
  tickMs?: number;
  /** Told every probe's outcome (the daemon's metrics). */
  onProbe?: (pod: ObservedPod, container: string, kind: ProbeKind, ok: boolean) => void;
}

class Worker {
  private tracks: Partial<Record<ProbeKind, ProbeTrack>> = {};
  private lastRun: Partial<Record<ProbeKind, number>> = {};
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  stopped = false;
  /** Rounds completed (a round may run no probe while the initial delay lasts). */
  rounds = 0;

  constructor(
    readonly pod: ObservedPod,
    readonly container: ObservedContainer,
    readonly spec: Container,
    private readonly runtime: Runtime,
    private readonly opts: ProberOptions,
  ) {
    for (const kind of ['startup', 'liveness', 'readiness'] as const) {
      if (this.probe(kind)) this.tracks[kind] = initialTrack(kind);
    }
    this.schedule(0);
  }

  probe(kind: ProbeKind): Probe | undefined {
    return kind === 'startup'
      ? this.spec.startupProbe
      : kind === 'liveness'
        ? this.spec.livenessProbe
        : this.spec.readinessProbe;
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick() {
    if (this.stopped || this.busy) return;
    this.busy = true;
    try {
      const startupDone = !this.spec.startupProbe || this.tracks.startup?.result === true;
      const kinds: ProbeKind[] = startupDone ? ['liveness', 'readiness'] : ['startup'];
      const startedAt = this.container.startedAt ?? this.opts.clock.now();
      await Promise.all(
        kinds.map(async (kind) => {
          const probe = this.probe(kind);
          const track = this.tracks[kind];
          if (!probe || !track) return;
          const now = this.opts.clock.now();
          if (!probeDue(probe, startedAt, this.lastRun[kind], now)) return;
          this.lastRun[kind] = now;
          const outcome = await runProbe(
            this.runtime,
            {
              pod: { host: this.pod.host, namespace: this.pod.namespace, name: this.pod.name },
              ip: this.pod.ip ?? '',
              container: this.spec,
            },
            probe,
          );
          if (this.stopped) return;
          this.opts.onProbe?.(this.pod, this.spec.name, kind, outcome.ok);
          const next = recordProbeOutcome(track, probe, outcome, this.opts.clock.now());
          this.tracks[kind] = next;
          if (next.result !== track.result || (kind === 'startup' && startupFailed(next, probe))) {
            this.opts.log?.info(
              {
                pod: `${this.pod.namespace}/${this.pod.name}`,
                container: this.spec.name,
                probe: kind,
                result: next.result,
              },
              outcome.ok ? `${kind} probe succeeded` : `${kind} probe failed: ${outcome.message}`,
            );
            this.opts.onChange();
          }
        }),
      );
    } finally {
      this.busy = false;
      this.rounds++;
      this.schedule(this.opts.tickMs ?? 200);
    }
  }

  state(): ObservedProbeState {
    const startup = this.tracks.startup;
    const startupPassed = !this.spec.startupProbe || startup?.result === true;
    const readiness = this.tracks.readiness;
    const liveness = this.tracks.liveness;
    const ready = startupPassed && (readiness ? readiness.result : true);
    const startupDead = !!(
      startup &&
      this.spec.startupProbe &&
      startupFailed(startup, this.spec.startupProbe)
    );
    const live = !startupDead && (liveness ? liveness.result : true);
    const failures = [
      startup?.lastFailure && { ...startup.lastFailure, probe: 'startup' as const },
      liveness?.lastFailure && { ...liveness.lastFailure, probe: 'liveness' as const },
      readiness?.lastFailure && { ...readiness.lastFailure, probe: 'readiness' as const },
    ].filter((f): f is NonNullable<typeof f> => !!f);
    const lastFailure = failures.sort((a, b) => b.at - a.at)[0];
    return {
      startupPassed,
      ready,
      readySince: ready ? (readiness?.since ?? startup?.since ?? this.container.startedAt) : undefined,
      live,
      lastFailure,
    };
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

export class Prober {
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly runtime: Runtime,
    private readonly opts: ProberOptions,
  ) {}

  /** Start workers for running containers with probes; stop the rest. */
  sync(observed: Observed): void {
    const keep = new Set<string>();
    // Every pass, over every pod: no lists built per pod (15,000 pods, mostly unprobed).
    const start = (pod: ObservedPod, c: ObservedContainer) => {
      if (c.state !== 'running') return;
      const spec = probedSpec(pod, c.name);
      if (!spec) return;
      keep.add(c.id);
      if (!this.workers.has(c.id)) this.workers.set(c.id, new Worker(pod, c, spec, this.runtime, this.opts));
    };
    for (const pod of observed.pods) {
      if (pod.terminating || !pod.spec) continue;
      for (const c of pod.containers) start(pod, c);
      for (const c of pod.initContainers ?? []) start(pod, c);
    }
    for (const [id, w] of this.workers) {
      if (!keep.has(id)) {
        w.stop();
        this.workers.delete(id);
      }
    }
  }

  /** Every worker's probe state, by container id. */
  results(): ProbeResults {
    const out: ProbeResults = {};
    for (const [id, w] of this.workers) out[id] = w.state();
    return out;
  }

  /** `observed` with the results applied, as the pass sees it (harnesses without a pass). */
  annotate(observed: Observed): Observed {
    return applyProbeResults(observed, this.results());
  }

  /** Resolves once every worker has completed a round, or after timeoutMs: lets a short-lived
   *  CLI report readiness as probed now rather than "not yet probed". */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && [...this.workers.values()].some((w) => w.rounds === 0)) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }
}

/** The spec of a container that has a probe: an app container, or a sidecar (an init container
 *  with restartPolicy Always, probed like an app container). */
function probedSpec(pod: ObservedPod, name: string): Container | undefined {
  const spec =
    pod.spec?.containers.find((s) => s.name === name) ??
    pod.spec?.initContainers?.find((s) => s.name === name && s.restartPolicy === 'Always');
  return spec && (spec.livenessProbe || spec.readinessProbe || spec.startupProbe) ? spec : undefined;
}
