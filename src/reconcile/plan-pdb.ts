// PodDisruptionBudgets next to a planned rollout's floor. Kubernetes rollouts do not honour
// PDBs (only the eviction API does) and skiff has no eviction API, so this is information for
// the reviewer: whether the rollout dips below what the budget asks. Pure.
//
// desiredHealthy as the disruption controller computes it (pkg/controller/disruption
// getExpectedPodCount): minAvailable as an int is itself; as a percent, of the expected pods
// rounded up; maxUnavailable (int or percent, rounded up) is taken from the expected pods.

import { scaledValueFromIntOrPercent } from '../manifest/int-or-percent.js';
import { labelSelectorMatches } from '../manifest/label-selector.js';
import type { Deployment, KubeObject, PodDisruptionBudget } from '../model/k8s.js';
import type { DeploymentRollout, RolloutPdb } from '../model/plan.js';

export function pdbDesiredHealthy(pdb: PodDisruptionBudget, expected: number): number {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable !== undefined)
    return Math.max(0, expected - scaledValueFromIntOrPercent(maxUnavailable, expected, true));
  if (minAvailable === undefined) return 0;
  return typeof minAvailable === 'number'
    ? minAvailable
    : scaledValueFromIntOrPercent(minAvailable, expected, true);
}

function selects(pdb: PodDisruptionBudget, d: Deployment): boolean {
  if (pdb.metadata.namespace !== d.metadata.namespace) return false;
  try {
    return labelSelectorMatches(pdb.spec.selector, d.spec.template.metadata?.labels ?? {});
  } catch {
    return false; // a malformed selector was refused at validation
  }
}

/** Every PDB selecting the Deployment's pods, in name order, judged against `floor`. */
export function pdbNotes(
  objects: readonly KubeObject[],
  d: Deployment,
  replicas: number,
  floor: number,
): RolloutPdb[] {
  return objects
    .filter((o): o is PodDisruptionBudget => o.kind === 'PodDisruptionBudget' && selects(o, d))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
    .map((pdb) => {
      const desiredHealthy = pdbDesiredHealthy(pdb, replicas);
      const limit =
        pdb.spec.maxUnavailable !== undefined
          ? `maxUnavailable ${pdb.spec.maxUnavailable}`
          : `minAvailable ${pdb.spec.minAvailable ?? 0}`;
      return { name: `pdb/${pdb.metadata.name}`, limit, desiredHealthy, respected: floor >= desiredHealthy };
    });
}

/** A warning per budget a rollout's floor goes below (information: nothing enforces it). */
export function pdbWarnings(rollouts: readonly DeploymentRollout[]): string[] {
  return rollouts.flatMap((r) =>
    r.pdbs
      .filter((p) => !p.respected)
      .map(
        (p) =>
          `deployment/${r.name}: the rollout's floor ${r.floor} goes below ${p.name} ${p.limit} (${p.desiredHealthy} wanted); Kubernetes rollouts do not honour PodDisruptionBudgets either, only evictions do`,
      ),
  );
}
