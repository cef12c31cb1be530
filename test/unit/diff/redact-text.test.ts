// Redaction of manifest text: every way a Secret value can be written is hidden, line structure
// is kept, other objects are untouched, and a changed value is marked on the new side.
import { describe, expect, it } from 'vitest';
import {
  REDACTED,
  REDACTED_CHANGED,
  redactManifestText,
  redactManifestTextPair,
} from '../../../src/diff/redact-text.js';

const S = 's3ntinel-XYZ';
const B64 = Buffer.from(S).toString('base64');

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25
`;

const CASES: [string, string][] = [
  ['block data', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${B64}\n`],
  [
    'block stringData',
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${S}\n`,
  ],
  ['quoted', `kind: Secret\nmetadata: {name: db}\nstringData:\n  a: "${S}"\n  b: '${S}'\n`],
  ['flow style', `{apiVersion: v1, kind: Secret, metadata: {name: db}, data: {password: ${B64}}}\n`],
  [
    'JSON',
    JSON.stringify(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { p: S } },
      null,
      2,
    ),
  ],
  ['block scalar', `kind: Secret\nmetadata:\n  name: db\nstringData:\n  key: |\n    ${S}\n    line2-${S}\n`],
  ['multi-line plain', `kind: Secret\nmetadata:\n  name: db\nstringData:\n  key: first\n    ${S}\n`],
  [
    'alias to an anchor',
    `kind: Secret\nmetadata:\n  name: db\n  labels: {x: &pw ${S}}\nstringData:\n  p: *pw\n`,
  ],
  [
    'multi-document, Deployment first',
    `${DEPLOYMENT}---\nkind: Secret\nmetadata:\n  name: db\ndata:\n  p: ${B64}\n`,
  ],
  ['typo field in a Secret', `kind: Secret\nmetadata:\n  name: db\nstringdata:\n  p: ${S}\n`],
  ['lowercase kind', `kind: secret\nmetadata:\n  name: db\nstringData:\n  p: ${S}\n`],
  [
    'a List of Secrets',
    `kind: List\nitems:\n  - kind: Secret\n    metadata: {name: db}\n    data: {p: ${B64}}\n`,
  ],
  [
    'last-applied annotation',
    `kind: Secret\nmetadata:\n  name: db\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"p":"${B64}"}}'\n`,
  ],
  ['a broken document', `kind: Secret\nmetadata:\n  name: db\nstringData:\n  p: ${S}\n  q: [unclosed\n`],
  [
    'nesting too deep to walk',
    `kind: Secret\nmetadata: {name: db}\nstringData:\n  p: ${'['.repeat(20_000)}${S}${']'.repeat(20_000)}\n`,
  ],
  ['CRLF line endings', `kind: Secret\r\nmetadata:\r\n  name: db\r\nstringData:\r\n  p: ${S}\r\n`],
];

describe('redactManifestText', () => {
  it.each(CASES)('hides the value: %s', (_name, text) => {
    const out = redactManifestText(text);
    expect(out).not.toContain(S);
    expect(out).not.toContain(B64);
    expect(out).toContain(REDACTED);
    expect(out.split('\n').length).toBe(text.split('\n').length);
  });

  it('leaves other objects and the Secret name alone', () => {
    const text = `${DEPLOYMENT}---\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  p: ${B64}\n`;
    const out = redactManifestText(text);
    expect(out).toBe(text.replace(B64, REDACTED));
  });

  it('leaves a ConfigMap data alone', () => {
    const text = `kind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  mode: ${S}\n`;
    expect(redactManifestText(text)).toBe(text);
  });

  it('keeps JSON quotes', () => {
    expect(redactManifestText(`{"kind":"Secret","metadata":{"name":"a"},"data":{"p":"${B64}"}}`)).toBe(
      `{"kind":"Secret","metadata":{"name":"a"},"data":{"p":"${REDACTED}"}}`,
    );
  });
});

describe('redactManifestTextPair', () => {
  const secret = (v: string) => `kind: Secret\nmetadata:\n  name: db\nstringData:\n  p: ${v}\n  q: same\n`;

  it('marks a rotated value on the new side only, hiding both', () => {
    const { before, after } = redactManifestTextPair(secret(S), secret('n3w-s3ntinel'));
    expect(`${before}${after}`).not.toMatch(/s3ntinel/);
    expect(before).toBe(secret(REDACTED).replace('q: same', `q: ${REDACTED}`));
    expect(after).toBe(secret(REDACTED_CHANGED).replace('q: same', `q: ${REDACTED}`));
  });

  it('marks a new key as changed, and nothing when the values are equal', () => {
    expect(redactManifestTextPair(null, secret(S)).after).toContain(REDACTED_CHANGED);
    const same = redactManifestTextPair(secret(S), `# comment\n${secret(S)}`);
    expect(same.after).not.toContain(REDACTED_CHANGED);
  });
});
