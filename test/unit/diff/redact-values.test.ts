// The scrub behind every string the daemon emits: each Secret value found in every form text
// carries it (base64 with and without padding, decoded, line by line, JSON-escaped), longest
// first, in linear time, and through plain data (keys too).
import { describe, expect, it } from 'vitest';
import { compileScrubber, MASK, scrubStrings, secretNeedlesOf } from '../../../src/diff/redact-values.js';
import type { KubeObject } from '../../../src/model/k8s.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (data: Record<string, string>) =>
  ({
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: { name: 's', namespace: 'default' },
    type: 'Opaque',
    data,
  }) as unknown as KubeObject;

const QUOTED = 'pa"ss\\word';
const MULTI = 'line-one-secret\nline-two-secret';
const needles = secretNeedlesOf([
  secret({ a: b64('hunter2-sentinel'), q: b64(QUOTED), m: b64(MULTI), short: b64('ab'), p: b64('padded1') }),
  { kind: 'ConfigMap', data: { x: 'not-a-secret' } } as unknown as KubeObject,
]);
const scrub = compileScrubber(needles);

describe('secretNeedlesOf + compileScrubber', () => {
  it.each([
    [
      'decoded, in an error message',
      'docker: invalid env PW=hunter2-sentinel',
      `docker: invalid env PW=${MASK}`,
    ],
    ['base64 as stored', `data ${b64('hunter2-sentinel')} end`, `data ${MASK} end`],
    ['base64 without its padding', `tok ${b64('padded1').replace(/=+$/, '')}.`, `tok ${MASK}.`],
    [
      'inside JSON (a log line): quote and backslash escaped',
      JSON.stringify({ msg: `got ${QUOTED}` }),
      `{"msg":"got ${MASK}"}`,
    ],
    ['raw, with its quote and backslash', `got ${QUOTED}!`, `got ${MASK}!`],
    ['a multi-line value whole, in JSON', JSON.stringify(`x ${MULTI} y`), `"x ${MASK} y"`],
    ['one line of a multi-line value', 'stderr: line-two-secret', `stderr: ${MASK}`],
    [
      'JSON of an error echoing the value',
      JSON.stringify({ err: { message: `env "PW=${QUOTED}"` } }),
      `{"err":{"message":"env \\"PW=${MASK}\\""}}`,
    ],
    ['a ConfigMap value stays', 'not-a-secret', 'not-a-secret'],
    ['a value under 3 characters is not searched', 'ab ab', 'ab ab'],
    ['nothing to hide', 'plain text', 'plain text'],
  ])('%s', (_, text, out) => {
    expect(scrub(text)).toBe(out);
  });

  it('hides a value containing another whole (longest first), and values side by side', () => {
    const s = compileScrubber(['abc', 'abcdef', 'xyz']);
    expect(s('abcdef abc xyzabcxyz')).toBe(`${MASK} ${MASK} ${MASK}${MASK}${MASK}`);
  });

  it('stays linear with many values and a long text', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => `value-${i}-${'x'.repeat(20)}`);
    const s = compileScrubber(values);
    // Every position starts like 20,000 values: a per-value check would take minutes here.
    const text = `${'value-'.repeat(100_000)}value-19999-${'x'.repeat(20)}`;
    const started = performance.now();
    expect(s(text)).toBe(`${'value-'.repeat(100_000)}${MASK}`);
    expect(performance.now() - started).toBeLessThan(1_500); // ~70 ms idle
  });
});

describe('scrubStrings', () => {
  it('scrubs every string of plain data, keys included, and leaves other values', () => {
    const data = { 'hunter2-sentinel': [{ m: 'x hunter2-sentinel', n: 3, b: true, z: null }] };
    expect(scrubStrings(data, scrub)).toEqual({ [MASK]: [{ m: `x ${MASK}`, n: 3, b: true, z: null }] });
  });

  it('flattens nesting too deep to walk to its scrubbed JSON (fail closed)', () => {
    let deep: unknown = 'hunter2-sentinel';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(JSON.stringify(scrubStrings(deep, scrub))).not.toContain('hunter2');
  });
});
