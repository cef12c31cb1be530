// One reconcile pass: (desired apps, observed world, inputs, memory, now) -> actions, views,
// events, memory. Pure and level-triggered: it never asks why it runs, reads no clock and does
// no I/O; the daemon calls it on every commit, runtime event and timer tick, executes the
// actions, and hands the returned memory to the next pass. Losing the memory (a daemon
// restart) is safe: the worst case is a fresh backoff sequence or re-remembering an
// unreachable host. Every decision the hosts must see is an action, Service rules included.
//
// Steps: apply the inputs (probe results, deletions in flight) -> effective pods (remembered
// pods of unreachable hosts, stale copies) -> per kind (Deployment, Pod: heal, then the
// controller) -> place creations (one scheduler batch, claims pinned to their host) -> prune
// -> Service rules.
//
// Invariants:
// - Only pods carrying skiff's labels for an app in `apps` are ever deleted; pods of apps whose
//   source failed (`frozenApps`) and of unknown apps are left untouched.
// - Pods on a host that stopped answering count as Unknown until the grace period passes; then
//   they are given up (replaced elsewhere) and deleted once the host is back.
import { pruneBackoffMemory } from '../controllers/backoff.js';
import type { DeploymentMemory } from '../controllers/deployment.js';
import { resolveServices, serviceSourcesOf } from '../controllers/services/resolve.js';
import { indexConfig } from '../manifest/config-refs.js';
import type { ConfigMap, Secret } from '../model/k8s.js';
import { objectKey } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { DeploymentView } from '../model/views.js';
import { claimEvents, claimState, claimsAfter, claimViews, indexClaims } from './claims.js';
import { reconcileDeploymentPods } from './deployment-pods.js';
import { cordonHosts, planDrains } from './drain.js';
import { type EffectivePods, effectivePods } from './effective-pods.js';
import { forgetDeletions } from './forget-deletions.js';
import { evictingDrains, passDrains, planRemovals } from './host-removal.js';
import { applyPassInputs } from './observed-inputs.js';
import { type AppContext, ownerKey, type PassCollector, podKey } from './pass-context.js';
import type { AppDesired, DrainRequest, PassInput, PassResult } from './pass-types.js';
import { placeCreations } from './place-creations.js';
import { newPodBudget } from './pod-budget.js';
import { prunePods } from './prune.js';
import { resumeMarkedDeletions } from './resume-deletions.js';
import { reconcileServiceRules, taintHostsWithoutRules } from './service-rules.js';
import { reconcileStandalonePod } from './standalone-pod.js';

export type { ObservedHost } from '../model/observed.js';
export * from './pass-types.js';

export function reconcilePass(raw: PassInput): PassResult {
  const input: PassInput = { ...raw, observed: applyPassInputs(raw.observed, raw.inputs) };
  let requeue: number | undefined;
  const pass: PassCollector = {
    input,
    actions: [],
    events: [],
    podViews: [],
    creations: [],
    requestsBySpec: new Map(),
    backoff: pruneBackoffMemory(input.memory.backoff, input.now),
    podBudget: newPodBudget(0, 0),
    rulesFailingSince: {},
    postponedDeletions: new Set(),
    drains: [],
    blockedEvictions: {},
    requeueIn: (ms) => {
      if (ms !== undefined && ms >= 0) requeue = requeue === undefined ? ms : Math.min(requeue, ms);
    },
  };
  const cidr = input.options.serviceCIDR;
  const resolved = cidr ? resolveServices(serviceSourcesOf(input.apps), cidr) : undefined;
  const drains = passDrains(input);
  const hosts = cordonHosts(taintHostsWithoutRules(input, resolved), drains);

  const world = evictFromDrainedHosts(
    pass,
    effectivePods(input, pass.events, pass.requeueIn),
    evictingDrains(input, drains),
  );
  const removals = planRemovals(input, hosts, pass.drains, world.lastSeen);
  pass.events.push(...removals.events);
  pass.requeueIn(removals.requeueAfterMs);
  for (const stale of world.stale) {
    const why = `stale copy: host ${stale.host} was NotReady past the grace period and the pod was replaced`;
    pass.actions.push({ type: 'deletePod', pod: podRef(stale), gracePeriodSeconds: 0, reason: why });
  }
  const deleting = [...input.inputs.deletionsInFlight, ...world.stale.map(podKey)];
  pass.actions.push(...resumeMarkedDeletions(input.observed.pods, deleting, input.now));
  pass.podBudget = newPodBudget(hosts.filter((h) => h.ready).length, world.allPlaced.length);
  const byOwner = groupByOwner(world.pods);
  const owners = reconcileOwners(pass, byOwner);
  const claims = claimState(input.observed.claimVolumes ?? [], world.allPlaced, input.observed.hosts);
  placeCreations(pass, hosts, world.allPlaced, resolved?.services ?? [], claims.bindings);
  const claimsNow = claimsAfter(claims, pass.actions);
  pass.events.push(...claimEvents(claims, claimsNow, input.observed.claimVolumes ?? []));
  prunePods(pass, byOwner, owners.desired, world.pods);
  const services =
    resolved && cidr ? reconcileServiceRules(pass, resolved, cidr) : { services: [], endpoints: [] };

  const pending = pass.podViews.some((p) => p.phase === 'Pending');
  const progressing = owners.deployments.some((d) => d.phase === 'Progressing');
  return {
    actions: pass.actions,
    views: {
      pods: pass.podViews,
      deployments: owners.deployments,
      ...services,
      hosts: removals.hosts,
      claims: claimViews(input.apps, claimsNow, input.frozenApps),
      drains: pass.drains,
    },
    events: pass.events,
    memory: {
      lastSeen: world.lastSeen,
      lost: world.lost,
      backoff: pass.backoff,
      deployments: forgetDeletions(owners.memory, pass.postponedDeletions),
      rulesFailingSince: pass.rulesFailingSince,
      ...(Object.keys(pass.blockedEvictions).length > 0 ? { blockedEvictions: pass.blockedEvictions } : {}),
      ...(Object.keys(removals.said).length > 0 ? { removals: removals.said } : {}),
    },
    requeueAfterMs: requeue,
    converged: pass.actions.length === 0 && !pending && !progressing && removals.forget.length === 0,
    ...(removals.forget.length > 0 ? { forgetHosts: removals.forget } : {}),
  };
}

/** Drained hosts' evictions come first: the evicted pods are terminating for the controllers
 *  of this same pass, which schedule their replacements elsewhere at once. */
function evictFromDrainedHosts(
  pass: PassCollector,
  world: EffectivePods,
  drains: readonly DrainRequest[],
): EffectivePods {
  const plan = planDrains(pass.input, world.pods, drains);
  pass.actions.push(...plan.actions);
  pass.events.push(...plan.events);
  pass.drains = plan.views;
  pass.blockedEvictions = plan.blocked;
  if (plan.evicted.size === 0) return world;
  const mark = (p: ObservedPod) => (plan.evicted.has(podKey(p)) ? { ...p, terminating: true } : p);
  return { ...world, pods: world.pods.map(mark) };
}

const podRef = (p: ObservedPod) => ({ host: p.host, namespace: p.namespace, name: p.name });

function groupByOwner(pods: readonly ObservedPod[]): Map<string, ObservedPod[]> {
  const byOwner = new Map<string, ObservedPod[]>();
  for (const p of pods) {
    const k = ownerKey(p.app, p.ownerKind, p.namespace, p.ownerName);
    const list = byOwner.get(k);
    if (list) list.push(p);
    else byOwner.set(k, [p]);
  }
  return byOwner;
}

/** Each admitted app's Deployments and Pods, reconciled against the pods they own. */
function reconcileOwners(
  pass: PassCollector,
  byOwner: ReadonlyMap<string, ObservedPod[]>,
): { desired: Set<string>; deployments: DeploymentView[]; memory: Record<string, DeploymentMemory> } {
  const desired = new Set<string>();
  const deployments: DeploymentView[] = [];
  const memory: Record<string, DeploymentMemory> = {};
  for (const app of pass.input.apps) {
    const ctx = appContext(pass, app);
    for (const obj of app.objects) {
      if (obj.kind !== 'Deployment' && obj.kind !== 'Pod') continue;
      const k = ownerKey(app.name, obj.kind, obj.metadata.namespace, obj.metadata.name);
      desired.add(k);
      if (obj.kind === 'Pod') {
        reconcileStandalonePod(ctx, obj, byOwner.get(k) ?? []);
        continue;
      }
      const result = reconcileDeploymentPods(ctx, obj, byOwner.get(k) ?? []);
      memory[objectKey(obj)] = result.memory;
      deployments.push(result.view);
    }
  }
  return { desired, deployments, memory };
}

function appContext(pass: PassCollector, app: AppDesired): AppContext {
  const configMaps = app.objects.filter((o): o is ConfigMap => o.kind === 'ConfigMap');
  const secrets = app.objects.filter((o): o is Secret => o.kind === 'Secret');
  return { ...pass, app, config: indexConfig(configMaps, secrets), claims: indexClaims(app) };
}
