// Deployment conditions (Available, Progressing): set, read and remove them as upstream's
// deployment_util.go does (SetDeploymentCondition, GetDeploymentCondition,
// RemoveDeploymentCondition, NewDeploymentCondition), and sync.go's checkPausedConditions. Pure.
import type { DeploymentSpec } from '../../model/k8s.js';
import {
  type ConditionStatus,
  type DeploymentCondition,
  REASON_PAUSED,
  REASON_RESUMED,
  REASON_TIMED_OUT,
} from './types.js';

// SetDeploymentCondition: no change when status and reason are the same; the transition time
// is kept when only the reason changes.
export function setCondition(conds: DeploymentCondition[], c: DeploymentCondition): DeploymentCondition[] {
  const current = conds.find((x) => x.type === c.type);
  if (current && current.status === c.status && current.reason === c.reason) return conds;
  const next = { ...c };
  if (current && current.status === c.status) next.lastTransitionTime = current.lastTransitionTime;
  return [...conds.filter((x) => x.type !== c.type), next];
}

export function removeCondition(
  conds: DeploymentCondition[],
  type: DeploymentCondition['type'],
): DeploymentCondition[] {
  return conds.filter((x) => x.type !== type);
}

export function getCondition(conds: readonly DeploymentCondition[], type: DeploymentCondition['type']) {
  return conds.find((x) => x.type === type);
}

export function condition(
  type: DeploymentCondition['type'],
  status: ConditionStatus,
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  return { type, status, reason, message, lastUpdateTime: now, lastTransitionTime: now };
}

/** checkPausedConditions: mark a pause or a resume on Progressing, unless it timed out. */
export function checkPausedConditions(
  conds: DeploymentCondition[],
  spec: DeploymentSpec,
  hasDeadline: boolean,
  now: number,
): DeploymentCondition[] {
  if (!hasDeadline) return conds;
  const cond = getCondition(conds, 'Progressing');
  if (cond?.reason === REASON_TIMED_OUT) return conds;
  const pausedMarked = cond?.reason === REASON_PAUSED;
  if (spec.paused && !pausedMarked)
    return setCondition(
      conds,
      condition('Progressing', 'Unknown', REASON_PAUSED, 'Deployment is paused', now),
    );
  if (!spec.paused && pausedMarked)
    return setCondition(
      conds,
      condition('Progressing', 'Unknown', REASON_RESUMED, 'Deployment is resumed', now),
    );
  return conds;
}
