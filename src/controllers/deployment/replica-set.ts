// The ReplicaSet controller's part of a pass: make each revision's live pods match its size.
// Follows pkg/controller/replicaset/replica_set.go manageReplicas: missing pods are asked for,
// surplus pods deleted in getPodsToDelete's order, ranked by co-located pods of this Deployment
// (getPodsRankedByRelatedPodsOnSameNode). Pure.
import { type DeletionCandidate, pickPodsToDelete } from '../pod-deletion-order.js';
import {
  allRevisions,
  type DeploymentSync,
  deletePod,
  type Group,
  gracePeriodOf,
  type PassEffects,
  type PodInfo,
  requeue,
} from './pass-state.js';
import { DELETE_RETRY_SLACK_MS, type DeploymentResult } from './types.js';

export type PodCreations = Pick<DeploymentResult, 'create' | 'createOfRevision'>;

/** Pods to create per revision; deletions go to `fx`. */
export function manageReplicas(
  sync: DeploymentSync,
  live: readonly PodInfo[],
  fx: PassEffects,
): PodCreations {
  const out: PodCreations = { create: 0, createOfRevision: [] };
  const perHost = new Map<string, number>();
  for (const info of live) perHost.set(info.pod.host, (perHost.get(info.pod.host) ?? 0) + 1);
  for (const g of allRevisions(sync.revisions)) {
    const diff = g.replicas - g.activeCount;
    if (diff > 0) {
      if (g.hash === sync.templateHash) out.create += diff;
      else out.createOfRevision.push({ templateHash: g.hash, count: diff });
    } else if (diff < 0) {
      deleteSurplus(sync, g, -diff, perHost, fx);
    }
  }
  return out;
}

function deleteSurplus(
  sync: DeploymentSync,
  g: Group,
  count: number,
  perHost: ReadonlyMap<string, number>,
  fx: PassEffects,
): void {
  const candidates: DeletionCandidate[] = g.pods.map((p) => ({
    pod: p.pod,
    phase: p.phase,
    ready: p.ready,
    available: p.available,
    readySince: p.readySince,
    colocated: perHost.get(p.pod.host) ?? 0,
  }));
  const from = sync.revisions.initialSizes.get(g) ?? g.activeCount;
  const why =
    from !== g.replicas
      ? `Scaled down replica set ${g.name} from ${from} to ${g.replicas}`
      : `replica set ${g.name} has ${g.activeCount} pods, wants ${g.replicas}`;
  for (const victim of pickPodsToDelete(candidates, count, sync.now)) {
    const grace = gracePeriodOf(victim.pod, sync.spec);
    deletePod(fx, victim.pod, why, grace, sync.now);
    requeue(fx, grace * 1000 + DELETE_RETRY_SLACK_MS);
  }
}
