// Small builders for the controllers' unit tests: hosts, pod specs, scheduling pods, observed
// pods and Deployments with Kubernetes' defaults filled in.

import type { SchedulingPod } from '../../../src/controllers/scheduler.js';
import type { Container, Deployment, IntOrPercent, PodSpec } from '../../../src/model/k8s.js';
import type { ObservedContainer, ObservedHost, ObservedPod, Taint } from '../../../src/model/observed.js';

export const GiB = 1024 * 1024 * 1024;
export const MiB = 1024 * 1024;

export function host(
  name: string,
  opts: {
    cpuMilli?: number;
    memoryBytes?: number;
    ready?: boolean;
    labels?: Record<string, string>;
    taints?: Taint[];
  } = {},
): ObservedHost {
  return {
    name,
    address: `10.213.0.${name.length}`,
    ready: opts.ready ?? true,
    labels: opts.labels ?? {},
    taints: opts.taints ?? [],
    capacity: { cpuMilli: opts.cpuMilli ?? 2000, memoryBytes: opts.memoryBytes ?? 4 * GiB },
  };
}

export function container(
  name = 'app',
  requests: Record<string, string> = {},
  limits: Record<string, string> = {},
  hostPort?: number,
): Container {
  return {
    name,
    image: 'nginx:1.25',
    imagePullPolicy: 'IfNotPresent',
    env: [],
    envFrom: [],
    ports: hostPort === undefined ? [] : [{ containerPort: 80, hostPort, protocol: 'TCP' }],
    resources: { requests, limits },
    volumeMounts: [],
  };
}

export function podSpec(overrides: Partial<PodSpec> = {}): PodSpec {
  return {
    containers: [container('app', { cpu: '250m', memory: '64Mi' })],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    nodeSelector: {},
    tolerations: [],
    volumes: [],
    ...overrides,
  };
}

export function schedPod(
  name: string,
  opts: {
    spec?: PodSpec;
    cpuMilli?: number;
    memoryBytes?: number;
    owner?: string;
    hostPorts?: number[];
    namespace?: string;
  } = {},
): SchedulingPod {
  return {
    name,
    namespace: opts.namespace ?? 'default',
    owner: { kind: 'Deployment', name: opts.owner ?? 'web' },
    spec: opts.spec ?? podSpec(),
    requests: { cpuMilli: opts.cpuMilli ?? 250, memoryBytes: opts.memoryBytes ?? 64 * MiB },
    hostPorts: (opts.hostPorts ?? []).map((port) => ({ port, protocol: 'TCP' as const })),
  };
}

export function runningContainer(name: string, startedAt: number, restartCount = 0): ObservedContainer {
  return {
    id: `id-${name}`,
    name,
    image: 'nginx:1.25',
    state: 'running',
    exitCode: 0,
    startedAt,
    restartCount,
    labels: {},
  };
}

export function observedPod(
  name: string,
  opts: {
    host?: string;
    hash?: string;
    owner?: string;
    createdAt?: number;
    restarts?: number;
    spec?: PodSpec;
    started?: boolean;
    namespace?: string;
  } = {},
): ObservedPod {
  const createdAt = opts.createdAt ?? 0;
  return {
    host: opts.host ?? 'h1',
    name,
    namespace: opts.namespace ?? 'default',
    app: 'demo',
    ownerKind: 'Deployment',
    ownerName: opts.owner ?? 'web',
    templateHash: opts.hash ?? 'v1',
    commit: 'c0ffee',
    labels: { app: 'web' },
    spec: opts.spec ?? podSpec(),
    createdAt,
    publishedPorts: [],
    infra: { id: `infra-${name}`, state: 'running' },
    containers:
      opts.started === false
        ? [{ ...runningContainer('app', createdAt), state: 'created', startedAt: undefined }]
        : [runningContainer('app', createdAt, opts.restarts ?? 0)],
    probes: {},
  };
}

export function deployment(
  opts: {
    name?: string;
    replicas?: number;
    maxSurge?: IntOrPercent;
    maxUnavailable?: IntOrPercent;
    recreate?: boolean;
    minReadySeconds?: number;
    progressDeadlineSeconds?: number;
    paused?: boolean;
  } = {},
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name ?? 'web', namespace: 'default', labels: {}, annotations: {} },
    source: { file: 'web.yaml', document: 0, line: 1, column: 1 },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' }, annotations: {} }, spec: podSpec() },
      strategy: opts.recreate
        ? { type: 'Recreate' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: { maxSurge: opts.maxSurge ?? '25%', maxUnavailable: opts.maxUnavailable ?? '25%' },
          },
      minReadySeconds: opts.minReadySeconds ?? 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: opts.progressDeadlineSeconds ?? 600,
      paused: opts.paused ?? false,
    },
  };
}
