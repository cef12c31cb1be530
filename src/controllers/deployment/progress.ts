// Status and progress of a Deployment: sync.go's calculateStatus (counts and the Available
// condition), progress.go's syncRolloutStatus (the Progressing condition: new revision
// available, progressing, or ProgressDeadlineExceeded) and requeueStuckDeployment (come back
// when the deadline would pass), with deployment_util.go's DeploymentComplete,
// DeploymentProgressing and DeploymentTimedOut. Pure.
//
// Terminating pods are not "no progress": under the default podReplacementPolicy they are out
// of the counts; under TerminationComplete the rollout completes only once they are gone, and
// each one that goes counts as progress (KEP-3973, "Deployment Completion and Progress").
import type { DeploymentSpec } from '../../model/k8s.js';
import { condition, getCondition, removeCondition, setCondition } from './conditions.js';
import { allRevisions, type DeploymentSync, type Group, type PodInfo, type Revisions } from './pass-state.js';
import type { ReplacementRules } from './replacement-policy.js';
import {
  type DeploymentCondition,
  type DeploymentStatus,
  REASON_MIN_AVAILABLE,
  REASON_MIN_UNAVAILABLE,
  REASON_NEW_RS_AVAILABLE,
  REASON_RS_UPDATED,
  REASON_TIMED_OUT,
} from './types.js';

/** calculateStatus: the counts; conditions are filled in by the caller. */
export function calculateStatus(
  live: readonly PodInfo[],
  revisions: Revisions,
  templateHash: string,
  terminatingTotal: number,
): DeploymentStatus {
  const availableReplicas = live.filter((p) => p.available).length;
  const targetTotal = allRevisions(revisions).reduce((s, g) => s + g.replicas, 0);
  return {
    replicas: live.length,
    updatedReplicas: revisions.groups.get(templateHash)?.activeCount ?? 0,
    readyReplicas: live.filter((p) => p.ready).length,
    availableReplicas,
    unavailableReplicas: Math.max(0, targetTotal - availableReplicas),
    terminatingReplicas: terminatingTotal,
    conditions: [],
  };
}

/** calculateStatus's Available condition: at least replicas - maxUnavailable available. */
export function setAvailableCondition(
  conds: DeploymentCondition[],
  status: DeploymentStatus,
  replicas: number,
  maxUnavailable: number,
  now: number,
): DeploymentCondition[] {
  if (status.availableReplicas >= replicas - maxUnavailable)
    return setCondition(
      conds,
      condition('Available', 'True', REASON_MIN_AVAILABLE, 'Deployment has minimum availability.', now),
    );
  return setCondition(
    conds,
    condition(
      'Available',
      'False',
      REASON_MIN_UNAVAILABLE,
      'Deployment does not have minimum availability.',
      now,
    ),
  );
}

/** What syncRolloutStatus judges progress with. */
export interface RolloutProgressInput {
  spec: DeploymentSpec;
  rules: ReplacementRules;
  deploymentName: string;
  hasDeadline: boolean;
  newGroup: Group | undefined;
  /** The status of the previous pass. */
  previous: DeploymentStatus | undefined;
  status: DeploymentStatus;
  now: number;
}

/** syncRolloutStatus: the Progressing condition after this pass. */
export function syncRolloutStatus(
  conds: DeploymentCondition[],
  p: RolloutProgressInput,
): DeploymentCondition[] {
  if (!p.hasDeadline) conds = removeCondition(conds, 'Progressing');
  const current = getCondition(conds, 'Progressing');
  const isCompleteDeployment =
    p.status.replicas === p.status.updatedReplicas && current?.reason === REASON_NEW_RS_AVAILABLE;
  if (!p.hasDeadline || isCompleteDeployment) return conds;
  const subject = p.newGroup ? `ReplicaSet "${p.newGroup.name}"` : `Deployment "${p.deploymentName}"`;
  if (rolloutComplete(p.spec, p.rules, p.status)) {
    const msg = `${subject} has successfully progressed.`;
    return setCondition(conds, condition('Progressing', 'True', REASON_NEW_RS_AVAILABLE, msg, p.now));
  }
  if (deploymentProgressing(p.previous, p.status)) {
    const c = condition('Progressing', 'True', REASON_RS_UPDATED, `${subject} is progressing.`, p.now);
    if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
    return [...removeCondition(conds, 'Progressing'), c];
  }
  if (deploymentTimedOut(conds, p.spec.progressDeadlineSeconds, p.now)) {
    const msg = `${subject} has timed out progressing.`;
    return setCondition(conds, condition('Progressing', 'False', REASON_TIMED_OUT, msg, p.now));
  }
  return conds;
}

/** requeueStuckDeployment: how long until the progress deadline would pass, if it can. */
export function requeueStuckDeployment(
  sync: Pick<DeploymentSync, 'spec' | 'rules' | 'hasDeadline' | 'now'>,
  status: DeploymentStatus,
): number | undefined {
  const { spec, now } = sync;
  const progressing = getCondition(status.conditions, 'Progressing');
  if (
    !sync.hasDeadline ||
    spec.paused ||
    !progressing ||
    rolloutComplete(spec, sync.rules, status) ||
    progressing.reason === REASON_TIMED_OUT ||
    progressing.reason === REASON_NEW_RS_AVAILABLE
  )
    return undefined;
  return Math.max(0, progressing.lastUpdateTime + spec.progressDeadlineSeconds * 1000 - now) + 1000;
}

/** DeploymentComplete: all replicas updated and available, and no other pods. */
export function deploymentComplete(replicas: number, s: DeploymentStatus): boolean {
  return s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
}

/** DeploymentComplete, and no pod left terminating when the policy waits for them. */
export function rolloutComplete(spec: DeploymentSpec, rules: ReplacementRules, s: DeploymentStatus): boolean {
  if (rules.completeAfterTermination && s.terminatingReplicas > 0) return false;
  return deploymentComplete(spec.replicas, s);
}

/** DeploymentProgressing: more updated, ready or available pods, or fewer old or terminating
 *  pods. */
function deploymentProgressing(old: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  const o = old ?? { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 };
  const oldOld = o.replicas - o.updatedReplicas;
  const newOld = next.replicas - next.updatedReplicas;
  const oldTerminating = old?.terminatingReplicas ?? 0;
  return (
    next.updatedReplicas > o.updatedReplicas ||
    newOld < oldOld ||
    next.readyReplicas > o.readyReplicas ||
    next.availableReplicas > o.availableReplicas ||
    next.terminatingReplicas < oldTerminating
  );
}

/** DeploymentTimedOut: the Progressing condition has not been updated for the deadline. */
function deploymentTimedOut(
  conds: readonly DeploymentCondition[],
  deadlineSeconds: number,
  now: number,
): boolean {
  const c = getCondition(conds, 'Progressing');
  if (!c || c.reason === REASON_NEW_RS_AVAILABLE) return false;
  if (c.reason === REASON_TIMED_OUT) return true;
  return c.lastUpdateTime + deadlineSeconds * 1000 < now;
}
