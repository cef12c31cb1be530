// The reconcile loop's shell: holds the clock, the runtime and the app trackers, runs one pass
// at a time (observe -> pure pass -> execute -> record), and keeps the latest read model for
// status, `get` and the API. Passes run on every new commit, on a timer, and when woken; a
// pass never depends on why it ran.
import type { Logger } from 'pino';
import { executeActions, InflightDeletions } from '../apply/executor.js';
import { computeEndpoints, endpointPodKey } from '../controllers/services/endpoints.js';
import { resolveServices, type ServiceProblem, serviceSourcesOf } from '../controllers/services/resolve.js';
import { buildServiceViews } from '../controllers/services/views.js';
import { type Action, type ActionResult, actionKey } from '../model/actions.js';
import type { Observed } from '../model/observed.js';
import type { AppStatus, ClusterView, ConfigView, HealthState, LeaseView } from '../model/views.js';
import {
  type AppDesired,
  emptyPassMemory,
  type PassEvent,
  type PassMemory,
  type PassResult,
  reconcilePass,
} from '../reconcile/pass.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ServiceDataPlane } from '../runtime/service-data-plane.js';
import type { HistoryStore } from '../state/history-store.js';
import { summarizeActions } from '../state/history-types.js';
import type { AppTracker } from './app-tracker.js';

export interface ReconcilerDeps {
  runtime: Runtime;
  trackers: AppTracker[];
  history?: HistoryStore;
  log: Logger;
  clock: () => number;
  random: () => number;
  hostGracePeriodMs: number;
  /** Adds probe results to what Docker reported (the prober's view). */
  annotateObserved?: (o: Observed) => Observed;
  /** Replicas owned by HPAs, by Deployment objectKey. */
  replicaOverrides?: () => Record<string, { replicas: number; owner: string }>;
  concurrency?: number;
  perHostConcurrency?: number;
  /** Told after each pass (the prober re-targets, the metrics sampler, tests). */
  onPass?: (summary: PassSummary) => void;
  /** Compute passes without executing or recording anything (read-only CLI, `sync --dry-run`). */
  dryRun?: boolean;
  /** Service data plane (services hook, issue 6): synced after each pass is planned and before
   *  its actions run. */
  services?: ServiceDataPlane;
  /** The host lease (single actor across machines), asked at each point a pass would act:
   *  while it says standby, the pass observes and plans but executes nothing, writes no
   *  Service rules and records nothing (the acting daemon does). */
  lease?: () => LeaseView;
}

export interface PassSummary {
  at: number;
  durationMs: number;
  actions: Action[];
  results: ActionResult[];
  converged: boolean;
  requeueAfterMs?: number;
  observed: Observed;
  result: PassResult;
  /** False for a dry run or a pass on standby: `actions` were planned, none executed. */
  acted: boolean;
}

/** The taint Kubernetes puts on a node whose network is not configured yet. */
const NETWORK_UNAVAILABLE_TAINT = 'node.kubernetes.io/network-unavailable';

export class Reconciler {
  private memory: PassMemory = emptyPassMemory();
  readonly inflight = new InflightDeletions();
  private running: Promise<PassSummary> | undefined;
  private again = false;
  private latest: ClusterView | undefined;
  private lastSummary: PassSummary | undefined;
  /** Ready hosts whose Service rules are known to be in place (last sync applied or matched). */
  private readonly rulesInPlace = new Set<string>();

  constructor(private readonly deps: ReconcilerDeps) {}

  get view(): ClusterView | undefined {
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
    const started = deps.clock();
    let observed = await deps.runtime.observe();
    observed = this.inflight.annotate(observed);
    if (deps.annotateObserved) observed = deps.annotateObserved(observed);

    const apps: AppDesired[] = [];
    const frozen: string[] = [];
    for (const t of deps.trackers) {
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
    if (deps.services && this.mayAct() && frozen.length === 0) {
      // A host that is new or came back gets the current rules before it takes new pods.
      const pending = observed.hosts.some((h) => h.ready && !this.rulesInPlace.has(h.name));
      if (pending) await this.syncServices(deps.services, apps, frozen, observed, new Set());
    }
    // With no Service at all a host's network lacks nothing (a laptop's `local` host without
    // iptables still runs pods). On standby the acting daemon keeps the rules: not ours to judge.
    if (deps.services && this.mayAct() && serviceSourcesOf(apps).length > 0)
      observed = this.taintHostsWithoutRules(observed);
    const result = reconcilePass({
      apps,
      frozenApps: frozen,
      observed,
      memory: this.memory,
      now: observed.at,
      random: deps.random,
      options: { hostGracePeriodMs: deps.hostGracePeriodMs, serviceCIDR: deps.services?.serviceCIDR },
      replicaOverrides: deps.replicaOverrides?.() ?? {},
    });
    this.memory = result.memory;
    const acting = this.mayAct();
    for (const a of acting ? result.actions : []) {
      deps.log.info({ action: a.type, key: actionLogKey(a), reason: a.reason }, 'action');
    }
    if (deps.services && acting) {
      const exclude = new Set(
        result.actions.flatMap((a) => (a.type === 'deletePod' ? [endpointPodKey(a.pod)] : [])),
      );
      const problems = await this.syncServices(deps.services, apps, frozen, observed, exclude);
      for (const p of problems)
        result.events.push({
          type: 'Warning',
          reason: p.reason,
          object: `service/${p.name}`,
          namespace: p.namespace,
          message: p.message,
        });
    }
    const results = !acting
      ? []
      : await executeActions(deps.runtime, result.actions, this.inflight, {
          concurrency: deps.concurrency ?? 16,
          perHostConcurrency: deps.perHostConcurrency ?? 6,
          clock: deps.clock,
          onResult: (a, r) => {
            if (r.outcome === 'failed')
              deps.log.warn({ action: a.type, key: r.key, error: r.error }, 'action failed');
          },
        });
    const finished = deps.clock();
    if (acting) this.record(result, results, apps, observed, started, finished);
    this.latest = this.buildView(result, observed, apps);
    const summary: PassSummary = {
      at: started,
      durationMs: finished - started,
      actions: result.actions,
      results,
      converged: result.converged && results.every((r) => r.outcome !== 'failed'),
      requeueAfterMs: result.requeueAfterMs,
      observed,
      result,
      acted: acting,
    };
    this.lastSummary = summary;
    deps.onPass?.(summary);
    return summary;
  }

  /** Services hook (issue 6): every Ready host's rules follow this pass's endpoints, and pods
   *  whose deletion this pass starts (`exclude`) leave them first, before any SIGTERM. While an
   *  app has no admitted commit yet (daemon start, source down) its Services are unknown: the
   *  rules on the hosts are left as they are rather than removing a live app's Services.
   *  Returns the Services' problems, for events. */
  private async syncServices(
    plane: ServiceDataPlane,
    apps: AppDesired[],
    frozen: string[],
    observed: Observed,
    exclude: ReadonlySet<string>,
  ): Promise<ServiceProblem[]> {
    if (frozen.length > 0) return [];
    const synced = await plane.sync({ sources: serviceSourcesOf(apps), observed, exclude });
    for (const h of synced.hosts) {
      if (h.outcome === 'applied' || h.outcome === 'unchanged') this.rulesInPlace.add(h.host);
      else this.rulesInPlace.delete(h.host);
      if (h.outcome === 'failed')
        this.deps.log.warn({ host: h.host, error: h.error }, 'service rules not applied');
    }
    return synced.problems;
  }

  /** Kubernetes keeps a node whose network is not set up tainted network-unavailable: a Ready
   *  host without skiff's current Service rules takes no new pods (its own pods stay). */
  private taintHostsWithoutRules(observed: Observed): Observed {
    if (observed.hosts.every((h) => !h.ready || this.rulesInPlace.has(h.name))) return observed;
    return {
      ...observed,
      hosts: observed.hosts.map((h) =>
        !h.ready || this.rulesInPlace.has(h.name)
          ? h
          : {
              ...h,
              taints: [...h.taints, { key: NETWORK_UNAVAILABLE_TAINT, effect: 'NoSchedule' as const }],
            },
      ),
    };
  }

  private record(
    result: PassResult,
    results: ActionResult[],
    apps: AppDesired[],
    observed: Observed,
    started: number,
    finished: number,
  ) {
    const h = this.deps.history;
    for (const e of result.events) this.deps.log.info({ event: e.reason, object: e.object }, e.message);
    if (!h) return;
    for (const e of result.events) recordEvent(h, e, finished);
    for (const app of apps) {
      const owner = appResolver(observed, result.actions);
      const mine = results.filter((r) => owner(r.key) === app.name);
      const failed = mine.some((r) => r.outcome === 'failed');
      h.recordSync({
        app: app.name,
        commit: app.commit,
        startedAt: started,
        finishedAt: finished,
        result: failed ? 'Failed' : mine.length === 0 ? 'NoOp' : 'Synced',
        actions: summarizeActions(mine),
        error: failed ? mine.find((r) => r.error)?.error?.message : undefined,
      });
    }
  }

  private buildView(result: PassResult, observed: Observed, desired: AppDesired[]): ClusterView {
    const apps: AppStatus[] = this.deps.trackers.map((t) => {
      const snap = t.snapshot();
      const deployments = result.deployments.filter((d) => d.app === t.name);
      const pods = result.pods.filter((p) => p.app === t.name);
      let health: HealthState = 'Healthy';
      if (!snap.admitted) health = 'Unknown';
      else if (deployments.some((d) => d.phase === 'Failed')) health = 'Degraded';
      else if (deployments.some((d) => d.phase === 'Progressing') || pods.some((p) => p.phase === 'Pending'))
        health = 'Progressing';
      const quarantined = this.deps.history?.listQuarantined(t.name) ?? [];
      const owner = appResolver(observed, result.actions);
      const appActions = result.actions.filter((a) => owner(actionKey(a)) === t.name);
      return {
        name: t.name,
        repoURL: t.config.repoURL,
        revision: t.config.revision,
        path: t.config.path,
        liveCommit: snap.admitted?.commit,
        headCommit: snap.head,
        sync: !snap.admitted
          ? 'Unknown'
          : appActions.length === 0 && snap.head === snap.admitted.commit
            ? 'Synced'
            : 'OutOfSync',
        health,
        conditions: snap.conditions,
        rejected: snap.rejected,
        quarantined: quarantined.map((q) => ({ commit: q.commit, reason: q.reason, at: q.at })),
        lastSyncAt: observed.at,
      };
    });
    const configs: ConfigView[] = [];
    for (const t of this.deps.trackers) {
      for (const o of t.snapshot().admitted?.objects ?? []) {
        if (o.kind === 'ConfigMap')
          configs.push({
            kind: 'ConfigMap',
            namespace: o.metadata.namespace,
            name: o.metadata.name,
            app: t.name,
            keys: [...Object.keys(o.data), ...Object.keys(o.binaryData)],
          });
        if (o.kind === 'Secret')
          configs.push({
            kind: 'Secret',
            namespace: o.metadata.namespace,
            name: o.metadata.name,
            app: t.name,
            type: o.type,
            keys: Object.keys(o.data),
          });
      }
    }
    return {
      at: observed.at,
      apps,
      hosts: observed.hosts,
      pods: result.pods,
      deployments: result.deployments,
      configs,
      ...this.serviceViews(desired, observed),
      ...(this.deps.lease ? { lease: this.deps.lease() } : {}),
    };
  }

  /** What `get services|endpoints` show: computed from this pass's apps and pods, so a dry run
   *  (the CLI without a daemon) shows what the data plane would program. */
  private serviceViews(apps: AppDesired[], observed: Observed): Pick<ClusterView, 'services' | 'endpoints'> {
    const cidr = this.deps.services?.serviceCIDR;
    if (!cidr) return { services: [], endpoints: [] };
    const { services } = resolveServices(serviceSourcesOf(apps), cidr);
    const endpoints = computeEndpoints(services, observed.pods, observed.hosts);
    return buildServiceViews(services, endpoints, observed.hosts);
  }
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
  const byKey = new Map(observed.pods.map((p) => [`pod/${p.namespace}/${p.name}@${p.host}`, p.app]));
  for (const a of actions) if (a.type === 'createPod') byKey.set(actionKey(a), a.pod.app);
  return (key) => byKey.get(key);
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
