// The pass's named inputs applied to the observation: deletions in flight mark their pods
// terminating, probe results replace the containers' probe states. Pure; the shell calls the
// same functions when another loop needs the observation as the pass sees it (the prober's
// targets, the HPA's pods).
import type { Observed, ObservedProbeState, ProbeResults } from '../model/observed.js';
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

/** Each container with a probe result (by container id) gets it as its probe state. */
export function applyProbeResults(observed: Observed, probes: ProbeResults): Observed {
  if (Object.keys(probes).length === 0) return observed;
  return {
    ...observed,
    pods: observed.pods.map((pod) => {
      const states: Record<string, ObservedProbeState> = { ...pod.probes };
      for (const c of pod.containers) {
        const state = probes[c.id];
        if (state) states[c.name] = state;
      }
      return { ...pod, probes: states };
    }),
  };
}

export function applyPassInputs(observed: Observed, inputs: PassInputs): Observed {
  return applyProbeResults(markDeletionsInFlight(observed, inputs.deletionsInFlight), inputs.probes);
}
