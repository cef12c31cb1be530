import { describe, expect, it } from 'vitest';
import {
  decodeBase64Utf8,
  fnvFingerprint,
  MASK,
  redactDesiredPod,
  redactSecretData,
  redactSecretsInText,
  redactSecretValue,
  secretValuesOf,
} from '../../../src/diff/redact.js';
import type { DesiredPod } from '../../../src/model/desired.js';
import { b64 } from './fixtures.js';

describe('redactSecretValue', () => {
  it.each([
    { name: 'hash by default', value: 'cGFzcw==', mode: undefined, expected: fnvFingerprint('cGFzcw==') },
    { name: 'mask', value: 'cGFzcw==', mode: { mode: 'mask' as const }, expected: MASK },
    { name: 'absent stays absent', value: undefined, mode: undefined, expected: undefined },
  ])('$name', ({ value, mode, expected }) => {
    expect(redactSecretValue(value, mode)).toBe(expected);
  });

  it('fingerprints are labelled, stable and distinct per value', () => {
    expect(fnvFingerprint('a')).toMatch(/^hash:[0-9a-f]{16}$/);
    expect(fnvFingerprint('a')).toBe(fnvFingerprint('a'));
    expect(fnvFingerprint('a')).not.toBe(fnvFingerprint('b'));
  });

  it('redacts a whole data map', () => {
    expect(redactSecretData({ A: 'x', B: 'y' }, { mode: 'mask' })).toEqual({ A: MASK, B: MASK });
  });
});

describe('redactSecretsInText', () => {
  it.each([
    {
      text: 'connect failed: password=hunter22 rejected',
      values: ['hunter22'],
      out: 'connect failed: password=*** rejected',
    },
    { text: 'abcdef and abc', values: ['abc', 'abcdef'], out: '*** and ***' },
    { text: 'a.b*c? literal', values: ['a.b*c?'], out: '*** literal' },
    { text: 'short ab stays', values: ['ab'], out: 'short ab stays' },
    { text: 'nothing here', values: [], out: 'nothing here' },
  ])('$text', ({ text, values, out }) => {
    expect(redactSecretsInText(text, values)).toBe(out);
  });
});

describe('secretValuesOf', () => {
  it('gives the stored base64, the decoded value and each line of a multi-line value', () => {
    const values = secretValuesOf([{ data: { P: b64('password123'), K: b64('line-one\nline-two\n') } }]);
    expect(values).toEqual(
      expect.arrayContaining([
        b64('password123'),
        'password123',
        'line-one',
        'line-two',
        'line-one\nline-two\n',
      ]),
    );
    const log = `env P=password123 K64=${b64('line-one\nline-two\n')} got line-two`;
    const clean = redactSecretsInText(log, values);
    expect(clean).toBe('env P=*** K64=*** got ***');
  });

  it('decodes UTF-8', () => {
    expect(decodeBase64Utf8(btoa(String.fromCharCode(...new TextEncoder().encode('pässwörd'))))).toBe(
      'pässwörd',
    );
    expect(decodeBase64Utf8('%%%')).toBeUndefined();
  });
});

describe('redactDesiredPod', () => {
  const pod: DesiredPod = {
    name: 'web-1',
    namespace: 'default',
    app: 'demo',
    owner: { kind: 'Deployment', name: 'web' },
    templateHash: 'abc',
    commit: 'c0ffee',
    labels: {},
    spec: {
      containers: [],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      nodeSelector: {},
      tolerations: [],
      volumes: [],
    },
    containers: [
      {
        name: 'web',
        image: 'x',
        pullPolicy: 'IfNotPresent',
        env: [
          { name: 'HOST', value: 'db.example.com', secret: false },
          { name: 'PASSWORD', value: 'password123', secret: true },
        ],
        ports: [],
        limits: {},
        files: [
          { path: '/etc/app/conf', contentBase64: b64('a=1'), mode: 0o644, secret: false },
          { path: '/etc/secret/key', contentBase64: b64('private'), mode: 0o400, secret: true },
        ],
        emptyDirs: [],
      },
    ],
    requests: { cpuMilli: 0, memoryBytes: 0 },
    hostPorts: [],
    extraHosts: [],
  };

  it('masks values that came from Secrets and keeps the rest', () => {
    const shown = redactDesiredPod(pod);
    expect(shown.containers[0]!.env).toEqual([
      { name: 'HOST', value: 'db.example.com', secret: false },
      { name: 'PASSWORD', value: MASK, secret: true },
    ]);
    expect(shown.containers[0]!.files.map((f) => f.contentBase64)).toEqual([b64('a=1'), MASK]);
    expect(JSON.stringify(shown)).not.toContain('password123');
    expect(pod.containers[0]!.env[1]!.value).toBe('password123');
  });
});
