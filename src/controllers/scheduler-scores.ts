// The score plugins and host selection (kubernetes pkg/scheduler/framework/plugins and
// schedule_one.go): each plugin scores the hosts that passed the filters, its scores are
// normalized to 0..100 over those hosts and weighted as the default profile weighs them, and
// selectHost takes the highest total. Pure; the LeastAllocated cache lives in the batch state.
//
// Score formulas:
// - NodeResourcesFit LeastAllocated (leastRequestedScore): ((capacity - requested) * 100) /
//   capacity, integer division, 0 when over capacity; the mean of cpu and memory, over
//   non-zero requests.
// - PodTopologySpread: normalized by scheduler-topology-spread.ts (0 for every host when no
//   constraint applies, as upstream skips the plugin).
// - DefaultNormalizeScore: 100 * raw / max (NodeAffinity), reversed for TaintToleration.
// - InterPodAffinity (x2): its own min..max normalization, scheduler-interpod-affinity.ts.
// - NodeResourcesBalancedAllocation: scheduler-capacity.ts (not normalized, as upstream).
import type { RandomSource } from './pod-name.js';
import { balancedAllocationScore } from './scheduler-capacity.js';
import type { HostArrays, SpecShape } from './scheduler-cluster-state.js';
import type { HostScore } from './scheduler-types.js';

export const SCORE_WEIGHTS = {
  leastAllocated: 1,
  spread: 2,
  nodeAffinity: 2,
  taintToleration: 3,
  interPodAffinity: 2,
  balancedAllocation: 1,
} as const;
const MAX_NODE_SCORE = 100;

/** Each raw score: its maximum over the feasible hosts, the normalizers denominator. */
interface Maxima {
  affinity: number;
  taint: number;
}

function maximaOver(shape: SpecShape, feasible: Int32Array, count: number): Maxima {
  const m: Maxima = { affinity: 0, taint: 0 };
  const { affinity, taint } = shape;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    if (affinity[i]! > m.affinity) m.affinity = affinity[i]!;
    if (taint[i]! > m.taint) m.taint = taint[i]!;
  }
  return m;
}

/** The LeastAllocated scores cached for the pod's non-zero request size. */
function leastAllocatedCacheFor(state: HostArrays, shape: SpecShape): { score: Int32Array; at: Uint32Array } {
  const sizeKey = `${shape.nonZero.cpuMilli}/${shape.nonZero.memoryBytes}`;
  let cache = state.leastAllocatedCache.get(sizeKey);
  if (!cache) {
    cache = { score: new Int32Array(state.n), at: new Uint32Array(state.n) };
    state.leastAllocatedCache.set(sizeKey, cache);
  }
  return cache;
}

/** NodeResourcesFit LeastAllocated for host i with the pod's non-zero requests added. */
function leastAllocatedScore(state: HostArrays, i: number, podCpu: number, podMem: number): number {
  const cCap = state.capCpu[i]!;
  const cReq = state.nzCpu[i]! + podCpu;
  const mCap = state.capMem[i]!;
  const mReq = state.nzMem[i]! + podMem;
  const cpuScore = cCap === 0 || cReq > cCap ? 0 : Math.floor(((cCap - cReq) * MAX_NODE_SCORE) / cCap);
  const memScore = mCap === 0 || mReq > mCap ? 0 : Math.floor(((mCap - mReq) * MAX_NODE_SCORE) / mCap);
  return Math.floor((cpuScore + memScore) / 2);
}

/** Scores the feasible hosts (indices in `feasible[0..count)`) and returns the chosen index;
 *  each host's scores go to `scores` when given. */
export function scoreAndSelect(
  state: HostArrays,
  shape: SpecShape,
  /** PodTopologySpread's normalized scores by host index (null: the plugin is skipped). */
  spreadScores: Int32Array | null,
  feasible: Int32Array,
  count: number,
  random: RandomSource | undefined,
  scores?: Map<number, HostScore>,
  /** InterPodAffinity's normalized score per host (scheduler-interpod-affinity.ts). */
  interPod?: Float64Array,
): number {
  const max = maximaOver(shape, feasible, count);
  const { affinity, taint } = shape;
  const { names, hostVersion, tied } = state;
  const podCpu = shape.nonZero.cpuMilli;
  const podMem = shape.nonZero.memoryBytes;
  const cache = leastAllocatedCacheFor(state, shape);
  // BalancedAllocation's PreScore skips a best-effort pod (requests neither cpu nor memory).
  const balancedCpu = shape.requests.cpuMilli;
  const balancedMem = shape.requests.memoryBytes;
  const balanced = balancedCpu > 0 || balancedMem > 0;
  let best = -1;
  let bestTotal = -1;
  let ties = 0;
  for (let k = 0; k < count; k++) {
    const i = feasible[k]!;
    let leastAllocated: number;
    if (cache.at[i] === hostVersion[i]! + 1) leastAllocated = cache.score[i]!;
    else {
      leastAllocated = leastAllocatedScore(state, i, podCpu, podMem);
      cache.score[i] = leastAllocated;
      cache.at[i] = hostVersion[i]! + 1;
    }
    const spread = spreadScores === null ? 0 : spreadScores[i]!;
    const nodeAffinity = max.affinity > 0 ? Math.floor((MAX_NODE_SCORE * affinity[i]!) / max.affinity) : 0;
    const taintToleration =
      max.taint > 0 ? MAX_NODE_SCORE - Math.floor((MAX_NODE_SCORE * taint[i]!) / max.taint) : MAX_NODE_SCORE;
    const interPodAffinity = interPod ? interPod[i]! : 0;
    const balancedAllocation = balanced
      ? balancedAllocationScore(
          state.capCpu[i]!,
          state.capMem[i]!,
          state.reqCpu[i]! + balancedCpu,
          state.reqMem[i]! + balancedMem,
        )
      : 0;
    const total =
      SCORE_WEIGHTS.interPodAffinity * interPodAffinity +
      SCORE_WEIGHTS.balancedAllocation * balancedAllocation +
      SCORE_WEIGHTS.leastAllocated * leastAllocated +
      SCORE_WEIGHTS.spread * spread +
      SCORE_WEIGHTS.nodeAffinity * nodeAffinity +
      SCORE_WEIGHTS.taintToleration * taintToleration;
    if (scores)
      scores.set(i, {
        leastAllocated,
        spread,
        nodeAffinity,
        taintToleration,
        interPodAffinity,
        balancedAllocation,
        total,
      });
    if (total > bestTotal) {
      best = i;
      bestTotal = total;
      ties = 0;
      tied[ties++] = i;
    } else if (total === bestTotal) {
      tied[ties++] = i;
      if (!random && names[i]! < names[best]!) best = i;
    }
  }
  return selectHost(tied, ties, best, random);
}

/** selectHost: the best host; among tied hosts the first by name, or a uniform pick when a
 *  random source is given. Upstream (pkg/scheduler/schedule_one.go) samples the ties as a
 *  reservoir, one draw per tie; here one draw per pod, since hundreds of identical hosts tie
 *  and the daemon's source is crypto-backed. */
function selectHost(tied: Int32Array, ties: number, best: number, random: RandomSource | undefined): number {
  if (random && ties > 1) return tied[Math.min(ties - 1, Math.floor(random() * ties))]!;
  return best;
}
