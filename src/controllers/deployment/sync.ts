// sync.go's steps for one Deployment: getNewReplicaSet (the revision of the current template,
// created on demand and sized by NewRSNewReplicas) and sync/scale (a replica change without a
// template change, or a paused Deployment: resize the revisions proportionally). Pure: they move
// the revisions and conditions in the DeploymentSync they are handed.
import { replicaSetName } from '../pod-name.js';
import { scaleProportionally, sizeNewGroup } from '../rollout.js';
import { condition, getCondition, setCondition } from './conditions.js';
import { allRevisions, type DeploymentSync, type Group } from './pass-state.js';
import { oldRevisions, revisionFor } from './revisions.js';
import { REASON_FOUND_NEW_RS, REASON_NEW_RS_CREATED } from './types.js';

/** getNewReplicaSet: the revision of the current template; created when `create` is set. */
export function getNewReplicaSet(sync: DeploymentSync, create: boolean): Group | undefined {
  const { revisions, templateHash, now } = sync;
  const rsName = `"${replicaSetName(sync.name, templateHash)}"`;
  const existing = revisions.groups.get(templateHash);
  if (existing) {
    if (sync.hasDeadline && !getCondition(sync.conds, 'Progressing')) {
      sync.conds = setCondition(
        sync.conds,
        condition('Progressing', 'True', REASON_FOUND_NEW_RS, `Found new replica set ${rsName}`, now),
      );
    }
    return existing;
  }
  if (!create) return undefined;
  const g = revisionFor(revisions, templateHash);
  g.createdAt = now;
  g.replicas = 0;
  revisions.initialSizes.set(g, 0);
  sizeNewGroup(allRevisions(revisions), g, sync.ctx);
  if (sync.hasDeadline) {
    sync.conds = setCondition(
      sync.conds,
      condition('Progressing', 'True', REASON_NEW_RS_CREATED, `Created new replica set ${rsName}`, now),
    );
  }
  return g;
}

/** scale: resize the revisions proportionally (a scaling event, or while paused). */
export function scale(sync: DeploymentSync, statusReplicas: number): Group | undefined {
  const newGroup = getNewReplicaSet(sync, false);
  scaleProportionally(newGroup, oldRevisions(sync.revisions, sync.templateHash), sync.ctx, statusReplicas);
  return newGroup;
}
