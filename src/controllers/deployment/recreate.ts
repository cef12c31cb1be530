// recreate.go's rolloutRecreate: scale every old revision to 0, wait until none of their pods
// is left (terminating ones included), then create the new revision at full size. Pure.
import { oldPodsRunning, scaleDownOldForRecreate, scaleUpNewForRecreate } from '../rollout.js';
import type { DeploymentSync, Group } from './pass-state.js';
import { oldRevisions } from './revisions.js';
import { getNewReplicaSet } from './sync.js';

export function rolloutRecreate(sync: DeploymentSync): Group | undefined {
  let newGroup = getNewReplicaSet(sync, false);
  const old = oldRevisions(sync.revisions, sync.templateHash);
  const scaledDown = scaleDownOldForRecreate(old, sync.ctx);
  if (!scaledDown && !oldPodsRunning(old)) {
    newGroup ??= getNewReplicaSet(sync, true)!;
    scaleUpNewForRecreate(newGroup, sync.ctx);
  }
  return newGroup;
}
