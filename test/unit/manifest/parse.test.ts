// parseManifests: values identical to the `yaml` package (differential and property
// tests of the fast reader), positions, and hostile input handled as diagnostics.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { MAX_FILE_CHARS, parseManifests } from '../../../src/manifest/parse.js';
import { parseFastYaml } from '../../../src/manifest/yaml-fast.js';

function yamlValues(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true })
    .map((d) => d.toJS())
    .filter((v) => v !== null && v !== undefined);
}

const CORPUS: [string, string][] = [
  [
    'deployment with comments, lists, quotes, literal block',
    `# web
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  labels: {}
  annotations:
    a.b/c: "x: y"
    d: 'it''s'
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        args: ["--port", '8080', 3, plain words]
        command:
          - sh
          - -c
          - |
            echo hi
              indented
            # not a comment

        env: []
      - name: two
        x: |-
          last
`,
  ],
  ['two documents', 'a: 1\n---\nb: 2\n'],
  ['empty document in the middle', 'a: 1\n---\n---\nb: 2\n'],
  [
    'scalars of the core schema',
    'i: 12\nf: 1.5\ne: 1e3\nn: ~\nt: true\nF: False\ns: "a\\tb"\nv: 1.0.0\nm: 250m\nneg: -3\n',
  ],
  ['comment value with hash inside', 'k: value with # a comment\nurl: http://x:80/y#frag\n'],
  ['compact sequence under a key', 'a:\n- b: 1\n  c: 2\n- d\nz: 3\n'],
  ['literal with blank lines', 'x: |\n  a\n\n  b\n\n\ny: 2\n'],
  ['CRLF line endings', 'a: 1\r\nb:\r\n  - x\r\n'],
];

describe('fast reader = yaml package', () => {
  it.each(CORPUS)('%s', (_name, text) => {
    const fast = parseFastYaml(text);
    expect(fast).toBeDefined();
    expect(fast!.map((d) => d.value)).toEqual(yamlValues(text));
  });

  it.each([
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['flow mapping', 'a: {b: 1}\n'],
    ['folded scalar', 'a: >\n  b\n'],
    ['multi-line plain scalar', 'a: b\n  c\n'],
    ['tab indentation', 'a:\n\tb: 1\n'],
    ['duplicate key', 'a: 1\na: 2\n'],
    ['hex number', 'a: 0x1F\n'],
    ['merge key', 'a: 1\n<<: {b: 2}\n'],
  ])('gives up on %s (the yaml package handles it)', (_name, text) => {
    expect(parseFastYaml(text)).toBeUndefined();
  });

  // Property: any manifest-like value, stringified by `yaml`, reads back identically.
  const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_./-]{0,12}$/);
  const scalar = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom('250m', '64Mi', '1.0.0', 'true', 'null', '- x', 'a: b', '#x', "it's", '"q"', ''),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, tie('map'), tie('list')),
    map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
    list: fc.array(tie('node'), { maxLength: 4 }),
  }));
  it('round-trips generated documents', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value.node, { minKeys: 1, maxKeys: 6 }), (doc) => {
        const text = stringify(doc);
        const fast = parseFastYaml(text);
        if (fast) expect(fast.map((d) => d.value)).toEqual(yamlValues(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('positions', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: nginx
      resources:
        requests:
          cpu: "250mi"
`;
  it.each([
    ['fast reader', text],
    ['yaml fallback', `${text}  x: &a 1\n`],
  ])('points at keys and items (%s)', (_name, t) => {
    const { documents } = parseManifests(t, 'pod.yaml');
    const d = documents[0]!;
    expect(d.locate(['spec', 'containers', 0, 'resources', 'requests', 'cpu'])).toEqual({
      line: 11,
      column: 11,
    });
    expect(d.locate(['spec', 'containers', 0])).toEqual({ line: 7, column: 7 });
    // a path that does not exist points at its deepest existing parent
    expect(d.locate(['spec', 'containers', 0, 'ports', 0])).toEqual({ line: 7, column: 7 });
    expect(d.locate([])).toEqual({ line: 1, column: 1 });
  });
});

describe('hostile input', () => {
  const codes = (text: string) => parseManifests(text, 'x.yaml').diagnostics.map((d) => d.code);

  it('refuses a billion-laughs alias bomb', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    expect(codes(lines.join('\n'))).toEqual(['yaml.alias-limit']);
  });

  it('refuses deeply nested flow collections', () => {
    expect(codes(`a: ${'['.repeat(5000)}${']'.repeat(5000)}`)).toEqual(['yaml.too-deep']);
  });

  it('refuses deeply nested block mappings', () => {
    const text = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(codes(`${text} 1\n`)).toEqual(['yaml.too-deep']);
  });

  it('refuses files over the size cap without parsing them', () => {
    const text = `a: "${'x'.repeat(MAX_FILE_CHARS)}"\n`;
    const d = parseManifests(text, 'big.yaml').diagnostics;
    expect(d.map((x) => x.code)).toEqual(['yaml.too-large']);
  });

  it('reports duplicate keys with their position', () => {
    const d = parseManifests('apiVersion: v1\nkind: Pod\nkind: Service\n', 'x.yaml').diagnostics;
    expect(d.map((x) => [x.code, x.line])).toEqual([['yaml.duplicate-key', 3]]);
  });

  it('explains tabs used for indentation', () => {
    const d = parseManifests('metadata:\n\tname: x\n', 'x.yaml').diagnostics;
    expect(d[0]!.code).toBe('yaml.tab');
    expect(d[0]!.line).toBe(2);
    expect(d[0]!.message).toMatch(/indent with spaces/);
  });

  it('recognises binary files by their NUL bytes', () => {
    expect(codes('\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR')).toEqual(['yaml.binary']);
  });

  it('reports syntax errors instead of throwing', () => {
    expect(codes('a: [1, 2\nb: "unterminated\n')).toContain('yaml.syntax');
  });
});
