// An idle pass rebuilds no pod view: a deeply frozen observed pod (as the runtimes hand them
// out, the same object while nothing changed) gets the view built for it last time, as long as
// the waiting reasons are the same; anything else is built anew (issue 15, daemon memory).
import { describe, expect, it } from 'vitest';
import { podReadiness, podView } from '../../../src/controllers/pod-status.js';
import { deepFreeze } from '../../../src/runtime/spec-interner.js';
import { observedPod } from './fixtures.js';

describe('podView memo', () => {
  it.each([
    ['a frozen pod, the same reasons', true, {}, {}, true],
    [
      'a frozen pod, equal reasons in another record',
      true,
      { app: 'CrashLoopBackOff' },
      { app: 'CrashLoopBackOff' },
      true,
    ],
    ['a frozen pod, other reasons', true, {}, { app: 'CrashLoopBackOff' }, false],
    ['a pod anyone may change', false, {}, {}, false],
  ])('%s: reused %s', (_, frozen, first, second, reused) => {
    const pod = frozen ? deepFreeze(observedPod('web-a')) : observedPod('web-a');
    const a = podView(pod, first, 0);
    const b = podView(pod, second, 1);
    expect(b === a).toBe(reused);
    expect(b).toEqual(podView(structuredClone(pod), second, 1));
  });

  it('sees a change of the pod: a changed pod is another object', () => {
    const pod = deepFreeze(observedPod('web-a'));
    const a = podView(pod, {}, 0);
    const crashed = deepFreeze({
      ...pod,
      containers: [{ ...pod.containers[0]!, state: 'exited' as const, exitCode: 1 }],
    });
    expect(podView(crashed, {}, 0)).not.toEqual(a);
    expect(podView(crashed, {}, 0).containers[0]).toMatchObject({ state: 'terminated', reason: 'Error' });
  });
});

describe('podReadiness memo', () => {
  it('answers a frozen pod with the readiness it computed, and computes a changeable pod anew', () => {
    const frozen = deepFreeze(observedPod('web-a'));
    expect(podReadiness(frozen)).toBe(podReadiness(frozen));
    const open = observedPod('web-a');
    expect(podReadiness(open)).not.toBe(podReadiness(open));
    expect(podReadiness(open)).toEqual(podReadiness(frozen));
  });
});
