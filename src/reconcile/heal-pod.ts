// Heal one live pod, kubelet-style: run its init containers in turn (heal-init.ts), then
// retry a container held back at creation (securityContext), start the app containers once
// the pod is initialized, restart a container whose liveness probe failed, restart an exited
// one (or one created and never started) per its restart policy with the CrashLoopBackOff
// delay, and ask for the pod to be replaced when its sandbox or a container is gone. Pure.
import { heldBack } from '../controllers/pod-status.js';
import type { ObservedPod } from '../model/observed.js';
import { restartUnhealthy, restartWithBackoff, retryHeldBack, startContainer } from './container-actions.js';
import { healInitContainers } from './heal-init.js';
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
  const init = healInitContainers(ctx, pod, waiting);
  if (init.replace) return { waiting, replace: init.replace };
  if (!init.initialized) return { waiting };
  for (const cs of spec.containers) {
    const c = pod.containers.find((x) => x.name === cs.name);
    // A container removed behind skiff's back leaves nothing to restart from: the pod is
    // replaced whole (its owner recreates it), which puts the workload back on this pass.
    if (!c) return { waiting, replace: `container ${cs.name} was removed from the host` };
    // Held back by the runtime (runAsNonRoot, a profile it could not read): created, never
    // started on purpose, and retried on its own backoff (never just started).
    const held = heldBack(c);
    if (held) {
      waiting[cs.name] = held.reason;
      retryHeldBack(ctx, pod, cs.name, held);
      continue;
    }
    // With init containers, the app containers were created unstarted: their turn has come.
    if (init.startApps && c.state === 'created' && c.startedAt === undefined) {
      startContainer(ctx, pod, cs.name, 'pod initialized: starting its containers');
      continue;
    }
    const probe = pod.probes[cs.name];
    if (c.state === 'running' && probe && !probe.live && cs.livenessProbe) {
      restartUnhealthy(ctx, pod, cs.name, probe.lastFailure?.message);
      continue;
    }
    restartWithBackoff(ctx, pod, c, spec.restartPolicy, waiting);
  }
  return { waiting };
}
