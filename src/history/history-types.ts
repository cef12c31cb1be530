// The records the history database keeps: what a reader of `status`, `history`, `describe` and
// the dashboard sees. Plain data; every time is ms since epoch, passed in by the caller (the
// daemon holds the clock). Nothing here may carry a secret value: the store scrubs every text.
import type { ActionResult, ActionType, Outcome } from '../model/actions.js';
import type { HpaMetricValue } from '../model/views.js';

// ---- syncs ---------------------------------------------------------------------------------

/** How one reconcile pass of an app ended. `Rejected`: the commit failed validation and nothing
 *  of it was applied; `NoOp`: the pass found nothing to do. */
export type SyncResult = 'Synced' | 'Failed' | 'Rejected' | 'NoOp';

/** Counts of action outcomes per action type: `{ createPod: { done: 3, failed: 1 } }`. */
export type ActionSummary = Partial<Record<ActionType, Partial<Record<Outcome, number>>>>;

export interface SyncInput {
  app: string;
  commit: string;
  startedAt: number;
  finishedAt: number;
  result: SyncResult;
  actions: ActionSummary;
  /** Why the pass failed or was rejected (the store scrubs Secret values from it). */
  error?: string;
}

export interface SyncRecord extends SyncInput {
  id: number;
  durationMs: number;
  /** Consecutive identical NoOp passes of one commit share one row: how many it stands for. */
  passes: number;
  /** finishedAt of the latest pass this row stands for (equals finishedAt when passes is 1). */
  lastFinishedAt: number;
}

export interface ListSyncsQuery {
  app?: string;
  limit: number;
  /** Only syncs whose result is one of these. */
  results?: readonly SyncResult[];
}

/** Folds the executor's per-action results into the counts the history keeps. Pure. */
export function summarizeActions(results: readonly ActionResult[]): ActionSummary {
  const summary: ActionSummary = {};
  for (const r of results) {
    const perOutcome = summary[r.action] ?? {};
    perOutcome[r.outcome] = (perOutcome[r.outcome] ?? 0) + 1;
    summary[r.action] = perOutcome;
  }
  return summary;
}

// ---- events --------------------------------------------------------------------------------

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  type: EventType;
  /** PascalCase, as Kubernetes reasons: `ScalingReplicaSet`, `BackOff`, `FailedScheduling`. */
  reason: string;
  /** kubectl's name of the object: `deployment/web`, `pod/web-7d9c5b6f4-x2x9k`, `host/h1`. */
  object: string;
  /** "" for cluster-scoped objects (hosts). */
  namespace: string;
  message: string;
  /** The component that reported it (kubectl's FROM column): `deployment-controller`, ... */
  source?: string;
  at: number;
}

export interface EventRecord {
  id: number;
  type: EventType;
  reason: string;
  object: string;
  namespace: string;
  message: string;
  source: string;
  count: number;
  firstTimestamp: number;
  lastTimestamp: number;
}

export interface ListEventsQuery {
  object?: string;
  namespace?: string;
  type?: EventType;
  /** Only events seen at or after this time (lastTimestamp >= since). */
  since?: number;
  limit: number;
}

// ---- revisions -----------------------------------------------------------------------------

export interface DeploymentRef {
  namespace: string;
  name: string;
}

export interface RevisionInput {
  app: string;
  namespace: string;
  deployment: string;
  templateHash: string;
  commit: string;
  /** `Name <email>` of the commit's author. */
  author: string;
  /** First line of the commit message. */
  subject: string;
  at: number;
  /** spec.revisionHistoryLimit: how many OLD revisions to keep besides the current one. */
  revisionHistoryLimit: number;
}

export interface RevisionRecord {
  app: string;
  namespace: string;
  deployment: string;
  revision: number;
  templateHash: string;
  commit: string;
  author: string;
  subject: string;
  /** When this template got its current revision number. */
  createdAt: number;
  /** Numbers this template had before being rolled back to (the revision-history annotation). */
  previousRevisions: number[];
}

/** `created`: a new template; `reused`: an old template came back and got the newest number;
 *  `unchanged`: the template is already the newest revision. */
export type RevisionChange = 'created' | 'reused' | 'unchanged';

export interface RecordRevisionResult {
  revision: RevisionRecord;
  change: RevisionChange;
  /** Revision numbers dropped by revisionHistoryLimit. */
  pruned: number[];
}

// ---- quarantine ----------------------------------------------------------------------------

export interface QuarantineEntry {
  app: string;
  commit: string;
  reason: string;
  at: number;
  /** Set once the quarantine no longer holds (a newer commit synced, or a user lifted it). */
  clearedAt?: number;
  /** The commit whose sync lifted it, or `manual`. */
  clearedBy?: string;
}

// ---- HPA decisions -------------------------------------------------------------------------

export interface HpaRef {
  namespace: string;
  name: string;
}

/** One metric as `skiff get hpa` shows it: `{ name: 'cpu', current: '45%', target: '70%' }`. */
export interface HpaMetricSummary {
  name: string;
  current: string;
  target: string;
}

export interface HpaDecisionInput {
  namespace: string;
  hpa: string;
  at: number;
  currentReplicas: number;
  desiredReplicas: number;
  /** PascalCase reason, e.g. `SucceededRescale`, `ScaleDownStabilized`, `FailedGetResourceMetric`. */
  reason: string;
  message: string;
  metrics: HpaMetricSummary[];
  /** The metrics as numbers: sampled into hpa_samples for the utilization chart. */
  values?: HpaMetricValue[];
}

/** One sample of an HPA: what it observed and held at `at`. */
export interface HpaSampleRecord {
  namespace: string;
  hpa: string;
  at: number;
  currentReplicas: number;
  desiredReplicas: number;
  metrics: HpaMetricValue[];
}

export interface HpaDecisionRecord extends HpaDecisionInput {
  id: number;
  /** Consecutive identical decisions (same current, desired, reason) share one row. */
  count: number;
  lastAt: number;
}

// ---- app status ----------------------------------------------------------------------------

/** The last status the daemon reported for an app, kept so `skiff status` without a daemon
 *  can still show the last result. The JSON shape is the daemon's. */
export interface AppStatusRecord {
  app: string;
  status: unknown;
  at: number;
}
