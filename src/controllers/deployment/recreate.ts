// recreate.go: rolloutRecreate scales every old revision to 0, waits until none of their pods
// is left (terminating ones included; only until all are terminating under an explicit
// podReplacementPolicy TerminationStarted, as KEP-3973 has it), then creates the new revision
// at full size. Pure.
import type { DeploymentSync, Group } from './pass-state.js';
import { type RevisionGroup, type RolloutContext, scaleGroupIfChanged } from './revision-group.js';
import { oldRevisions } from './revisions.js';
import { getNewReplicaSet } from './sync.js';

export function rolloutRecreate(sync: DeploymentSync): Group | undefined {
  let newGroup = getNewReplicaSet(sync, false);
  const old = oldRevisions(sync.revisions, sync.templateHash);
  const scaledDown = scaleDownOldForRecreate(old, sync.ctx);
  if (!scaledDown && !oldPodsRunning(old, sync.rules.recreateWaitsForTermination)) {
    newGroup ??= getNewReplicaSet(sync, true)!;
    scaleUpNewForRecreate(newGroup, sync.ctx);
  }
  return newGroup;
}

/** rolloutRecreate, first half: scale every old revision to 0. True when something scaled. */
function scaleDownOldForRecreate(oldRSs: readonly RevisionGroup[], ctx: RolloutContext): boolean {
  let scaled = false;
  for (const g of oldRSs) {
    if (g.replicas === 0) continue;
    if (scaleGroupIfChanged(g, 0, ctx)) scaled = true;
  }
  return scaled;
}

/** oldPodsRunning: any pod of an old revision still present (terminating ones included
 *  when the policy waits for them). */
function oldPodsRunning(oldRSs: readonly RevisionGroup[], countTerminating: boolean): boolean {
  return oldRSs.some((g) => g.activeCount + (countTerminating ? g.terminatingCount : 0) > 0);
}

/** rolloutRecreate, second half: the new revision to full size. */
function scaleUpNewForRecreate(newRS: RevisionGroup, ctx: RolloutContext): void {
  scaleGroupIfChanged(newRS, ctx.spec.replicas, ctx);
}
