// The Deployment's pods as one pass sees them: its own pods split into terminating and live,
// live ones judged ready and available; finished pods removed, lingering deletions retried.
// Follows controller_utils.go FilterActivePods and podutil.IsPodAvailable (ready for more than
// minReadySeconds). Pure.
import type { ObservedPod } from '../../model/observed.js';
import { podPhase } from '../pod-phase.js';
import { deletePod, gracePeriodOf, type PassEffects, type PodInfo, requeue } from './pass-state.js';
import {
  DELETE_RETRY_SLACK_MS,
  type DeploymentInput,
  type DeploymentMemory,
  type PodReadinessState,
} from './types.js';

export interface DeploymentPods {
  live: PodInfo[];
  terminatingByHash: Map<string, number>;
  terminatingTotal: number;
}

/** This Deployment's pods, classified; deletions of finished or lingering pods go to `fx`. */
export function classifyPods(
  input: DeploymentInput,
  memory: DeploymentMemory,
  fx: PassEffects,
): DeploymentPods {
  const d = input.deployment;
  const owned = input.pods.filter(
    (p) =>
      p.ownerKind === 'Deployment' && p.ownerName === d.metadata.name && p.namespace === d.metadata.namespace,
  );
  const out: DeploymentPods = { live: [], terminatingByHash: new Map(), terminatingTotal: 0 };
  const minReadyMs = d.spec.minReadySeconds * 1000;
  for (const pod of owned) {
    const asked = memory.terminating[pod.name];
    if (pod.terminating || asked) {
      out.terminatingTotal++;
      out.terminatingByHash.set(pod.templateHash, (out.terminatingByHash.get(pod.templateHash) ?? 0) + 1);
      if (asked) followDeletion(pod, asked, input.now, fx);
      continue;
    }
    const info = judgePod(pod, input.podReadiness[pod.name], minReadyMs, input.now, fx);
    if (info.phase === 'Succeeded' || info.phase === 'Failed') {
      // Not an active pod (FilterActivePods); free its host.
      const grace = gracePeriodOf(pod, d.spec);
      deletePod(fx, pod, `pod ${info.phase.toLowerCase()}: removing it`, grace, input.now);
      continue;
    }
    out.live.push(info);
  }
  return out;
}

/** A pod this controller asked to delete: wait for it, or ask again once its grace period
 *  (+ slack) has passed and it is still not terminating. */
function followDeletion(
  pod: ObservedPod,
  asked: DeploymentMemory['terminating'][string],
  now: number,
  fx: PassEffects,
): void {
  const grace = asked.gracePeriodSeconds * 1000;
  const due = asked.since + grace + DELETE_RETRY_SLACK_MS;
  if (!pod.terminating && now >= due) {
    const waited = Math.round((now - asked.since) / 1000);
    deletePod(
      fx,
      pod,
      `retrying deletion: still present ${waited}s after it was asked`,
      asked.gracePeriodSeconds,
      now,
    );
    requeue(fx, grace + DELETE_RETRY_SLACK_MS);
  } else {
    fx.terminating[pod.name] = asked;
    if (!pod.terminating) requeue(fx, due - now);
  }
}

/** IsPodAvailable: ready for more than minReadySeconds; come back when it will be. */
function judgePod(
  pod: ObservedPod,
  r: PodReadinessState | undefined,
  minReadyMs: number,
  now: number,
  fx: PassEffects,
): PodInfo {
  const phase = r?.phase ?? podPhase(pod);
  const ready = r?.ready === true;
  let available = false;
  if (ready) {
    if (minReadyMs === 0) available = true;
    else if (r?.readySince !== undefined) {
      available = r.readySince + minReadyMs < now;
      if (!available) requeue(fx, r.readySince + minReadyMs - now + 1);
    }
  }
  return { pod, phase, ready, readySince: r?.readySince, available, notReadyReason: r?.notReadyReason };
}
