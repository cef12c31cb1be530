// The container actions the kubelet's part of the pass asks for (start, restart with the
// CrashLoopBackOff delay, restart on a failed liveness probe, retry of one held back at
// creation), with their events. Shared by
// heal-pod.ts (app containers) and heal-init.ts (init containers and sidecars). Pure.
import { backoffKey, decideContainerRestart, decideHeldBackRetry } from '../controllers/backoff.js';
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
 *  goes in `waiting` while it waits). One created and never started outside an init
 *  sequence was abandoned: the executor awaits every create (docker create, then start)
 *  before the next pass observes, and one daemon acts, so a daemon killed between the two
 *  calls (or a failed start) left it. Nobody else will start it, so it is started anew like a
 *  failed container, through the same backoff (counted from its creation: it has no finish
 *  time, and a backoff counted from `now` never ends). */
export function restartWithBackoff(
  ctx: AppContext,
  pod: ObservedPod,
  c: ObservedContainer,
  policy: RestartPolicy,
  waiting: Record<string, string>,
): void {
  const key = backoffKey(pod.namespace, pod.name, c.name);
  const abandoned = c.state === 'created' && c.startedAt === undefined;
  const seen = abandoned ? { ...c, state: 'dead' as const, finishedAt: c.finishedAt ?? pod.createdAt } : c;
  const decision = decideContainerRestart(seen, policy, ctx.backoff[key], ctx.input.now);
  if (decision.memory) ctx.backoff[key] = decision.memory;
  if (decision.restart) {
    ctx.actions.push({
      type: 'restartContainer',
      pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
      container: c.name,
      reason: abandoned
        ? 'container was created but never started (its creator stopped between create and start)'
        : `container exited with code ${c.exitCode} (${decision.reason})`,
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

/** A container held back at creation: tried again under backoff, with the kubelet's event. */
export function retryHeldBack(
  ctx: AppContext,
  pod: ObservedPod,
  container: string,
  held: { reason: string; message: string },
): void {
  const key = backoffKey(pod.namespace, pod.name, container);
  const decision = decideHeldBackRetry(ctx.backoff[key], ctx.input.now);
  const first = ctx.backoff[key] === undefined;
  ctx.backoff[key] = decision.memory;
  ctx.requeueIn(decision.waitMs);
  if (first || decision.restart)
    ctx.events.push({
      type: 'Warning',
      reason: 'Failed',
      object: `pod/${pod.name}`,
      namespace: pod.namespace,
      message: `Error: ${held.message}`,
    });
  if (!decision.restart) return;
  ctx.actions.push({
    type: 'restartContainer',
    pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
    container,
    reason: `retry creating container ${container} (${held.reason})`,
  });
}
