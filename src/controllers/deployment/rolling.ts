// rolling.go: rolloutRolling gets (or creates) the new revision, then scales it up if maxSurge
// allows (reconcileNewReplicaSet), else scales old revisions down as far as maxUnavailable
// allows (reconcileOldReplicaSets: cleanupUnhealthyReplicas first, then
// scaleDownOldReplicaSetsForRollingUpdate). Pure.
import { allRevisions, type DeploymentSync, type Group } from './pass-state.js';
import {
  byCreation,
  newRSNewReplicas,
  type RevisionGroup,
  type RolloutContext,
  scaleGroupIfChanged,
  sum,
} from './revision-group.js';
import { getNewReplicaSet } from './sync.js';

/** rolloutRolling: scale up if we can, else scale down. */
export function rolloutRolling(sync: DeploymentSync): Group {
  const newRS = getNewReplicaSet(sync, true)!;
  const all = allRevisions(sync.revisions);
  if (reconcileNewReplicaSet(all, newRS, sync.ctx)) return newRS;
  const activeOld = all.filter((g) => g !== newRS && g.replicas > 0);
  reconcileOldReplicaSets(all, activeOld, newRS, sync.ctx);
  return newRS;
}

/** reconcileNewReplicaSet: true when the new revision was scaled. */
function reconcileNewReplicaSet(
  all: readonly RevisionGroup[],
  newRS: RevisionGroup,
  ctx: RolloutContext,
): boolean {
  const replicas = ctx.spec.replicas;
  if (newRS.replicas === replicas) return false;
  if (newRS.replicas > replicas) return scaleGroupIfChanged(newRS, replicas, ctx);
  return scaleGroupIfChanged(newRS, newRSNewReplicas(all, newRS, ctx), ctx);
}

/** cleanupUnhealthyReplicas: scale old revisions down by their unavailable pods, oldest
 *  first, at most maxCleanupCount in total. */
function cleanupUnhealthyReplicas(
  oldRSs: RevisionGroup[],
  ctx: RolloutContext,
  maxCleanupCount: number,
): number {
  oldRSs.sort(byCreation);
  let totalScaledDown = 0;
  for (const target of oldRSs) {
    if (totalScaledDown >= maxCleanupCount) break;
    if (target.replicas === 0) continue;
    if (target.replicas === target.availableReplicas) continue;
    const scaledDownCount = Math.min(
      maxCleanupCount - totalScaledDown,
      target.replicas - target.availableReplicas,
    );
    scaleGroupIfChanged(target, target.replicas - scaledDownCount, ctx);
    totalScaledDown += scaledDownCount;
  }
  return totalScaledDown;
}

/** scaleDownOldReplicaSetsForRollingUpdate: scale old revisions down, oldest first, by as many
 *  available pods as exceed replicas - maxUnavailable. */
function scaleDownOldReplicaSetsForRollingUpdate(
  all: readonly RevisionGroup[],
  oldRSs: RevisionGroup[],
  ctx: RolloutContext,
): number {
  const minAvailable = ctx.spec.replicas - ctx.maxUnavailable;
  const availablePodCount = sum(all, (g) => g.availableReplicas);
  if (availablePodCount <= minAvailable) return 0;
  oldRSs.sort(byCreation);
  let totalScaledDown = 0;
  const totalScaleDownCount = availablePodCount - minAvailable;
  for (const target of oldRSs) {
    if (totalScaledDown >= totalScaleDownCount) break;
    if (target.replicas === 0) continue;
    const scaleDownCount = Math.min(target.replicas, totalScaleDownCount - totalScaledDown);
    scaleGroupIfChanged(target, target.replicas - scaleDownCount, ctx);
    totalScaledDown += scaleDownCount;
  }
  return totalScaledDown;
}

/** reconcileOldReplicaSets: true when an old revision was scaled down. */
function reconcileOldReplicaSets(
  all: readonly RevisionGroup[],
  activeOld: RevisionGroup[],
  newRS: RevisionGroup,
  ctx: RolloutContext,
): boolean {
  const oldPodsCount = sum(activeOld, (g) => g.replicas);
  if (oldPodsCount === 0) return false;
  const allPodsCount = sum(all, (g) => g.replicas);
  const minAvailable = ctx.spec.replicas - ctx.maxUnavailable;
  const newRSUnavailablePodCount = newRS.replicas - newRS.availableReplicas;
  const maxScaledDown = allPodsCount - minAvailable - newRSUnavailablePodCount;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old pods first: otherwise they would block the rollout (kubernetes#16737).
  const cleanupCount = cleanupUnhealthyReplicas(activeOld, ctx, maxScaledDown);
  const scaledDownCount = scaleDownOldReplicaSetsForRollingUpdate(all, activeOld, ctx);
  return cleanupCount + scaledDownCount > 0;
}
