// The daemon's SecretScrubber: knows the values of each app's admitted commit and of the few
// commits judged last, and forgets older ones (bounded by apps, not by commits).
import { describe, expect, it } from 'vitest';
import { SecretScrubber } from '../../../src/daemon/secret-scrubber.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const secretWith = (value: string) =>
  [
    {
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      data: { k: Buffer.from(value).toString('base64') },
    },
  ] as unknown as KubeObject[];

describe('SecretScrubber', () => {
  it('scrubs the values of every app and of the admitted commit, however many commits follow', () => {
    const s = new SecretScrubber();
    s.note('shop', 'c1', secretWith('admitted-value'));
    s.admitted('shop', 'c1');
    s.note('blog', 'b1', secretWith('blog-value'));
    for (let i = 2; i <= 6; i++) s.note('shop', `c${i}`, secretWith(`rejected-value-${i}`));
    const text = s.text('admitted-value blog-value rejected-value-2 rejected-value-3 rejected-value-6');
    // c1 (admitted) and the 3 commits judged last (c4..c6) are kept; c2, c3 forgotten.
    expect(text).toBe('*** *** rejected-value-2 rejected-value-3 ***');
  });

  it('keeps the previous admitted values while they are among the recent ones (a rotation)', () => {
    const s = new SecretScrubber();
    s.note('shop', 'c1', secretWith('old-value'));
    s.admitted('shop', 'c1');
    s.note('shop', 'c2', secretWith('new-value'));
    s.admitted('shop', 'c2');
    expect(s.text('old-value new-value')).toBe('*** ***');
    expect(s.deep({ m: ['new-value'] })).toEqual({ m: ['***'] });
  });
});

describe('SecretScrubber.error', () => {
  it('scrubs an error about to be printed: message, hint, stack and causes, keeping its class', () => {
    const s = new SecretScrubber();
    s.note('shop', 'c1', secretWith('error-value'));
    const cause = new Error('docker said error-value');
    const err = Object.assign(new TypeError('create failed: PW=error-value', { cause }), {
      hint: 'error-value?',
    });
    const out = s.error(err);
    expect(out).toBe(err);
    expect(out).toBeInstanceOf(TypeError);
    expect(JSON.stringify([out.message, out.hint, out.stack, cause.message, cause.stack])).not.toContain(
      'error-value',
    );
  });
});
