// The skiff daemon (`skiff run`): one actor per state directory. It polls each app's Git
// revision (interval or cron; the webhook fetches at once), runs reconcile passes on every new
// commit, every probe flip, and at least every reconcileIntervalSeconds, and serves the local
// API the CLI talks to. Shell: it owns the timers and the clock. Input never crashes it: a bad
// commit is rejected with diagnostics, a failed source keeps the last good commit live.
// One actor per set of hosts too: it acts only while it holds the lease recorded on the hosts
// (LeaseKeeper); on standby it observes and serves its API, saying who holds the hosts.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/cluster-config.js';
import { DEFAULT_POLL_INTERVAL_MS, type PollSchedule } from '../git/poll-schedule.js';
import { Poller } from '../git/poller.js';
import { parseDuration } from '../manifest/duration.js';
import { acquireStateDirLock, type StateDirLock } from '../state/state-dir-lock.js';
import { startApiServer } from './api-server.js';
import { type LeaseKeeper, leaseKeeperFor } from './lease-keeper.js';
import { nextPassDelay } from './pass-schedule.js';
import { RolloutGuard } from './rollout-guard.js';
import { createSkiffInstance, initialAdmission, type SkiffInstance } from './skiff-instance.js';

export interface DaemonOptions {
  config: ClusterConfig;
  log: Logger;
  /** Override the listen address of the config (`host:port`; port 0 picks one). */
  listen?: string;
}

export class Daemon {
  private pollers = new Map<string, Poller>();
  private loopTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private server?: Server;
  address = '';
  /** Records revisions, and restores the last good commit when a rollout fails. */
  private readonly guard: RolloutGuard;
  /** Set while a pass is due when the running deletions end. */
  private deletionWatch: Promise<void> | undefined;

  private constructor(
    readonly inst: SkiffInstance,
    private readonly lock: StateDirLock,
    private readonly log: Logger,
    readonly lease: LeaseKeeper,
  ) {
    this.guard = new RolloutGuard({
      trackers: inst.trackers,
      sources: inst.sources,
      history: inst.history,
      log: log.child({ component: 'rollout-guard' }),
      clock: Date.now,
      wake: () => this.wake(),
    });
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, log } = opts;
    const lock = acquireStateDirLock({ stateDir: config.daemon.stateDir, onWarning: (m) => log.warn(m) });
    let daemon: Daemon | undefined;
    const lease = leaseKeeperFor(
      config,
      (host, command, stdin) => inst.runtime.execOnHost(host, command, stdin),
      log,
      (role) => daemon?.roleChanged(role),
    );
    const inst = createSkiffInstance({
      config,
      log,
      onProbeChange: () => daemon?.wake(),
      onReplicasChange: () => daemon?.wake(),
      lease: () => lease.view(),
    });
    daemon = new Daemon(inst, lock, log, lease);
    try {
      await daemon.boot(opts.listen ?? config.daemon.listen);
    } catch (err) {
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  private async boot(listen: string): Promise<void> {
    const { inst, log } = this;
    const api = await startApiServer({ daemon: this, listen, log: log.child({ component: 'api' }) });
    this.server = api.server;
    this.address = api.address;
    this.lock.setApiAddress(api.address);
    log.info({ address: api.address, apps: inst.trackers.map((t) => t.name) }, 'skiff daemon started');
    await this.lease.start();
    await initialAdmission(inst, Date.now(), log);
    for (const t of inst.trackers) this.startPoller(t.name);
    this.wake();
  }

  /** Taking over starts the HPAs and a pass at once; standing by stops the HPAs (passes go on,
   *  observing only). */
  roleChanged(role: 'acting' | 'standby'): void {
    if (this.stopped) return;
    if (role === 'acting') this.inst.autoscaler.start();
    else void this.inst.autoscaler.stop();
    this.wake();
  }

  /** Each app's branch is polled on its schedule (with backoff after failures); every head
   *  seen goes through the app's tracker, which admits or rejects it. */
  private startPoller(app: string): void {
    const tracker = this.inst.trackers.find((x) => x.name === app)!;
    const source = this.inst.sources.get(app)!;
    const poll = tracker.config.poll;
    const intervalMs = poll.interval ? parseDuration(poll.interval) : undefined;
    const schedule: PollSchedule = poll.cron
      ? { kind: 'cron', expression: poll.cron }
      : { kind: 'interval', ms: intervalMs ?? DEFAULT_POLL_INTERVAL_MS };
    const poller = new Poller({
      schedule,
      source: {
        app,
        resolveHead: async () => {
          try {
            const head = await source.resolveHead();
            this.afterRefresh(tracker.name, await tracker.observeHead(head, Date.now()));
            return head;
          } catch (err) {
            if (!tracker.snapshot().sourceError)
              this.log.warn({ app, error: (err as Error).message }, 'source unavailable');
            tracker.observeFailure(err, Date.now());
            throw err;
          }
        },
      },
      onNewCommit: () => undefined,
    });
    this.pollers.set(app, poller);
    poller.start();
  }

  private afterRefresh(app: string, r: { admittedChanged: boolean; rewritten: boolean }): void {
    const snap = this.inst.trackers.find((t) => t.name === app)!.snapshot();
    if (r.rewritten) this.log.warn({ app, head: snap.head }, 'branch rewritten (force-push): following it');
    if (r.admittedChanged) {
      this.log.info({ app, commit: snap.admitted?.commit }, 'new commit admitted');
      this.wake();
    } else if (snap.rejected && snap.rejected.commit === snap.head) {
      this.log.warn(
        { app, commit: snap.rejected.commit, errors: snap.rejected.diagnostics.length },
        'commit rejected',
      );
    }
  }

  /** Fetch one app (or all) now, e.g. for the webhook or `skiff sync`. */
  async refreshApp(app?: string): Promise<void> {
    await Promise.all(
      [...this.pollers]
        .filter(([name]) => !app || name === app)
        .map(([, p]) => p.trigger().catch(() => undefined)),
    );
  }

  /** Schedule a pass as soon as possible. */
  wake(): void {
    if (this.stopped) return;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    this.loopTimer = setTimeout(() => void this.loop(), 0);
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    const interval = this.inst.config.daemon.reconcileIntervalSeconds * 1000;
    let next: number;
    try {
      const s = await this.inst.reconciler.pass();
      const inflight = this.inst.reconciler.inflight;
      if (s.acted) {
        await this.guard.afterPass(s);
        next = nextPassDelay(interval, { ...s, deletionsInFlight: inflight.size });
      } else next = interval; // standby: watch at the usual pace, the lease round wakes us
      this.wakeAfterDeletions();
    } catch (err) {
      this.log.error({ err }, 'reconcile pass failed');
      next = nextPassDelay(interval, undefined);
    }
    if (this.stopped) return;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    this.loopTimer = setTimeout(() => void this.loop(), next);
  }

  /** Graceful deletions run in the background; pods waiting for them (a rollout under
   *  TerminationComplete) should not wait for the next timer as well: a pass runs as soon as
   *  the deletions running now have ended. One watch at a time. */
  private wakeAfterDeletions(): void {
    const inflight = this.inst.reconciler.inflight;
    if (this.deletionWatch || inflight.size === 0) return;
    this.deletionWatch = inflight.drain().then(() => {
      this.deletionWatch = undefined;
      this.wake();
    });
  }

  /** Converged = a pass with nothing to do, every workload complete. */
  async waitConverged(timeoutMs: number): Promise<{ converged: boolean; failed: boolean }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.inst.reconciler.pass();
      const failed = s.result.deployments.some((d) => d.phase === 'Failed');
      if (s.converged || failed) return { converged: s.converged, failed };
      if (Date.now() > deadline) return { converged: false, failed: false };
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
    await this.inst.reconciler.idle();
    // Graceful deletions run in the background: cut off by closing the runtime, they would
    // leave stopped containers and pod folders on the hosts. They end within their grace period.
    await this.inst.reconciler.inflight.drain();
    // Only now, with nothing of ours still running on the hosts, may another daemon take over.
    await this.lease.stop({ release: true });
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections?.();
    await this.inst.close();
    this.lock.release();
  }
}
