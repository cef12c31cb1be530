// Which pods go first when a revision of a Deployment is scaled down: Kubernetes' ReplicaSet
// victim order, ported from pkg/controller/controller_utils.go (ActivePodsWithRanks.Less, with
// the LogarithmicScaleDown feature that is on by default) and replica_set.go
// (getPodsRankedByRelatedPodsOnSameNode). Pure.
//
// Differences, each because skiff's world differs:
// - "unassigned < assigned" never applies: a pod the scheduler could not place is never
//   created, so every observed pod has a host.
// - pod-deletion-cost is not supported (no such annotation on skiff pods).
// - after "not ready < ready", pods that are ready but not yet available (minReadySeconds)
//   go before available ones. Upstream leaves this as a TODO (kubernetes#22065); ranking by
//   availability is what keeps a rollout from ever dipping under replicas-maxUnavailable.
// - ties left by upstream's UID comparison are broken by pod name (names are random too).
import type { ObservedPod } from '../model/observed.js';
import type { PodPhase } from '../model/views.js';
import { maxContainerRestarts } from './pod-phase.js';

export interface DeletionCandidate {
  pod: ObservedPod;
  phase: PodPhase;
  ready: boolean;
  available: boolean;
  /** ms since epoch when the pod last became ready. */
  readySince?: number;
  /** Active pods of the same Deployment (any revision) on the same host, this one included. */
  colocated: number;
}

// podPhaseToOrdinal: phases missing from upstream's map read as 0.
function phaseOrdinal(phase: PodPhase): number {
  switch (phase) {
    case 'Pending':
      return 0;
    case 'Unknown':
      return 1;
    case 'Running':
      return 2;
    case 'Succeeded':
    case 'Failed':
      return 0;
  }
}

// logarithmicRankDiff over nanoseconds, as upstream: durations within the same power of two
// rank the same, so a burst of pods created together is not ordered by milliseconds.
function logRank(t: number, now: number): number {
  const dNs = (now - t) * 1e6;
  return dNs > 0 ? Math.floor(Math.log2(dNs)) : -1;
}

function byName(a: DeletionCandidate, b: DeletionCandidate): number {
  return a.pod.name < b.pod.name ? -1 : a.pod.name > b.pod.name ? 1 : 0;
}

/** Upstream's timestamp step: the zero time first; otherwise the newer first by logarithmic
 *  age rank; within one rank, the (random) identity decides and later rules are not consulted.
 *  Returns undefined when both times are equal (fall through to the next rule). */
function newerFirst(
  t1: number | undefined,
  t2: number | undefined,
  a: DeletionCandidate,
  b: DeletionCandidate,
  now: number,
): number | undefined {
  if (t1 === t2) return undefined;
  if (t1 === undefined) return -1;
  if (t2 === undefined) return 1;
  const diff = logRank(t1, now) - logRank(t2, now);
  return diff !== 0 ? diff : byName(a, b);
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: DeletionCandidate, b: DeletionCandidate, now: number): number {
  const phase = phaseOrdinal(a.phase) - phaseOrdinal(b.phase);
  if (phase !== 0) return phase;
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.available !== b.available) return a.available ? 1 : -1;
  if (a.colocated !== b.colocated) return b.colocated - a.colocated;
  if (a.ready && b.ready) {
    const byReady = newerFirst(a.readySince, b.readySince, a, b, now);
    if (byReady !== undefined) return byReady;
  }
  const restarts = maxContainerRestarts(b.pod) - maxContainerRestarts(a.pod);
  if (restarts !== 0) return restarts;
  return newerFirst(a.pod.createdAt, b.pod.createdAt, a, b, now) ?? byName(a, b);
}

/** The first `count` candidates in deletion order. */
export function pickPodsToDelete(
  candidates: readonly DeletionCandidate[],
  count: number,
  now: number,
): DeletionCandidate[] {
  if (count <= 0) return [];
  return [...candidates].sort((a, b) => compareForDeletion(a, b, now)).slice(0, count);
}
