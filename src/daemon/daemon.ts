// The skiff daemon (`skiff run`): one actor per state directory. It polls each app's Git
// revision (interval or cron; the webhook and `skiff sync` fetch at once), runs reconcile passes
// on every new commit, every probe flip, and at least every reconcileIntervalSeconds, and serves
// the local API the CLI talks to. One path for every fetch: the poller resolves the head and
// enqueues the app's key; the refresh queue then brings the app's tracker up to the poller's
// status (admit or reject the head, or record the failure) and wakes the pass loop.
// Shell: it owns the timers and the clock. Input never crashes it: a bad commit is rejected
// with diagnostics, a failed source keeps the last good commit live.
// One actor per set of hosts too: it acts only while it holds the lease recorded on the hosts
// (LeaseKeeper); on standby it observes and serves its API, saying who holds the hosts.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { AppConfig, ClusterConfig } from '../config/cluster-config.js';
import { EXPOSED_LISTEN_HINT, exposureProblem } from '../config/listen-address.js';
import { DEFAULT_POLL_INTERVAL_MS, type PollSchedule } from '../git/poll-schedule.js';
import { Poller } from '../git/poller.js';
import { type LeaseKeeper, leaseKeeperFor } from '../lease/lease-keeper.js';
import { acquireStateDirLock, type StateDirLock } from '../lease/state-dir-lock.js';
import { parseDuration } from '../manifest/duration.js';
import { UsageError } from '../model/errors.js';
import { httpSender } from '../notify/http-sender.js';
import { Notifier } from '../notify/notifier.js';
import { resolveServices } from '../notify/services.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { Runtime } from '../runtime/runtime.js';
import { ensureLocalAdminToken } from '../state-dir/token-store.js';
import { type ApiBackend, apiSecurityOf, startApiServer } from './api-server.js';
import type { AppTracker } from './app-tracker.js';
import { ensureDashboardAssets } from './dashboard-assets.js';
import { timedHeadSource } from './metrics.js';
import { notifyFactsFor } from './notify-facts.js';
import { nextPassDelay } from './pass-schedule.js';
import type { PassSummary } from './reconciler.js';
import { RefreshQueue } from './refresh-queue.js';
import { RolloutGuard } from './rollout-guard.js';
import type { SecretScrubber } from './secret-scrubber.js';
import { createSkiffInstance, initialAdmission, type SkiffInstance } from './skiff-instance.js';
import { resolveWebhookSecrets } from './webhook-route.js';

export interface DaemonOptions {
  config: ClusterConfig;
  log: Logger;
  /** Override the listen address of the config (`host:port`; port 0 picks one). */
  listen?: string;
  /** The scrubber `log` writes through (daemonLogger): the daemon's trackers teach it every
   *  commit's Secret values, and the API and the history scrub with it too. */
  scrubber?: SecretScrubber;
  /** Tests run the daemon on a FakeRuntime. */
  runtime?: Runtime;
}

export class Daemon implements ApiBackend {
  private pollers = new Map<string, Poller>();
  /** App keys enqueued by polls; each run brings one app's tracker up to its poller's status. */
  private readonly refreshes: RefreshQueue;
  private loopTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private server?: Server;
  private webhookServer?: Server;
  address = '';
  /** Records revisions, and restores the last good commit when a rollout fails. */
  private readonly guard: RolloutGuard;
  /** Set while a pass is due when the running deletions end. */
  private deletionWatch: Promise<void> | undefined;
  /** The time every decision of the daemon is stamped with. */
  private readonly clock: Pick<Clock, 'now'> = systemClock;
  /** Commit statuses and notifications (skiff.yaml `notifications`), sent in the background. */
  private readonly notifier?: Notifier;

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
      clock: this.clock,
      wake: () => this.wake(),
    });
    this.refreshes = new RefreshQueue(
      (app) => this.applyPoll(app),
      (app, err) => log.error({ app, err }, 'app refresh failed'),
    );
    const notifications = inst.config.notifications;
    if (notifications && notifications.services.length > 0)
      this.notifier = new Notifier({
        config: notifications,
        apps: inst.config.apps,
        env: process.env,
        send: httpSender,
        now: () => this.clock.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
        random: Math.random,
        scrub: inst.scrubber.text,
        history: inst.history,
        log: log.child({ component: 'notify' }),
        onOutcome: (_service, outcome) => inst.metrics.observeNotification(outcome),
      });
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const { config, log } = opts;
    // A listen address that cannot work, or would expose the API without TLS, and a webhook
    // whose secret is not set (fail closed) fail before the state dir is taken.
    checkListeners(opts.listen ?? config.daemon.listen, config);
    resolveWebhookSecrets(config.apps, process.env);
    resolveServices(config.notifications?.services ?? [], process.env);
    const lock = acquireStateDirLock({ stateDir: config.daemon.stateDir, onWarning: (m) => log.warn(m) });
    let daemon: Daemon | undefined;
    const lease = leaseKeeperFor(config, {
      exec: (host, command, stdin) => inst.runtime.execOnHost(host, command, stdin, 'control'),
      log,
      onRoleChange: (role) => daemon?.roleChanged(role),
      hosts: () => inst.leasedHosts(),
    });
    const inst = createSkiffInstance({
      config,
      log,
      onProbeChange: () => daemon?.wake(),
      onReplicasChange: () => daemon?.wake(),
      lease: () => lease.view(),
      releaseHostLease: (host) => lease.releaseHost(host),
      scrubber: opts.scrubber,
      runtime: opts.runtime,
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
    ensureLocalAdminToken(inst.config.daemon.stateDir, this.clock.now());
    // One security for both listeners: the same tokens, and one replay window for the webhook.
    const security = apiSecurityOf(inst.config, this);
    await ensureDashboardAssets((message) => log.warn(message));
    const api = await startApiServer({
      backend: this,
      listen,
      log: log.child({ component: 'api' }),
      security,
    });
    this.server = api.server;
    this.address = api.address;
    const webhookListen = inst.config.daemon.webhookListen;
    if (webhookListen) {
      const hook = await startApiServer({
        backend: this,
        listen: webhookListen,
        log: log.child({ component: 'webhook' }),
        webhookOnly: true,
        security,
      });
      this.webhookServer = hook.server;
    }
    this.lock.setApiAddress(api.address);
    log.info({ address: api.address, apps: inst.trackers.map((t) => t.name) }, 'skiff daemon started');
    await this.lease.start();
    await initialAdmission(inst, this.clock.now(), log);
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

  /** Each app's branch is polled on its schedule (with backoff after failures); every poll
   *  enqueues the app's key, and the refresh queue applies what the poll saw. */
  private startPoller(app: string): void {
    const poller = new Poller({
      schedule: pollScheduleOf(this.tracker(app).config.poll),
      source: timedHeadSource(this.inst.sources.get(app)!, this.inst.metrics),
      onPoll: (key) => void this.refreshes.enqueue(key),
    });
    this.pollers.set(app, poller);
    poller.start();
  }

  private tracker(app: string): AppTracker {
    return this.inst.trackers.find((t) => t.name === app)!;
  }

  /** Brings the app's tracker up to its poller's status: a failure is recorded (the admitted
   *  commit stays), a head is judged (admitted, or rejected with diagnostics). Level-based: it
   *  reads the status as it is now, however many polls were coalesced into this run. */
  private async applyPoll(app: string): Promise<void> {
    const tracker = this.tracker(app);
    const status = this.pollers.get(app)!.status();
    if (status.lastError) {
      if (!tracker.snapshot().sourceError)
        this.log.warn({ app, error: status.lastError.message }, 'source unavailable');
      tracker.observeFailure(status.lastError, this.clock.now());
      return;
    }
    if (status.head === null) return;
    // How the head moved since the tracker last saw it (the poller's lastChange is sticky).
    const change = status.head === tracker.snapshot().head ? 'unchanged' : (status.lastChange ?? 'initial');
    const r = await tracker.observeHead(
      { commit: status.head, change },
      status.lastSuccessAt ?? this.clock.now(),
    );
    this.afterRefresh(app, r);
  }

  private afterRefresh(app: string, r: { admittedChanged: boolean; rewritten: boolean }): void {
    this.notify(this.inst.reconciler.last);
    const snap = this.tracker(app).snapshot();
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

  /** Fetch one app (or all) now, for the webhook or `skiff sync`: the same poll and refresh as
   *  the schedule's. Resolves once the refresh of what that poll saw has been applied. */
  async refreshApp(app?: string): Promise<void> {
    await Promise.all(
      [...this.pollers]
        .filter(([name]) => !app || name === app)
        .map(async ([name, p]) => {
          await p.trigger().catch(() => undefined);
          // The poll enqueued the key before trigger() resolved: wait for that refresh.
          await this.refreshes.settled(name);
        }),
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
        this.notify(s);
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

  /** Hands the notifier the apps as they are now (after the guard: a quarantine it just made,
   *  and the commit it restored, are in). Only the acting daemon reports; never throws. */
  private notify(s: PassSummary | undefined): void {
    if (!this.notifier || this.lease.view().role !== 'acting') return;
    try {
      this.notifier.notice(notifyFactsFor(this.inst, s?.acted ? s : undefined));
    } catch (err) {
      this.log.warn({ error: (err as Error).message }, 'notifications: cannot judge the triggers');
    }
  }

  /** Graceful deletions run in the background; pods waiting for them (Recreate, a rollout
   *  under podReplacementPolicy TerminationComplete, a pod waiting for the room a dying pod
   *  holds) should not wait for the next timer as well: a pass runs as soon as the deletions
   *  running now have ended. One watch at a time. */
  private wakeAfterDeletions(): void {
    const inflight = this.inst.reconciler.inflight;
    if (this.deletionWatch || inflight.size === 0) return;
    this.deletionWatch = inflight.drain().then(() => {
      this.deletionWatch = undefined;
      this.wake();
    });
  }

  /** Converged = a pass with nothing to do, every workload complete. */
  async waitConverged(
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ converged: boolean; failed: boolean }> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const s = await this.inst.reconciler.pass();
      const failed = s.result.views.deployments.some((d) => d.phase === 'Failed');
      if (s.converged || failed) return { converged: s.converged, failed };
      // The client went away (or the time is up): nobody waits for the answer any more.
      if (this.clock.now() > deadline || signal?.aborted || this.stopped)
        return { converged: false, failed: false };
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.loopTimer) clearTimeout(this.loopTimer);
    await Promise.all([...this.pollers.values()].map((p) => p.stop()));
    await this.refreshes.idle();
    await this.inst.reconciler.idle();
    this.notifier?.stop();
    // Graceful deletions run in the background: cut off by closing the runtime, they would
    // leave stopped containers and pod folders on the hosts. They end within their grace period.
    await this.inst.reconciler.inflight.drain();
    // Only now, with nothing of ours still running on the hosts, may another daemon take over.
    await this.lease.stop({ release: true });
    for (const server of [this.server, this.webhookServer]) {
      const closed = new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server?.closeAllConnections?.();
      await closed;
    }
    await this.inst.close();
    this.lock.release();
  }
}

function checkListeners(listen: string, config: ClusterConfig): void {
  for (const l of [listen, config.daemon.webhookListen]) {
    const problem = l === undefined ? undefined : exposureProblem(l, config.daemon);
    if (problem) throw new UsageError(problem, EXPOSED_LISTEN_HINT);
  }
}

function pollScheduleOf(poll: AppConfig['poll']): PollSchedule {
  const intervalMs = poll.interval ? parseDuration(poll.interval) : undefined;
  return poll.cron
    ? { kind: 'cron', expression: poll.cron }
    : { kind: 'interval', ms: intervalMs ?? DEFAULT_POLL_INTERVAL_MS };
}
