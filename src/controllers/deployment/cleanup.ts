// What a Deployment remembers of its revisions for the next pass. Stands in for sync.go's
// cleanupDeployment (which deletes old ReplicaSets past revisionHistoryLimit): skiff forgets an
// old revision as soon as it is empty, since its history lives in the database, not here. Pure.
import type { RevisionGroup } from './revision-group.js';
import type { RevisionMemory } from './types.js';

/** The revisions to remember: the current one, and old ones that still have pods or a size. */
export function cleanupRevisions(
  groups: readonly RevisionGroup[],
  current: string,
): Record<string, RevisionMemory> {
  const out: Record<string, RevisionMemory> = {};
  for (const g of groups) {
    if (g.hash !== current && g.replicas === 0 && g.activeCount === 0 && g.terminatingCount === 0) continue;
    const m: RevisionMemory = { createdAt: g.createdAt, replicas: g.replicas };
    if (g.desiredReplicas !== undefined) m.desiredReplicas = g.desiredReplicas;
    if (g.maxReplicas !== undefined) m.maxReplicas = g.maxReplicas;
    out[g.hash] = m;
  }
  return out;
}
