// Settled pods' views share their alike conditions (one object per host for PodScheduled, one
// for Initialized and ContainersReady when true) instead of holding a copy each: at 15,000
// pods that is 60,000 objects fewer (issue 15, daemon memory). Unready pods share their
// not-ready pair by message; a ready pod's Ready condition carries its own transition time.
import { describe, expect, it } from 'vitest';
import { podView } from '../../../src/controllers/pod-status.js';
import { observedPod } from './fixtures.js';

const byType = (v: ReturnType<typeof podView>, type: string) => v.conditions.find((c) => c.type === type)!;

describe('pod view conditions', () => {
  it('shares the settled conditions between pods on one host, and is frozen where shared', () => {
    const a = podView(observedPod('web-a'), {}, 0);
    const b = podView(observedPod('web-b'), {}, 0);
    for (const type of ['PodScheduled', 'Initialized', 'ContainersReady']) {
      expect(byType(a, type)).toBe(byType(b, type));
      expect(Object.isFrozen(byType(a, type))).toBe(true);
    }
    expect(byType(a, 'PodScheduled')).toEqual({
      type: 'PodScheduled',
      status: 'True',
      reason: '',
      message: `assigned to ${observedPod('web-a').host}`,
    });
  });

  it('shares the not-ready conditions between pods whose same containers are unready', () => {
    const exited = (name: string, host = observedPod(name).host) => {
      const pod = observedPod(name);
      return podView(
        { ...pod, host, containers: [{ ...pod.containers[0]!, state: 'exited' as const, exitCode: 1 }] },
        {},
        0,
      );
    };
    const a = exited('web-a');
    const b = exited('web-b', 'h-other');
    for (const type of ['ContainersReady', 'Ready']) {
      expect(byType(a, type)).toBe(byType(b, type));
      expect(Object.isFrozen(byType(a, type))).toBe(true);
    }
    expect(byType(a, 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    // A ready pod's Ready condition is its own: it says since when.
    const ready = podView(observedPod('web-c'), {}, 0);
    expect(byType(ready, 'Ready')).not.toBe(byType(podView(observedPod('web-d'), {}, 0), 'Ready'));
    expect(byType(ready, 'Ready')).toMatchObject({ status: 'True', reason: '', message: '' });
  });

  it('gives PodScheduled per host and an unready pod the message naming its containers', () => {
    const elsewhere = podView({ ...observedPod('web-a'), host: 'h-other' }, {}, 0);
    expect(byType(elsewhere, 'PodScheduled').message).toBe('assigned to h-other');
    const pod = observedPod('web-a');
    const crashing = podView(
      { ...pod, containers: [{ ...pod.containers[0]!, state: 'exited' as const, exitCode: 1 }] },
      {},
      0,
    );
    expect(byType(crashing, 'ContainersReady')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: `containers with unready status: [${observedPod('web-a').containers[0]!.name}]`,
    });
  });
});
