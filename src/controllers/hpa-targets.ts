// From what skiff has (admitted objects, observed pods, pod metric samples) to what the HPA
// decision reads (decideReplicas' input), and from a decision to what history and the CLI
// show. Pure: values in, values out; `now` is a parameter.
import type {
  Deployment,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerSpec,
  KubeObject,
} from '../model/k8s.js';
import { objectKey } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { HpaDecisionView } from '../model/views.js';
import type { HpaDecision, HpaPod } from './hpa.js';
import { podResourceRequests } from './pod-metrics.js';
import { podReadiness, podView } from './pod-status.js';

/** One app's admitted objects (a tracker's snapshot). */
export interface AutoscaledApp {
  name: string;
  objects: readonly KubeObject[];
}

/** An HPA of an app with its scale target resolved, or why it could not be. */
export interface HpaTarget {
  /** `app/namespace/name`: HPAs of different apps never share memory. */
  key: string;
  app: string;
  hpa: HorizontalPodAutoscaler;
  /** kubectl's REFERENCE: `Deployment/web`. */
  reference: string;
  deployment?: Deployment;
  /** Set when the target cannot be scaled (unsupported kind, not found): upstream's
   *  AbleToScale=False FailedGetScale. */
  failure?: string;
}

export function hpaKey(app: string, namespace: string, name: string): string {
  return `${app}/${namespace}/${name}`;
}

/** Every HPA of every app, with its Deployment looked up in the same app and namespace. */
export function findHpaTargets(apps: readonly AutoscaledApp[]): HpaTarget[] {
  const out: HpaTarget[] = [];
  for (const app of apps) {
    let deployments: Map<string, Deployment> | undefined;
    for (const o of app.objects) {
      if (o.kind !== 'HorizontalPodAutoscaler') continue;
      if (!deployments) {
        deployments = new Map();
        for (const d of app.objects) if (d.kind === 'Deployment') deployments.set(objectKey(d), d);
      }
      const ref = o.spec.scaleTargetRef;
      const target: HpaTarget = {
        key: hpaKey(app.name, o.metadata.namespace, o.metadata.name),
        app: app.name,
        hpa: o,
        reference: `${ref.kind}/${ref.name}`,
      };
      if (ref.kind !== 'Deployment') {
        target.failure = `the HPA controller was unable to get the target's current scale: skiff scales only Deployments, not ${ref.kind}`;
      } else {
        const dep = deployments.get(`Deployment/${o.metadata.namespace}/${ref.name}`);
        if (dep) target.deployment = dep;
        else
          target.failure = `the HPA controller was unable to get the target's current scale: deployments/${ref.name} not found`;
      }
      out.push(target);
    }
  }
  return out;
}

/** The live pods of a Deployment of an app (skiff's owner labels stand for the selector). */
export function podsOfDeployment(
  pods: readonly ObservedPod[],
  app: string,
  dep: Pick<Deployment, 'metadata'>,
): ObservedPod[] {
  return pods.filter(
    (p) =>
      p.app === app &&
      p.ownerKind === 'Deployment' &&
      p.ownerName === dep.metadata.name &&
      p.namespace === dep.metadata.namespace,
  );
}

/** When each pod's readiness last changed, as the shell remembers it between passes. */
export type ReadinessMemory = ReadonlyMap<string, { ready: boolean; since: number }>;

/**
 * The pod as the HPA's replica calculator sees it. The Ready condition's transition time is the
 * prober's readySince for a ready pod; for an unready one it is when skiff saw it turn unready
 * (from `memory`), or its creation when it was never seen ready: upstream then treats it as
 * never ready, which is what it is.
 */
export function hpaPodOf(
  pod: ObservedPod,
  memory: ReadinessMemory,
  now: number,
): { pod: HpaPod; readiness: { ready: boolean; since: number } } {
  const key = `${pod.namespace}/${pod.name}`;
  const r = podReadiness(pod);
  const prev = memory.get(key);
  const readiness = r.ready
    ? { ready: true, since: r.readySince ?? (prev?.ready ? prev.since : pod.createdAt) }
    : { ready: false, since: prev ? (prev.ready ? now : prev.since) : pod.createdAt };
  const hpaPod: HpaPod = {
    name: pod.name,
    phase: podView(pod, {}, now).phase,
    startTime: pod.createdAt,
    readyCondition: { ready: readiness.ready, lastTransitionTime: readiness.since },
    requests: pod.spec ? podResourceRequests(pod.spec) : {},
  };
  if (pod.terminating) hpaPod.deleting = true;
  return { pod: hpaPod, readiness };
}

/** Kubernetes clamps nothing at creation: the first sync raises or lowers an out-of-range
 *  target. This says whether that first sync needs no metrics (decideReplicas clamps at once). */
export function outOfBounds(
  replicas: number,
  spec: Pick<HorizontalPodAutoscalerSpec, 'minReplicas' | 'maxReplicas'>,
) {
  return replicas > 0 && (replicas < spec.minReplicas || replicas > spec.maxReplicas);
}

/**
 * The reason and message history keeps for a decision: a rescale says why it scaled
 * (`SucceededRescale`: "New size: 5; reason: cpu ... above target"); a decision that kept the
 * count names what held it (stabilization window, a scaling limit, missing metrics), with
 * the condition's own reason and message, so `describe hpa` explains a count that did not move.
 */
export function decisionSummary(decision: HpaDecision): { reason: string; message: string } {
  const condition = (type: string) => decision.conditions.find((c) => c.type === type);
  if (decision.scale) {
    const rescale = decision.events.find((e) => e.reason === 'SuccessfulRescale');
    return { reason: 'SucceededRescale', message: rescale?.message ?? decision.message };
  }
  if (decision.reason === 'MetricsUnavailable' || decision.reason === 'ScalingDisabled') {
    const active = condition('ScalingActive');
    return { reason: active?.reason ?? decision.reason, message: active?.message ?? decision.message };
  }
  const able = condition('AbleToScale');
  if (able && (able.reason === 'ScaleDownStabilized' || able.reason === 'ScaleUpStabilized'))
    return { reason: able.reason, message: able.message };
  const limited = condition('ScalingLimited');
  if (limited?.status === 'True') return { reason: limited.reason, message: limited.message };
  return { reason: 'ReadyForNewScale', message: decision.message };
}

/** A recorded decision (a history row, which carries more) as `get hpa` / `describe hpa` list
 *  it: the daemon's views and the CLI's own read of history show the same fields. */
export function hpaDecisionView(record: HpaDecisionView): HpaDecisionView {
  return {
    at: record.at,
    lastAt: record.lastAt,
    count: record.count,
    currentReplicas: record.currentReplicas,
    desiredReplicas: record.desiredReplicas,
    reason: record.reason,
    message: record.message,
  };
}
