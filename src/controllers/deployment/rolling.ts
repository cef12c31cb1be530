// rolling.go's rolloutRolling: get (or create) the new revision, then scale it up if maxSurge
// allows, else scale old revisions down as far as maxUnavailable allows. The ReplicaSet-level
// steps (reconcileNewReplicaSet, reconcileOldReplicaSets, cleanupUnhealthyReplicas,
// scaleDownOldReplicaSetsForRollingUpdate) are in ../rollout.ts. Pure.
import { rollRolling } from '../rollout.js';
import { allRevisions, type DeploymentSync, type Group } from './pass-state.js';
import { getNewReplicaSet } from './sync.js';

export function rolloutRolling(sync: DeploymentSync): Group {
  const newGroup = getNewReplicaSet(sync, true)!;
  rollRolling(allRevisions(sync.revisions), newGroup, sync.ctx);
  return newGroup;
}
