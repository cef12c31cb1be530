// The container actions the kubelet's part of the pass asks for (start, restart with the
// CrashLoopBackOff delay, restart on a failed liveness probe), with their events. Shared by
// heal-pod.ts (app containers) and heal-init.ts (init containers and sidecars). Pure.
import { backoffKey, decideContainerRestart } from '../controllers/backoff.js';
import type { RestartPolicy } from '../controllers/pod-phase.js';
import type { ObservedContainer, ObservedPod } from '../model/observed.js';
import type { AppContext } from './pass-context.js';

export function startContainer(ctx: AppContext, pod: ObservedPod, container: string, reason: string): void {
  ctx.actions.push({
    type: 'startContainer',
    pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
    container,
    reason,
  });
}

/** An exited container restarted per `policy`, after its CrashLoopBackOff delay (the reason
 *  goes in `waiting` while it waits). */
export function restartWithBackoff(
  ctx: AppContext,
  pod: ObservedPod,
  c: ObservedContainer,
  policy: RestartPolicy,
  waiting: Record<string, string>,
): void {
  const key = backoffKey(pod.namespace, pod.name, c.name);
  const decision = decideContainerRestart(c, policy, ctx.backoff[key], ctx.input.now);
  if (decision.memory) ctx.backoff[key] = decision.memory;
  if (decision.restart) {
    ctx.actions.push({
      type: 'restartContainer',
      pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
      container: c.name,
      reason: `container exited with code ${c.exitCode} (${decision.reason})`,
    });
  } else if (decision.reason === 'CrashLoopBackOff') {
    waiting[c.name] = 'CrashLoopBackOff';
    ctx.requeueIn(decision.waitMs);
    if (decision.message) {
      ctx.events.push({
        type: 'Warning',
        reason: 'BackOff',
        object: `pod/${pod.name}`,
        namespace: pod.namespace,
        message: decision.message,
      });
    }
  }
}

export function restartUnhealthy(
  ctx: AppContext,
  pod: ObservedPod,
  container: string,
  failure?: string,
): void {
  ctx.actions.push({
    type: 'restartContainer',
    pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
    container,
    reason: `Container ${container} failed liveness probe, will be restarted`,
  });
  ctx.events.push({
    type: 'Warning',
    reason: 'Unhealthy',
    object: `pod/${pod.name}`,
    namespace: pod.namespace,
    message: failure ?? `Liveness probe failed`,
  });
}
