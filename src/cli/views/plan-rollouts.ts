// The words of a plan's rollout section, shared by the text and markdown renderings: per
// Deployment, why it rolls, replicas and strategy, HPA ownership, floor and ceiling next to
// Kubernetes' bounds, the estimate and its source, and each PodDisruptionBudget. Pure.
import type { DeploymentRollout, RolloutEstimate } from '../../model/plan.js';

/** Kubernetes rollouts do not honour PDBs; only evictions (a drain) do. */
export const PDB_NOTE =
  'Kubernetes rollouts do not honour PodDisruptionBudgets, only evictions do: PDBs are shown for review only';

export function rolloutName(r: DeploymentRollout): string {
  return r.namespace === 'default' ? `deployment/${r.name}` : `deployment/${r.name} -n ${r.namespace}`;
}

function seconds(n: number): string {
  return `${Number.isInteger(n) ? n : n.toFixed(1)} s`;
}

function estimateSource(e: RolloutEstimate): string {
  return e.source === 'recorded'
    ? `from ${e.samples} recorded start${e.samples === 1 ? '' : 's'}, median ${seconds(e.podReadySeconds)}`
    : `from probe timings, ${seconds(e.podReadySeconds)} per pod`;
}

export function estimateLine(e: RolloutEstimate): string {
  const minReady = e.minReadySeconds > 0 ? ` + minReadySeconds ${e.minReadySeconds}` : '';
  return `estimate ~${seconds(e.seconds)}: ${e.waves} wave${e.waves === 1 ? '' : 's'} (${estimateSource(e)}${minReady})`;
}

function strategyLine(r: DeploymentRollout): string {
  const strategy =
    r.strategy === 'Recreate'
      ? 'Recreate (every old pod goes before new ones start)'
      : `RollingUpdate maxSurge ${r.maxSurge}, maxUnavailable ${r.maxUnavailable}`;
  return `replicas ${r.replicasBefore} -> ${r.replicasAfter}, ${strategy}`;
}

function boundsLine(r: DeploymentRollout): string {
  const bounds =
    r.strategy === 'Recreate'
      ? ''
      : ` (bounds: replicas-maxUnavailable ${r.minAvailable}, replicas+maxSurge ${r.maxPods})`;
  return `floor ${r.floor} ready, ceiling ${r.ceiling} pods${bounds}`;
}

export function pdbLine(r: DeploymentRollout, p: DeploymentRollout['pdbs'][number]): string {
  return p.respected
    ? `${p.name} ${p.limit}: the rollout's floor ${r.floor} respects it`
    : `${p.name} ${p.limit}: the rollout's floor ${r.floor} goes below it (${p.desiredHealthy} wanted)`;
}

/** The lines under a Deployment's name, in order. */
export function rolloutLines(r: DeploymentRollout): string[] {
  const lines = [`why: ${r.reason}`, strategyLine(r)];
  if (r.replicasOwnedBy)
    lines.push(`replicas owned by ${r.replicasOwnedBy} (now ${r.replicasAfter}); spec.replicas ignored`);
  lines.push(boundsLine(r), estimateLine(r.estimate));
  for (const p of r.pdbs) lines.push(pdbLine(r, p));
  return lines;
}
