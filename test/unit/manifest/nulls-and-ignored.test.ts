// Kubernetes' reading of `null` (a field given as null is unset; a null map entry or list
// item is its zero value) and ignored fields that are still type-checked: each case a small
// manifest and the exact findings (severity, code, path, line, column).
import { describe, expect, it } from 'vitest';
import { validateBundle } from '../../../src/manifest/index.js';
import type { Deployment } from '../../../src/model/k8s.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.25
`;

/** The Deployment with `lines` added under its container (indent 10) or elsewhere. */
function withContainer(lines: string): string {
  return `${DEPLOYMENT}${lines}`;
}

function findings(text: string): string[] {
  return validateBundle([{ path: 'a.yaml', text }]).diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.path} ${d.line}:${d.column}`,
  );
}

describe('null is unset, as the API server decodes it', () => {
  it.each<[string, string]>([
    ['args: null', '          args: null\n'],
    ['command: (empty)', '          command:\n'],
    ['env: null', '          env: null\n'],
    ['envFrom: ~', '          envFrom: ~\n'],
    ['ports: null', '          ports: null\n'],
    ['resources: null', '          resources: null\n'],
    ['readinessProbe: null', '          readinessProbe: null\n'],
    ['volumeMounts: null', '          volumeMounts: null\n'],
    ['env value: null', '          env:\n            - name: A\n              value: null\n'],
    ['ignored field null', '          tty: null\n'],
    ['rejected field null', '          volumeDevices: null\n'],
  ])('%s', (_name, lines) => {
    const r = validateBundle([{ path: 'a.yaml', text: withContainer(lines) }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.objects).toHaveLength(1);
  });

  it.each<[string, string, string]>([
    ['metadata.labels', '  name: web\n', '  name: web\n  labels: null\n'],
    [
      'metadata.annotations and creationTimestamp',
      '  name: web\n',
      '  name: web\n  annotations:\n  creationTimestamp: null\n',
    ],
    [
      'pod spec volumes and nodeSelector',
      '      containers:\n',
      '      volumes: null\n      nodeSelector: null\n      tolerations:\n      containers:\n',
    ],
    ['strategy and replicas', 'spec:\n', 'spec:\n  replicas: null\n  strategy: null\n'],
  ])('%s', (_name, from, to) => {
    const text = DEPLOYMENT.replace(from, to);
    expect(text).not.toBe(DEPLOYMENT);
    const r = validateBundle([{ path: 'a.yaml', text }]);
    expect(r.diagnostics).toEqual([]);
    const d = r.objects[0] as Deployment;
    expect(d.spec.replicas).toBe(1); // defaulted as when absent
    expect(d.metadata.labels).toEqual({});
  });

  it('a null entry of a string map is the empty string (Go stores the zero value)', () => {
    const text = DEPLOYMENT.replace(
      'labels: {app: web}\n    spec',
      'labels: {app: web, tier: null}\n    spec',
    );
    const r = validateBundle([{ path: 'a.yaml', text }]);
    expect(r.diagnostics).toEqual([]);
    expect((r.objects[0] as Deployment).spec.template.metadata.labels).toEqual({ app: 'web', tier: '' });
  });

  it.each<[string, string, string[]]>([
    [
      'a null list item of objects is an empty object',
      '          env:\n            - null\n',
      ['error schema.required spec.template.spec.containers[0].env[0] 16:15'],
    ],
    ['a null string item is the empty string', '          args: [run, null]\n', []],
    [
      'a required field given as null is missing',
      '          image: null\n',
      ['error semantic.image spec.template.spec.containers[0].image 14:11'],
    ],
    [
      'an unknown field given as null is still unknown',
      '          imagePolicy: null\n',
      ['error schema.unknown-field spec.template.spec.containers[0].imagePolicy 15:11'],
    ],
  ])('%s', (_name, lines, want) => {
    const text = lines.startsWith('          image:')
      ? DEPLOYMENT.replace('          image: nginx:1.25\n', lines)
      : withContainer(lines);
    expect(findings(text)).toEqual(want);
  });

  it('a null document head is still reported (kind: null is not a kind)', () => {
    expect(findings('apiVersion: v1\nkind: null\nmetadata: {name: a}\n')).toEqual([
      'error schema.type kind 2:1',
    ]);
  });
});

describe('an ignored field is still type-checked', () => {
  const IGNORED = 'warning unsupported.field';
  it.each<[string, string, string, string[]]>([
    [
      'metadata.finalizers as a map',
      '  name: web\n',
      '  name: web\n  finalizers: {a: b}\n',
      ['error schema.type metadata.finalizers 5:3', `${IGNORED} metadata.finalizers 5:3`],
    ],
    [
      'metadata.finalizers as a list',
      '  name: web\n',
      '  name: web\n  finalizers: [example.com/guard]\n',
      [`${IGNORED} metadata.finalizers 5:3`],
    ],
    [
      'ownerReferences without uid',
      '  name: web\n',
      '  name: web\n  ownerReferences:\n    - {apiVersion: v1, kind: X, name: x}\n',
      [`${IGNORED} metadata.ownerReferences 5:3`, 'error schema.required metadata.ownerReferences[0] 6:7'],
    ],
    [
      'generation as a string',
      '  name: web\n',
      '  name: web\n  generation: one\n',
      ['error schema.type metadata.generation 5:3', `${IGNORED} metadata.generation 5:3`],
    ],
    [
      'imagePullSecrets as strings',
      '      containers:\n',
      '      imagePullSecrets: [regcred]\n      containers:\n',
      [
        `${IGNORED} spec.template.spec.imagePullSecrets 12:7`,
        'error schema.type spec.template.spec.imagePullSecrets[0] 12:26',
      ],
    ],
    [
      'dnsPolicy not one of the policies',
      '      containers:\n',
      '      dnsPolicy: ClusterFirts\n      containers:\n',
      ['error schema.enum spec.template.spec.dnsPolicy 12:7', `${IGNORED} spec.template.spec.dnsPolicy 12:7`],
    ],
    [
      'tty as a string',
      '          image: nginx:1.25\n',
      '          image: nginx:1.25\n          tty: "yes"\n',
      [
        'error schema.type spec.template.spec.containers[0].tty 15:11',
        `${IGNORED} spec.template.spec.containers[0].tty 15:11`,
      ],
    ],
    [
      'an unknown field inside an ignored object',
      '      containers:\n',
      '      dnsConfig: {nameserver: [1.1.1.1]}\n      containers:\n',
      [
        `${IGNORED} spec.template.spec.dnsConfig 12:7`,
        'error schema.unknown-field spec.template.spec.dnsConfig.nameserver 12:19',
      ],
    ],
  ])('%s', (_name, from, to, want) => {
    const text = DEPLOYMENT.replace(from, to);
    expect(text).not.toBe(DEPLOYMENT);
    expect(findings(text)).toEqual(want);
  });

  it('a Service ignored field: ipFamilies items are IPv4 or IPv6', () => {
    const svc =
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ipFamilies: [IPv5]\n  ports: [{port: 80}]\n';
    expect(findings(svc)).toEqual([
      'warning unsupported.field spec.ipFamilies 5:3',
      'error schema.enum spec.ipFamilies[0] 5:16',
    ]);
  });
});
