// A pod's init containers in the pass, kubelet-style (computePodActions): start the next one
// when its turn comes (controllers/pod-init.ts says whose), restart a failed one with the
// CrashLoopBackOff delay unless the pod's restartPolicy is Never (the pod then fails), retry
// one held back at creation (securityContext) under backoff when its turn comes, and keep
// sidecars running (restarted whenever they exit, whatever the pod's policy, and on a failed
// liveness probe). Never waits: a running init container is looked at again on a later pass,
// so one that waits minutes for a database blocks nothing, and a restarted daemon resumes
// from what Docker shows. Pure.
import { initStep, isSidecar } from '../controllers/pod-init.js';
import { heldBack } from '../controllers/pod-status.js';
import type { ObservedPod } from '../model/observed.js';
import { restartUnhealthy, restartWithBackoff, retryHeldBack, startContainer } from './container-actions.js';
import type { AppContext } from './pass-context.js';

/** How soon to look again while an init container runs (the kubelet's PLEG relists each 1 s). */
export const INIT_RELIST_MS = 1_000;

export interface InitResult {
  /** The app containers may run. */
  initialized: boolean;
  /** The pod has init containers: its app containers were created unstarted, the pass starts them. */
  startApps: boolean;
  replace?: string;
}

export function healInitContainers(
  ctx: AppContext,
  pod: ObservedPod,
  waiting: Record<string, string>,
): InitResult {
  const specs = pod.spec?.initContainers ?? [];
  if (specs.length === 0) return { initialized: true, startApps: false };
  healSidecars(ctx, pod, waiting);
  const step = initStep(pod);
  switch (step.kind) {
    case 'initialized':
      return { initialized: true, startApps: true };
    case 'missing':
      return {
        initialized: false,
        startApps: true,
        replace: `init container ${step.spec.name} was removed from the host`,
      };
    case 'start': {
      // Held back at creation (securityContext): retried under backoff, never just started.
      const created = pod.initContainers?.find((c) => c.name === step.spec.name);
      const held = created ? heldBack(created) : undefined;
      if (held) {
        waiting[step.spec.name] = held.reason;
        retryHeldBack(ctx, pod, step.spec.name, held);
      } else
        startContainer(
          ctx,
          pod,
          step.spec.name,
          `init container ${step.index + 1}/${specs.length}: its turn`,
        );
      break;
    }
    case 'running':
      ctx.requeueIn(INIT_RELIST_MS);
      break;
    case 'exited':
      // A sidecar was restarted above; a regular one is retried unless the pod never restarts.
      if (!isSidecar(step.spec) && pod.spec?.restartPolicy !== 'Never')
        restartWithBackoff(ctx, pod, step.container, 'OnFailure', waiting);
      break;
  }
  return { initialized: false, startApps: true };
}

/** Sidecars that exited are restarted (with backoff), and on a failed liveness probe. */
function healSidecars(ctx: AppContext, pod: ObservedPod, waiting: Record<string, string>): void {
  for (const spec of pod.spec?.initContainers ?? []) {
    if (!isSidecar(spec)) continue;
    const c = pod.initContainers?.find((x) => x.name === spec.name);
    if (!c || (c.state === 'created' && c.startedAt === undefined)) continue;
    const probe = pod.probes[spec.name];
    if (c.state === 'running' && probe && !probe.live && spec.livenessProbe)
      restartUnhealthy(ctx, pod, spec.name, probe.lastFailure?.message);
    else restartWithBackoff(ctx, pod, c, 'Always', waiting);
  }
}
