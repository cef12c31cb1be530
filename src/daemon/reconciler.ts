// The reconcile loop's shell: holds the clock, the runtime and the app trackers, runs one pass
// at a time (observe -> pure pass -> execute -> record), and keeps the latest read model for
// status, `get` and the API. Passes run on every new commit, on a timer, and when woken; a
// pass never depends on why it ran.
import type { Logger } from 'pino';
import { executeActions, InflightDeletions } from '../apply/executor.js';
import { redactUrlCredentials } from '../diff/redact-url.js';
import type { HistoryStore } from '../history/history-store.js';
import { type SyncResult, summarizeActions } from '../history/history-types.js';
import type { NotificationRecord } from '../history/notification-log.js';
import { type Action, type ActionResult, actionKey } from '../model/actions.js';
import type { Observed, ObservedHost, ProbeResults } from '../model/observed.js';
import type {
  AppStatus,
  ClusterView,
  Condition,
  ConfigView,
  HealthState,
  LeaseView,
  NotificationDeliveryView,
} from '../model/views.js';
import { forgetDeletions } from '../reconcile/forget-deletions.js';
import { type FailedApp, passIsolatingFailures } from '../reconcile/isolate-failures.js';
import { applyProbeResults, markDeletionsInFlight } from '../reconcile/observed-inputs.js';
import { decideOwnership, type SharedResource, sharedResourceMessage } from '../reconcile/ownership.js';
import {
  type AppDesired,
  type DrainRequest,
  emptyPassMemory,
  type HostRemoval,
  type PassEvent,
  type PassInputs,
  type PassMemory,
  type PassResult,
  reconcilePass,
} from '../reconcile/pass.js';
import type { Clock } from '../runtime/clock.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ServiceDataPlane } from '../runtime/service-data-plane.js';
import type { AppTracker, TrackerSnapshot } from './app-tracker.js';

/** The prober as a pass sees it: told what runs, asked what it found. */
export interface ProbeSource {
  /** Start workers for running containers with probes; stop the rest. */
  sync(observed: Observed): void;
  /** Results by container id. */
  results(): ProbeResults;
  /** Resolves once every worker has completed a first round (or after timeoutMs). */
  settle?(timeoutMs: number): Promise<void>;
}

/** How long a daemon's first pass waits for its prober's first round (probe state is memory:
 *  without it a new daemon sees every running pod not Ready, and would tear every Service's
 *  endpoints down and scale down Ready pods as if they were unhealthy). */
export const FIRST_PROBE_ROUND_MS = 5000;

/** The HPAs as a pass sees them: told the pass's observation, asked the replicas they own. */
export interface HpaSource {
  /** Brings the HPAs in step with this observation (probe results applied). */
  noteObserved(observed: Observed): void;
  /** Replicas owned by HPAs, by Deployment objectKey. */
  overrides(): Record<string, { replicas: number; owner: string }>;
}

export interface ReconcilerDeps {
  runtime: Runtime;
  trackers: AppTracker[];
  history?: HistoryStore;
  log: Logger;
  clock: Pick<Clock, 'now'>;
  random: () => number;
  hostGracePeriodMs: number;
  /** Probe results, an input of every pass. */
  prober?: ProbeSource;
  /** HPA recommendations, an input of every pass. On standby the HPAs note nothing: the other
   *  daemon's decide, and ours start over from the live replica counts when this one acts. */
  autoscaler?: HpaSource;
  concurrency?: number;
  perHostConcurrency?: number;
  /** Told after each pass (the metrics, tests). */
  onPass?: (summary: PassSummary) => void;
  /** Told each executed action's final outcome (a background deletion's when it ends). */
  onActionResult?: (action: Action, result: ActionResult) => void;
  /** Compute passes without executing or recording anything (read-only CLI, `sync --dry-run`). */
  dryRun?: boolean;
  /** The Service data plane: each acting pass observes the hosts' rules through it, and the
   *  executor writes the rulesets the pass decides through it. */
  services?: ServiceDataPlane;
  /** The host lease (single actor across machines), asked at each point a pass would act:
   *  while it says standby, the pass observes and plans but executes nothing, reads and writes
   *  no Service rules and records nothing (the acting daemon does). */
  lease?: () => LeaseView;
  /** Hosts being drained (the state directory's drain store), an input of every pass. */
  drains?: () => DrainRequest[];
  /** Hosts gone from skiff.yaml still being drained (the state directory's host inventory). */
  removals?: () => HostRemoval[];
  /** Takes a removed host's Service rules and data dir off (if it answers) and stops
   *  observing it: the pass found it empty, or unreachable past the bound. */
  forgetHost?: (host: ObservedHost | undefined, name: string) => Promise<void>;
  /** The pure pass (tests inject one that fails). */
  reconcile?: typeof reconcilePass;
}

/** Where a pass spent its time: reading the hosts (Docker, Service rules, first probe round),
 *  the pure pass, the executor (awaited actions and rule syncs). */
export interface PassPhases {
  observeMs: number;
  planMs: number;
  executeMs: number;
}

export interface PassSummary {
  at: number;
  durationMs: number;
  phases: PassPhases;
  actions: Action[];
  results: ActionResult[];
  converged: boolean;
  requeueAfterMs?: number;
  observed: Observed;
  result: PassResult;
  /** False for a dry run or a pass on standby: `actions` were planned, none executed. */
  acted: boolean;
  /** Each app's sync of this pass, as the history records it (none unless it acted). */
  syncs: { app: string; result: SyncResult }[];
  /** Apps set aside because the pass throws on their commit (reconcile/isolate-failures.ts). */
  failedApps: FailedApp[];
  /** Apps refused because another app owns an object they declare (reconcile/ownership.ts). */
  refusedApps: string[];
}

export class Reconciler {
  private memory: PassMemory = emptyPassMemory();
  readonly inflight = new InflightDeletions();
  private running: Promise<PassSummary> | undefined;
  private again = false;
  /** The last pass's view, built on first request (undefined until then), and its source. */
  private latest: ClusterView | undefined;
  private latestSource: ViewSource | undefined;
  private lastSummary: PassSummary | undefined;
  /** Apps refused this pass because another app owns an object they declare: app -> message. */
  private refused = new Map<string, string>();
  /** Apps set aside by the last pass because it throws on their commit. */
  private failed = new Map<string, FailedApp>();
  /** Whether a pass has waited for the prober's first round (only the first pass does). */
  private probedOnce = false;

  constructor(private readonly deps: ReconcilerDeps) {}

  get view(): ClusterView | undefined {
    if (!this.latest && this.latestSource) this.latest = buildClusterView(this.latestSource);
    return this.latest;
  }
  get last(): PassSummary | undefined {
    return this.lastSummary;
  }

  /** Resolves when no pass is running (shutdown waits for it before closing the history). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /** Runs a pass now, or right after the one in flight (coalescing concurrent requests). */
  async pass(): Promise<PassSummary> {
    if (this.running) {
      this.again = true;
      await this.running.catch(() => undefined);
      if (this.running) return this.running;
    }
    this.again = false;
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
    });
    const summary = await this.running;
    if (this.again) return this.pass();
    return summary;
  }

  /** Whether this pass may change the hosts now (asked again before each step that would). */
  private mayAct(): boolean {
    return !this.deps.dryRun && (this.deps.lease?.().role ?? 'acting') === 'acting';
  }

  private async runOnce(): Promise<PassSummary> {
    const { deps } = this;
    const started = deps.clock.now();
    const { observed, seen, inputs } = await this.observe();
    const observedAt = deps.clock.now();
    const { apps, frozen, refusals } = this.desired(seen);
    const { result, failed } = passIsolatingFailures(
      {
        apps,
        frozenApps: frozen,
        observed,
        inputs,
        memory: this.memory,
        now: observed.at,
        random: deps.random,
        options: { hostGracePeriodMs: deps.hostGracePeriodMs, serviceCIDR: deps.services?.serviceCIDR },
      },
      deps.reconcile ?? reconcilePass,
    );
    for (const f of failed)
      deps.log.error(
        { app: f.app, commit: f.commit, error: f.error },
        'reconcile pass failed on this app: set aside',
      );
    this.failed = new Map(failed.map((f) => [f.app, f]));
    this.memory = result.memory;
    result.events.push(...refusals);
    const acting = this.mayAct();
    for (const a of acting ? result.actions : []) {
      deps.log.info({ action: a.type, key: actionLogKey(a), reason: a.reason }, 'action');
    }
    const plannedAt = deps.clock.now();
    const results = acting ? await this.execute(result.actions) : [];
    if (acting) await this.forgetHosts(result.forgetHosts ?? [], observed);
    const executedAt = deps.clock.now();
    this.memory = {
      ...this.memory,
      deployments: forgetDeletions(this.memory.deployments, unstarted(result.actions, results)),
    };
    const finished = deps.clock.now();
    const syncs = acting ? appSyncs(apps, seen, result.actions, results) : [];
    if (acting) this.record(result, syncs, started, finished);
    this.latestSource = this.viewSource(result, seen);
    this.latest = undefined;
    const summary: PassSummary = {
      at: started,
      durationMs: finished - started,
      phases: {
        observeMs: observedAt - started,
        planMs: plannedAt - observedAt,
        executeMs: executedAt - plannedAt,
      },
      actions: result.actions,
      results,
      converged: result.converged && results.every((r) => r.outcome !== 'failed'),
      requeueAfterMs: result.requeueAfterMs,
      observed: seen,
      result,
      acted: acting,
      syncs: syncs.map(({ app, result }) => ({ app, result })),
      failedApps: failed,
      refusedApps: [...this.refused.keys()],
    };
    this.lastSummary = summary;
    deps.onPass?.(summary);
    return summary;
  }

  /** The world and the other loops' findings: what Docker reports, the hosts' Service rules
   *  (only when this pass may act on them), probe results and the HPAs' replicas. */
  private async observe(): Promise<{ observed: Observed; seen: Observed; inputs: PassInputs }> {
    const { deps } = this;
    let observed = await deps.runtime.observe();
    if (deps.services && this.mayAct())
      observed = { ...observed, serviceRules: await deps.services.observe(observed.hosts) };
    const deletionsInFlight = this.inflight.keys();
    const marked = markDeletionsInFlight(observed, deletionsInFlight);
    deps.prober?.sync(marked);
    if (!this.probedOnce) {
      // The kubelet probes a container it finds running at once, before it reports it.
      await deps.prober?.settle?.(FIRST_PROBE_ROUND_MS);
      this.probedOnce = true;
    }
    const probes = deps.prober?.results() ?? {};
    // The observation as the pass will see it (the pass applies the same inputs itself).
    const seen = applyProbeResults(marked, probes);
    if (deps.autoscaler && (deps.lease?.().role ?? 'acting') === 'acting') deps.autoscaler.noteObserved(seen);
    const hpaReplicas = deps.autoscaler?.overrides() ?? {};
    const drains = deps.drains?.() ?? [];
    const removals = deps.removals?.() ?? [];
    return { observed, seen, inputs: { probes, hpaReplicas, deletionsInFlight, drains, removals } };
  }

  /** Apps with an admitted commit, and the names of those still without one (frozen). An app
   *  that declares an object another app owns (reconcile/ownership.ts) is refused whole: it is
   *  frozen like an app without a commit (its pods left alone), with a condition and, when the
   *  refusal is new, a SharedResource event. */
  private desired(observed: Observed): { apps: AppDesired[]; frozen: string[]; refusals: PassEvent[] } {
    const { apps, frozen } = this.admittedApps();
    const shared = decideOwnership(apps, observed.pods);
    const refusals: PassEvent[] = [];
    const refused = new Map<string, string>();
    for (const [name, objects] of shared) {
      const app = apps.find((a) => a.name === name)!;
      const message = sharedResourceMessage(app.commit, objects);
      refused.set(name, message);
      if (this.refused.get(name) !== message) refusals.push(sharedResourceEvent(objects[0]!, name, message));
    }
    this.refused = refused;
    return { apps: apps.filter((a) => !shared.has(a.name)), frozen: [...frozen, ...shared.keys()], refusals };
  }

  private admittedApps(): { apps: AppDesired[]; frozen: string[] } {
    const apps: AppDesired[] = [];
    const frozen: string[] = [];
    for (const t of this.deps.trackers) {
      const snap = t.snapshot();
      if (snap.admitted) {
        apps.push({
          name: t.name,
          commit: snap.admitted.commit,
          objects: snap.admitted.objects,
          prune: t.config.syncPolicy.prune,
        });
      } else frozen.push(t.name);
    }
    return { apps, frozen };
  }

  /** The removed hosts the pass is done with: each forgotten in turn; a failure is logged and
   *  the next pass decides again (the host stays in the inventory until it is forgotten). */
  private async forgetHosts(hosts: readonly string[], observed: Observed): Promise<void> {
    for (const name of hosts) {
      const host = observed.hosts.find((h) => h.name === name);
      try {
        await this.deps.forgetHost?.(host, name);
        this.deps.log.info({ host: name }, 'removed host forgotten');
      } catch (err) {
        this.deps.log.warn({ host: name, error: String(err) }, 'removed host could not be forgotten');
      }
    }
  }

  private execute(actions: Action[]): Promise<ActionResult[]> {
    const { deps } = this;
    return executeActions(deps.runtime, actions, this.inflight, {
      concurrency: deps.concurrency ?? 16,
      perHostConcurrency: deps.perHostConcurrency ?? 6,
      clock: deps.clock,
      serviceRules: deps.services,
      // A pass can outlast the lease it began under: each action asks again as it starts.
      mayStart: () => this.mayAct(),
      onResult: (a, r) => {
        deps.onActionResult?.(a, r);
        if (r.outcome === 'failed')
          deps.log.warn({ action: a.type, key: r.key, error: r.error }, 'action failed');
      },
    });
  }

  private record(result: PassResult, syncs: AppSync[], started: number, finished: number) {
    const h = this.deps.history;
    for (const e of result.events) this.deps.log.info({ event: e.reason, object: e.object }, e.message);
    if (!h) return;
    for (const e of result.events) recordEvent(h, e, finished);
    for (const s of syncs) {
      h.recordSync({
        app: s.app,
        commit: s.commit,
        startedAt: started,
        finishedAt: finished,
        result: s.result,
        actions: summarizeActions(s.results),
        error: s.result === 'Failed' ? s.results.find((r) => r.error)?.error?.message : undefined,
      });
    }
  }

  /** Why the app was set aside this pass (another app owns an object it declares, or the pass
   *  throws on its commit), as its CommitAdmitted condition. */
  private setAside(app: string): Condition | undefined {
    const shared = this.refused.get(app);
    if (shared) return { type: 'CommitAdmitted', status: 'False', reason: 'SharedResource', message: shared };
    const failed = this.failed.get(app);
    if (!failed) return undefined;
    const message = `commit ${failed.commit.slice(0, 7)}: the reconcile pass fails on it (${failed.error}); the app is set aside, its pods left as they are`;
    return { type: 'CommitAdmitted', status: 'False', reason: 'ReconcileError', message };
  }

  /** What the view of this pass is built from, taken as the pass ends (the trackers, the
   *  refusals and the lease move on; the view must still say what this pass saw). */
  private viewSource(result: PassResult, observed: Observed): ViewSource {
    return {
      result,
      observed,
      apps: this.deps.trackers.map((t) => ({
        name: t.name,
        config: t.config,
        snap: t.snapshot(),
        refusal: this.setAside(t.name),
        quarantined: this.deps.history?.listQuarantined(t.name) ?? [],
        notifications: this.deps.history?.listNotifications(t.name, RECENT_NOTIFICATIONS) ?? [],
      })),
      lease: this.deps.lease?.(),
    };
  }
}

/** Notification deliveries an app's status lists. */
const RECENT_NOTIFICATIONS = 5;

function deliveryView(n: NotificationRecord): NotificationDeliveryView {
  return {
    at: n.at,
    service: n.service,
    trigger: n.trigger,
    ...(n.commit ? { commit: n.commit } : {}),
    ...(n.state ? { state: n.state } : {}),
    outcome: n.outcome,
    attempts: n.attempts,
    ...(n.lastError ? { error: n.lastError } : {}),
  };
}

interface ViewSource {
  result: PassResult;
  observed: Observed;
  apps: {
    name: string;
    config: AppTracker['config'];
    snap: TrackerSnapshot;
    refusal: Condition | undefined;
    quarantined: { commit: string; reason: string; at: number }[];
    notifications: NotificationRecord[];
  }[];
  lease: LeaseView | undefined;
}

/** Items grouped by their app, in one walk. */
function byApp<T extends { app: string }>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const list = out.get(i.app);
    if (list) list.push(i);
    else out.set(i.app, [i]);
  }
  return out;
}

/** The read model of one pass: built when first asked for (`get`, the API, a metrics scrape),
 *  not by every pass. */
function buildClusterView(src: ViewSource): ClusterView {
  const { result, observed } = src;
  const deploymentsOf = byApp(result.views.deployments);
  const podsOf = byApp(result.views.pods);
  const owner = appResolver(observed, result.actions);
  const actionsOf = byApp(result.actions.map((a) => ({ app: owner(actionKey(a)) ?? '' })));
  const apps: AppStatus[] = src.apps.map(({ name, config, snap, refusal, quarantined, notifications }) => {
    const deployments = deploymentsOf.get(name) ?? [];
    const pods = podsOf.get(name) ?? [];
    let health: HealthState = 'Healthy';
    if (!snap.admitted) health = 'Unknown';
    else if (refusal) health = 'Degraded';
    else if (deployments.some((d) => d.phase === 'Failed')) health = 'Degraded';
    else if (deployments.some((d) => d.phase === 'Progressing') || pods.some((p) => p.phase === 'Pending'))
      health = 'Progressing';
    const appActions = actionsOf.get(name) ?? [];
    return {
      name,
      // Views leave the daemon (status -o json, the API): never with a URL's credentials.
      repoURL: redactUrlCredentials(config.repoURL),
      revision: config.revision,
      path: config.path,
      liveCommit: snap.admitted?.commit,
      ...(snap.admittedInfo ? { liveCommitInfo: snap.admittedInfo } : {}),
      liveSignedBy: snap.admitted?.signedBy,
      headCommit: snap.head,
      ...(snap.headInfo ? { headCommitInfo: snap.headInfo } : {}),
      sync: !snap.admitted
        ? 'Unknown'
        : !refusal && appActions.length === 0 && snap.head === snap.admitted.commit
          ? 'Synced'
          : 'OutOfSync',
      health,
      conditions: refusal ? [...snap.conditions, refusal] : snap.conditions,
      rejected: snap.rejected,
      quarantined: quarantined.map((q) => ({ commit: q.commit, reason: q.reason, at: q.at })),
      lastSyncAt: observed.at,
      ...(notifications.length > 0 ? { notifications: notifications.map(deliveryView) } : {}),
    };
  });
  return {
    at: observed.at,
    apps,
    hosts: result.views.hosts,
    pods: result.views.pods,
    deployments: result.views.deployments,
    configs: src.apps.flatMap(({ name, snap }) => configViews(name, snap)),
    services: result.views.services,
    endpoints: result.views.endpoints,
    claims: result.views.claims,
    ...(result.views.drains.length > 0 ? { drains: result.views.drains } : {}),
    ...(src.lease ? { lease: src.lease } : {}),
  };
}

/** An app's ConfigMaps and Secrets as `get` lists them: names and keys, never values. */
function configViews(app: string, snap: TrackerSnapshot): ConfigView[] {
  const configs: ConfigView[] = [];
  for (const o of snap.admitted?.objects ?? []) {
    if (o.kind === 'ConfigMap')
      configs.push({
        kind: 'ConfigMap',
        namespace: o.metadata.namespace,
        name: o.metadata.name,
        app,
        keys: [...Object.keys(o.data), ...Object.keys(o.binaryData)],
      });
    if (o.kind === 'Secret')
      configs.push({
        kind: 'Secret',
        namespace: o.metadata.namespace,
        name: o.metadata.name,
        app,
        type: o.type,
        keys: Object.keys(o.data),
      });
  }
  return configs;
}

function actionLogKey(a: Action): string {
  return a.type === 'createPod'
    ? `${a.pod.namespace}/${a.pod.name}@${a.host}`
    : a.type === 'syncServiceRules'
      ? a.host
      : `${a.pod.namespace}/${a.pod.name}@${a.pod.host}`;
}

/** Which app an action's key (`pod/ns/name@host`) belongs to, from the observed pods' labels. */
function appResolver(observed: Observed, actions: Action[]): (key: string) => string | undefined {
  // Built at the first question: an idle pass has no action to ask about (15,000 keys a pass).
  let byKey: Map<string, string> | undefined;
  return (key) => {
    if (!byKey) {
      byKey = new Map(observed.pods.map((p) => [`pod/${p.namespace}/${p.name}@${p.host}`, p.app]));
      for (const a of actions) if (a.type === 'createPod') byKey.set(actionKey(a), a.pod.app);
    }
    return byKey.get(key);
  };
}

interface AppSync {
  app: string;
  commit: string;
  result: SyncResult;
  /** The outcomes of the app's actions this pass. */
  results: ActionResult[];
}

/** Each app's sync of an acting pass: Failed when one of its actions failed, NoOp without any. */
function appSyncs(
  apps: AppDesired[],
  observed: Observed,
  actions: Action[],
  results: ActionResult[],
): AppSync[] {
  const owner = appResolver(observed, actions);
  return apps.map((app) => {
    const mine = results.filter((r) => owner(r.key) === app.name);
    const failed = mine.some((r) => r.outcome === 'failed');
    const result: SyncResult = failed ? 'Failed' : mine.length === 0 ? 'NoOp' : 'Synced';
    return { app: app.name, commit: app.commit, result, results: mine };
  });
}

function sharedResourceEvent(shared: SharedResource, app: string, message: string): PassEvent {
  return {
    type: 'Warning',
    reason: 'SharedResource',
    object: `${shared.kind.toLowerCase()}/${shared.name}`,
    namespace: shared.namespace,
    message: `app "${app}": ${message}`,
  };
}

function recordEvent(h: HistoryStore, e: PassEvent, at: number) {
  h.recordEvent({
    type: e.type,
    reason: e.reason,
    object: e.object,
    namespace: e.namespace,
    message: e.message,
    at,
  });
}

/** Deletions of this pass that did not start (`namespace/name`): held back by a failed
 *  dependency or the lease. A duplicate of one in flight is skipped without an error. */
function unstarted(actions: readonly Action[], results: readonly ActionResult[]): Set<string> {
  const byKey = new Map(actions.map((a) => [actionKey(a), a]));
  const out = new Set<string>();
  for (const r of results) {
    const a = byKey.get(r.key);
    if (a?.type === 'deletePod' && r.outcome === 'skipped' && r.error)
      out.add(`${a.pod.namespace}/${a.pod.name}`);
  }
  return out;
}
