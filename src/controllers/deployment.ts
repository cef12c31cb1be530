// The Deployment controller: one pass over one Deployment, from its spec, the hash of its
// current template, its observed pods and their readiness, to the pods to create and delete,
// its status (Kubernetes' fields and conditions) and the memory to hand to the next pass.
// Pure: `now` is a parameter; memory comes in and goes out as plain JSON-able data.
//
// This file is the composition, as upstream's deployment_controller.go syncDeployment is; the
// steps live in deployment/ under upstream's names (pkg/controller/deployment: sync.go,
// rolling.go, recreate.go, progress.go, util/deployment_util.go; the ReplicaSet controller's
// manageReplicas), with skiff's stand-in for ReplicaSets: the pods of one template hash form a
// revision (see deployment/revision-group.ts). Losing the memory (a daemon restart) is safe: revisions are rebuilt from the
// pods, sized as they are, and the rollout continues.
//
// Invariants, checked by the property tests:
// - only pods owned by this Deployment are ever deleted;
// - during a rollout at a fixed replica count, non-terminating pods never exceed
//   replicas + maxSurge (terminating ones included under spec.podReplacementPolicy
//   TerminationComplete, see deployment/replacement-policy.ts), and available pods never drop
//   below replicas - maxUnavailable because of a deletion decided here;
// - a pod already being deleted is not deleted again until its grace period (+30 s) passed.
//
// Contract with the caller: apply `create` (pods of the current template), `createOfRevision`
// and `delete`, then observe before the next pass (pods asked for but not observed are asked
// for again: this is how a Pending, unschedulable pod stays wanted).
import { cleanupRevisions } from './deployment/cleanup.js';
import { checkPausedConditions, getCondition } from './deployment/conditions.js';
import {
  allRevisions,
  type DeploymentSync,
  type Group,
  newPassEffects,
  type PassEffects,
  requeue,
} from './deployment/pass-state.js';
import { classifyPods, type DeploymentPods } from './deployment/pods.js';
import {
  calculateStatus,
  requeueStuckDeployment,
  rolloutComplete,
  setAvailableCondition,
  syncRolloutStatus,
} from './deployment/progress.js';
import { rolloutRecreate } from './deployment/recreate.js';
import { replacementRules } from './deployment/replacement-policy.js';
import { manageReplicas, type PodCreations } from './deployment/replica-set.js';
import { newRolloutContext } from './deployment/revision-group.js';
import { buildRevisions } from './deployment/revisions.js';
import { rolloutRolling } from './deployment/rolling.js';
import { explainStall } from './deployment/stall.js';
import { isScalingEvent, scale } from './deployment/sync.js';
import {
  type DeploymentInput,
  type DeploymentMemory,
  type DeploymentPhase,
  type DeploymentResult,
  type DeploymentStatus,
  emptyDeploymentMemory,
  NO_DEADLINE,
  REASON_TIMED_OUT,
} from './deployment/types.js';

export { deploymentComplete } from './deployment/progress.js';
export { maxSurgeOf, maxUnavailableOf } from './deployment/revision-group.js';
export * from './deployment/types.js';

/** One reconcile pass for one Deployment. */
export function reconcileDeployment(input: DeploymentInput): DeploymentResult {
  const memory = input.memory ?? emptyDeploymentMemory();
  const fx = newPassEffects();
  const pods = classifyPods(input, memory, fx);
  const sync = startSync(input, memory, pods);
  const { newGroup, estimateProgress } = rollout(sync, pods.live.length);
  for (const e of sync.ctx.events) {
    fx.events.push({
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${e.to > e.from ? 'up' : 'down'} replica set ${e.group} from ${e.from} to ${e.to}`,
    });
  }
  const creations = manageReplicas(sync, pods.live, fx);
  const status = syncStatus(sync, pods, newGroup, estimateProgress, memory.status);
  const stuck = requeueStuckDeployment(sync, status);
  if (stuck !== undefined) requeue(fx, stuck);
  return assembleResult(sync, status, creations, fx);
}

/** The sync state: revisions rebuilt from the pods, conditions carried over (and marked for a
 *  pause or resume), the rollout's fenceposts. */
function startSync(input: DeploymentInput, memory: DeploymentMemory, pods: DeploymentPods): DeploymentSync {
  const { deployment: d, now } = input;
  const hasDeadline = d.spec.progressDeadlineSeconds !== NO_DEADLINE;
  const rules = replacementRules(d.spec);
  return {
    spec: d.spec,
    name: d.metadata.name,
    templateHash: input.templateHash,
    now,
    hasDeadline,
    revisions: buildRevisions(d.metadata.name, memory, pods, now),
    conds: checkPausedConditions([...(memory.status?.conditions ?? [])], d.spec, hasDeadline, now),
    ctx: newRolloutContext(d.spec, rules.countTerminating ? pods.terminatingTotal : 0),
    rules,
  };
}

/** syncDeployment's dispatch: scale when paused or on a scaling event, else roll out by the
 *  strategy. Progress is estimated only for a rollout. */
function rollout(
  sync: DeploymentSync,
  statusReplicas: number,
): { newGroup: Group | undefined; estimateProgress: boolean } {
  const { spec, revisions, templateHash } = sync;
  if (spec.paused) return { newGroup: scale(sync, statusReplicas), estimateProgress: false };
  // A replica change without a template change. (When the template changed too, skiff goes
  // straight to the rollout, which sizes the new revision for the new count, rather than
  // first growing the old revision as upstream would.)
  if (isScalingEvent(allRevisions(revisions), spec.replicas) && revisions.groups.has(templateHash))
    return { newGroup: scale(sync, statusReplicas), estimateProgress: false };
  if (spec.strategy.type === 'Recreate') return { newGroup: rolloutRecreate(sync), estimateProgress: true };
  return { newGroup: rolloutRolling(sync), estimateProgress: true };
}

/** calculateStatus, then syncRolloutStatus unless scaling or paused. */
function syncStatus(
  sync: DeploymentSync,
  pods: DeploymentPods,
  newGroup: Group | undefined,
  estimateProgress: boolean,
  previous: DeploymentStatus | undefined,
): DeploymentStatus {
  const { spec, now } = sync;
  const status = calculateStatus(pods.live, sync.revisions, sync.templateHash, pods.terminatingTotal);
  let conds = setAvailableCondition(sync.conds, status, spec.replicas, sync.ctx.maxUnavailable, now);
  if (estimateProgress) {
    conds = syncRolloutStatus(conds, {
      spec,
      rules: sync.rules,
      deploymentName: sync.name,
      hasDeadline: sync.hasDeadline,
      newGroup,
      previous,
      status,
      now,
    });
  }
  status.conditions = conds;
  return status;
}

function decidePhase(sync: DeploymentSync, status: DeploymentStatus, done: boolean): DeploymentPhase {
  if (sync.spec.paused) return 'Paused';
  if (getCondition(status.conditions, 'Progressing')?.reason === REASON_TIMED_OUT) return 'Failed';
  if (rolloutComplete(sync.spec, sync.rules, status) && done) return 'Complete';
  return 'Progressing';
}

function assembleResult(
  sync: DeploymentSync,
  status: DeploymentStatus,
  creations: PodCreations,
  fx: PassEffects,
): DeploymentResult {
  const nothingToDo =
    creations.create === 0 && fx.deletions.length === 0 && creations.createOfRevision.length === 0;
  const phase = decidePhase(sync, status, nothingToDo);
  const result: DeploymentResult = {
    create: creations.create,
    createOfRevision: creations.createOfRevision,
    delete: fx.deletions,
    status,
    phase,
    events: fx.events,
    memory: {
      revisions: cleanupRevisions(allRevisions(sync.revisions), sync.templateHash),
      terminating: fx.terminating,
      status,
    },
  };
  if (phase === 'Failed') {
    result.failure = explainStall(sync.revisions.groups.get(sync.templateHash));
    const progressing = getCondition(status.conditions, 'Progressing')!;
    fx.events.push({ type: 'Warning', reason: REASON_TIMED_OUT, message: progressing.message });
  }
  if (fx.requeueAfterMs !== undefined) result.requeueAfterMs = fx.requeueAfterMs;
  return result;
}
