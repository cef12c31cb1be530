// KEP-3973's Deployment spec.podReplacementPolicy ("Consider Terminating Pods in Deployments"):
// when replacement pods may be created while old ones are still terminating. Pure.
//
// - TerminationStarted: a pod counts as gone once its deletion starts; replacements are
//   created at once, so surge is measured over non-terminating pods (a pod that ignores
//   SIGTERM does not hold the rollout for its grace period).
// - TerminationComplete: terminating pods count against replicas + maxSurge until they are
//   gone, Recreate waits for them, and the rollout is complete only once none is left.
// - Unset (upstream's default): RollingUpdate behaves as TerminationStarted; Recreate waits for
//   old pods to be gone when recreating and behaves as TerminationStarted when scaling.
// A terminating pod keeps holding its host's resources for the scheduler under every policy.
import type { DeploymentSpec } from '../../model/k8s.js';

export interface ReplacementRules {
  /** Terminating pods count against replicas + maxSurge when scaling up. */
  countTerminating: boolean;
  /** Recreate creates the new pods only once the old ones are gone, not merely terminating. */
  recreateWaitsForTermination: boolean;
  /** The rollout is complete (NewReplicaSetAvailable) only once no pod is terminating. */
  completeAfterTermination: boolean;
}

export function replacementRules(spec: DeploymentSpec): ReplacementRules {
  const policy = spec.podReplacementPolicy;
  if (policy === 'TerminationComplete')
    return { countTerminating: true, recreateWaitsForTermination: true, completeAfterTermination: true };
  return {
    countTerminating: false,
    recreateWaitsForTermination: policy === undefined && spec.strategy.type === 'Recreate',
    completeAfterTermination: false,
  };
}
