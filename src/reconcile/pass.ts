// One reconcile pass: (desired apps, observed world, memory, now) -> actions, status, memory.
// Pure and level-triggered: it never asks why it runs, reads no clock and does no I/O; the
// daemon calls it on every commit, runtime event and timer tick, executes the actions, and
// hands the returned memory to the next pass. Losing the memory (a daemon restart) is safe:
// the worst case is a fresh backoff sequence or re-remembering an unreachable host.
//
// Invariants:
// - Only pods carrying skiff's labels for an app in `apps` are ever deleted; pods of apps whose
//   source failed (`frozenApps`) and of unknown apps are left untouched.
// - Pods on a host that stopped answering count as Unknown until the grace period passes; then
//   they are given up (replaced elsewhere) and deleted once the host is back.
import type { BackoffEntry } from '../controllers/backoff.js';
import { backoffKey, decideContainerRestart, pruneBackoffMemory } from '../controllers/backoff.js';
import {
  type DeploymentMemory,
  type PodReadinessState,
  reconcileDeployment as stepDeployment,
} from '../controllers/deployment.js';
import type { RandomSource } from '../controllers/pod-name.js';
import { generatePodName } from '../controllers/pod-name.js';
import { podRequests } from '../controllers/pod-requests.js';
import {
  buildHostViews,
  placedFromObserved,
  type SchedulingPod,
  schedulePods,
} from '../controllers/scheduler.js';
import { type ConfigIndex, indexConfig } from '../manifest/config-refs.js';
import type { Action } from '../model/actions.js';
import type { ConfigMap, Deployment, KubeObject, Pod, Secret } from '../model/k8s.js';
import { objectKey } from '../model/k8s.js';
import type { Observed, ObservedHost, ObservedPod } from '../model/observed.js';
import type { DeploymentView, PodView } from '../model/views.js';
import { serviceEnvVars, serviceHostAliases } from '../services/pod-service-links.js';
import { resolveServices, serviceSourcesOf } from '../services/resolve.js';
import { materializePod } from './materialize-pod.js';
import { podReadiness, podView } from './pod-status.js';
import { templateHash } from './template-hash.js';

export interface AppDesired {
  name: string;
  commit: string;
  objects: KubeObject[];
  /** Remove pods whose object left Git (sync option prune). */
  prune: boolean;
}

export interface PassOptions {
  hostGracePeriodMs: number;
  /** Service range (services hook, issue 6): when set, new pods get the service env vars and
   *  /etc/hosts names of the Services that exist now. */
  serviceCIDR?: string;
}

export interface PassMemory {
  /** Last pods seen per host, to remember a host's pods while it does not answer. */
  lastSeen: Record<string, ObservedPod[]>;
  /** Pods given up because their host stayed NotReady past the grace period: pod key -> host. */
  lost: Record<string, string>;
  backoff: Record<string, BackoffEntry>;
  deployments: Record<string, DeploymentMemory>;
}

export const emptyPassMemory = (): PassMemory => ({ lastSeen: {}, lost: {}, backoff: {}, deployments: {} });

export interface PassEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  /** kubectl-style name: deployment/web, pod/web-abc12-xyz */
  object: string;
  namespace: string;
  message: string;
}

export interface PassInput {
  apps: AppDesired[];
  /** Apps configured but without an admitted commit (source error, first fetch failed):
   *  their pods are neither counted nor pruned. */
  frozenApps: string[];
  observed: Observed;
  memory: PassMemory;
  now: number;
  random: RandomSource;
  options: PassOptions;
  /** Replicas owned by an HPA, by Deployment objectKey. */
  replicaOverrides: Record<string, { replicas: number; owner: string }>;
}

export interface PassResult {
  actions: Action[];
  events: PassEvent[];
  pods: PodView[];
  deployments: DeploymentView[];
  memory: PassMemory;
  /** Ask to run again within this many ms (backoff expiring, rollout waiting). */
  requeueAfterMs?: number;
  /** Nothing left to do: no actions, every workload complete, nothing pending. */
  converged: boolean;
}

const podKey = (p: { host: string; namespace: string; name: string }) => `${p.host}/${p.namespace}/${p.name}`;
const ownerKey = (app: string, kind: string, ns: string, name: string) => `${app}|${kind}|${ns}|${name}`;

export function reconcilePass(input: PassInput): PassResult {
  const { now, observed } = input;
  const actions: Action[] = [];
  const events: PassEvent[] = [];
  const podViews: PodView[] = [];
  const deploymentViews: DeploymentView[] = [];
  let requeue: number | undefined;
  const requeueIn = (ms: number | undefined) => {
    if (ms !== undefined && ms >= 0) requeue = requeue === undefined ? ms : Math.min(requeue, ms);
  };

  // 1. The pods we reason about: observed ones, plus remembered ones of unreachable hosts.
  const world = effectivePods(input, events, requeueIn);
  const deletedNow = new Set<string>();
  for (const stale of world.stale) {
    actions.push({
      type: 'deletePod',
      pod: { host: stale.host, namespace: stale.namespace, name: stale.name },
      gracePeriodSeconds: 0,
      reason: `stale copy: host ${stale.host} was NotReady past the grace period and the pod was replaced`,
    });
    deletedNow.add(podKey(stale));
  }

  // 2. Owned pods by owner.
  const byOwner = new Map<string, ObservedPod[]>();
  for (const p of world.pods) {
    const k = ownerKey(p.app, p.ownerKind, p.namespace, p.ownerName);
    const list = byOwner.get(k);
    if (list) list.push(p);
    else byOwner.set(k, [p]);
  }

  const creations: Creation[] = [];
  const requestsBySpec = new Map<Pod['spec'], Creation['pod']['requests']>();
  const backoff: Record<string, BackoffEntry> = pruneBackoffMemory(input.memory.backoff, now);
  const deploymentMemory: Record<string, DeploymentMemory> = {};
  const desiredOwners = new Set<string>();

  for (const app of input.apps) {
    const configMaps = app.objects.filter((o): o is ConfigMap => o.kind === 'ConfigMap');
    const secrets = app.objects.filter((o): o is Secret => o.kind === 'Secret');
    const config = indexConfig(configMaps, secrets);
    const ctx: AppContext = {
      app,
      config,
      creations,
      requestsBySpec,
      input,
      actions,
      events,
      backoff,
      requeueIn,
      podViews,
    };

    for (const obj of app.objects) {
      if (obj.kind === 'Deployment') {
        const k = ownerKey(app.name, 'Deployment', obj.metadata.namespace, obj.metadata.name);
        desiredOwners.add(k);
        const owned = byOwner.get(k) ?? [];
        const result = reconcileDeployment(ctx, obj, owned);
        deploymentMemory[objectKey(obj)] = result.memory;
        deploymentViews.push(result.view);
      } else if (obj.kind === 'Pod') {
        const k = ownerKey(app.name, 'Pod', obj.metadata.namespace, obj.metadata.name);
        desiredOwners.add(k);
        reconcileStandalonePod(ctx, obj, byOwner.get(k) ?? []);
      }
    }
  }

  // 3. Place every new pod in one batch (each placement charged before the next), then
  //    resolve its references for the chosen host.
  placeCreations(creations, observed, world.allPlaced, input, actions, events, podViews);

  // 4. Prune: owned pods of admitted apps whose object left Git.
  const admitted = new Map(input.apps.map((a) => [a.name, a]));
  for (const [k, pods] of byOwner) {
    if (desiredOwners.has(k)) continue;
    const first = pods[0]!;
    const app = admitted.get(first.app);
    if (!app) continue; // frozen or unknown app: never touched
    const owner = `${first.ownerKind.toLowerCase()}/${first.ownerName}`;
    for (const p of pods) {
      podViews.push(podView(p, {}, now));
      if (p.terminating || p.unreachable) continue;
      if (app.prune) {
        actions.push({
          type: 'deletePod',
          pod: { host: p.host, namespace: p.namespace, name: p.name },
          gracePeriodSeconds: p.spec?.terminationGracePeriodSeconds ?? 30,
          reason: `prune: ${owner} is no longer in ${app.name}@${app.commit.slice(0, 7)}`,
        });
      }
    }
    if (!app.prune) {
      events.push({
        type: 'Warning',
        reason: 'Orphaned',
        object: owner,
        namespace: first.namespace,
        message: `${owner} was removed from Git but prune is off: ${pods.length} pod(s) left running`,
      });
    }
  }
  // Pods of frozen/unknown apps still show in `get pods`.
  for (const p of world.pods) if (!admitted.has(p.app)) podViews.push(podView(p, {}, now));

  const pending = podViews.some((p) => p.phase === 'Pending');
  const progressing = deploymentViews.some((d) => d.phase === 'Progressing');
  return {
    actions,
    events,
    pods: podViews,
    deployments: deploymentViews,
    memory: { lastSeen: world.lastSeen, lost: world.lost, backoff, deployments: deploymentMemory },
    requeueAfterMs: requeue,
    converged: actions.length === 0 && !pending && !progressing,
  };
}

interface Creation {
  ctx: AppContext;
  pod: SchedulingPod;
  hash: string;
  labels: Record<string, string>;
  reason: string;
}

interface AppContext {
  app: AppDesired;
  config: ConfigIndex;
  creations: Creation[];
  /** Requests per pod spec: a Deployment's replicas share one spec, parsed once per pass. */
  requestsBySpec: Map<Pod['spec'], Creation['pod']['requests']>;
  input: PassInput;
  actions: Action[];
  events: PassEvent[];
  backoff: Record<string, BackoffEntry>;
  requeueIn: (ms: number | undefined) => void;
  podViews: PodView[];
}

interface EffectivePods {
  /** Pods that count: on Ready hosts, plus Unknown ones on hosts within the grace period. */
  pods: ObservedPod[];
  /** Everything that occupies a host (for the scheduler's accounting). */
  allPlaced: ObservedPod[];
  /** Copies on hosts that came back after their pods were replaced. */
  stale: ObservedPod[];
  lastSeen: Record<string, ObservedPod[]>;
  lost: Record<string, string>;
}

function effectivePods(
  input: PassInput,
  events: PassEvent[],
  requeueIn: (ms: number) => void,
): EffectivePods {
  const { observed, memory, now } = input;
  const grace = input.options.hostGracePeriodMs;
  const pods: ObservedPod[] = [];
  const allPlaced: ObservedPod[] = [];
  const stale: ObservedPod[] = [];
  const lastSeen: Record<string, ObservedPod[]> = {};
  const lost: Record<string, string> = {};
  const seenByHost = new Map<string, ObservedPod[]>();
  for (const p of observed.pods) {
    const list = seenByHost.get(p.host);
    if (list) list.push(p);
    else seenByHost.set(p.host, [p]);
  }
  for (const host of observed.hosts) {
    if (host.ready) {
      const seen = seenByHost.get(host.name) ?? [];
      lastSeen[host.name] = seen;
      for (const p of seen) {
        if (memory.lost[podKey(p)]) stale.push(p);
        else pods.push(p);
        allPlaced.push(p);
      }
      continue;
    }
    const remembered = memory.lastSeen[host.name] ?? [];
    lastSeen[host.name] = remembered;
    const downFor = host.notReadySince === undefined ? 0 : now - host.notReadySince;
    const pastGrace = downFor >= grace;
    for (const p of remembered) {
      if (pastGrace || memory.lost[podKey(p)]) {
        if (!memory.lost[podKey(p)]) {
          events.push({
            type: 'Warning',
            reason: 'NodeNotReady',
            object: `pod/${p.name}`,
            namespace: p.namespace,
            message: `host ${host.name} NotReady for ${Math.round(downFor / 1000)}s: pod given up and replaced elsewhere`,
          });
        }
        lost[podKey(p)] = host.name;
      } else {
        pods.push({ ...p, unreachable: true });
        allPlaced.push(p);
        requeueIn(grace - downFor);
      }
    }
  }
  // Keep remembering lost pods until their host is back and they are gone.
  for (const [k, host] of Object.entries(memory.lost)) {
    const h = observed.hosts.find((x) => x.name === host);
    if (!h) continue; // host removed from the inventory: forget
    if (!h.ready) lost[k] = host;
    else if (stale.some((p) => podKey(p) === k)) lost[k] = host;
  }
  return { pods, allPlaced, stale, lastSeen, lost };
}

/** Restart or replace containers of one live pod, kubelet-style. Returns waiting reasons for
 *  the view, or `replace` when the pod's sandbox is gone and the pod must be recreated. */
function healPod(ctx: AppContext, pod: ObservedPod): { waiting: Record<string, string>; replace?: string } {
  const waiting: Record<string, string> = {};
  if (pod.terminating || pod.unreachable) return { waiting };
  if (!pod.infra || pod.infra.state !== 'running') {
    return { waiting, replace: 'pod sandbox (network container) is not running' };
  }
  const spec = pod.spec;
  if (!spec) return { waiting };
  const ref = { host: pod.host, namespace: pod.namespace, name: pod.name };
  for (const cs of spec.containers) {
    const c = pod.containers.find((x) => x.name === cs.name);
    // A container removed behind skiff's back leaves nothing to restart from: the pod is
    // replaced whole (its owner recreates it), which puts the workload back on this pass.
    if (!c) return { waiting, replace: `container ${cs.name} was removed from the host` };
    const probe = pod.probes[cs.name];
    if (c.state === 'running' && probe && !probe.live && cs.livenessProbe) {
      ctx.actions.push({
        type: 'restartContainer',
        pod: ref,
        container: cs.name,
        reason: `Container ${cs.name} failed liveness probe, will be restarted`,
      });
      ctx.events.push({
        type: 'Warning',
        reason: 'Unhealthy',
        object: `pod/${pod.name}`,
        namespace: pod.namespace,
        message: probe.lastFailure?.message ?? `Liveness probe failed`,
      });
      continue;
    }
    const key = backoffKey(pod.namespace, pod.name, cs.name);
    const decision = decideContainerRestart(c, spec.restartPolicy, ctx.backoff[key], ctx.input.now);
    if (decision.memory) ctx.backoff[key] = decision.memory;
    if (decision.restart) {
      ctx.actions.push({
        type: 'restartContainer',
        pod: ref,
        container: cs.name,
        reason: `container exited with code ${c.exitCode} (${decision.reason})`,
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

function deletePodAction(pod: ObservedPod, reason: string): Action {
  return {
    type: 'deletePod',
    pod: { host: pod.host, namespace: pod.namespace, name: pod.name },
    gracePeriodSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30,
    reason,
  };
}

function requestPod(
  ctx: AppContext,
  name: string,
  namespace: string,
  owner: { kind: 'Deployment' | 'Pod'; name: string },
  hash: string,
  template: { labels: Record<string, string>; spec: Pod['spec'] },
  reason: string,
): void {
  const spec = template.spec;
  let requests = ctx.requestsBySpec.get(spec);
  if (!requests) {
    requests = podRequests(spec);
    ctx.requestsBySpec.set(spec, requests);
  }
  const hostPorts = spec.containers.flatMap((c) =>
    c.ports.filter((p) => p.hostPort !== undefined).map((p) => ({ port: p.hostPort!, protocol: p.protocol })),
  );
  ctx.creations.push({
    ctx,
    pod: { name, namespace, owner, spec, requests, hostPorts },
    hash,
    labels: template.labels,
    reason,
  });
}

function placeCreations(
  creations: Creation[],
  observed: Observed,
  placed: ObservedPod[],
  input: PassInput,
  actions: Action[],
  events: PassEvent[],
  podViews: PodView[],
): void {
  if (creations.length === 0) return;
  // Services hook (issue 6): the Services new pods learn about at start.
  const cidr = input.options.serviceCIDR;
  const services = cidr ? resolveServices(serviceSourcesOf(input.apps), cidr).services : [];
  const hosts = buildHostViews(observed.hosts, placed.map(placedFromObserved));
  const result = schedulePods(
    creations.map((c) => c.pod),
    hosts,
    { random: input.random },
  );
  const unschedulable = new Map(
    result.unschedulable.map((u) => [`${u.pod.namespace}/${u.pod.name}`, u.message]),
  );
  const failedOwners = new Set<string>();
  const hostsByName = new Map(observed.hosts.map((h) => [h.name, h]));
  for (const c of creations) {
    const { pod, ctx } = c;
    const hostName = result.placements.get(`${pod.namespace}/${pod.name}`);
    const host = hostName === undefined ? undefined : hostsByName.get(hostName);
    let pending = unschedulable.get(`${pod.namespace}/${pod.name}`);
    if (host) {
      const m = materializePod({
        app: ctx.app.name,
        commit: ctx.app.commit,
        name: pod.name,
        namespace: pod.namespace,
        owner: pod.owner,
        templateHash: c.hash,
        labels: c.labels,
        spec: pod.spec,
        host: { name: host.name, address: host.address },
        config: ctx.config,
        serviceEnv: serviceEnvVars(pod.namespace, services),
        extraHosts: serviceHostAliases(pod.namespace, services),
      });
      if (m.problems.length === 0) {
        actions.push({ type: 'createPod', host: host.name, pod: m.pod, reason: c.reason });
        continue;
      }
      pending = `CreateContainerConfigError: ${m.problems.join('; ')}`;
    }
    const reason = pending ?? 'Pending';
    podViews.push(
      pendingView(
        ctx,
        pod.name,
        pod.owner,
        pod.namespace,
        c.hash,
        c.labels,
        reason,
        pod.spec.containers.length,
      ),
    );
    const ownerName = `${pod.owner.kind.toLowerCase()}/${pod.owner.name}`;
    if (!failedOwners.has(ownerName)) {
      failedOwners.add(ownerName);
      events.push({
        type: 'Warning',
        reason: reason.startsWith('CreateContainerConfigError') ? 'Failed' : 'FailedScheduling',
        object: ownerName,
        namespace: pod.namespace,
        message: reason,
      });
    }
  }
}

function pendingView(
  ctx: AppContext,
  name: string,
  owner: { kind: 'Deployment' | 'Pod'; name: string },
  namespace: string,
  hash: string,
  labels: Record<string, string>,
  reason: string,
  containers: number,
): PodView {
  return {
    namespace,
    name,
    app: ctx.app.name,
    owner,
    phase: 'Pending',
    status: reason.startsWith('CreateContainerConfigError') ? 'CreateContainerConfigError' : 'Pending',
    ready: { ready: 0, total: containers },
    restarts: 0,
    templateHash: hash,
    commit: ctx.app.commit,
    labels,
    conditions: [
      {
        type: 'PodScheduled',
        status: reason.startsWith('CreateContainerConfigError') ? 'True' : 'False',
        reason: reason.startsWith('CreateContainerConfigError') ? '' : 'Unschedulable',
        message: reason,
      },
    ],
    containers: [],
    pendingReason: reason,
  };
}

function reconcileStandalonePod(ctx: AppContext, pod: Pod, existing: ObservedPod[]): void {
  const ns = pod.metadata.namespace;
  const template = {
    metadata: { labels: pod.metadata.labels, annotations: pod.metadata.annotations },
    spec: pod.spec,
  };
  const hash = templateHash(template, ns, ctx.config);
  const owner = { kind: 'Pod' as const, name: pod.metadata.name };
  const live = existing.filter((p) => !p.terminating);
  const current = live.find((p) => p.templateHash === hash);
  for (const p of existing) {
    if (p === current) continue;
    if (!p.terminating && !p.unreachable) {
      ctx.actions.push(deletePodAction(p, `pod/${pod.metadata.name} changed in Git: replacing it`));
    }
    ctx.podViews.push(podView(p, {}, ctx.input.now));
  }
  if (current) {
    const heal = healPod(ctx, current);
    if (heal.replace) ctx.actions.push(deletePodAction(current, heal.replace));
    ctx.podViews.push(podView(current, heal.waiting, ctx.input.now));
    return;
  }
  // A standalone pod keeps its name: wait until every old copy is gone before creating it.
  if (existing.length > 0) return;
  requestPod(
    ctx,
    pod.metadata.name,
    ns,
    owner,
    hash,
    { labels: pod.metadata.labels, spec: pod.spec },
    `pod/${pod.metadata.name} created`,
  );
}

function reconcileDeployment(
  ctx: AppContext,
  dep: Deployment,
  owned: ObservedPod[],
): { memory: DeploymentMemory; view: DeploymentView } {
  const ns = dep.metadata.namespace;
  const key = objectKey(dep);
  const hash = templateHash(dep.spec.template, ns, ctx.config);
  const override = ctx.input.replicaOverrides[key];
  const replicas = override?.replicas ?? dep.spec.replicas;
  const now = ctx.input.now;

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

  const readiness: Record<string, PodReadinessState> = {};
  for (const p of candidates) {
    const r = podReadiness(p);
    const waiting = Object.values(waitingByPod.get(p.name) ?? {})[0];
    readiness[p.name] = {
      ready: r.ready,
      readySince: r.readySince,
      phase: p.unreachable ? 'Unknown' : undefined,
      notReadyReason: waiting ?? notReadyReason(p),
    };
  }
  const step = stepDeployment({
    deployment: { ...dep, spec: { ...dep.spec, replicas } },
    templateHash: hash,
    pods: candidates,
    podReadiness: readiness,
    memory: ctx.input.memory.deployments[key],
    now,
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
  // An older revision that must grow is recreated from one of its live pods' recorded spec.
  for (const grow of step.createOfRevision) {
    const model = owned.find((p) => p.templateHash === grow.templateHash && p.spec);
    if (!model?.spec) continue;
    for (let i = 0; i < grow.count; i++) {
      requestPod(
        ctx,
        uniqueName(dep.metadata.name, grow.templateHash, ctx.input.random, owned),
        ns,
        { kind: 'Deployment', name: dep.metadata.name },
        grow.templateHash,
        { labels: model.labels, spec: model.spec },
        `deployment/${dep.metadata.name}: scaled up old revision ${grow.templateHash}`,
      );
    }
  }

  for (const p of owned) ctx.podViews.push(podView(p, waitingByPod.get(p.name) ?? {}, now));
  const labels = dep.spec.template.metadata.labels;
  const owner = { kind: 'Deployment' as const, name: dep.metadata.name };
  for (let i = 0; i < step.create; i++) {
    const name = uniqueName(dep.metadata.name, hash, ctx.input.random, owned);
    requestPod(
      ctx,
      name,
      ns,
      owner,
      hash,
      { labels, spec: dep.spec.template.spec },
      `deployment/${dep.metadata.name}: scaled up revision ${hash}`,
    );
  }
  const view: DeploymentView = {
    namespace: ns,
    name: dep.metadata.name,
    app: ctx.app.name,
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
    replicasOwnedBy: override?.owner,
    containers: dep.spec.template.spec.containers.map((c) => c.name),
    createdAt: owned.length > 0 ? Math.min(...owned.map((p) => p.createdAt)) : undefined,
  };
  if (step.failure) view.failure = step.failure;
  return { memory: step.memory, view };
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

/** 36^5 suffixes make a collision rare; a random source that collides 64 times in a row is
 *  broken (a constant in a test), and looping on it would hang the pass. */
const NAME_ATTEMPTS = 64;

function uniqueName(base: string, hash: string, random: RandomSource, taken: ObservedPod[]): string {
  for (let i = 0; i < NAME_ATTEMPTS; i++) {
    const name = generatePodName(base, hash, random);
    if (!taken.some((p) => p.name === name)) return name;
  }
  throw new Error(`no free pod name for ${base} after ${NAME_ATTEMPTS} draws: the random source repeats`);
}

export type { ObservedHost };
