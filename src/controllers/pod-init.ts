// Where a pod's initialization stands, read from its init containers as Docker shows them:
// the kubelet's walk (pkg/kubelet/kuberuntime computePodActions / findNextInitContainerToRun).
// Init containers run one at a time, in spec order, each to completion (exit 0) before the
// next; a sidecar (restartPolicy: Always, KEP-753) need only have started (its startupProbe
// passed) for the next one to start, and keeps running. The pod is initialized once the walk
// passes the last one; it stays initialized (the kubelet never re-runs init containers while
// the sandbox lives), which is read back from Docker as "an app container has started".
// The pass (reconcile/heal-init.ts) turns the answer into an action; status and phase read
// it too. Pure.
import type { Container } from '../model/k8s.js';
import type { ObservedContainer, ObservedPod } from '../model/observed.js';

export type InitStep =
  /** Every init container is done (or the pod has none): the app containers may run. */
  | { kind: 'initialized' }
  /** This init container was never started: its turn has come. */
  | { kind: 'start'; index: number; spec: Container }
  /** This one runs (a regular init container), or a sidecar that has not passed its startup. */
  | { kind: 'running'; index: number; spec: Container; container: ObservedContainer }
  /** This one exited: a regular one non-zero, or a sidecar (any code). */
  | { kind: 'exited'; index: number; spec: Container; container: ObservedContainer }
  /** Its container is gone from the host: nothing to go on, the pod is replaced. */
  | { kind: 'missing'; index: number; spec: Container };

export function isSidecar(c: Pick<Container, 'restartPolicy'>): boolean {
  return c.restartPolicy === 'Always';
}

/** The pod's init containers as in its spec (none: []). */
export function initContainerSpecs(pod: ObservedPod): Container[] {
  return pod.spec?.initContainers ?? [];
}

function isRunning(c: ObservedContainer): boolean {
  return c.state === 'running' || c.state === 'paused' || c.state === 'restarting';
}

/** Has this pod been initialized once (an app container has started since creation)? */
export function wasInitialized(pod: ObservedPod): boolean {
  return pod.containers.some((c) => c.startedAt !== undefined || c.state !== 'created');
}

function sidecarStarted(pod: ObservedPod, spec: Container, c: ObservedContainer): boolean {
  if (!isRunning(c)) return false;
  return spec.startupProbe === undefined || pod.probes[spec.name]?.startupPassed === true;
}

/** The first init container that holds initialization back, or `initialized`. */
export function initStep(pod: ObservedPod): InitStep {
  const specs = initContainerSpecs(pod);
  if (specs.length === 0 || wasInitialized(pod)) return { kind: 'initialized' };
  for (const [index, spec] of specs.entries()) {
    const container = pod.initContainers?.find((c) => c.name === spec.name);
    if (!container) return { kind: 'missing', index, spec };
    if (container.state === 'created' && container.startedAt === undefined)
      return { kind: 'start', index, spec };
    if (isSidecar(spec)) {
      if (sidecarStarted(pod, spec, container)) continue;
      return isRunning(container)
        ? { kind: 'running', index, spec, container }
        : { kind: 'exited', index, spec, container };
    }
    if (isRunning(container) || container.state === 'created' || container.state === 'removing')
      return { kind: 'running', index, spec, container };
    if (container.state === 'exited' && container.exitCode === 0) continue;
    return { kind: 'exited', index, spec, container };
  }
  return { kind: 'initialized' };
}

/** kubelet getPhase: a regular init container that failed under restartPolicy Never fails the
 *  pod; any other uninitialized pod is Pending. Undefined once initialized. */
export function initPhase(pod: ObservedPod): 'Pending' | 'Failed' | undefined {
  const step = initStep(pod);
  if (step.kind === 'initialized') return undefined;
  const failed = step.kind === 'exited' && !isSidecar(step.spec) && pod.spec?.restartPolicy === 'Never';
  return failed ? 'Failed' : 'Pending';
}
