// One Deployment's pods for this pass: heal the live ones, judge their readiness, step the
// Deployment controller (rollout, scaling, with the HPA's replica count when it owns them),
// then turn its decision into deletions, new pods for the scheduler, and the views. Pure.
import {
  type DeploymentInput,
  type DeploymentMemory,
  type DeploymentResult,
  type PodReadinessState,
  reconcileDeployment,
} from '../controllers/deployment.js';
import { podReadiness, podView } from '../controllers/pod-status.js';
import type { Deployment } from '../model/k8s.js';
import { objectKey } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { DeploymentView } from '../model/views.js';
import { healPod } from './heal-pod.js';
import { type AppContext, deletePodAction, requestPod, uniqueName } from './pass-context.js';
import { takeFromBudget, unplannedMessage } from './pod-budget.js';
import { templateHash } from './template-hash.js';

export function reconcileDeploymentPods(
  ctx: AppContext,
  dep: Deployment,
  owned: ObservedPod[],
): { memory: DeploymentMemory; view: DeploymentView } {
  const ns = dep.metadata.namespace;
  const key = objectKey(dep);
  const hash = templateHash(dep.spec.template, ns, ctx.config);
  const owner = ctx.input.inputs.hpaReplicas[key];
  const replicas = owner?.replicas ?? dep.spec.replicas;

  // Heal containers first; pods whose sandbox died are replaced via deletion.
  const waitingByPod = new Map<string, Record<string, string>>();
  const candidates: ObservedPod[] = [];
  for (const p of owned) {
    const heal = healPod(ctx, p);
    waitingByPod.set(p.name, heal.waiting);
    if (heal.replace) {
      ctx.actions.push(deletePodAction(p, heal.replace));
      candidates.push({ ...p, terminating: true });
    } else candidates.push(p);
  }
  const step = stepUntilSettled({
    deployment: { ...dep, spec: { ...dep.spec, replicas } },
    templateHash: hash,
    pods: candidates,
    podReadiness: readinessOf(candidates, waitingByPod),
    memory: ctx.input.memory.deployments[key],
    now: ctx.input.now,
  });
  ctx.requeueIn(step.requeueAfterMs);
  for (const d of step.delete) {
    ctx.actions.push({
      type: 'deletePod',
      pod: { host: d.pod.host, namespace: d.pod.namespace, name: d.pod.name },
      gracePeriodSeconds: d.gracePeriodSeconds,
      reason: d.reason,
    });
  }
  for (const e of step.events)
    ctx.events.push({ ...e, object: `deployment/${dep.metadata.name}`, namespace: ns });
  const unplanned = requestDeploymentPods(ctx, dep, hash, owned, step);
  for (const p of owned) ctx.podViews.push(podView(p, waitingByPod.get(p.name) ?? {}, ctx.input.now));
  const view = deploymentView(ctx, dep, hash, replicas, owned, step, owner?.owner);
  if (unplanned > 0) {
    view.unplannedReplicas = unplanned;
    const message = unplannedMessage(dep.metadata.name, unplanned, ctx.podBudget);
    ctx.events.push({
      type: 'Warning',
      reason: 'FailedScheduling',
      object: `deployment/${dep.metadata.name}`,
      namespace: ns,
      message,
    });
  }
  return { memory: step.memory, view };
}

/** Upstream's controller syncs again within milliseconds of its own writes: a scale-down of
 *  the old revision frees surge (terminating pods do not count against it) and the next sync
 *  grows the new revision. A skiff pass waits for its creations before the next pass, so one
 *  controller step per pass would send each wave's pods in two halves, a pod start apart.
 *  The pass steps the controller again while a step deleted pods, each step with the last one's
 *  memory (which lists those pods as terminating); the last step's creations are the total
 *  still wanted (pods asked for but not observed are asked for again). */
function stepUntilSettled(input: DeploymentInput): DeploymentResult {
  let step = reconcileDeployment(input);
  const deletions = [...step.delete];
  const events = [...step.events];
  for (let i = 1; i < MAX_CONTROLLER_STEPS && step.delete.length > 0 && step.phase !== 'Failed'; i++) {
    step = reconcileDeployment({ ...input, memory: step.memory });
    deletions.push(...step.delete);
    events.push(...step.events);
  }
  return { ...step, delete: deletions, events };
}

/** Steps per pass: a scale-down then the scale-up it allows, and one more to see it settle. */
const MAX_CONTROLLER_STEPS = 3;

function readinessOf(
  pods: ObservedPod[],
  waitingByPod: Map<string, Record<string, string>>,
): Record<string, PodReadinessState> {
  const readiness: Record<string, PodReadinessState> = {};
  for (const p of pods) {
    const r = podReadiness(p);
    const waiting = Object.values(waitingByPod.get(p.name) ?? {})[0];
    readiness[p.name] = {
      ready: r.ready,
      readySince: r.readySince,
      phase: p.unreachable ? 'Unknown' : undefined,
      notReadyReason: waiting ?? notReadyReason(p),
    };
  }
  return readiness;
}

/** New pods the controller asked for: of older revisions that must grow (recreated from one
 *  of their live pods' recorded spec), then of the current template. Only as many as the pass's
 *  pod budget grants are planned; returns how many were wanted beyond it. */
function requestDeploymentPods(
  ctx: AppContext,
  dep: Deployment,
  hash: string,
  owned: ObservedPod[],
  step: DeploymentResult,
): number {
  const ns = dep.metadata.namespace;
  const owner = { kind: 'Deployment' as const, name: dep.metadata.name };
  const wanted = step.create + step.createOfRevision.reduce((n, g) => n + g.count, 0);
  let granted = takeFromBudget(ctx.podBudget, wanted);
  const unplanned = wanted - granted;
  for (const grow of step.createOfRevision) {
    const model = owned.find((p) => p.templateHash === grow.templateHash && p.spec);
    const count = Math.min(grow.count, granted);
    granted -= count;
    if (!model?.spec) continue;
    for (let i = 0; i < count; i++) {
      requestPod(
        ctx,
        uniqueName(dep.metadata.name, grow.templateHash, ctx.input.random, owned),
        ns,
        owner,
        grow.templateHash,
        { labels: model.labels, spec: model.spec },
        `deployment/${dep.metadata.name}: scaled up old revision ${grow.templateHash}`,
      );
    }
  }
  const labels = dep.spec.template.metadata.labels;
  for (let i = 0; i < Math.min(step.create, granted); i++) {
    requestPod(
      ctx,
      uniqueName(dep.metadata.name, hash, ctx.input.random, owned),
      ns,
      owner,
      hash,
      { labels, annotations: dep.spec.template.metadata.annotations, spec: dep.spec.template.spec },
      `deployment/${dep.metadata.name}: scaled up revision ${hash}`,
    );
  }
  return unplanned;
}

function deploymentView(
  ctx: AppContext,
  dep: Deployment,
  hash: string,
  replicas: number,
  owned: ObservedPod[],
  step: DeploymentResult,
  replicasOwnedBy: string | undefined,
): DeploymentView {
  const view: DeploymentView = {
    namespace: dep.metadata.namespace,
    name: dep.metadata.name,
    labels: dep.metadata.labels,
    app: ctx.app.name,
    commit: ctx.app.commit,
    replicas,
    updatedReplicas: step.status.updatedReplicas,
    readyReplicas: step.status.readyReplicas,
    availableReplicas: step.status.availableReplicas,
    templateHash: hash,
    images: dep.spec.template.spec.containers.map((c) => c.image),
    phase: step.phase,
    conditions: step.status.conditions.map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: c.lastTransitionTime,
    })),
    replicasOwnedBy,
    containers: dep.spec.template.spec.containers.map((c) => c.name),
    createdAt: owned.length > 0 ? Math.min(...owned.map((p) => p.createdAt)) : undefined,
  };
  if (step.failure) view.failure = step.failure;
  return view;
}

/** Why a pod is not ready, in the kubelet's words, for a failed rollout's message. */
function notReadyReason(p: ObservedPod): string | undefined {
  for (const c of p.containers) {
    if (c.state === 'exited' || c.state === 'dead') return c.exitCode === 0 ? 'Completed' : 'Error';
    const probe = p.probes[c.name];
    if (c.state === 'running' && probe && !probe.ready)
      return probe.lastFailure
        ? `Readiness probe failed: ${probe.lastFailure.message}`
        : 'ReadinessNotPassed';
  }
  if (!p.infra) return 'ContainerCreating';
  return undefined;
}
