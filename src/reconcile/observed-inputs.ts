// The pass's named inputs applied to the observation: deletions in flight mark their pods
// terminating, probe results replace the containers' probe states. Pure; the shell calls the
// same functions when another loop needs the observation as the pass sees it (the prober's
// targets, the HPA's pods).
import type { Observed, ObservedPod, ObservedProbeState, ProbeResults } from '../model/observed.js';
import { podKey } from './pass-context.js';
import type { PassInputs } from './pass-types.js';

/** Pods whose graceful deletion is in flight (`host/namespace/name`) are terminating. */
export function markDeletionsInFlight(observed: Observed, deletions: readonly string[]): Observed {
  if (deletions.length === 0) return observed;
  const inFlight = new Set(deletions);
  return {
    ...observed,
    pods: observed.pods.map((p) => (inFlight.has(podKey(p)) ? { ...p, terminating: true } : p)),
  };
}

/** Each container with a probe result (by container id) gets it as its probe state. Only the
 *  pods that have one are copied: the pass runs this over every observed pod. */
export function applyProbeResults(observed: Observed, probes: ProbeResults): Observed {
  if (Object.keys(probes).length === 0) return observed;
  return { ...observed, pods: observed.pods.map((pod) => withProbeResults(pod, probes)) };
}

/** The probed copy last made of each pod, with the states it was made with. */
const probedCopies = new WeakMap<
  ObservedPod,
  { states: Record<string, ObservedProbeState>; copy: ObservedPod }
>();

/** The pod with its containers' probe states. A pod and states unchanged since the last pass
 *  give the same copy, frozen as the pod is: the views and readiness kept per frozen pod are
 *  then not rebuilt for every probed pod on every pass (the prober makes its states anew). */
function withProbeResults(pod: ObservedPod, probes: ProbeResults): ObservedPod {
  // No list or closure made per pod: this runs over every observed pod of every pass.
  let states = statesOf(pod, pod.containers, probes, undefined);
  if (pod.initContainers) states = statesOf(pod, pod.initContainers, probes, states);
  if (!states) return pod;
  const kept = probedCopies.get(pod);
  if (kept && sameStates(kept.states, states)) return kept.copy;
  const copy = { ...pod, probes: states };
  if (Object.isFrozen(pod)) Object.freeze(copy);
  probedCopies.set(pod, { states, copy });
  return copy;
}

/** `states` (first made from the pod's own) with the results of `containers`' ids, by name;
 *  undefined while none has a result. */
function statesOf(
  pod: ObservedPod,
  containers: ObservedPod['containers'],
  probes: ProbeResults,
  states: Record<string, ObservedProbeState> | undefined,
): Record<string, ObservedProbeState> | undefined {
  for (const c of containers) {
    const state = probes[c.id];
    if (!state) continue;
    states ??= { ...pod.probes };
    states[c.name] = state;
  }
  return states;
}

function sameStates(a: Record<string, ObservedProbeState>, b: Record<string, ObservedProbeState>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k];
    const y = b[k];
    return (
      x !== undefined &&
      y !== undefined &&
      x.startupPassed === y.startupPassed &&
      x.ready === y.ready &&
      x.readySince === y.readySince &&
      x.live === y.live &&
      x.lastFailure?.at === y.lastFailure?.at &&
      x.lastFailure?.probe === y.lastFailure?.probe &&
      x.lastFailure?.message === y.lastFailure?.message
    );
  });
}

export function applyPassInputs(observed: Observed, inputs: PassInputs): Observed {
  return applyProbeResults(markDeletionsInFlight(observed, inputs.deletionsInFlight), inputs.probes);
}
