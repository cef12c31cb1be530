// The Deployment rollout algorithms, ported from Kubernetes' Deployment controller and run on
// skiff's stand-ins for ReplicaSets: the pods of one Deployment grouped by template hash.
// Pure: every function works on plain values and mutates only the groups it is handed.
//
// Sources (kubernetes/kubernetes):
// - pkg/controller/deployment/rolling.go: rolloutRolling, reconcileNewReplicaSet,
//   reconcileOldReplicaSets, cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate;
// - pkg/controller/deployment/recreate.go: rolloutRecreate;
// - pkg/controller/deployment/sync.go: scale (proportional scaling), isScalingEvent;
// - pkg/controller/deployment/util/deployment_util.go: MaxSurge, MaxUnavailable,
//   NewRSNewReplicas, GetReplicaSetProportion, FindActiveOrLatest, IsSaturated; ResolveFenceposts
//   (with intstr.GetScaledValueFromIntOrPercent) is the one in ../manifest/int-or-percent.ts,
//   shared with the manifest checks.
//
// A group's `replicas` is the ReplicaSet's spec.replicas (the target the algorithms move);
// `active` its live pods (the RS status). The caller turns the difference into pod creations
// and deletions, as the ReplicaSet controller would.
import { resolveFenceposts } from '../manifest/int-or-percent.js';
import type { DeploymentSpec } from '../model/k8s.js';

/** MaxSurge(d): 0 unless RollingUpdate. */
export function maxSurgeOf(spec: DeploymentSpec): number {
  if (spec.strategy.type !== 'RollingUpdate') return 0;
  const r = spec.strategy.rollingUpdate;
  return resolveFenceposts(r.maxSurge, r.maxUnavailable, spec.replicas).maxSurge;
}

/** MaxUnavailable(d): 0 unless RollingUpdate with replicas > 0; never more than replicas. */
export function maxUnavailableOf(spec: DeploymentSpec): number {
  if (spec.strategy.type !== 'RollingUpdate' || spec.replicas === 0) return 0;
  const r = spec.strategy.rollingUpdate;
  return Math.min(
    resolveFenceposts(r.maxSurge, r.maxUnavailable, spec.replicas).maxUnavailable,
    spec.replicas,
  );
}

/** One revision of a Deployment: the stand-in for a ReplicaSet. */
export interface RevisionGroup {
  hash: string;
  /** `<deployment>-<hash>`, as Kubernetes would name the ReplicaSet. */
  name: string;
  createdAt: number;
  /** spec.replicas: how many pods this revision should have. */
  replicas: number;
  /** Live pods (not terminating) of this revision. */
  activeCount: number;
  /** Pods of this revision being deleted but still present. */
  terminatingCount: number;
  availableReplicas: number;
  readyReplicas: number;
  /** deployment.kubernetes.io/desired-replicas and max-replicas, as last set. */
  desiredReplicas?: number;
  maxReplicas?: number;
}

export interface ScalingEvent {
  group: string;
  from: number;
  to: number;
}

/** What the algorithms need of the Deployment, and where they record what they did. */
export interface RolloutContext {
  spec: DeploymentSpec;
  maxSurge: number;
  maxUnavailable: number;
  /** Pods being deleted that still occupy room: counted against maxSurge when scaling up
   *  (KEP-3973's TerminationComplete), 0 for upstream's default. */
  terminatingCounted: number;
  events: ScalingEvent[];
}

export function newRolloutContext(spec: DeploymentSpec, terminatingCounted: number): RolloutContext {
  return {
    spec,
    maxSurge: maxSurgeOf(spec),
    maxUnavailable: maxUnavailableOf(spec),
    terminatingCounted,
    events: [],
  };
}

function sum(groups: readonly RevisionGroup[], f: (g: RevisionGroup) => number): number {
  let s = 0;
  for (const g of groups) s += f(g);
  return s;
}

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: RevisionGroup, b: RevisionGroup): number {
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** scaleReplicaSet: sets the size and the replica annotations. */
function scaleGroup(g: RevisionGroup, to: number, ctx: RolloutContext): void {
  if (g.replicas !== to) ctx.events.push({ group: g.name, from: g.replicas, to });
  g.replicas = to;
  g.desiredReplicas = ctx.spec.replicas;
  g.maxReplicas = ctx.spec.replicas + ctx.maxSurge;
}

/** scaleReplicaSetAndRecordEvent: nothing at all when the size does not change. */
function scaleGroupIfChanged(g: RevisionGroup, to: number, ctx: RolloutContext): boolean {
  if (g.replicas === to) return false;
  scaleGroup(g, to, ctx);
  return true;
}

/** NewRSNewReplicas. */
export function newRSNewReplicas(
  all: readonly RevisionGroup[],
  newRS: RevisionGroup,
  ctx: RolloutContext,
): number {
  if (ctx.spec.strategy.type === 'Recreate') return ctx.spec.replicas;
  const currentPodCount = sum(all, (g) => g.replicas) + ctx.terminatingCounted;
  const maxTotalPods = ctx.spec.replicas + ctx.maxSurge;
  if (currentPodCount >= maxTotalPods) return newRS.replicas;
  const scaleUpCount = Math.min(maxTotalPods - currentPodCount, ctx.spec.replicas - newRS.replicas);
  return newRS.replicas + scaleUpCount;
}

/** A freshly created ReplicaSet's size and annotations (getNewReplicaSet's create branch). */
export function sizeNewGroup(all: readonly RevisionGroup[], newRS: RevisionGroup, ctx: RolloutContext): void {
  const size = newRSNewReplicas(all, newRS, ctx);
  scaleGroup(newRS, size, ctx);
}

/** reconcileNewReplicaSet: true when the new revision was scaled. */
export function reconcileNewReplicaSet(
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
export function reconcileOldReplicaSets(
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

/** rolloutRolling after the new revision exists: scale up if we can, else scale down. */
export function rollRolling(all: readonly RevisionGroup[], newRS: RevisionGroup, ctx: RolloutContext): void {
  if (reconcileNewReplicaSet(all, newRS, ctx)) return;
  const activeOld = all.filter((g) => g !== newRS && g.replicas > 0);
  reconcileOldReplicaSets(all, activeOld, newRS, ctx);
}

/** rolloutRecreate, first half: scale every old revision to 0. True when something scaled. */
export function scaleDownOldForRecreate(oldRSs: readonly RevisionGroup[], ctx: RolloutContext): boolean {
  let scaled = false;
  for (const g of oldRSs) {
    if (g.replicas === 0) continue;
    if (scaleGroupIfChanged(g, 0, ctx)) scaled = true;
  }
  return scaled;
}

/** oldPodsRunning: any pod of an old revision still present, terminating ones included. */
export function oldPodsRunning(oldRSs: readonly RevisionGroup[]): boolean {
  return oldRSs.some((g) => g.activeCount + g.terminatingCount > 0);
}

/** rolloutRecreate, second half: the new revision to full size. */
export function scaleUpNewForRecreate(newRS: RevisionGroup, ctx: RolloutContext): void {
  scaleGroupIfChanged(newRS, ctx.spec.replicas, ctx);
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
export function scaleProportionally(
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
