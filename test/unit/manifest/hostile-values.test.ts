// Issue 11, "silent changes" and request injection at validation time: bytes that are not
// UTF-8, control characters, numbers Kubernetes would read differently or refuse, integers
// past int32/int64, image references outside the distribution grammar, and httpGet probe
// fields that would break the probe request. Each is an error with a position, never a
// quietly different value.
import { describe, expect, it } from 'vitest';
import { decodeManifestText, firstInvalidUtf8 } from '../../../src/manifest/decode-text.js';
import { imageReferenceProblem } from '../../../src/manifest/image-reference.js';
import { validateBundle } from '../../../src/manifest/index.js';
import { parseManifests } from '../../../src/manifest/parse.js';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('decodeManifestText: strict UTF-8 at the byte boundary', () => {
  it.each([
    ['a lone continuation byte', bytes('a: x', [0x80]), 4, 1, 5],
    ['a truncated 3-byte sequence', bytes('a: 1\nb: ', [0xe2, 0x82]), 8, 2, 4],
    ['an overlong encoding of "/"', bytes('a: ', [0xc0, 0xaf]), 3, 1, 4],
    ['an encoded surrogate', bytes('x: é\ny: ', [0xed, 0xa0, 0x80]), 9, 2, 4],
    ['a code point past U+10FFFF', bytes([0xf4, 0x90, 0x80, 0x80]), 0, 1, 1],
    ['Latin-1 text', bytes('name: caf', [0xe9]), 9, 1, 10],
  ])('%s is a diagnostic at its line:column', (_name, buf, offset, line, column) => {
    expect(firstInvalidUtf8(buf)).toBe(offset);
    const r = decodeManifestText('m.yaml', buf);
    expect(r).toEqual({
      diagnostic: expect.objectContaining({ file: 'm.yaml', line, column, code: 'yaml.invalid-utf8' }),
    });
  });

  it.each([
    ['ASCII', bytes('a: 1'), 'a: 1'],
    ['multi-byte text', bytes('a: café ✓ 😀'), 'a: café ✓ 😀'],
    ['a leading BOM (dropped)', bytes([0xef, 0xbb, 0xbf], 'a: 1'), 'a: 1'],
  ])('%s decodes', (_name, buf, text) => {
    expect(decodeManifestText('m.yaml', buf)).toEqual({ text });
  });
});

const codesOf = (text: string) => parseManifests(text, 'm.yaml').diagnostics.map((d) => d.code);

describe('parseManifests: numbers and characters Kubernetes would read differently', () => {
  it.each([
    ['a: 9007199254740993', 'yaml.number-range'],
    ['a: -9007199254740993', 'yaml.number-range'],
    ['a: .inf', 'yaml.number-range'],
    ['a: -.Inf', 'yaml.number-range'],
    ['a: .nan', 'yaml.number-range'],
    ['a: 1e400', 'yaml.number-range'],
    ['{"a": 1e400}', 'yaml.number-range'],
    ['a: "x"\u001b[31m', 'yaml.control-character'],
    ['a: x\u007f', 'yaml.control-character'],
    ['a: x\u0085y\u0090', 'yaml.control-character'],
    ['a: x\u0000', 'yaml.binary'],
  ])('%j -> %s', (text, code) => {
    expect(codesOf(text)).toEqual([code]);
  });

  it.each([
    ['a: 0', 0],
    ['a: 00', 0],
    ['a: 09', 9],
    ['a: 0x10', 16],
    ['a: 0o10', 8],
    ['a: 1e3', 1000],
    ['a: 9007199254740991', 9007199254740991],
    ['a: "010"', '010'],
    ['a: "\\e[31m"', '\u001b[31m'],
    ['\uFEFFa: 1', 1],
    ['a: x\ty', 'x\ty'],
  ])('%j is read as Kubernetes reads it', (text, value) => {
    const r = parseManifests(text, 'm.yaml');
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0]?.value).toEqual({ a: value });
  });

  it.each([
    ['a: 010', { a: 8 }, ['yaml.octal-number']],
    ['a: -0755', { a: -493 }, ['yaml.octal-number']],
    ['a:\n  - 1\n  - 010', { a: [1, 8] }, ['yaml.octal-number']],
    // File modes are written in octal by convention: read as Kubernetes reads them, silently.
    ['defaultMode: 0644', { defaultMode: 420 }, []],
    ['items:\n  - { key: k, path: p, mode: 0400 }', { items: [{ key: 'k', path: 'p', mode: 256 }] }, []],
  ])('%j: a leading-zero octal is read as Kubernetes reads it', (text, value, warnings) => {
    const r = parseManifests(text, 'm.yaml');
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual(warnings.map((w) => [w, 'warning']));
    expect(r.documents[0]?.value).toEqual(value);
  });

  it('the diagnostic points at the number and never quotes it', () => {
    const [d] = parseManifests('a: 1\nsecret: 0123\n', 'm.yaml').diagnostics;
    expect(d).toMatchObject({ line: 2, column: 9 });
    expect(d?.message).not.toContain('0123');
  });
});

function deployment(spec: Record<string, string>, container: Record<string, string> = {}): string {
  const extra = (m: Record<string, string>, indent: string) =>
    Object.entries(m)
      .map(([k, v]) => `${indent}${k}: ${v}\n`)
      .join('');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
${extra(spec, '  ')}  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ${container.image ?? 'nginx:1.27'}
${extra({ ...container, image: '' }, '          ').replace(/ {10}image: \n/, '')}`;
}

function errors(text: string) {
  return validateBundle([{ path: 'm.yaml', text }]).diagnostics.filter((d) => d.severity === 'error');
}

describe('integer fields are int32 (or int64) as Kubernetes types them', () => {
  it.each([
    ['replicas', { replicas: '2147483648' }, 'spec.replicas', 'int32'],
    ['revisionHistoryLimit', { revisionHistoryLimit: '4294967296' }, 'spec.revisionHistoryLimit', 'int32'],
    [
      'progressDeadlineSeconds',
      { progressDeadlineSeconds: '3000000000' },
      'spec.progressDeadlineSeconds',
      'int32',
    ],
    ['minReadySeconds', { minReadySeconds: '1e10' }, 'spec.minReadySeconds', 'int32'],
  ])('%s past int32 is refused', (_f, spec, path, type) => {
    const [e, ...rest] = errors(deployment(spec));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ path, code: 'schema.range' });
    expect(e?.message).toMatch(new RegExp(`cannot unmarshal number \\d+ into a field of type ${type}`));
  });

  it.each([
    ['containerPort', 'ports', '[{containerPort: 2147483648}]', 'ports[0].containerPort'],
    [
      'probe periodSeconds',
      'readinessProbe',
      '{tcpSocket: {port: 80}, periodSeconds: 2147483648}',
      'readinessProbe.periodSeconds',
    ],
    [
      'probe port (IntOrString)',
      'readinessProbe',
      '{tcpSocket: {port: 2147483648}}',
      'readinessProbe.tcpSocket.port',
    ],
  ])('container %s past int32 is refused', (_n, field, value, path) => {
    const es = errors(deployment({}, { [field]: value }));
    expect(es.map((e) => [e.code, e.path])).toEqual([
      ['schema.range', `spec.template.spec.containers[0].${path}`],
    ]);
  });

  it('replicas at the int32 maximum is accepted', () => {
    expect(errors(deployment({ replicas: '2147483647' }))).toEqual([]);
  });

  it('terminationGracePeriodSeconds is int64: past int32 is accepted', () => {
    const text = deployment({}).replace(
      '      containers:',
      '      terminationGracePeriodSeconds: 4294967296\n      containers:',
    );
    expect(errors(text)).toEqual([]);
  });

  it.each([
    ['HPA maxReplicas', 'maxReplicas: 2147483648', 'spec.maxReplicas'],
    ['HPA minReplicas', 'minReplicas: 2147483648\n  maxReplicas: 3', 'spec.minReplicas'],
  ])('%s past int32 is refused', (_n, fields, path) => {
    const text = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  ${fields}
`;
    const range = validateBundle([{ path: 'h.yaml', text }], { allowMissingRefs: true }).diagnostics.filter(
      (d) => d.code === 'schema.range',
    );
    expect(range.map((d) => d.path)).toEqual([path]);
  });
});

describe('image references follow the distribution grammar', () => {
  it.each([
    ['nginx'],
    ['nginx:1.27'],
    ['library/nginx:latest'],
    ['registry.example.com:5000/shop/web:1.4.2'],
    ['Registry.Example.com/shop/web'],
    ['localhost:5000/a__b/c-d.e_f:v1'],
    ['[::1]:5000/app:1'],
    [`nginx@sha256:${'a'.repeat(64)}`],
    [`nginx:1.27@sha256:${'0'.repeat(64)}`],
    [`web:${'t'.repeat(128)}`],
    [`ghcr.io/o/r@sha512:${'f'.repeat(128)}`],
  ])('%s is valid', (image) => {
    expect(imageReferenceProblem(image)).toBeUndefined();
  });

  it.each([
    ['Nginx:1.27', 'repository name must be lowercase'],
    ['example.com/Shop/web', 'repository name must be lowercase'],
    [`web:${'t'.repeat(129)}`, 'tag must be at most 128 characters'],
    ['nginx@sha256:abc', 'invalid digest format'],
    [`nginx@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
    ['nginx:1.27\nX-Injected: 1', 'invalid reference format'],
    ['../../etc/passwd', 'invalid reference format'],
    ['nginx/../../containers/json', 'invalid reference format'],
    ['nginx?all=1', 'invalid reference format'],
    ['nginx:', 'invalid reference format'],
    ['-nginx', 'invalid reference format'],
    ['nginx:-tag', 'invalid reference format'],
    [`${'a'.repeat(64)}`, 'cannot specify 64-byte hexadecimal strings as a repository name'],
    [`a/${'b'.repeat(254)}`, 'repository name must not be more than 255 characters'],
  ])('%j: %s', (image, problem) => {
    expect(imageReferenceProblem(image)).toBe(problem);
  });

  it('an invalid image is a semantic.image error at the field', () => {
    const [e, ...rest] = errors(deployment({}, { image: '"Shop/Web:1"' }).replace('image: nginx:1.27\n', ''));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ code: 'semantic.image', path: 'spec.template.spec.containers[0].image' });
    expect(e?.message).toContain('repository name must be lowercase');
  });
});

describe('httpGet probes: what would break or forge the probe request', () => {
  const probe = (httpGet: string) => errors(deployment({}, { readinessProbe: `{httpGet: ${httpGet}}` }));
  const at = 'spec.template.spec.containers[0].readinessProbe.httpGet';

  it.each([
    ['CR/LF in the path', '{port: 80, path: "/h\\r\\nX-Evil: 1"}', `${at}.path`],
    ['a NUL in the path', '{port: 80, path: "/h\\0"}', `${at}.path`],
    ['LF in the host', '{port: 80, host: "a\\nb"}', `${at}.host`],
    ['a space in the host', '{port: 80, host: "a b"}', `${at}.host`],
    [
      'a colon in a header name',
      '{port: 80, httpHeaders: [{name: "X-A:", value: v}]}',
      `${at}.httpHeaders[0].name`,
    ],
    [
      'LF in a header name',
      '{port: 80, httpHeaders: [{name: "X\\nY", value: v}]}',
      `${at}.httpHeaders[0].name`,
    ],
    ['an empty header name', '{port: 80, httpHeaders: [{name: "", value: v}]}', `${at}.httpHeaders[0].name`],
    [
      'CR/LF in a header value',
      '{port: 80, httpHeaders: [{name: X-A, value: "v\\r\\nHost: evil"}]}',
      `${at}.httpHeaders[0].value`,
    ],
    [
      'ESC in a header value',
      '{port: 80, httpHeaders: [{name: X-A, value: "\\e[2J"}]}',
      `${at}.httpHeaders[0].value`,
    ],
  ])('%s is refused', (_n, httpGet, path) => {
    expect(probe(httpGet).map((e) => e.path)).toEqual([path]);
  });

  it("the header-name message is Kubernetes' own; a header value is never quoted", () => {
    const [name] = probe('{port: 80, httpHeaders: [{name: "X_A", value: v}]}');
    expect(name?.message).toContain("a valid HTTP header must consist of alphanumeric characters or '-'");
    const [value] = probe('{port: 80, httpHeaders: [{name: Authorization, value: "Bearer s3cret\\n"}]}');
    expect(value?.message).not.toContain('s3cret');
  });

  it.each([
    ['{port: 80, path: "/a b?q=1"}'],
    ['{port: 80, path: "/ready", httpHeaders: [{name: X-Token, value: "a\\tb"}]}'],
    ['{port: 80, host: "10.0.0.1"}'],
  ])('%s is valid', (httpGet) => {
    expect(probe(httpGet)).toEqual([]);
  });

  it('tcpSocket host with a control character is refused', () => {
    const es = errors(deployment({}, { readinessProbe: '{tcpSocket: {port: 80, host: "a\\rb"}}' }));
    expect(es.map((e) => e.path)).toEqual(['spec.template.spec.containers[0].readinessProbe.tcpSocket.host']);
  });
});
