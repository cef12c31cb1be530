// A Deployment's revisions (skiff's ReplicaSets): one per template hash seen in live pods,
// terminating pods or memory, sized from memory or, without it, from the pods. Stands in for
// sync.go's getAllReplicaSetsAndSyncRevision (upstream lists ReplicaSet objects; skiff rebuilds
// them from pods, so losing the memory is safe). Pure.
import { replicaSetName } from '../pod-name.js';
import type { Group, Revisions } from './pass-state.js';
import type { DeploymentPods } from './pods.js';
import { byCreation } from './revision-group.js';
import type { DeploymentMemory } from './types.js';

/** The revision of `hash`, created (empty, sized from memory) on first use. */
export function revisionFor(revs: Revisions, hash: string): Group {
  let g = revs.groups.get(hash);
  if (g) return g;
  const m = revs.memory.revisions[hash];
  g = {
    hash,
    name: replicaSetName(revs.deploymentName, hash),
    createdAt: m?.createdAt ?? Number.POSITIVE_INFINITY,
    replicas: m?.replicas ?? -1,
    activeCount: 0,
    terminatingCount: revs.terminatingByHash.get(hash) ?? 0,
    availableReplicas: 0,
    readyReplicas: 0,
    desiredReplicas: m?.desiredReplicas,
    maxReplicas: m?.maxReplicas,
    pods: [],
  };
  revs.groups.set(hash, g);
  return g;
}

/** Every revision of the Deployment, with its live pods counted. */
export function buildRevisions(
  deploymentName: string,
  memory: DeploymentMemory,
  pods: DeploymentPods,
  now: number,
): Revisions {
  const revs: Revisions = {
    deploymentName,
    memory,
    terminatingByHash: pods.terminatingByHash,
    groups: new Map(),
    initialSizes: new Map(),
  };
  for (const info of pods.live) {
    const g = revisionFor(revs, info.pod.templateHash);
    g.pods.push(info);
    g.activeCount++;
    if (info.ready) g.readyReplicas++;
    if (info.available) g.availableReplicas++;
    if (!memory.revisions[g.hash]) g.createdAt = Math.min(g.createdAt, info.pod.createdAt);
  }
  for (const hash of pods.terminatingByHash.keys()) revisionFor(revs, hash);
  for (const hash of Object.keys(memory.revisions)) revisionFor(revs, hash);
  for (const g of revs.groups.values()) {
    // Without memory, a revision is as big as it is.
    if (g.replicas < 0) g.replicas = g.activeCount;
    if (!Number.isFinite(g.createdAt)) g.createdAt = now;
  }
  for (const g of revs.groups.values()) revs.initialSizes.set(g, g.replicas);
  return revs;
}

/** The revisions of other templates, oldest first (FindOldReplicaSets). */
export function oldRevisions(revs: Revisions, templateHash: string): Group[] {
  return [...revs.groups.values()].filter((g) => g.hash !== templateHash).sort(byCreation);
}
