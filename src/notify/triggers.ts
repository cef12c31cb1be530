// Triggers: which notifications one moment of the daemon calls for. Pure and level-based: from
// what the apps look like now (admitted commit, rejected head, quarantined commits, the last
// pass's Deployments, pods and hosts) and the memory of what was already signalled, it returns
// the new events and the next memory. The shell calls it after every acting pass and every
// refresh; calling it twice with the same facts yields no event the second time.
// Invariants: one event per (trigger, commit) per app; health-degraded waits out its threshold
// (a Deployment below its available replicas for `degradedAfterMs`, as Argo CD's health turns
// Degraded only past a deadline); a host or Deployment that recovers re-arms its trigger.
import { type Diagnostic, formatDiagnostic } from '../model/diagnostics.js';
import type { DeploymentView, PodView } from '../model/views.js';
import type { NotificationEvent } from './notify-types.js';

/** One app as the triggers see it. */
export interface AppFacts {
  app: string;
  admitted?: string;
  rejected?: { commit: string; diagnostics: readonly Diagnostic[] };
  /** Active quarantines (their rollout failed), newest first. */
  quarantined: readonly { commit: string; reason: string }[];
  /** The last pass's view of the app; absent when no pass judged it (set aside, refused). */
  views?: { deployments: readonly DeploymentView[]; pods: readonly PodView[] };
}

export interface HpaFacts {
  namespace: string;
  name: string;
  app: string;
  currentReplicas: number;
  lastScaleTime?: number;
}

export interface NotifyFacts {
  apps: readonly AppFacts[];
  /** Absent when no pass has observed the hosts yet (what was signalled is kept). */
  hosts?: readonly { name: string; ready: boolean; reason?: string }[];
  hpas?: readonly HpaFacts[];
}

export interface AppNotifyMemory {
  running?: string;
  succeeded?: string;
  rejected?: string;
  /** Commits whose failed rollout was signalled. */
  failed: string[];
  /** `namespace/name` -> since when the Deployment is below its available replicas. */
  belowSince: Record<string, number>;
  /** Deployments whose degradation was signalled (until they recover). */
  degraded: string[];
}

export interface NotifyMemory {
  apps: Record<string, AppNotifyMemory>;
  hostsNotReady: string[];
  /** `namespace/name` -> the last scale time seen. */
  hpaScaledAt: Record<string, number>;
}

export const emptyNotifyMemory = (): NotifyMemory => ({ apps: {}, hostsNotReady: [], hpaScaledAt: {} });

/** Default threshold of on-health-degraded. */
export const DEFAULT_DEGRADED_AFTER_MS = 60_000;

/** How many of a rejected commit's errors an event carries. */
const MAX_ERRORS = 3;

const short = (sha: string) => sha.slice(0, 7);

/** Pure: the events due now, and the memory to pass next time. */
export function decideNotifications(
  facts: NotifyFacts,
  memory: NotifyMemory,
  now: number,
  degradedAfterMs = DEFAULT_DEGRADED_AFTER_MS,
): { events: NotificationEvent[]; memory: NotifyMemory } {
  const events: NotificationEvent[] = [];
  const apps: Record<string, AppNotifyMemory> = {};
  for (const f of facts.apps) {
    const prior = memory.apps[f.app] ?? { failed: [], belowSince: {}, degraded: [] };
    apps[f.app] = decideApp(f, prior, now, degradedAfterMs, events);
  }
  const hostsNotReady = facts.hosts
    ? decideHosts(facts.hosts, memory.hostsNotReady, now, events)
    : memory.hostsNotReady;
  const hpaScaledAt = facts.hpas
    ? decideHpas(facts.hpas, memory.hpaScaledAt, now, events)
    : memory.hpaScaledAt;
  return { events, memory: { apps, hostsNotReady, hpaScaledAt } };
}

function decideApp(
  f: AppFacts,
  prior: AppNotifyMemory,
  now: number,
  degradedAfterMs: number,
  events: NotificationEvent[],
): AppNotifyMemory {
  const m: AppNotifyMemory = { ...prior, failed: [...prior.failed] };
  if (f.rejected && m.rejected !== f.rejected.commit) {
    m.rejected = f.rejected.commit;
    events.push(rejectedEvent(f.app, f.rejected, now));
  }
  decideFailures(f, m, now, events);
  const c = f.admitted;
  if (c && m.running !== c && !m.failed.includes(c)) {
    m.running = c;
    events.push({
      trigger: 'on-sync-running',
      app: f.app,
      commit: c,
      state: 'running',
      subject: `app/${f.app}`,
      message: `app/${f.app}: syncing commit ${short(c)}`,
      at: now,
    });
  }
  if (c && m.succeeded !== c && !m.failed.includes(c) && f.views && syncedAt(c, f.views)) {
    m.succeeded = c;
    events.push({
      trigger: 'on-sync-succeeded',
      app: f.app,
      commit: c,
      state: 'success',
      subject: `app/${f.app}`,
      message: `app/${f.app}: commit ${short(c)} is live, all pods Ready`,
      at: now,
    });
  }
  if (f.views) decideDegraded(f.app, c, f.views.deployments, m, now, degradedAfterMs, events);
  // Keep the list bounded: a commit failed long ago is never the admitted one again in practice.
  m.failed = m.failed.slice(-20);
  return m;
}

function rejectedEvent(
  app: string,
  rejected: NonNullable<AppFacts['rejected']>,
  now: number,
): NotificationEvent {
  const errors = rejected.diagnostics.filter((d) => d.severity === 'error');
  const first = errors.slice(0, MAX_ERRORS).map((d) => (d.file ? formatDiagnostic(d) : d.message));
  const more = errors.length > MAX_ERRORS ? ` (and ${errors.length - MAX_ERRORS} more)` : '';
  const signature = errors.some((d) => d.code.startsWith('signature.'));
  const what = signature ? 'rejected (signature)' : `rejected with ${errors.length} error(s)`;
  return {
    trigger: 'on-commit-rejected',
    app,
    commit: rejected.commit,
    state: 'failure',
    subject: `app/${app}`,
    message: `app/${app}: commit ${short(rejected.commit)} ${what}, nothing applied: ${first.join('; ')}${more}`,
    errors: first,
    at: now,
  };
}

/** A quarantined commit (its rollout failed, the guard restored another), or a Deployment
 *  Failed at the admitted commit (no restore: autoRestore off or nothing to go back to). */
function decideFailures(f: AppFacts, m: AppNotifyMemory, now: number, events: NotificationEvent[]): void {
  for (const q of f.quarantined) {
    if (m.failed.includes(q.commit)) continue;
    m.failed.push(q.commit);
    const restored = f.admitted && f.admitted !== q.commit ? f.admitted : undefined;
    const tail = restored
      ? `restored ${short(restored)}, ${short(q.commit)} quarantined until a newer commit arrives`
      : `${short(q.commit)} quarantined, nothing restored`;
    events.push({
      trigger: 'on-rollout-failed',
      app: f.app,
      commit: q.commit,
      state: 'failure',
      subject: `app/${f.app}`,
      // The reason last: a commit status keeps 140 characters, and what was restored must survive.
      message: `app/${f.app}: rollout of ${short(q.commit)} failed; ${tail} (${q.reason})`,
      ...(restored ? { restoredCommit: restored } : {}),
      at: now,
    });
  }
  const c = f.admitted;
  const failed = f.views?.deployments.filter((d) => d.phase === 'Failed' && d.commit === c) ?? [];
  if (!c || failed.length === 0 || m.failed.includes(c)) return;
  m.failed.push(c);
  const why = failed.map((d) => `deployment/${d.name}: ${d.failure?.reason ?? 'ProgressDeadlineExceeded'}`);
  events.push({
    trigger: 'on-rollout-failed',
    app: f.app,
    commit: c,
    state: 'failure',
    subject: `deployment/${failed[0]!.name}`,
    message: `app/${f.app}: rollout of ${short(c)} failed (${why.join('; ')})`,
    at: now,
  });
}

/** Every Deployment rolled out at the commit (Complete), every pod of the app Ready. */
function syncedAt(commit: string, views: NonNullable<AppFacts['views']>): boolean {
  const deploymentsDone = views.deployments.every(
    (d) => (d.phase === 'Complete' || d.phase === 'Paused') && d.commit === commit,
  );
  const podsReady = views.pods.every(
    (p) => p.phase === 'Succeeded' || (p.phase === 'Running' && p.ready.ready === p.ready.total),
  );
  return deploymentsDone && podsReady;
}

function decideDegraded(
  app: string,
  commit: string | undefined,
  deployments: readonly DeploymentView[],
  m: AppNotifyMemory,
  now: number,
  degradedAfterMs: number,
  events: NotificationEvent[],
): void {
  const belowSince: Record<string, number> = {};
  const degraded: string[] = [];
  for (const d of deployments) {
    const key = `${d.namespace}/${d.name}`;
    if (d.phase === 'Paused' || d.availableReplicas >= d.replicas) continue;
    const since = m.belowSince[key] ?? now;
    belowSince[key] = since;
    if (m.degraded.includes(key)) degraded.push(key);
    else if (now - since >= degradedAfterMs) {
      degraded.push(key);
      events.push({
        trigger: 'on-health-degraded',
        app,
        ...(commit ? { commit, state: 'failure' as const } : {}),
        subject: `deployment/${d.name}`,
        message: `deployment/${d.name} (app/${app}): ${d.availableReplicas}/${d.replicas} replicas available for ${Math.round((now - since) / 1000)}s`,
        at: now,
      });
    }
  }
  m.belowSince = belowSince;
  m.degraded = degraded;
}

function decideHosts(
  hosts: NonNullable<NotifyFacts['hosts']>,
  prior: readonly string[],
  now: number,
  events: NotificationEvent[],
): string[] {
  const notReady = hosts.filter((h) => !h.ready);
  for (const h of notReady) {
    if (prior.includes(h.name)) continue;
    events.push({
      trigger: 'on-host-not-ready',
      subject: `host/${h.name}`,
      message: `host/${h.name} is NotReady${h.reason ? `: ${h.reason}` : ''}`,
      at: now,
    });
  }
  return notReady.map((h) => h.name);
}

function decideHpas(
  hpas: readonly HpaFacts[],
  prior: Record<string, number>,
  now: number,
  events: NotificationEvent[],
): Record<string, number> {
  const next: Record<string, number> = {};
  for (const h of hpas) {
    if (h.lastScaleTime === undefined) continue;
    const key = `${h.namespace}/${h.name}`;
    next[key] = h.lastScaleTime;
    // The first sighting only sets the baseline: a restart is not a scaling.
    if (prior[key] === undefined || prior[key] === h.lastScaleTime) continue;
    events.push({
      trigger: 'on-hpa-scaled',
      app: h.app,
      subject: `horizontalpodautoscaler/${h.name}`,
      message: `horizontalpodautoscaler/${h.name} (app/${h.app}) scaled to ${h.currentReplicas} replicas`,
      at: now,
    });
  }
  return next;
}
