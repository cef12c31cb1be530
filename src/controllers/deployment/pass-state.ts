// What one pass over one Deployment carries from step to step: the effects it collects
// (deletions, pods it waits on, events, when to come back) and the sync state the rollout steps
// move (revisions, conditions, the rollout context). Upstream keeps these in API objects and the
// work queue; here they are plain values the steps hand each other. Pure.
import type { DeploymentSpec } from '../../model/k8s.js';
import type { ObservedPod } from '../../model/observed.js';
import type { PodPhase } from '../../model/views.js';
import type { ReplacementRules } from './replacement-policy.js';
import type { RevisionGroup, RolloutContext } from './revision-group.js';
import type { DeploymentCondition, DeploymentEvent, DeploymentMemory, PodDeletion } from './types.js';

/** One live pod as the controller judges it (IsPodAvailable: ready for minReadySeconds). */
export interface PodInfo {
  pod: ObservedPod;
  phase: PodPhase;
  ready: boolean;
  readySince?: number;
  available: boolean;
  notReadyReason?: string;
}

/** A revision (skiff's ReplicaSet) and its live pods. */
export interface Group extends RevisionGroup {
  pods: PodInfo[];
}

/** The revisions of one Deployment in this pass. */
export interface Revisions {
  deploymentName: string;
  memory: DeploymentMemory;
  terminatingByHash: ReadonlyMap<string, number>;
  groups: Map<string, Group>;
  /** Each revision's size before this pass moved it: the "from" of a scale-down message. */
  initialSizes: Map<Group, number>;
}

/** What the sync steps read and move (sync.go, rolling.go, recreate.go). */
export interface DeploymentSync {
  spec: DeploymentSpec;
  name: string;
  templateHash: string;
  now: number;
  hasDeadline: boolean;
  revisions: Revisions;
  conds: DeploymentCondition[];
  ctx: RolloutContext;
  /** What spec.podReplacementPolicy makes of terminating pods. */
  rules: ReplacementRules;
}

/** What the pass decided so far, beyond revision sizes. */
export interface PassEffects {
  deletions: PodDeletion[];
  /** Pods this controller waits on to disappear (the next pass's memory.terminating). */
  terminating: DeploymentMemory['terminating'];
  events: DeploymentEvent[];
  requeueAfterMs?: number;
}

export function newPassEffects(): PassEffects {
  return { deletions: [], terminating: {}, events: [] };
}

/** Come back after `ms` at the latest (the earliest of all requests wins). */
export function requeue(fx: PassEffects, ms: number): void {
  const v = Math.max(0, Math.ceil(ms));
  fx.requeueAfterMs = fx.requeueAfterMs === undefined ? v : Math.min(fx.requeueAfterMs, v);
}

/** Ask for a pod's deletion and remember when, to retry if it lingers. */
export function deletePod(
  fx: PassEffects,
  pod: ObservedPod,
  reason: string,
  gracePeriodSeconds: number,
  now: number,
): void {
  fx.deletions.push({ pod, reason, gracePeriodSeconds });
  fx.terminating[pod.name] = { since: now, gracePeriodSeconds };
}

/** The pod's own grace period, else the template's. */
export function gracePeriodOf(pod: ObservedPod, spec: DeploymentSpec): number {
  return pod.spec?.terminationGracePeriodSeconds ?? spec.template.spec.terminationGracePeriodSeconds;
}

export function allRevisions(revs: Revisions): Group[] {
  return [...revs.groups.values()];
}
