// sync.go's steps for one Deployment: getNewReplicaSet (the revision of the current template,
// created on demand and sized by NewRSNewReplicas), isScalingEvent, and sync/scale (a replica
// change without a template change, or a paused Deployment: resize the revisions
// proportionally so a scale during a rollout neither hastens nor slows it, with
// deployment_util.go's FindActiveOrLatest, IsSaturated and GetReplicaSetProportion). Pure: they
// move the revisions and conditions in the DeploymentSync they are handed.
import { replicaSetName } from '../pod-name.js';
import { condition, getCondition, setCondition } from './conditions.js';
import { allRevisions, type DeploymentSync, type Group } from './pass-state.js';
import {
  byCreation,
  newRSNewReplicas,
  type RevisionGroup,
  type RolloutContext,
  scaleGroup,
  scaleGroupIfChanged,
  sum,
} from './revision-group.js';
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

/** A freshly created ReplicaSet's size and annotations (getNewReplicaSet's create branch). */
function sizeNewGroup(all: readonly RevisionGroup[], newRS: RevisionGroup, ctx: RolloutContext): void {
  const size = newRSNewReplicas(all, newRS, ctx);
  scaleGroup(newRS, size, ctx);
}

/** isScalingEvent: an active revision was last sized for another replica count. */
export function isScalingEvent(all: readonly RevisionGroup[], replicas: number): boolean {
  return all.some((g) => g.replicas > 0 && g.desiredReplicas !== undefined && g.desiredReplicas !== replicas);
}

/** FindActiveOrLatest: the only active revision, or the newest when none is active; undefined
 *  when several are active (then they scale proportionally). */
function findActiveOrLatest(newRS: RevisionGroup | undefined, oldRSs: readonly RevisionGroup[]) {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter((g) => g.replicas > 0);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** IsSaturated: the new revision holds, and has available, all replicas. */
function isSaturated(newRS: RevisionGroup | undefined, replicas: number): boolean {
  if (!newRS || newRS.desiredReplicas === undefined) return false;
  return (
    newRS.replicas === replicas && newRS.desiredReplicas === replicas && newRS.availableReplicas === replicas
  );
}

// getReplicaSetFraction: the share of a scaling event one revision should take.
function replicaSetFraction(g: RevisionGroup, ctx: RolloutContext, statusReplicas: number): number {
  if (ctx.spec.replicas === 0) return -g.replicas;
  const deploymentMaxReplicas = ctx.spec.replicas + ctx.maxSurge;
  let before = g.maxReplicas ?? 0;
  if (before === 0) {
    before = statusReplicas;
    if (before === 0) return 0;
  }
  // integer.RoundToInt32 is math.Round: half away from zero.
  const size = (g.replicas * deploymentMaxReplicas) / before;
  return Math.sign(size) * Math.round(Math.abs(size)) - g.replicas;
}

// GetReplicaSetProportion.
function replicaSetProportion(
  g: RevisionGroup,
  ctx: RolloutContext,
  toAdd: number,
  added: number,
  statusReplicas: number,
): number {
  if (g.replicas === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(g, ctx, statusReplicas);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** scale(): resize on a scaling event or while paused, proportionally across active revisions
 *  so a scale during a rollout neither hastens nor slows it. `statusReplicas` is the live pod
 *  count (the fallback when a revision has no max-replicas record). */
function scaleProportionally(
  newRS: RevisionGroup | undefined,
  oldRSs: readonly RevisionGroup[],
  ctx: RolloutContext,
  statusReplicas: number,
): void {
  const replicas = ctx.spec.replicas;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    scaleGroupIfChanged(activeOrLatest, replicas, ctx);
    return;
  }
  if (isSaturated(newRS, replicas)) {
    for (const old of oldRSs) if (old.replicas > 0) scaleGroupIfChanged(old, 0, ctx);
    return;
  }
  if (ctx.spec.strategy.type !== 'RollingUpdate') return;
  const all = [...oldRSs, ...(newRS ? [newRS] : [])].filter((g) => g.replicas > 0);
  const allReplicas = sum(all, (g) => g.replicas);
  const allowedSize = replicas > 0 ? replicas + ctx.maxSurge : 0;
  let toAdd = allowedSize - allReplicas;
  // Pods still terminating hold room that scaling up must not take (TerminationComplete).
  if (toAdd > 0) toAdd = Math.max(0, toAdd - ctx.terminatingCounted);
  if (toAdd > 0) {
    // ReplicaSetsBySizeNewer: larger first, newer first among equals.
    all.sort((a, b) => (a.replicas !== b.replicas ? b.replicas - a.replicas : byCreation(b, a)));
  } else if (toAdd < 0) {
    // ReplicaSetsBySizeOlder: larger first, older first among equals.
    all.sort((a, b) => (a.replicas !== b.replicas ? b.replicas - a.replicas : byCreation(a, b)));
  }
  let added = 0;
  const sizes = new Map<RevisionGroup, number>();
  for (const g of all) {
    if (toAdd !== 0) {
      const proportion = replicaSetProportion(g, ctx, toAdd, added, statusReplicas);
      sizes.set(g, g.replicas + proportion);
      added += proportion;
    } else {
      sizes.set(g, g.replicas);
    }
  }
  all.forEach((g, i) => {
    let size = sizes.get(g)!;
    // Leftovers go to the largest revision.
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    scaleGroup(g, size, ctx);
  });
}
