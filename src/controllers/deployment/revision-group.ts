// A Deployment's revision (skiff's stand-in for a ReplicaSet: the pods of one template hash)
// and deployment_util.go's helpers over revisions (kubernetes pkg/controller/deployment/util):
// MaxSurge, MaxUnavailable, ReplicaSetsByCreationTimestamp, scaleReplicaSet, NewRSNewReplicas.
// ResolveFenceposts (with intstr.GetScaledValueFromIntOrPercent) is the one in
// ../../manifest/int-or-percent.ts, shared with the manifest checks. Pure: functions mutate only
// the revisions they are handed.
//
// A revision's `replicas` is the ReplicaSet's spec.replicas (the target the algorithms move);
// `activeCount` its live pods (the RS status). manageReplicas (replica-set.ts) turns the
// difference into pod creations and deletions, as the ReplicaSet controller would.
import { resolveFenceposts } from '../../manifest/int-or-percent.js';
import type { DeploymentSpec } from '../../model/k8s.js';

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

export function sum(groups: readonly RevisionGroup[], f: (g: RevisionGroup) => number): number {
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
export function scaleGroup(g: RevisionGroup, to: number, ctx: RolloutContext): void {
  if (g.replicas !== to) ctx.events.push({ group: g.name, from: g.replicas, to });
  g.replicas = to;
  g.desiredReplicas = ctx.spec.replicas;
  g.maxReplicas = ctx.spec.replicas + ctx.maxSurge;
}

/** scaleReplicaSetAndRecordEvent: nothing at all when the size does not change. */
export function scaleGroupIfChanged(g: RevisionGroup, to: number, ctx: RolloutContext): boolean {
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
