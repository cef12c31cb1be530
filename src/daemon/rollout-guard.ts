// The rollout guard: after each daemon pass it records each Deployment's new revisions (with the
// commit, its author and subject), and when a rollout fails (progress deadline: readiness never
// reached, crash loop, image pull) it quarantines the app's commit and re-admits the last good
// one, so the next passes roll back to it (the Deployment controller keeps maxUnavailable).
// The tracker then skips the quarantined head until a newer commit arrives; that commit lifts
// the quarantine. With the app's `rollback.autoRestore` off, a failed rollout just stays
// Failed, as on Kubernetes.
//
// Shell (history database, git commit metadata, the tracker) around a pure decision
// (decideRolloutGuard, chooseRestoreTarget). Invariants:
// - A commit the guard itself restored to is never quarantined by the guard (the restored
//   template may still show the failed condition for a pass before it makes progress).
// - Nothing is restored without a distinct, non-quarantined good commit to go back to.
// - Restoring re-admits an OLDER commit: it never lifts a quarantine (only the branch head
//   being admitted does).
import type { Logger } from 'pino';
import type { GitSource } from '../git/git-source.js';
import type { HistoryStore } from '../history/history-store.js';
import type { Deployment } from '../model/k8s.js';
import type { DeploymentView } from '../model/views.js';
import type { Clock } from '../runtime/clock.js';
import type { Admitted, AppTracker } from './app-tracker.js';
import type { PassSummary } from './reconciler.js';

/** What the guard remembers between passes (per app). Losing it (a restart) is safe: revision
 *  recording is idempotent, and the restore candidates fall back to the history database. */
export interface GuardMemory {
  /** Template hash last recorded per Deployment (`namespace/name`). */
  recorded: Record<string, string>;
  /** The newest commit at which every Deployment of the app was Complete. */
  lastHealthy?: string;
  /** The commit the guard re-admitted after a failure. */
  restoredTo?: string;
  /** Consecutive passes that threw on the admitted commit (reconcile/isolate-failures.ts). */
  passFailures?: { commit: string; count: number };
}

/** Passes in a row that must throw on a commit before it is quarantined: one could be a
 *  transient fault of the shell; three on the same commit are the commit's. */
export const PASS_FAILURE_LIMIT = 3;

/** Pure: count this pass's failure on the app's commit; at the limit, quarantine it. A pass
 *  that does not throw on the app resets the count. */
export function decidePassFailure(
  memory: GuardMemory,
  failed: { commit: string; error: string } | undefined,
): { memory: GuardMemory; quarantine?: { commit: string; reason: string } } {
  if (!failed) {
    if (!memory.passFailures) return { memory };
    const { passFailures: _, ...rest } = memory;
    return { memory: rest };
  }
  const prior = memory.passFailures?.commit === failed.commit ? memory.passFailures.count : 0;
  const count = prior + 1;
  const next = { ...memory, passFailures: { commit: failed.commit, count } };
  if (count < PASS_FAILURE_LIMIT) return { memory: next };
  return {
    memory: next,
    quarantine: {
      commit: failed.commit,
      reason: `the reconcile pass failed ${count} times on it: ${failed.error}`,
    },
  };
}

export interface GuardInput {
  autoRestore: boolean;
  admitted?: string;
  head?: string;
  /** The app's Deployments as this pass saw them. */
  deployments: readonly DeploymentView[];
  /** Pods of the app still waiting for a host (an unfinished sync is not healthy). */
  pendingPods: number;
  memory: GuardMemory;
  isQuarantined: (commit: string) => boolean;
  /** Whether some quarantine of the app is active (so lifting it is worth a write). */
  hasActiveQuarantine: boolean;
}

export interface GuardDecision {
  /** Deployments whose current template has not been recorded yet. */
  record: DeploymentView[];
  /** Lift the app's quarantines: the branch head itself is admitted. */
  clearQuarantine: boolean;
  /** The admitted commit's rollout failed: quarantine it (and restore) with this reason. */
  failed?: { commit: string; reason: string };
  memory: GuardMemory;
}

const depKey = (d: { namespace: string; name: string }) => `${d.namespace}/${d.name}`;

/** `deployment/web: <why>`; the controller's message often already names the reason. */
function failureText(d: DeploymentView): string {
  if (d.failure) {
    const { reason, message } = d.failure;
    return `deployment/${d.name}: ${message.includes(reason) ? message : `${reason}: ${message}`}`;
  }
  const c = d.conditions.find((x) => x.type === 'Progressing');
  return `deployment/${d.name}: ${c ? `${c.reason}: ${c.message}` : 'rollout failed'}`;
}

/** Pure: what to do after one pass for one app. */
export function decideRolloutGuard(input: GuardInput): GuardDecision {
  const memory: GuardMemory = { ...input.memory, recorded: { ...input.memory.recorded } };
  const decision: GuardDecision = { record: [], clearQuarantine: false, memory };
  const admitted = input.admitted;
  if (!admitted) return decision;

  for (const d of input.deployments) {
    if (memory.recorded[depKey(d)] !== d.templateHash) {
      decision.record.push(d);
      memory.recorded[depKey(d)] = d.templateHash;
    }
  }

  // The head itself is live: a newer commit than any quarantined one arrived (or the branch
  // came back to a good one); the guard's restore is over.
  if (input.head === admitted && !input.isQuarantined(admitted)) {
    decision.clearQuarantine = input.hasActiveQuarantine;
    if (memory.restoredTo !== admitted) delete memory.restoredTo;
  }

  const healthy =
    input.pendingPods === 0 && input.deployments.every((d) => d.phase === 'Complete' || d.phase === 'Paused');
  if (healthy) memory.lastHealthy = admitted;

  const failed = input.deployments.filter((d) => d.phase === 'Failed');
  if (
    failed.length > 0 &&
    input.autoRestore &&
    admitted !== memory.restoredTo &&
    !input.isQuarantined(admitted)
  ) {
    decision.failed = { commit: admitted, reason: failed.map(failureText).join('; ') };
  }
  return decision;
}

/** Pure: the first candidate that is a real, different, non-quarantined commit. */
export function chooseRestoreTarget(
  failing: string,
  candidates: readonly (string | undefined)[],
  isQuarantined: (commit: string) => boolean,
): string | undefined {
  return candidates.find((c): c is string => c !== undefined && c !== failing && !isQuarantined(c));
}

export interface RolloutGuardDeps {
  trackers: readonly AppTracker[];
  sources: ReadonlyMap<string, Pick<GitSource, 'commitInfo'>>;
  history?: HistoryStore;
  log: Logger;
  clock: Pick<Clock, 'now'>;
  /** Ask the daemon for a pass soon (after a restore). */
  wake: () => void;
}

export class RolloutGuard {
  private readonly memory = new Map<string, GuardMemory>();
  private readonly subjects = new Map<string, { author: string; subject: string }>();

  constructor(private readonly deps: RolloutGuardDeps) {}

  /** Called with every pass the daemon runs (never for dry runs: nothing is recorded then). */
  async afterPass(summary: PassSummary): Promise<void> {
    const { history } = this.deps;
    if (!history) return;
    for (const tracker of this.deps.trackers) {
      try {
        await this.guardApp(tracker, summary, history);
      } catch (err) {
        this.deps.log.warn({ app: tracker.name, error: (err as Error).message }, 'rollout guard failed');
      }
    }
  }

  /** One app after one pass: decide, then record revisions, lift a superseded quarantine, and
   *  restore the last good commit when the admitted one's rollout failed. */
  private async guardApp(tracker: AppTracker, summary: PassSummary, history: HistoryStore): Promise<void> {
    const app = tracker.name;
    const snap = tracker.snapshot();
    const now = this.deps.clock.now();
    const failedPass = summary.failedApps.find((f) => f.app === app);
    const counted = decidePassFailure(this.memory.get(app) ?? { recorded: {} }, failedPass);
    this.memory.set(app, counted.memory);
    if (failedPass) {
      // The app was set aside: its views say nothing about its health.
      if (counted.quarantine && snap.admitted?.commit === counted.quarantine.commit)
        await this.restoreLastGood(tracker, summary, counted.memory, counted.quarantine, history, now);
      return;
    }
    // Refused whole (another app owns one of its objects): nothing of it ran, nothing to judge.
    if (summary.refusedApps.includes(app)) return;
    const decision = decideRolloutGuard({
      autoRestore: tracker.config.rollback.autoRestore,
      admitted: snap.admitted?.commit,
      head: snap.head,
      deployments: summary.result.views.deployments.filter((d) => d.app === app),
      pendingPods: summary.result.views.pods.filter((p) => p.app === app && p.phase === 'Pending').length,
      memory: this.memory.get(app) ?? { recorded: {} },
      isQuarantined: (c) => history.isQuarantined(app, c),
      hasActiveQuarantine: history.listQuarantined(app).length > 0,
    });
    this.memory.set(app, decision.memory);
    const admitted = snap.admitted;
    if (!admitted) return;
    await this.recordRevisions(app, admitted, decision.record, history, now);
    if (decision.clearQuarantine) this.liftQuarantine(app, admitted.commit, history, now);
    if (decision.failed)
      await this.restoreLastGood(tracker, summary, decision.memory, decision.failed, history, now);
  }

  /** Each Deployment whose template is new gets a revision, with the commit's author and subject. */
  private async recordRevisions(
    app: string,
    admitted: Admitted,
    deployments: readonly DeploymentView[],
    history: HistoryStore,
    now: number,
  ): Promise<void> {
    for (const d of deployments) {
      const obj = admitted.objects.find(
        (o): o is Deployment =>
          o.kind === 'Deployment' && o.metadata.name === d.name && o.metadata.namespace === d.namespace,
      );
      const who = await this.commitSubject(app, admitted.commit);
      const r = history.recordRevision({
        app,
        namespace: d.namespace,
        deployment: d.name,
        templateHash: d.templateHash,
        commit: admitted.commit,
        author: who.author,
        subject: who.subject,
        at: now,
        revisionHistoryLimit: obj?.spec.revisionHistoryLimit ?? 10,
      });
      if (r.change !== 'unchanged')
        this.deps.log.info(
          { app, deployment: d.name, revision: r.revision.revision, commit: admitted.commit.slice(0, 7) },
          `deployment/${d.name}: revision ${r.revision.revision} (${r.change})`,
        );
    }
  }

  private liftQuarantine(app: string, commit: string, history: HistoryStore, now: number): void {
    const lifted = history.clearQuarantineSupersededBy(app, commit, now);
    if (lifted > 0)
      this.deps.log.info({ app, commit: commit.slice(0, 7), lifted }, 'quarantine lifted by a newer commit');
  }

  /** Quarantine the failing commit and re-admit the first good one before it, if there is one. */
  private async restoreLastGood(
    tracker: AppTracker,
    summary: PassSummary,
    memory: GuardMemory,
    failed: { commit: string; reason: string },
    history: HistoryStore,
    now: number,
  ): Promise<void> {
    const app = tracker.name;
    const failing = failed.commit;
    const failedDeployment = summary.result.views.deployments.find(
      (d) => d.app === app && d.phase === 'Failed',
    );
    const target = chooseRestoreTarget(
      failing,
      [
        memory.lastHealthy,
        failedDeployment ? this.previousRevisionCommit(history, failedDeployment) : undefined,
        ...history.listSyncs({ app, limit: 200, results: ['Synced', 'NoOp'] }).map((s) => s.commit),
      ],
      (c) => history.isQuarantined(app, c),
    );
    if (!target) {
      this.deps.log.warn(
        { app, commit: failing.slice(0, 7), reason: failed.reason },
        'rollout failed and there is no earlier good commit to restore: it stays failed',
      );
      return;
    }
    // Quarantined before the restore: a fetch landing meanwhile must already skip the head.
    history.quarantine(app, failing, failed.reason, now);
    const restored = await tracker.admitCommit(target);
    if (!restored.ok) {
      // The quarantine stays (the commit did fail) so this is not retried on every pass.
      this.deps.log.error(
        { app, commit: target.slice(0, 7) },
        'the last good commit no longer validates: nothing restored, the rollout stays failed',
      );
      return;
    }
    this.memory.set(app, { ...memory, restoredTo: target });
    const message = `rollout of ${failing.slice(0, 7)} failed (${failed.reason}); restored ${target.slice(0, 7)} and quarantined ${failing.slice(0, 7)} until a newer commit arrives`;
    history.recordEvent({
      type: 'Warning',
      reason: 'RolloutRestored',
      object: failedDeployment ? `deployment/${failedDeployment.name}` : `app/${app}`,
      namespace: failedDeployment?.namespace ?? '',
      message,
      source: 'rollout-guard',
      at: now,
    });
    this.deps.log.warn({ app, failing: failing.slice(0, 7), restored: target.slice(0, 7) }, message);
    this.deps.wake();
  }

  /** The commit of the newest recorded revision with another template than the failing one. */
  private previousRevisionCommit(history: HistoryStore, d: DeploymentView): string | undefined {
    const revisions = history.listRevisions({ namespace: d.namespace, name: d.name });
    return revisions.filter((r) => r.templateHash !== d.templateHash).at(-1)?.commit;
  }

  private async commitSubject(app: string, commit: string): Promise<{ author: string; subject: string }> {
    const known = this.subjects.get(commit);
    if (known) return known;
    const source = this.deps.sources.get(app);
    let who = { author: '', subject: '' };
    if (source) {
      try {
        const info = await source.commitInfo(commit);
        who = { author: `${info.author.name} <${info.author.email}>`, subject: info.subject };
      } catch (err) {
        this.deps.log.warn(
          { app, commit, error: (err as Error).message },
          'cannot read the commit for its revision',
        );
      }
    }
    this.subjects.set(commit, who);
    return who;
  }
}
