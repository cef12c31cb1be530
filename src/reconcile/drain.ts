// Drains, the GitOps way (kubectl drain over the Eviction API): a host being drained is
// cordoned (it takes no new pods: the scheduler sees node.kubernetes.io/unschedulable) and each
// of its pods is evicted once the PodDisruptionBudgets guarding it allow (controllers/
// disruption.ts); an evicted Deployment pod is deleted gracefully and its replacement is
// scheduled elsewhere, which the next eviction waits for (budgets count Ready pods). Pure.
//
// Invariants:
// - Only pods of admitted apps are evicted (as the pass deletes nothing else); a pod without a
//   controller (a standalone Pod) only with force, as kubectl drain refuses it without --force.
// - Every eviction of the pass consumes its budget's disruption before the next is decided.
// - A held-back eviction says why in the drain's view every pass, and once as an event.
import {
  type BudgetPod,
  computePdbStatus,
  decideEviction,
  type PdbStatus,
} from '../controllers/disruption.js';
import { podPhase } from '../controllers/pod-phase.js';
import { podReadiness } from '../controllers/pod-status.js';
import type { Action } from '../model/actions.js';
import { objectKey, type PodDisruptionBudget } from '../model/k8s.js';
import type { ObservedHost, ObservedPod } from '../model/observed.js';
import type { DrainPodView, DrainView } from '../model/views.js';
import { deletePodAction, podKey } from './pass-context.js';
import type { DrainRequest, PassEvent, PassInput } from './pass-types.js';

export interface DrainPlan {
  actions: Action[];
  events: PassEvent[];
  views: DrainView[];
  /** Keys (`host/namespace/name`) of the pods evicted this pass. */
  evicted: Set<string>;
  /** The next pass's memory of held-back evictions. */
  blocked: Record<string, string>;
}

interface Budget {
  pdb: PodDisruptionBudget;
  status: PdbStatus;
}

/** The hosts with the drained ones marked unschedulable (the scheduler taints them). */
export function cordonHosts(hosts: ObservedHost[], drains: readonly DrainRequest[]): ObservedHost[] {
  if (drains.length === 0) return hosts;
  const drained = new Set(drains.map((d) => d.host));
  return hosts.map((h) => (drained.has(h.name) ? { ...h, unschedulable: true } : h));
}

export function budgetPod(p: ObservedPod): BudgetPod {
  return {
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    ready: podReadiness(p).ready,
    terminating: p.terminating === true,
    phase: podPhase(p),
    ...(p.ownerKind === 'Deployment' ? { controller: { kind: 'Deployment', name: p.ownerName } } : {}),
  };
}

/** Every budget of the admitted apps with its status over the pods that count this pass. */
export function budgetStatuses(input: PassInput, pods: readonly ObservedPod[]): Budget[] {
  const pdbs = input.apps.flatMap((a) =>
    a.objects.filter((o): o is PodDisruptionBudget => o.kind === 'PodDisruptionBudget'),
  );
  if (pdbs.length === 0) return [];
  const replicas = new Map<string, number>();
  for (const app of input.apps)
    for (const o of app.objects)
      if (o.kind === 'Deployment')
        replicas.set(objectKey(o), input.inputs.hpaReplicas[objectKey(o)]?.replicas ?? o.spec.replicas);
  const scaleOf = (namespace: string, c: { kind: string; name: string }) =>
    replicas.get(`${c.kind}/${namespace}/${c.name}`);
  const all = pods.map(budgetPod);
  return pdbs.map((pdb) => ({
    pdb,
    status: computePdbStatus(
      pdb,
      all.filter((p) => p.namespace === pdb.metadata.namespace),
      scaleOf,
    ),
  }));
}

/** The evictions of this pass on every drained host (by hand or being removed from the
 *  inventory), and what each drain still waits for. */
export function planDrains(
  input: PassInput,
  pods: readonly ObservedPod[],
  requests: readonly DrainRequest[],
): DrainPlan {
  const plan: DrainPlan = { actions: [], events: [], views: [], evicted: new Set(), blocked: {} };
  const drains = requests.filter((d) => input.observed.hosts.some((h) => h.name === d.host));
  if (drains.length === 0) return plan;
  const budgets = budgetStatuses(input, pods);
  const admitted = new Set(input.apps.map((a) => a.name));
  for (const drain of [...drains].sort((a, b) => (a.host < b.host ? -1 : 1))) {
    const on = pods.filter((p) => p.host === drain.host).sort((a, b) => (a.name < b.name ? -1 : 1));
    const views = on.map((p) => evictOne(plan, input, drain, p, admitted.has(p.app), budgets));
    const view: DrainView = { host: drain.host, force: drain.force, since: drain.since, pods: views };
    plan.views.push(drain.removal ? { ...view, removal: true } : view);
  }
  return plan;
}

function evictOne(
  plan: DrainPlan,
  input: PassInput,
  drain: DrainRequest,
  pod: ObservedPod,
  admitted: boolean,
  budgets: Budget[],
): DrainPodView {
  const base = { namespace: pod.namespace, name: pod.name, app: pod.app };
  if (pod.terminating) return { ...base, status: 'Terminating' };
  const refusal = !admitted
    ? `app ${pod.app} has no admitted commit: skiff leaves its pods alone until it has one`
    : pod.ownerKind === 'Pod' && !drain.force
      ? `cannot delete Pods that declare no controller (use --force to override): ${pod.namespace}/${pod.name}`
      : undefined;
  const decision = refusal
    ? ({ allowed: false, message: refusal } as const)
    : decideEviction(
        budgetPod(pod),
        budgets.filter((b) => b.pdb.metadata.namespace === pod.namespace),
      );
  if (!decision.allowed) {
    const message = held(plan, input, drain, pod, decision.message);
    const budget = 'budget' in decision ? decision.budget : undefined;
    return { ...base, status: 'Blocked', message, ...(budget ? { budget } : {}) };
  }
  if (decision.allowed && decision.budget) {
    const b = budgets.find((x) => x.status.name === decision.budget && x.status.namespace === pod.namespace);
    if (b) b.status = { ...b.status, disruptionsAllowed: b.status.disruptionsAllowed - 1 };
  }
  plan.evicted.add(podKey(pod));
  const why = `evicted: ${drainPhrase(drain)}`;
  plan.actions.push(deletePodAction(pod, why));
  plan.events.push({
    type: 'Normal',
    reason: 'Evicted',
    object: `pod/${pod.name}`,
    namespace: pod.namespace,
    message: why,
  });
  return { ...base, status: 'Evicted' };
}

/** Remembers why an eviction waits, with an event the first time (or when the reason changes). */
function held(
  plan: DrainPlan,
  input: PassInput,
  drain: DrainRequest,
  pod: ObservedPod,
  message: string,
): string {
  const key = podKey(pod);
  plan.blocked[key] = message;
  if (input.memory.blockedEvictions?.[key] !== message)
    plan.events.push({
      type: 'Warning',
      reason: 'EvictionBlocked',
      object: `pod/${pod.name}`,
      namespace: pod.namespace,
      message: `${drainPhrase(drain)}: ${message}`,
    });
  return message;
}

const drainPhrase = (d: DrainRequest): string =>
  d.removal ? `host ${d.host} is being removed from the inventory` : `host ${d.host} is being drained`;
