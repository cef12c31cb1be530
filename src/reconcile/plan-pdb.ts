// PodDisruptionBudgets next to a planned rollout's floor. Kubernetes rollouts do not honour
// PDBs (only evictions do: `skiff drain`, reconcile/drain.ts), so this is information for
// the reviewer: whether the rollout dips below what the budget asks. Pure.

import { desiredHealthyOf, pdbSelectsPod } from '../controllers/disruption.js';
import type { Deployment, KubeObject, PodDisruptionBudget } from '../model/k8s.js';
import type { DeploymentRollout, RolloutPdb } from '../model/plan.js';

/** The budget selects the Deployment's pods (the disruption controller's selection). */
const selects = (pdb: PodDisruptionBudget, d: Deployment): boolean =>
  pdbSelectsPod(pdb, { namespace: d.metadata.namespace, labels: d.spec.template.metadata?.labels ?? {} });

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
      const desiredHealthy = desiredHealthyOf(pdb, replicas);
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
