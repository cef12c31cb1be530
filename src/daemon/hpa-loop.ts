// The HPA loop: the memory the horizontal-pod-autoscaler controller keeps between syncs, one
// entry per HPA in the admitted objects, and the replica counts it owns. Shell (it holds state
// across calls and writes history); every decision is the pure decideReplicas.
//
// Ownership, as Kubernetes behaves and without Git and the HPA fighting:
// - While an HPA targets a Deployment, the Deployment's replicas are the HPA's (`overrides()`,
//   read by the reconciler); Git's `replicas` is read only when the HPA appears.
// - An HPA that appears while the daemon runs starts from Git's replicas, as a new HPA on
//   Kubernetes starts from the Deployment's spec.replicas; out of [min, max] it is clamped at
//   once (upstream's first sync does it without metrics).
// - HPAs found on the first sync after a (re)start resume from their last recorded decision
//   (history), else from the Deployment's live pod count, else from Git: the count lives in
//   Docker (how many pods run), so a restart does not snap an autoscaled Deployment back.
// - An HPA removed from Git is forgotten: its override disappears and Git's replicas apply.
// - Decisions run once per metrics sweep (upstream's sync period), never between sweeps.
import type { Logger } from 'pino';
import {
  decideReplicas,
  emptyHpaMemory,
  type HpaConfig,
  type HpaDecision,
  type HpaMemory,
  type HpaPod,
} from '../controllers/hpa.js';
import { formatHpaTargets, metricSummaries, metricValues } from '../controllers/hpa-format.js';
import {
  type AutoscaledApp,
  decisionSummary,
  findHpaTargets,
  type HpaTarget,
  hpaDecisionView,
  hpaPodOf,
  outOfBounds,
  podsOfDeployment,
} from '../controllers/hpa-targets.js';
import type { PodMetricSample } from '../controllers/pod-metrics.js';
import type {
  EventInput,
  HpaDecisionInput,
  HpaDecisionRecord,
  HpaRef,
  HpaSampleRecord,
} from '../history/history-types.js';
import type { Observed } from '../model/observed.js';
import type { Condition, HpaView } from '../model/views.js';

/** The part of the history store the loop writes and reads. */
export interface HpaHistory {
  recordHpaDecision(input: HpaDecisionInput): unknown;
  listHpaDecisions(hpa: HpaRef, limit: number): HpaDecisionRecord[];
  listHpaSamples?(hpa: HpaRef, limit: number): HpaSampleRecord[];
  recordEvent(input: EventInput): unknown;
}

export interface HpaLoopDeps {
  history?: HpaHistory;
  log?: Pick<Logger, 'info' | 'warn'>;
  /** The kube-controller-manager flags (tolerance, windows); upstream's defaults otherwise. */
  config?: Partial<HpaConfig>;
}

export interface ReplicaOverride {
  replicas: number;
  /** `hpa/web-hpa (live 7, bounds 2..10)`: what plan and status print. */
  owner: string;
}

interface HpaState {
  target: HpaTarget;
  /** The Deployment objectKey whose replicas this HPA holds (absent: target unavailable). */
  deploymentKey?: string;
  replicas: number;
  memory: HpaMemory;
  firstSeen: number;
  last?: HpaDecision;
}

export interface HpaPassResult {
  /** Some override changed (the reconciler should run a pass now). */
  changed: boolean;
  decisions: { key: string; decision: HpaDecision }[];
}

const EVENT_SOURCE = 'horizontal-pod-autoscaler';

export class HpaLoop {
  private readonly states = new Map<string, HpaState>();
  private readonly readiness = new Map<string, { ready: boolean; since: number }>();
  private synced = false;

  constructor(private readonly deps: HpaLoopDeps = {}) {}

  /**
   * Keeps the HPAs in step with the admitted objects: new ones take their starting count,
   * removed ones hand replicas back to Git, a changed target starts over. Returns whether any
   * override changed. Cheap; runs before every reconcile pass.
   */
  syncTargets(apps: readonly AutoscaledApp[], observed: Observed | undefined, now: number): boolean {
    const targets = findHpaTargets(apps);
    const restoring = !this.synced;
    this.synced = true;
    let changed = false;
    const seen = new Set<string>();
    for (const target of targets) {
      seen.add(target.key);
      const deploymentKey = target.deployment
        ? `Deployment/${target.deployment.metadata.namespace}/${target.deployment.metadata.name}`
        : undefined;
      const prev = this.states.get(target.key);
      if (prev && prev.deploymentKey === deploymentKey) {
        prev.target = target;
        continue;
      }
      const state: HpaState = {
        target,
        deploymentKey,
        replicas: target.deployment ? this.startingReplicas(target, observed, restoring && !prev) : 0,
        memory: emptyHpaMemory(),
        firstSeen: prev?.firstSeen ?? now,
      };
      this.states.set(target.key, state);
      changed = true;
      if (target.deployment && outOfBounds(state.replicas, target.hpa.spec)) {
        this.decideOne(state, [], [], now);
      }
    }
    for (const key of [...this.states.keys()]) {
      if (seen.has(key)) continue;
      const gone = this.states.get(key)!;
      this.states.delete(key);
      if (gone.deploymentKey) {
        changed = true;
        this.deps.log?.info(
          { hpa: key, deployment: gone.deploymentKey },
          'HPA removed: replicas handed back to Git',
        );
      }
    }
    return changed;
  }

  private startingReplicas(target: HpaTarget, observed: Observed | undefined, restoring: boolean): number {
    const dep = target.deployment!;
    if (restoring) {
      const last = this.deps.history?.listHpaDecisions(
        { namespace: target.hpa.metadata.namespace, name: target.hpa.metadata.name },
        1,
      )[0];
      if (last) return last.desiredReplicas;
      const live = observed
        ? podsOfDeployment(observed.pods, target.app, dep).filter((p) => !p.terminating).length
        : 0;
      if (live > 0) return live;
    }
    return dep.spec.replicas;
  }

  /** One decision per HPA over the newest samples. */
  decide(
    apps: readonly AutoscaledApp[],
    observed: Observed,
    metrics: readonly PodMetricSample[],
    now: number,
  ): HpaPassResult {
    let changed = this.syncTargets(apps, observed, now);
    const decisions: HpaPassResult['decisions'] = [];
    const liveReadiness = new Set<string>();
    for (const [key, state] of this.states) {
      const dep = state.target.deployment;
      if (!dep) continue;
      const pods: HpaPod[] = [];
      for (const p of podsOfDeployment(observed.pods, state.target.app, dep)) {
        const r = hpaPodOf(p, this.readiness, now);
        const podKey = `${p.namespace}/${p.name}`;
        this.readiness.set(podKey, r.readiness);
        liveReadiness.add(podKey);
        pods.push(r.pod);
      }
      const ns = dep.metadata.namespace;
      const samples = metrics.filter((m) => m.namespace === ns);
      const before = state.replicas;
      const decision = this.decideOne(state, pods, samples, now);
      if (state.replicas !== before) changed = true;
      decisions.push({ key, decision });
    }
    for (const k of [...this.readiness.keys()]) if (!liveReadiness.has(k)) this.readiness.delete(k);
    return { changed, decisions };
  }

  private decideOne(
    state: HpaState,
    pods: readonly HpaPod[],
    metrics: readonly PodMetricSample[],
    now: number,
  ): HpaDecision {
    const { hpa } = state.target;
    const decision = decideReplicas({
      hpa,
      currentReplicas: state.replicas,
      pods,
      metrics,
      memory: state.memory,
      now,
      config: this.deps.config,
    });
    const current = state.replicas;
    state.memory = decision.memory;
    state.last = decision;
    state.replicas = decision.desiredReplicas;
    this.record(state, current, decision, now);
    return decision;
  }

  private record(state: HpaState, current: number, decision: HpaDecision, now: number): void {
    const { namespace, name } = state.target.hpa.metadata;
    const summary = decisionSummary(decision);
    if (decision.scale)
      this.deps.log?.info(
        { hpa: `${namespace}/${name}`, from: current, to: decision.desiredReplicas },
        summary.message,
      );
    const h = this.deps.history;
    if (!h) return;
    h.recordHpaDecision({
      namespace,
      hpa: name,
      at: now,
      currentReplicas: current,
      desiredReplicas: decision.desiredReplicas,
      reason: summary.reason,
      message: summary.message,
      metrics: metricSummaries(decision.metricStatuses, state.target.hpa.spec),
      values: metricValues(decision.metricStatuses, state.target.hpa.spec),
    });
    for (const e of decision.events) {
      h.recordEvent({
        type: e.type,
        reason: e.reason,
        object: `horizontalpodautoscaler/${name}`,
        namespace,
        message: e.message,
        source: EVENT_SOURCE,
        at: now,
      });
    }
  }

  /** Replicas the HPAs own, by Deployment objectKey (`Deployment/<ns>/<name>`). */
  overrides(): Record<string, ReplicaOverride> {
    const out: Record<string, ReplicaOverride> = {};
    for (const s of this.states.values()) {
      if (!s.deploymentKey) continue;
      const { spec, metadata } = s.target.hpa;
      out[s.deploymentKey] = {
        replicas: s.replicas,
        owner: `hpa/${metadata.name} (live ${s.replicas}, bounds ${spec.minReplicas}..${spec.maxReplicas})`,
      };
    }
    return out;
  }

  private samplesOf(ref: HpaRef, limit: number): HpaView['samples'] {
    return (this.deps.history?.listHpaSamples?.(ref, limit) ?? []).map((r) => ({
      at: r.at,
      currentReplicas: r.currentReplicas,
      desiredReplicas: r.desiredReplicas,
      metrics: r.metrics,
    }));
  }

  /** The HPAs as `get hpa` / `describe hpa` show them; `decisions` recent ones from history,
   *  and the last `samples` samples (the dashboard's chart) when asked for. */
  views(decisions = 10, samples = 0): HpaView[] {
    const out: HpaView[] = [];
    for (const s of this.states.values()) {
      const { hpa } = s.target;
      const statuses = s.last?.metricStatuses ?? [];
      const conditions: Condition[] = (s.last?.conditions ?? s.memory.conditions).map((c) => ({ ...c }));
      if (s.target.failure)
        conditions.unshift({
          type: 'AbleToScale',
          status: 'False',
          reason: 'FailedGetScale',
          message: s.target.failure,
        });
      const view: HpaView = {
        namespace: hpa.metadata.namespace,
        name: hpa.metadata.name,
        app: s.target.app,
        reference: s.target.reference,
        targets: formatHpaTargets(statuses, hpa.spec),
        metrics: metricSummaries(statuses, hpa.spec),
        minReplicas: hpa.spec.minReplicas,
        maxReplicas: hpa.spec.maxReplicas,
        currentReplicas: s.replicas,
        desiredReplicas: s.last?.desiredReplicas ?? s.replicas,
        conditions,
        createdAt: s.firstSeen,
        decisions: (
          this.deps.history?.listHpaDecisions(
            { namespace: hpa.metadata.namespace, name: hpa.metadata.name },
            decisions,
          ) ?? []
        ).map(hpaDecisionView),
      };
      if (s.memory.lastScaleTime !== undefined) view.lastScaleTime = s.memory.lastScaleTime;
      if (samples > 0) view.samples = this.samplesOf(view, samples);
      out.push(view);
    }
    return out.sort((a, b) =>
      a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace),
    );
  }
}
