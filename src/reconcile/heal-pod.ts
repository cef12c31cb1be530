// Heal one live pod, kubelet-style: restart a container whose liveness probe failed, restart an
// exited one (or one created and never started) per its restart policy with the
// CrashLoopBackOff delay, and ask for the pod to be
// replaced when its sandbox or a container is gone. Pure.
import { backoffKey, decideContainerRestart, decideHeldBackRetry } from '../controllers/backoff.js';
import { heldBack } from '../controllers/pod-status.js';
import type { ObservedPod } from '../model/observed.js';
import type { AppContext } from './pass-context.js';

/** Returns waiting reasons for the view, or `replace` when the pod must be recreated. */
export function healPod(
  ctx: AppContext,
  pod: ObservedPod,
): { waiting: Record<string, string>; replace?: string } {
  const waiting: Record<string, string> = {};
  if (pod.terminating || pod.unreachable) return { waiting };
  if (pod.infra?.state !== 'running') {
    return { waiting, replace: 'pod sandbox (network container) is not running' };
  }
  const spec = pod.spec;
  if (!spec) return { waiting };
  for (const cs of spec.containers) {
    const c = pod.containers.find((x) => x.name === cs.name);
    // A container removed behind skiff's back leaves nothing to restart from: the pod is
    // replaced whole (its owner recreates it), which puts the workload back on this pass.
    if (!c) return { waiting, replace: `container ${cs.name} was removed from the host` };
    const probe = pod.probes[cs.name];
    if (c.state === 'running' && probe && !probe.live && cs.livenessProbe) {
      restartUnhealthy(ctx, pod, cs.name, probe.lastFailure?.message);
      continue;
    }
    const key = backoffKey(pod.namespace, pod.name, cs.name);
    // Held back by the runtime (runAsNonRoot, a profile it could not read): created, never
    // started on purpose, and retried on its own backoff.
    const held = heldBack(c);
    if (held) {
      waiting[cs.name] = held.reason;
      retryHeldBack(ctx, pod, cs.name, key, held);
      continue;
    }
    // The executor awaits every create (docker create, then start) before the next pass
    // observes, and one daemon acts: a container still created-never-started was abandoned by
    // a daemon killed between the two calls (or its start failed). Nobody else will start it,
    // so it is started anew like a failed container, through the same backoff (counted from
    // its creation: it has no finish time, and a backoff counted from `now` never ends).
    const abandoned = c.state === 'created' && c.startedAt === undefined;
    const seen = abandoned ? { ...c, state: 'dead' as const, finishedAt: c.finishedAt ?? pod.createdAt } : c;
    const decision = decideContainerRestart(seen, spec.restartPolicy, ctx.backoff[key], ctx.input.now);
    if (decision.memory) ctx.backoff[key] = decision.memory;
    if (decision.restart) {
      ctx.actions.push({
        type: 'restartContainer',
        pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
        container: cs.name,
        reason: abandoned
          ? 'container was created but never started (its creator stopped between create and start)'
          : `container exited with code ${c.exitCode} (${decision.reason})`,
      });
    } else if (decision.reason === 'CrashLoopBackOff') {
      waiting[cs.name] = 'CrashLoopBackOff';
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
  return { waiting };
}

/** A container held back at creation: tried again under backoff, with the kubelet's event. */
function retryHeldBack(
  ctx: AppContext,
  pod: ObservedPod,
  container: string,
  key: string,
  held: { reason: string; message: string },
): void {
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

function restartUnhealthy(ctx: AppContext, pod: ObservedPod, container: string, failure?: string): void {
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
