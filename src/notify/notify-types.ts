// The vocabulary of notifications: triggers (Argo CD Notifications' names where they exist),
// the events they produce, and the commit states a commit-status service is told. Plain data.

/** What happened. `on-hpa-scaled` is off unless an app or the defaults list it. */
export type TriggerName =
  | 'on-sync-running'
  | 'on-sync-succeeded'
  | 'on-commit-rejected'
  | 'on-rollout-failed'
  | 'on-health-degraded'
  | 'on-host-not-ready'
  | 'on-hpa-scaled';

export const TRIGGERS: readonly TriggerName[] = [
  'on-sync-running',
  'on-sync-succeeded',
  'on-commit-rejected',
  'on-rollout-failed',
  'on-health-degraded',
  'on-host-not-ready',
  'on-hpa-scaled',
];

/** Every trigger but on-hpa-scaled (an HPA may scale every few minutes: opt in). */
export const DEFAULT_TRIGGERS: readonly TriggerName[] = TRIGGERS.filter((t) => t !== 'on-hpa-scaled');

/** A commit's state as skiff sees it; each service maps it to its own vocabulary
 *  (GitHub: pending/success/failure; GitLab: running/success/failed). */
export type CommitState = 'running' | 'success' | 'failure';

export interface NotificationEvent {
  trigger: TriggerName;
  /** The app concerned; absent for a host's event (it concerns every app). */
  app?: string;
  /** The commit the event is about (a commit status is set on it). */
  commit?: string;
  /** Set for events that are a commit's state (the commit-status services need one). */
  state?: CommitState;
  /** The object concerned, as kubectl names it: `app/web`, `deployment/web`, `host/h1`. */
  subject: string;
  /** One line for a human. */
  message: string;
  /** on-rollout-failed: the commit re-admitted in place of the failed one. */
  restoredCommit?: string;
  /** on-commit-rejected: the first errors, `file:line:column: message`. */
  errors?: string[];
  at: number;
}

export type ServiceType = 'github' | 'gitlab' | 'webhook' | 'slack';

/** One HTTP request a service sends for one event (built purely, sent by the delivery queue). */
export interface NotifyRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}
