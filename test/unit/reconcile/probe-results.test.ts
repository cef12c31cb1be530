// Probe results applied to the observation: a pod whose containers have results is copied with
// them; the same pod with the same states is the same copy pass after pass (frozen as the pod
// is), so the readiness and views kept per frozen pod are not rebuilt every pass. The prober
// makes its state objects anew each time: states are compared by value.
import { describe, expect, it } from 'vitest';
import { podReadiness } from '../../../src/controllers/pod-status.js';
import type { Observed, ObservedPod, ObservedProbeState } from '../../../src/model/observed.js';
import { applyProbeResults } from '../../../src/reconcile/observed-inputs.js';
import { observedPod } from '../controllers/fixtures.js';

const world = (...pods: ObservedPod[]): Observed => ({ at: 0, hosts: [], pods, claimVolumes: [] });
const ready = (readySince: number): ObservedProbeState => ({
  startupPassed: true,
  ready: true,
  readySince,
  live: true,
});
const notReady = (message: string): ObservedProbeState => ({
  startupPassed: true,
  ready: false,
  live: true,
  lastFailure: { at: 5, probe: 'readiness', message },
});

describe('applyProbeResults', () => {
  it('gives the same frozen copy while the pod and its states are unchanged', () => {
    const pod = Object.freeze(observedPod('web-1'));
    const first = applyProbeResults(world(pod), { 'id-app': ready(10) }).pods[0]!;
    const again = applyProbeResults(world(pod), { 'id-app': ready(10) }).pods[0]!;
    expect(first).not.toBe(pod);
    expect(first.probes).toEqual({ app: ready(10) });
    expect(again).toBe(first);
    expect(Object.isFrozen(again)).toBe(true);
    expect(podReadiness(again)).toBe(podReadiness(first));
  });

  it('makes a new copy when a state changes, or for another pod object', () => {
    const pod = Object.freeze(observedPod('web-1'));
    const first = applyProbeResults(world(pod), { 'id-app': notReady('refused') }).pods[0]!;
    const failedAgain = applyProbeResults(world(pod), { 'id-app': notReady('timed out') }).pods[0]!;
    expect(failedAgain).not.toBe(first);
    expect(failedAgain.probes.app?.lastFailure?.message).toBe('timed out');
    const recovered = applyProbeResults(world(pod), { 'id-app': ready(20) }).pods[0]!;
    expect(recovered.probes).toEqual({ app: ready(20) });
    const redecoded = Object.freeze(observedPod('web-1'));
    expect(applyProbeResults(world(redecoded), { 'id-app': ready(20) }).pods[0]).not.toBe(recovered);
  });

  it('leaves pods without results as they are, and does not freeze a copy of an unfrozen pod', () => {
    const probed = observedPod('web-1');
    const other = observedPod('web-2', { owner: 'api' });
    const other2 = { ...other, containers: [{ ...other.containers[0]!, id: 'id-other' }] };
    const out = applyProbeResults(world(probed, other2), { 'id-app': ready(1) });
    expect(out.pods[1]).toBe(other2);
    expect(Object.isFrozen(out.pods[0])).toBe(false);
  });
});
