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

function withProbeResults(pod: ObservedPod, probes: ProbeResults): ObservedPod {
  let states: Record<string, ObservedProbeState> | undefined;
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const state = probes[c.id];
    if (!state) continue;
    states ??= { ...pod.probes };
    states[c.name] = state;
  }
  return states ? { ...pod, probes: states } : pod;
}

export function applyPassInputs(observed: Observed, inputs: PassInputs): Observed {
  return applyProbeResults(markDeletionsInFlight(observed, inputs.deletionsInFlight), inputs.probes);
}
