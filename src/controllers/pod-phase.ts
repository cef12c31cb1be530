// A pod's phase from what the runtime observed, with Kubernetes' meaning (pkg/kubelet
// getPhase): Pending until every container has started once, Running while any runs or will be
// restarted, Succeeded/Failed once all have terminated for good under the restart policy,
// Unknown when its host cannot be reached; Pending while init containers run. Pure.
import type { PodSpec } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { PodPhase } from '../model/views.js';
import { initPhase } from './pod-init.js';

export type RestartPolicy = PodSpec['restartPolicy'];

export function podPhase(
  pod: ObservedPod,
  restartPolicy: RestartPolicy = pod.spec?.restartPolicy ?? 'Always',
): PodPhase {
  if (pod.unreachable) return 'Unknown';
  if (pod.infra === undefined || pod.containers.length === 0) return 'Pending';
  // Init containers first: Pending while they run, Failed when one failed under Never.
  const init = initPhase(pod);
  if (init) return init;
  let terminated = 0;
  let failed = 0;
  for (const c of pod.containers) {
    if (c.startedAt === undefined && (c.state === 'created' || c.state === 'exited')) return 'Pending';
    if (c.state === 'exited' || c.state === 'dead') {
      terminated++;
      if (c.state === 'dead' || c.exitCode !== 0) failed++;
    }
  }
  if (terminated < pod.containers.length) return 'Running';
  switch (restartPolicy) {
    case 'Always':
      return 'Running';
    case 'OnFailure':
      return failed === 0 ? 'Succeeded' : 'Running';
    case 'Never':
      return failed === 0 ? 'Succeeded' : 'Failed';
  }
}

/** Highest restart count over the pod's containers (ActivePods' tie-breaker). */
export function maxContainerRestarts(pod: ObservedPod): number {
  let max = 0;
  for (const c of pod.containers) if (c.restartCount > max) max = c.restartCount;
  return max;
}
