import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTemplateHash } from '../../../src/controllers/pod-name.js';
import { canonicalJson, fnv1a32 } from '../../../src/model/stable-hash.js';

// The first implementation of canonicalJson, kept as the oracle: every running pod carries a
// template hash computed from its text, so a faster version must produce the very same bytes
// (a different text would roll every Deployment on upgrade).
function firstCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(firstCanonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${firstCanonicalJson(v)}`).join(',')}}`;
}

const template = {
  spec: {
    containers: [
      {
        name: 'web',
        image: 'registry.local/web:1.0.0',
        env: [{ name: 'A', value: 'é"\n' }],
        ports: [{ containerPort: 8080, hostPort: undefined }],
      },
    ],
    restartPolicy: 'Always',
  },
  metadata: { labels: { app: 'web', Z: 'z', a: '1' } },
};

describe('canonicalJson', () => {
  it.each([
    [null, 'null'],
    [undefined, 'null'],
    [[1, undefined, 'x'], '[1,null,"x"]'],
    [{ b: 1, a: undefined, A: [true, -0, 1.5] }, '{"A":[true,0,1.5],"b":1}'],
    [{ é: 1, e: 2, '\u0000': 3 }, '{"\\u0000":3,"e":2,"é":1}'],
  ])('%j -> %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it('keeps a known template hash', () => {
    expect(canonicalJson(template)).toBe(
      '{"metadata":{"labels":{"Z":"z","a":"1","app":"web"}},"spec":{"containers":[{"env":[{"name":"A","value":"é\\"\\n"}],"image":"registry.local/web:1.0.0","name":"web","ports":[{"containerPort":8080}]}],"restartPolicy":"Always"}}',
    );
    expect(encodeTemplateHash(fnv1a32(canonicalJson(template)))).toBe('5b78df978d');
  });

  it('writes the same text as the first implementation for any JSON value', () => {
    const withUndefined = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 2 }),
        fc.constant(undefined),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(withUndefined, (v) => {
        expect(canonicalJson(v)).toBe(firstCanonicalJson(v));
      }),
      { numRuns: 500 },
    );
  });
});
