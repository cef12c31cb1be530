// The downward API (fieldRef, resourceFieldRef with the kubelet's ceil) and the volume files
// and folders materializePod lays out for a pod, from a manifest as a user writes it.
import { describe, expect, it } from 'vitest';
import { indexConfig } from '../../../src/manifest/config-refs.js';
import { validateBundle } from '../../../src/manifest/index.js';
import type { ConfigMap, Pod, ResourceFieldSelector, Secret } from '../../../src/model/k8s.js';
import { decodeBase64Utf8 } from '../../../src/reconcile/base64.js';
import {
  type DownwardPod,
  fieldRefValue,
  formatMap,
  podUid,
  resourceFieldValue,
} from '../../../src/reconcile/downward-api.js';
import { materializePod } from '../../../src/reconcile/materialize-pod.js';

const MANIFESTS = `apiVersion: v1
kind: ConfigMap
metadata: { name: cfg }
data: { a: alpha, b: beta }
---
apiVersion: v1
kind: Secret
metadata: { name: sec }
stringData: { token: s3cret }
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: { app: demo, tier: web }
  annotations: { owner: team-a }
spec:
  containers:
    - name: app
      image: busybox:1.36
      resources:
        requests: { cpu: 250m, memory: 100Mi }
        limits: { cpu: 1500m }
      env:
        - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
        - { name: OWNER, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['owner']" } } }
        - { name: NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
        - { name: HOST_IPS, valueFrom: { fieldRef: { fieldPath: status.hostIPs } } }
        - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
        - { name: URL, value: "http://$(POD_IP):8080/$(POD_NAME)" }
        - { name: CPU_M, valueFrom: { resourceFieldRef: { resource: limits.cpu, divisor: 1m } } }
        - { name: CPU, valueFrom: { resourceFieldRef: { resource: limits.cpu } } }
        - { name: MEM_LIMIT, valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } } }
        - { name: MEM_REQ, valueFrom: { resourceFieldRef: { resource: requests.memory, divisor: 1Mi } } }
      volumeMounts:
        - { name: proj, mountPath: /etc/proj }
        - { name: info, mountPath: /etc/info/ }
        - { name: host, mountPath: /host }
        - { name: host, mountPath: /per-pod, subPathExpr: $(POD_NAME) }
        - { name: mem, mountPath: /mem, readOnly: true }
        - { name: scratch, mountPath: /scratch, subPath: tmp }
        - { name: cfg, mountPath: /etc/one.conf, subPath: b }
  volumes:
    - name: proj
      projected:
        defaultMode: 256
        sources:
          - configMap: { name: cfg, items: [{ key: a, path: conf/a.txt, mode: 292 }] }
          - secret: { name: sec }
          - downwardAPI: { items: [{ path: labels, fieldRef: { fieldPath: metadata.labels } }] }
    - name: info
      downwardAPI:
        items:
          - { path: uid, fieldRef: { fieldPath: metadata.uid } }
          - { path: cpu, resourceFieldRef: { containerName: app, resource: requests.cpu, divisor: 1m } }
    - name: host
      hostPath: { path: /var/lib/demo/, type: DirectoryOrCreate }
    - name: mem
      emptyDir: { medium: Memory, sizeLimit: 16Mi }
    - name: scratch
      emptyDir: {}
    - name: cfg
      configMap: { name: cfg }
`;

function admitted() {
  const r = validateBundle([{ path: 'all.yaml', text: MANIFESTS }], {});
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const of = <T>(kind: string) => r.objects.filter((o) => o.kind === kind) as T[];
  return { pod: of<Pod>('Pod')[0]!, config: indexConfig(of<ConfigMap>('ConfigMap'), of<Secret>('Secret')) };
}

function materialize() {
  const { pod, config } = admitted();
  return materializePod({
    app: 'demo',
    commit: 'c1',
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    owner: { kind: 'Pod', name: 'p' },
    templateHash: 'h',
    labels: pod.metadata.labels,
    annotations: pod.metadata.annotations,
    spec: pod.spec,
    host: { name: 'h1', address: '10.0.0.5', capacity: { cpuMilli: 4000, memoryBytes: 8 * 1024 ** 3 } },
    config,
    serviceEnv: [],
    extraHosts: [],
  });
}

describe('materializePod: env from the downward API', () => {
  const { pod, problems } = materialize();
  const env = Object.fromEntries(pod.containers[0]!.env.map((e) => [e.name, e]));

  it('has no problems', () => expect(problems).toEqual([]));

  it.each([
    ['POD_NAME', 'p'],
    ['OWNER', 'team-a'],
    ['NODE', 'h1'],
    ['HOST_IPS', '10.0.0.5'],
    ['CPU_M', '1500'],
    // 1500m with divisor 1: ceil(1.5) = 2, as the kubelet rounds.
    ['CPU', '2'],
    // No memory limit: the host's capacity stands in for the node's allocatable.
    ['MEM_LIMIT', '8192'],
    ['MEM_REQ', '100'],
  ])('%s = %s', (name, value) => expect(env[name]?.value).toBe(value));

  it('leaves the pod IP to the runtime (known once the infra container runs)', () => {
    expect(env.POD_IP).toEqual({ name: 'POD_IP', value: '', secret: false, podField: 'status.podIP' });
    // A variable that references it is expanded by the runtime too; the rest is expanded now.
    expect(env.URL).toEqual({
      name: 'URL',
      value: 'http://$(POD_IP):8080/p',
      secret: false,
      podField: 'expand',
    });
  });
});

describe('materializePod: volume files and folders', () => {
  const { pod } = materialize();
  const c = pod.containers[0]!;
  const files = Object.fromEntries(c.files.map((f) => [f.path, f]));

  it('projects configMap items, secrets and downward API files with their modes', () => {
    expect(Object.keys(files).sort()).toEqual([
      '/etc/info/cpu',
      '/etc/info/uid',
      '/etc/one.conf',
      '/etc/proj/conf/a.txt',
      '/etc/proj/labels',
      '/etc/proj/token',
    ]);
    expect(files['/etc/proj/conf/a.txt']).toMatchObject({ mode: 0o444, secret: false });
    expect(files['/etc/proj/token']).toMatchObject({ mode: 0o400, secret: true });
    expect(decodeBase64Utf8(files['/etc/proj/token']!.contentBase64)).toBe('s3cret');
    expect(decodeBase64Utf8(files['/etc/proj/labels']!.contentBase64)).toBe('app="demo"\ntier="web"');
    expect(files['/etc/info/cpu']).toMatchObject({ mode: 0o644 });
    expect(decodeBase64Utf8(files['/etc/info/cpu']!.contentBase64)).toBe('250');
    expect(decodeBase64Utf8(files['/etc/info/uid']!.contentBase64)).toBe(podUid('demo', 'default', 'p'));
    expect(decodeBase64Utf8(files['/etc/one.conf']!.contentBase64)).toBe('beta');
  });

  it('mounts hostPath (subPathExpr expanded from env) and emptyDirs (Memory with its size)', () => {
    expect(c.hostPaths).toEqual([
      {
        volume: 'host',
        hostPath: '/var/lib/demo',
        volumePath: '/var/lib/demo/',
        type: 'DirectoryOrCreate',
        path: '/host',
      },
      {
        volume: 'host',
        hostPath: '/var/lib/demo/p',
        volumePath: '/var/lib/demo/',
        type: 'DirectoryOrCreate',
        path: '/per-pod',
      },
    ]);
    expect(c.emptyDirs).toEqual([
      { name: 'mem', path: '/mem', readOnly: true, memory: { sizeBytes: 16 * 1024 * 1024 } },
      { name: 'scratch', path: '/scratch', subPath: 'tmp' },
    ]);
  });
});

describe('the downward API', () => {
  const base: DownwardPod = {
    name: 'p',
    namespace: 'ns',
    uid: 'u',
    labels: { b: 'x"y', a: '1' },
    annotations: {},
    host: { name: 'h', address: '10.0.0.1' },
    containers: [
      {
        name: 'app',
        image: 'i',
        imagePullPolicy: 'IfNotPresent',
        env: [],
        envFrom: [],
        ports: [],
        resources: { requests: { cpu: '1', memory: '1' }, limits: { cpu: '250m', memory: '1500k' } },
        volumeMounts: [],
      },
    ],
  };
  const sel = (resource: string, divisor: string, containerName?: string): ResourceFieldSelector => ({
    resource,
    divisor,
    ...(containerName ? { containerName } : {}),
  });

  it.each([
    ['limits.cpu', '1', '1'],
    ['limits.cpu', '1m', '250'],
    ['requests.cpu', '1m', '1000'],
    ['limits.memory', '1', '1500000'],
    ['limits.memory', '1k', '1500'],
    ['limits.memory', '1Ki', '1465'], // 1464.84 rounded up
    ['limits.memory', '1Mi', '2'],
    ['limits.memory', '1G', '1'],
    ['requests.memory', '1Ki', '1'],
    ['requests.ephemeral-storage', '1', '0'],
  ])('%s with divisor %s is %s (ceil)', (resource, divisor, want) => {
    expect(resourceFieldValue(sel(resource, divisor), base, 'app')).toEqual({ value: want });
  });

  it('says what it cannot know', () => {
    expect(resourceFieldValue(sel('limits.cpu', '1', 'nope'), base)).toEqual({
      problem: 'container nope not found',
    });
    expect(resourceFieldValue(sel('limits.cpu', '1', 'app'), { ...base, containers: [] })).toEqual({
      problem: 'container app not found',
    });
    const noLimits = {
      ...base,
      containers: [{ ...base.containers[0]!, resources: { requests: {}, limits: {} } }],
    };
    expect(resourceFieldValue(sel('limits.ephemeral-storage', '1'), noLimits, 'app')).toMatchObject({
      problem: expect.stringContaining('is not set'),
    });
  });

  it('formats maps as the kubelet (sorted, quoted) and fills subscripted keys, empty when absent', () => {
    expect(formatMap(base.labels)).toBe('a="1"\nb="x\\"y"');
    expect(fieldRefValue("metadata.labels['b']", base)).toEqual({ value: 'x"y' });
    expect(fieldRefValue("metadata.annotations['none']", base)).toEqual({ value: '' });
    expect(fieldRefValue('status.podIPs', base)).toEqual({ podField: 'status.podIPs' });
  });

  it('gives each pod a stable UUID-shaped uid', () => {
    expect(podUid('a', 'ns', 'p')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(podUid('a', 'ns', 'p')).toBe(podUid('a', 'ns', 'p'));
    expect(podUid('a', 'ns', 'p')).not.toBe(podUid('a', 'ns', 'q'));
  });
});
