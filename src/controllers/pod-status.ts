// Pod status as Kubernetes reports it, derived from what Docker and the prober observed:
// container states, readiness (probes gate it), phase, kubectl's STATUS word, conditions.
// Pure.
import type { Container } from '../model/k8s.js';
import { LABELS } from '../model/labels.js';
import type { ObservedContainer, ObservedPod } from '../model/observed.js';
import type { Condition, ContainerView, PodPhase, PodView } from '../model/views.js';
import { initContainerSpecs, initPhase, initStep, isSidecar } from './pod-init.js';
import { initContainerViews, initializedCondition, initStatusWord } from './pod-init-status.js';

export interface PodReadiness {
  ready: boolean;
  /** When the pod last became ready (all containers ready), for minReadySeconds. */
  readySince?: number;
}

/** Waiting reasons the pass decided this time (CrashLoopBackOff while a restart waits). */
export type WaitingReasons = Record<string, string>; // container name -> reason

function containerSpec(pod: ObservedPod, name: string): Container | undefined {
  return (
    pod.spec?.containers.find((c) => c.name === name) ?? initContainerSpecs(pod).find((c) => c.name === name)
  );
}

/** Sidecars count with the app containers for readiness (KEP-753), as kubectl's READY does. */
function readinessContainers(pod: ObservedPod): { expected: number; containers: ObservedContainer[] } {
  const sidecars = initContainerSpecs(pod).filter(isSidecar);
  const running = (pod.initContainers ?? []).filter((c) => sidecars.some((s) => s.name === c.name));
  return {
    expected: (pod.spec?.containers.length ?? pod.containers.length) + sidecars.length,
    containers: [...running, ...pod.containers],
  };
}

/** A container the runtime created but held back from starting (runAsNonRoot and a root
 *  image, a Localhost profile the host cannot load): the kubelet's waiting reason and message. */
export function heldBack(c: ObservedContainer): { reason: string; message: string } | undefined {
  const reason = c.labels[LABELS.waitingReason];
  if (reason === undefined || c.startedAt !== undefined) return undefined;
  return { reason, message: c.labels[LABELS.waitingMessage] ?? '' };
}

export function containerReady(pod: ObservedPod, c: ObservedContainer): { ready: boolean; since?: number } {
  if (c.state !== 'running' || pod.terminating || pod.unreachable) return { ready: false };
  const spec = containerSpec(pod, c.name);
  const probe = pod.probes[c.name];
  const gated = spec?.readinessProbe !== undefined || spec?.startupProbe !== undefined;
  if (!gated) return { ready: true, since: c.startedAt };
  if (!probe?.ready) return { ready: false };
  return { ready: true, since: probe.readySince ?? c.startedAt };
}

/** Readiness per frozen observed pod, as the views are (see viewMemo): endpoints, the
 *  Deployment controller and the views each ask for every pod's, every pass. A function of the
 *  pod alone; the answer is shared, so no caller may change it. */
const readinessMemo = new WeakMap<ObservedPod, PodReadiness>();

export function podReadiness(pod: ObservedPod): PodReadiness {
  if (!Object.isFrozen(pod)) return readinessOf(pod);
  let r = readinessMemo.get(pod);
  if (!r) {
    r = readinessOf(pod);
    readinessMemo.set(pod, r);
  }
  return r;
}

function readinessOf(pod: ObservedPod): PodReadiness {
  // A pod is Ready only once initialized (and then with its sidecars ready too).
  if (initStep(pod).kind !== 'initialized') return { ready: false };
  const { expected, containers } = readinessContainers(pod);
  if (containers.length < expected || containers.length === 0) return { ready: false };
  let since = 0;
  for (const c of containers) {
    const r = containerReady(pod, c);
    if (!r.ready) return { ready: false };
    since = Math.max(since, r.since ?? 0);
  }
  return { ready: true, readySince: since || undefined };
}

/** A container's view as one object literal with every key, in kubectl's order. Not
 *  `{ ...base, state }`: on Node 20's V8 an object spread followed by a key the source lacks
 *  gets a hidden class of its own, 15,000 of them (with their descriptor arrays) at scale. */
function containerView(pod: ObservedPod, c: ObservedContainer, waiting: WaitingReasons): ContainerView {
  const s = containerState(pod, c, waiting);
  return {
    name: c.name,
    image: c.image,
    restartCount: c.restartCount,
    ready: containerReady(pod, c).ready,
    lastProbeFailure: pod.probes[c.name]?.lastFailure,
    state: s.state,
    reason: s.reason,
    exitCode: s.exitCode,
    startedAt: s.startedAt,
  };
}

type ContainerState = Pick<ContainerView, 'state' | 'reason' | 'exitCode' | 'startedAt'>;

function containerState(pod: ObservedPod, c: ObservedContainer, waiting: WaitingReasons): ContainerState {
  const waitingReason = waiting[c.name] ?? heldBack(c)?.reason;
  if (waitingReason) return { state: 'waiting', reason: waitingReason, exitCode: c.exitCode };
  switch (c.state) {
    case 'running':
      return { state: 'running', startedAt: c.startedAt };
    case 'created':
    case 'restarting':
      // An app container waits for the pod's init containers (kubelet: PodInitializing).
      if (
        c.startedAt === undefined &&
        initContainerSpecs(pod).length > 0 &&
        pod.spec?.containers.some((s) => s.name === c.name)
      )
        return { state: 'waiting', reason: 'PodInitializing' };
      return { state: 'waiting', reason: 'ContainerCreating' };
    case 'paused':
      return { state: 'waiting', reason: 'Paused' };
    default:
      return {
        state: 'terminated',
        reason: c.exitCode === 0 ? 'Completed' : 'Error',
        exitCode: c.exitCode,
        startedAt: c.startedAt,
      };
  }
}

/** Waiting reasons of a container that never ran: the pod is still Pending. */
const NOT_CREATED = new Set(['ContainerCreating', 'CreateContainerConfigError', 'CreateContainerError']);

function phaseOf(pod: ObservedPod, views: ContainerView[]): PodPhase {
  if (pod.unreachable) return 'Unknown';
  const init = initPhase(pod);
  if (init) return init;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (views.length === 0 || views.some((v) => v.state === 'waiting' && NOT_CREATED.has(v.reason ?? '')))
    return views.some((v) => v.state === 'running') ? 'Running' : 'Pending';
  const allTerminated = views.every((v) => v.state === 'terminated');
  if (allTerminated && policy !== 'Always') {
    if (views.every((v) => v.exitCode === 0)) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
  }
  return 'Running';
}

/** kubectl's STATUS column: the most telling container reason, else the phase. */
function statusWord(
  pod: ObservedPod,
  phase: PodPhase,
  views: ContainerView[],
  initViews: ContainerView[],
): string {
  if (pod.terminating) return 'Terminating';
  if (pod.unreachable) return 'Unknown';
  const init = initStatusWord(pod, initViews);
  if (init) return init;
  for (const v of views) if (v.state === 'waiting' && v.reason) return v.reason;
  if (phase === 'Succeeded') return 'Completed';
  for (const v of views) if (v.state === 'terminated' && v.reason) return v.reason;
  return phase;
}

/** The view last built per observed pod, with the waiting reasons it was built with. The
 *  runtime hands an unchanged pod to the next pass as the same deeply frozen object, so an
 *  idle pass over 15,000 pods rebuilds no view and none of their conditions. A memo of a pure
 *  function (the view depends on nothing else; `now` is not read), kept only for frozen pods:
 *  a pod anyone can still change (a copy with probe results, a test's fixture) is built anew.
 *  The runtimes freeze the pods they hand out (the pod object; the spec deeply), and nothing
 *  changes an observed pod's containers in place. The view is not frozen: V8 gave each frozen
 *  view its own hidden class (50,000 of them, 7 MB at 15,000 pods); nothing changes a view. */
const NO_REASONS: WaitingReasons = Object.freeze({});
const viewMemo = new WeakMap<ObservedPod, { waiting: WaitingReasons; view: PodView }>();

export function podView(pod: ObservedPod, waiting: WaitingReasons, now: number): PodView {
  void now;
  if (!Object.isFrozen(pod)) return buildPodView(pod, waiting);
  const last = viewMemo.get(pod);
  if (last && sameReasons(last.waiting, waiting)) return last.view;
  const view = buildPodView(pod, waiting);
  viewMemo.set(pod, { waiting: Object.keys(waiting).length === 0 ? NO_REASONS : { ...waiting }, view });
  return view;
}

function sameReasons(a: WaitingReasons, b: WaitingReasons): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** The conditions every settled pod has alike are one shared object each, not one per pod
 *  (60,000 fewer objects at 15,000 pods). Frozen: they are shared; nothing changes a view. */
const CONTAINERS_READY: Condition = Object.freeze({
  type: 'ContainersReady',
  status: 'True',
  reason: '',
  message: '',
});
const scheduledByHost = new Map<string, Condition>();

function scheduledCondition(host: string): Condition {
  let c = scheduledByHost.get(host);
  if (!c) {
    c = Object.freeze({ type: 'PodScheduled', status: 'True', reason: '', message: `assigned to ${host}` });
    scheduledByHost.set(host, c);
  }
  return c;
}

/** The two not-ready conditions, alike for every pod whose same containers are unready: one
 *  shared pair per message, not one per pod (20,000 objects at 15,000 pods with their readiness
 *  probes failing). Frozen, as the others shared here; bounded, since messages follow container
 *  names. */
const notReadyByMessage = new Map<string, { containersReady: Condition; ready: Condition }>();
const MAX_NOT_READY_MESSAGES = 1000;

function notReadyConditions(message: string): { containersReady: Condition; ready: Condition } {
  let pair = notReadyByMessage.get(message);
  if (!pair) {
    if (notReadyByMessage.size >= MAX_NOT_READY_MESSAGES) notReadyByMessage.clear();
    const reason = 'ContainersNotReady';
    pair = {
      containersReady: Object.freeze({ type: 'ContainersReady', status: 'False', reason, message }),
      ready: Object.freeze({
        type: 'Ready',
        status: 'False',
        reason,
        message,
        lastTransitionTime: undefined,
      }),
    };
    notReadyByMessage.set(message, pair);
  }
  return pair;
}

function buildPodView(pod: ObservedPod, waiting: WaitingReasons): PodView {
  const views = pod.containers.map((c) => containerView(pod, c, waiting));
  const initViews = initContainerViews(pod, waiting, (c) => containerView(pod, c, waiting));
  const expected = readinessContainers(pod).expected;
  const readyCount = [...views, ...initViews].filter((v) => v.ready).length;
  const phase = phaseOf(pod, views);
  const readiness = podReadiness(pod);
  const containersReady = readyCount === expected && expected > 0;
  const unready = () => notReadyConditions(`containers with unready status: [${notReady(views)}]`);
  const conditions: Condition[] = [
    scheduledCondition(pod.host),
    initializedCondition(pod, initViews),
    containersReady ? CONTAINERS_READY : unready().containersReady,
    readiness.ready
      ? { type: 'Ready', status: 'True', reason: '', message: '', lastTransitionTime: readiness.readySince }
      : unready().ready,
  ];
  return {
    namespace: pod.namespace,
    name: pod.name,
    app: pod.app,
    owner: { kind: pod.ownerKind, name: pod.ownerName },
    host: pod.host,
    ip: pod.ip,
    phase,
    status: statusWord(pod, phase, views, initViews),
    ready: { ready: readyCount, total: expected },
    restarts: restartsOf(pod, views, initViews),
    createdAt: pod.createdAt,
    templateHash: pod.templateHash,
    commit: pod.commit,
    labels: pod.labels,
    conditions,
    containers: views,
    ...(initViews.length > 0 ? { initContainers: initViews } : {}),
  };
}

/** kubectl's RESTARTS: the init containers' while the pod initializes, then the app
 *  containers' and sidecars' (a completed init container's retries no longer count). */
function restartsOf(pod: ObservedPod, views: ContainerView[], initViews: ContainerView[]): number {
  const initializing = initStep(pod).kind !== 'initialized';
  const sidecars = new Set(
    initContainerSpecs(pod)
      .filter(isSidecar)
      .map((c) => c.name),
  );
  const counted = initializing ? initViews : [...views, ...initViews.filter((v) => sidecars.has(v.name))];
  return counted.reduce((n, v) => n + v.restartCount, 0);
}

function notReady(views: ContainerView[]): string {
  return views
    .filter((v) => !v.ready)
    .map((v) => v.name)
    .join(' ');
}
