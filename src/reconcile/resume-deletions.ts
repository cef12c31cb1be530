// Deletions an earlier daemon began: a pod whose infra container carries the deletion mark
// (model/labels.ts DELETION_MARK) is terminating for good, as a pod with a deletionTimestamp is
// on Kubernetes. When no deletion of it is in flight here (the daemon that began it was killed,
// or this one gave up retrying), the pass starts it again with the grace period that is left,
// so a crash mid-deletion is repaired by the next pass. Pure.
import type { Action } from '../model/actions.js';
import type { ObservedPod } from '../model/observed.js';
import { podKey } from './pass-context.js';

export function resumeMarkedDeletions(
  pods: readonly ObservedPod[],
  inFlight: readonly string[],
  now: number,
): Action[] {
  const busy = new Set(inFlight);
  const out: Action[] = [];
  for (const p of pods) {
    if (p.deletionDeadline === undefined || p.unreachable || busy.has(podKey(p))) continue;
    const left = Math.max(0, Math.ceil((p.deletionDeadline - now) / 1000));
    out.push({
      type: 'deletePod',
      pod: { host: p.host, namespace: p.namespace, name: p.name },
      gracePeriodSeconds: left,
      reason: `finishing a deletion begun earlier (${left} s of its grace period left)`,
    });
  }
  return out;
}
