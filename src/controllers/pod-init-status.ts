// Init containers in a pod's status, as the kubelet reports them and kubectl prints them
// (pkg/printers/internalversion printPod): a view per init container, the STATUS word while
// the pod initializes (Init:1/2, Init:Error, Init:CrashLoopBackOff), and the Initialized
// condition. Pure.
import type { Container } from '../model/k8s.js';
import type { ObservedContainer, ObservedPod } from '../model/observed.js';
import type { Condition, ContainerView } from '../model/views.js';
import { initContainerSpecs, initStep, isSidecar } from './pod-init.js';

/** A view per init container Docker holds, in spec order. `ready` counts only for a sidecar. */
export function initContainerViews(
  pod: ObservedPod,
  waiting: Record<string, string>,
  view: (c: ObservedContainer) => ContainerView,
): ContainerView[] {
  const specs = initContainerSpecs(pod);
  return (pod.initContainers ?? []).map((c) => {
    const v = view(c);
    const spec = specs.find((s) => s.name === c.name);
    const sidecar = spec !== undefined && isSidecar(spec);
    // The kubelet reports an init container that has not run yet as waiting PodInitializing.
    const notRun = c.state === 'created' && c.startedAt === undefined && !waiting[c.name];
    return {
      ...v,
      ready: sidecar && v.ready,
      ...(notRun ? { state: 'waiting' as const, reason: 'PodInitializing' } : {}),
    };
  });
}

function sidecarStarted(pod: ObservedPod, spec: Container | undefined, v: ContainerView): boolean {
  if (!spec || !isSidecar(spec) || v.state !== 'running') return false;
  return spec.startupProbe === undefined || pod.probes[spec.name]?.startupPassed === true;
}

/** printPod's walk over the init container statuses: the STATUS word while initializing,
 *  undefined once the pod is initialized. */
export function initStatusWord(pod: ObservedPod, views: readonly ContainerView[]): string | undefined {
  const specs = initContainerSpecs(pod);
  if (specs.length === 0 || initStep(pod).kind === 'initialized') return undefined;
  for (const [i, spec] of specs.entries()) {
    const v = views.find((x) => x.name === spec.name);
    if (!v) return `Init:${i}/${specs.length}`;
    if (v.state === 'terminated' && v.exitCode === 0) continue;
    if (sidecarStarted(pod, spec, v)) continue;
    if (v.state === 'terminated') return v.reason ? `Init:${v.reason}` : `Init:ExitCode:${v.exitCode ?? 0}`;
    if (v.state === 'waiting' && v.reason && v.reason !== 'PodInitializing') return `Init:${v.reason}`;
    return `Init:${i}/${specs.length}`;
  }
  return undefined;
}

/** The Initialized condition (kubelet status.GeneratePodInitializedCondition). */
/** Shared by every initialized pod's view (frozen: shared; nothing changes a view). */
const INITIALIZED: Condition = Object.freeze({
  type: 'Initialized',
  status: 'True',
  reason: '',
  message: '',
});

export function initializedCondition(pod: ObservedPod, views: readonly ContainerView[]): Condition {
  if (initStep(pod).kind === 'initialized') return INITIALIZED;
  const incomplete = initContainerSpecs(pod)
    .filter((s) => {
      const v = views.find((x) => x.name === s.name);
      return !v || !((v.state === 'terminated' && v.exitCode === 0) || sidecarStarted(pod, s, v));
    })
    .map((s) => s.name);
  return {
    type: 'Initialized',
    status: 'False',
    reason: 'ContainersNotInitialized',
    message: `containers with incomplete status: [${incomplete.join(' ')}]`,
  };
}
