// The rollout section of `skiff plan`: per Deployment that will change, the steps the real
// Deployment controller takes, recorded from the plan's simulation (each simulated pass's
// createPod/deletePod actions for the Deployment = one step), with the availability floor and
// ceiling next to Kubernetes' bounds. Pure.
//
// The simulation starts new pods ready at once; a real pod is not ready until its readiness
// probe passes, and the controller only takes its next step once they are. So a step's `ready`
// counts the pods it created as not ready: the floor is what the real rollout dips to.
// Deletions are counted at the step that decides them (the pod is terminating from then on, as
// the controller counts it), so the ceiling is bounded by replicas + maxSurge, as upstream's.

import { maxSurgeOf, maxUnavailableOf } from '../controllers/deployment.js';
import type { Action } from '../model/actions.js';
import type { Deployment, KubeObject, PodDisruptionBudget } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { DeploymentRollout, ObjectChange, RolloutStep } from '../model/plan.js';
import { estimateRollout, type PodStarts } from './plan-estimate.js';
import { pdbNotes } from './plan-pdb.js';

/** A step per Deployment (`namespace/name`) that one simulated pass touched. */
export type RecordedPass = Map<string, RolloutStep>;

const deploymentKey = (namespace: string, name: string) => `${namespace}/${name}`;
const podKey = (p: { host: string; namespace: string; name: string }) => `${p.host}/${p.namespace}/${p.name}`;

/** A pod counts as ready when every app container's probe says so (the sim's own pods do). */
export function podIsReady(p: ObservedPod): boolean {
  return !p.terminating && p.containers.length > 0 && p.containers.every((c) => p.probes[c.name]?.ready);
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}

/** One pass: the pods of `app` it created and deleted per Deployment, and ready/total after. */
export function recordPass(
  before: readonly ObservedPod[],
  after: readonly ObservedPod[],
  actions: readonly Action[],
  app: string,
): RecordedPass {
  const created = new Map<string, number>();
  const deleted = new Map<string, number>();
  const owners = new Map<string, string>();
  for (const p of before)
    if (p.app === app && p.ownerKind === 'Deployment')
      owners.set(podKey(p), deploymentKey(p.namespace, p.ownerName));
  for (const a of actions) {
    if (a.type === 'createPod' && a.pod.app === app && a.pod.owner.kind === 'Deployment')
      bump(created, deploymentKey(a.pod.namespace, a.pod.owner.name));
    if (a.type === 'deletePod') {
      const owner = owners.get(podKey(a.pod));
      if (owner) bump(deleted, owner);
    }
  }
  const out: RecordedPass = new Map();
  for (const key of new Set([...created.keys(), ...deleted.keys()])) {
    out.set(key, { created: created.get(key) ?? 0, deleted: deleted.get(key) ?? 0, ready: 0, total: 0 });
  }
  for (const p of after) {
    const step = p.ownerKind === 'Deployment' ? out.get(deploymentKey(p.namespace, p.ownerName)) : undefined;
    if (!step || p.terminating || p.app !== app) continue;
    step.total++;
    if (podIsReady(p)) step.ready++;
  }
  for (const step of out.values()) step.ready = Math.max(0, step.ready - step.created);
  return out;
}

export interface RolloutInput {
  app: string;
  changes: readonly ObjectChange[];
  nextObjects: readonly KubeObject[];
  /** The world before the rollout (readiness as the simulation assumed it). */
  initialPods: readonly ObservedPod[];
  passes: readonly RecordedPass[];
  replicaOverrides: Record<string, { replicas: number; owner: string }>;
  podStarts: PodStarts;
}

/** What every rollout looks up, indexed once (a plan may change thousands of Deployments). */
interface RolloutIndex {
  podsByDeployment: Map<string, ObservedPod[]>;
  stepsByDeployment: Map<string, RolloutStep[]>;
  pdbs: PodDisruptionBudget[];
}

function indexRollouts(input: RolloutInput): RolloutIndex {
  const podsByDeployment = new Map<string, ObservedPod[]>();
  for (const p of input.initialPods) {
    if (p.app !== input.app || p.ownerKind !== 'Deployment' || p.terminating) continue;
    const key = deploymentKey(p.namespace, p.ownerName);
    podsByDeployment.set(key, [...(podsByDeployment.get(key) ?? []), p]);
  }
  const stepsByDeployment = new Map<string, RolloutStep[]>();
  for (const pass of input.passes)
    for (const [key, step] of pass) stepsByDeployment.set(key, [...(stepsByDeployment.get(key) ?? []), step]);
  const pdbs = input.nextObjects.filter((o): o is PodDisruptionBudget => o.kind === 'PodDisruptionBudget');
  return { podsByDeployment, stepsByDeployment, pdbs };
}

/** Every Deployment created or changed by the plan, in the changes' order. */
export function planRollouts(input: RolloutInput): DeploymentRollout[] {
  const deployments = new Map<string, Deployment>();
  for (const o of input.nextObjects)
    if (o.kind === 'Deployment') deployments.set(deploymentKey(o.metadata.namespace, o.metadata.name), o);
  const index = indexRollouts(input);
  const out: DeploymentRollout[] = [];
  for (const c of input.changes) {
    if (c.kind !== 'Deployment' || c.change === 'unchanged' || c.change === 'delete') continue;
    const d = deployments.get(deploymentKey(c.namespace, c.name));
    if (d) out.push(rolloutOf(d, c, input, index));
  }
  return out;
}

function rolloutOf(
  d: Deployment,
  change: ObjectChange,
  input: RolloutInput,
  index: RolloutIndex,
): DeploymentRollout {
  const key = deploymentKey(d.metadata.namespace, d.metadata.name);
  const owned = input.replicaOverrides[`Deployment/${key}`];
  const spec = owned ? { ...d.spec, replicas: owned.replicas } : d.spec;
  const mine = index.podsByDeployment.get(key) ?? [];
  const steps = index.stepsByDeployment.get(key) ?? [];
  const readyBefore = mine.filter(podIsReady).length;
  const maxSurge = maxSurgeOf(spec);
  const maxUnavailable = maxUnavailableOf(spec);
  const floor = Math.min(readyBefore, ...steps.map((s) => s.ready));
  return {
    namespace: d.metadata.namespace,
    name: d.metadata.name,
    reason: rolloutReason(change),
    strategy: spec.strategy.type,
    replicasBefore: mine.length,
    replicasAfter: spec.replicas,
    ...(owned ? { replicasOwnedBy: owned.owner } : {}),
    maxSurge,
    maxUnavailable,
    steps,
    floor,
    ceiling: Math.max(mine.length, ...steps.map((s) => s.total)),
    // Recreate has no bounds but its own: every old pod goes before a new one is created.
    minAvailable: spec.strategy.type === 'Recreate' ? 0 : spec.replicas - maxUnavailable,
    maxPods: spec.replicas + maxSurge,
    estimate: estimateRollout(spec, steps, input.podStarts.get(key) ?? []),
    pdbs: pdbNotes(index.pdbs, d, spec.replicas, floor),
  };
}

const IMAGE_PATH = /^spec\.template\.spec\.(?:initContainers|containers)\[[^\]]+\]\.image$/;

/** Why the Deployment's pods change, in one line: image (old -> new), the ConfigMap/Secret
 *  keys it reads, other template fields, a replica change, or a new Deployment. */
export function rolloutReason(c: ObjectChange): string {
  if (c.change === 'create') return 'new deployment';
  const parts: string[] = [];
  const images = c.fields.filter((f) => IMAGE_PATH.test(f.path));
  for (const f of images)
    parts.push(`image ${String(f.before ?? '(none)')} -> ${String(f.after ?? '(none)')}`);
  const config = c.forcedBy.filter((p) => !p.startsWith('spec.'));
  for (const p of config) parts.push(p.replace(/ (?:data|binaryData|stringData)\.(.+)$/, ' key $1'));
  const template = c.forcedBy.filter((p) => p.startsWith('spec.') && !IMAGE_PATH.test(p));
  if (template.length > 0) {
    const shown = template.slice(0, 3).join(', ');
    parts.push(`template change: ${shown}${template.length > 3 ? ` and ${template.length - 3} more` : ''}`);
  }
  const replicas = c.fields.find((f) => f.path === 'spec.replicas');
  if (replicas) parts.push(`scale ${String(replicas.before)} -> ${String(replicas.after)}`);
  return parts.length > 0 ? parts.join('; ') : 'no pod change';
}
