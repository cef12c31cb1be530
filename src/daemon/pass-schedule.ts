// When the daemon runs its next reconcile pass, decided from what the last pass did. Pure
// (values in, a delay out); the daemon's loop owns the timer.
//
// Kubernetes' controllers are event-driven: a pod that starts, becomes ready or goes away
// triggers a sync at once. skiff observes by polling, so the loop runs again soon after a
// pass changed the world:
// - containers created or restarted: right away, so the prober (which learns of containers
//   from a pass's observation) starts probing them now, as the kubelet probes a container as
//   soon as it starts it, instead of up to a second later;
// - other actions, or graceful deletions still running: within a second (the daemon also
//   wakes as soon as the running deletions end: a Recreate rollout, a Deployment with
//   podReplacementPolicy TerminationComplete, or a pod the scheduler found no room for waits
//   for them; under the default podReplacementPolicy a rolling update does not);
// - a failed pass or failed actions: not sooner than a second or two, so a broken host or a
//   pod that cannot be created is not hammered.
import type { Action, ActionResult } from '../model/actions.js';

/** After actions or while deletions run: Kubernetes-like promptness without a busy loop. */
export const ACTIONS_FOLLOW_UP_MS = 1000;
/** After a pass that threw. */
export const FAILED_PASS_RETRY_MS = 2000;
/** The shortest requeue a controller may ask for. */
export const MIN_REQUEUE_MS = 200;

export interface PassOutcome {
  actions: readonly Pick<Action, 'type'>[];
  results: readonly ActionResult[];
  /** A controller asked to run again within this long (progress deadline, backoff...). */
  requeueAfterMs?: number;
  /** Graceful deletions still running in the background. */
  deletionsInFlight: number;
}

/** ms until the next pass; `pass` undefined means the pass threw. */
export function nextPassDelay(intervalMs: number, pass: PassOutcome | undefined): number {
  if (!pass) return Math.min(intervalMs, FAILED_PASS_RETRY_MS);
  let next = intervalMs;
  if (pass.actions.length > 0) next = Math.min(next, ACTIONS_FOLLOW_UP_MS);
  if (pass.requeueAfterMs !== undefined) next = Math.min(next, Math.max(MIN_REQUEUE_MS, pass.requeueAfterMs));
  if (pass.deletionsInFlight > 0) next = Math.min(next, ACTIONS_FOLLOW_UP_MS);
  const failed = pass.results.some((r) => r.outcome === 'failed');
  const startedContainers = pass.results.some(
    (r) =>
      r.outcome === 'done' &&
      (r.action === 'createPod' || r.action === 'restartContainer' || r.action === 'startContainer'),
  );
  if (startedContainers && !failed) next = 0;
  return next;
}
