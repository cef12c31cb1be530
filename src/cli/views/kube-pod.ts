// A PodView as the Kubernetes API serves a core/v1 Pod (what `kubectl get pod -o json` prints),
// so the jq and jsonpath people run against kubectl work on skiff. Pure: the view in, a plain
// object out. Only what skiff knows is written; a field skiff cannot know (uid, imageID,
// resourceVersion, a container's finishedAt) is left out, never invented. Zero-valued fields
// that the API omits (omitempty) are omitted here too, so `{.status.x}` is empty where kubectl's is.

import type { Condition, ContainerView, PodView } from '../../model/views.js';

export type KubeObject = Record<string, unknown>;

/** RFC 3339 at second precision, as metav1.Time marshals. */
export function rfc3339(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Drop undefined fields (JSON would drop them anyway; YAML would print `null`). */
export function compact(o: Record<string, unknown>): KubeObject {
  const out: KubeObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

export function nonEmpty<T extends object>(o: T | undefined): T | undefined {
  return o && Object.keys(o).length > 0 ? o : undefined;
}

/** metav1.Condition-like: a Pod's and a Deployment's conditions share these fields. */
export function kubeCondition(c: Condition): KubeObject {
  return compact({
    type: c.type,
    status: c.status,
    reason: c.reason || undefined,
    message: c.message || undefined,
    lastTransitionTime: rfc3339(c.lastTransitionTime),
  });
}

/** core/v1 ContainerState from skiff's state word. A waiting container that has run before
 *  (restartCount > 0 with an exit code) shows that run as lastState.terminated, as the kubelet
 *  does for CrashLoopBackOff; skiff does not record the previous run's times. */
function containerState(c: ContainerView): { state: KubeObject; lastState: KubeObject } {
  const lastState: KubeObject = {};
  if (c.state === 'running')
    return { state: { running: compact({ startedAt: rfc3339(c.startedAt) }) }, lastState };
  if (c.state === 'terminated') {
    const terminated = compact({
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      startedAt: rfc3339(c.startedAt),
    });
    return { state: { terminated }, lastState };
  }
  if (c.exitCode !== undefined && c.restartCount > 0)
    lastState.terminated = { exitCode: c.exitCode, reason: c.exitCode === 0 ? 'Completed' : 'Error' };
  return { state: { waiting: compact({ reason: c.reason }) }, lastState };
}

export function kubeContainerStatus(c: ContainerView): KubeObject {
  const { state, lastState } = containerState(c);
  return {
    name: c.name,
    image: c.image,
    ready: c.ready,
    started: c.state === 'running',
    restartCount: c.restartCount,
    state,
    lastState,
  };
}

/** ownerReferences of a pod. skiff has no ReplicaSets: a Deployment's pods are created by
 *  skiff's Deployment controller directly (the pod-template-hash label still names the
 *  revision), so the honest owner is the Deployment itself, with controller: true. A tool
 *  walking pod -> ReplicaSet -> Deployment finds the Deployment one step early; one that
 *  looks for a ReplicaSet finds none, which is true. A bare Pod has no owner. */
function podOwners(p: PodView): KubeObject[] | undefined {
  if (p.owner.kind !== 'Deployment') return undefined;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: p.owner.name,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

function podStatus(p: PodView, hostIP: string | undefined): KubeObject {
  const running = p.containers.map((c) => c.startedAt).filter((t): t is number => t !== undefined);
  return compact({
    phase: p.phase,
    reason: p.status === 'Terminating' ? undefined : p.pendingReason ? 'Unschedulable' : undefined,
    message: p.pendingReason,
    conditions: p.host ? p.conditions.map(kubeCondition) : unscheduled(p),
    hostIP,
    podIP: p.ip,
    podIPs: p.ip ? [{ ip: p.ip }] : undefined,
    startTime: p.host
      ? rfc3339(p.createdAt ?? (running.length ? Math.min(...running) : undefined))
      : undefined,
    initContainerStatuses: p.initContainers?.map(kubeContainerStatus),
    containerStatuses: p.host ? p.containers.map(kubeContainerStatus) : undefined,
  });
}

/** A pod not placed has only PodScheduled=False (the scheduler's words), as upstream. */
function unscheduled(p: PodView): KubeObject[] {
  const c = p.conditions.find((x) => x.type === 'PodScheduled');
  return [
    kubeCondition(c ?? { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '' }),
  ];
}

export function kubePod(p: PodView, hostIP?: string): KubeObject {
  const container = (c: ContainerView) => ({ name: c.name, image: c.image });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: compact({
      name: p.name,
      namespace: p.namespace,
      labels: nonEmpty(p.labels),
      annotations: { 'skiff.io/app': p.app, 'skiff.io/commit': p.commit },
      creationTimestamp: rfc3339(p.createdAt),
      ownerReferences: podOwners(p),
    }),
    spec: compact({
      nodeName: p.host,
      initContainers: p.initContainers?.map(container),
      containers: p.containers.map(container),
    }),
    status: podStatus(p, hostIP),
  };
}
