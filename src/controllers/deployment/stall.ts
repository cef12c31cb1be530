// Why a rollout that exceeded its progress deadline did not progress, told from what is
// observed of the new revision's pods (the most common cause wins). skiff's own: upstream only
// says ProgressDeadlineExceeded; `kubectl describe` leaves the user to dig through the pods. Pure.
import type { Group } from './pass-state.js';

/** Why the new revision's pods do not become available, from what is observed of them. */
export function explainStall(newGroup: Group | undefined): { reason: string; message: string } {
  if (!newGroup || newGroup.replicas === 0) {
    return { reason: 'NoNewPods', message: 'no pod of the new template could be started' };
  }
  const counts = new Map<string, { n: number; detail: string }>();
  const note = (reason: string, detail: string) => {
    const c = counts.get(reason);
    if (c) c.n++;
    else counts.set(reason, { n: 1, detail });
  };
  for (const info of newGroup.pods) {
    if (info.available) continue;
    const pod = info.pod;
    const failure = Object.values(pod.probes).find((p) => p.lastFailure)?.lastFailure;
    const crashed = pod.containers.find(
      (c) => c.restartCount > 0 || c.state === 'exited' || c.state === 'dead',
    );
    if (info.notReadyReason) note(info.notReadyReason, info.notReadyReason);
    else if (crashed) {
      note(
        'CrashLoopBackOff',
        `container ${crashed.name} exited with code ${crashed.exitCode}, restarted ${crashed.restartCount} times`,
      );
    } else if (info.phase === 'Pending') note('ContainersNotStarted', 'containers have not started');
    else if (!info.ready)
      note(
        'ReadinessNeverPassed',
        failure ? `${failure.probe} probe: ${failure.message}` : 'pod never became ready',
      );
    else note('MinReadySecondsNotReached', 'pods became ready but not for minReadySeconds');
  }
  const missing = newGroup.replicas - newGroup.activeCount;
  if (missing > 0) note('PodsNotCreated', `${missing} new pod(s) could not be created or scheduled`);
  const top = [...counts].sort((a, b) => b[1].n - a[1].n)[0];
  if (!top) return { reason: 'ProgressDeadlineExceeded', message: 'the new pods made no progress' };
  return { reason: top[0], message: `${top[1].n} of ${newGroup.replicas} new pod(s): ${top[1].detail}` };
}
