// Builders for the services unit tests: defaulted Services and observed pods/hosts.

import type { ServiceSource } from '../../../../src/controllers/services/resolve.js';
import type { Service, ServicePort, ServiceSpec } from '../../../../src/model/k8s.js';
import type { ObservedHost, ObservedPod } from '../../../../src/model/observed.js';

export function service(
  name: string,
  spec: Partial<Omit<ServiceSpec, 'ports'>> & { ports?: Partial<ServicePort>[] } = {},
  namespace = 'default',
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: {}, annotations: {} },
    source: { file: 'svc.yaml', document: 0, line: 1, column: 1 },
    spec: {
      type: spec.type ?? 'ClusterIP',
      selector: spec.selector ?? { app: name },
      clusterIP: spec.clusterIP,
      externalName: spec.externalName,
      sessionAffinity: spec.sessionAffinity ?? 'None',
      sessionAffinityConfig: spec.sessionAffinityConfig,
      ports: (spec.ports ?? [{ port: 80 }]).map((p) => ({
        name: p.name,
        protocol: p.protocol ?? 'TCP',
        port: p.port ?? 80,
        targetPort: p.targetPort ?? p.port ?? 80,
        nodePort: p.nodePort,
      })),
    },
  };
}

export const sources = (...services: Service[]): ServiceSource[] =>
  services.map((s) => ({ app: 'shop', service: s }));

export function host(name: string, address: string, ready = true): ObservedHost {
  return { name, address, ready, labels: {}, taints: [], capacity: { cpuMilli: 2000, memoryBytes: 2 ** 31 } };
}

export const HOSTS = [host('h1', '10.213.0.11'), host('h2', '10.213.0.12'), host('h3', '10.213.0.13')];

export interface PodOptions {
  labels?: Record<string, string>;
  namespace?: string;
  ready?: boolean;
  terminating?: boolean;
  ports?: { name?: string; containerPort: number; hostPort: number; protocol?: 'TCP' | 'UDP' }[];
  ip?: string;
}

/** A running web pod with one container; readiness gated by a probe whose state is `ready`. */
export function pod(name: string, hostName: string, opts: PodOptions = {}): ObservedPod {
  const ports = opts.ports ?? [{ name: 'http', containerPort: 8080, hostPort: 32768 }];
  return {
    host: hostName,
    name,
    namespace: opts.namespace ?? 'default',
    app: 'shop',
    ownerKind: 'Deployment',
    ownerName: 'web',
    templateHash: 'abc',
    commit: 'c0ffee',
    labels: opts.labels ?? { app: 'web' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'web:1',
          imagePullPolicy: 'IfNotPresent',
          env: [],
          envFrom: [],
          ports: ports.map((p) => ({
            name: p.name,
            containerPort: p.containerPort,
            protocol: p.protocol ?? 'TCP',
          })),
          resources: { requests: {}, limits: {} },
          readinessProbe: {
            tcpSocket: { port: 8080 },
            initialDelaySeconds: 0,
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
          volumeMounts: [],
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      nodeSelector: {},
      tolerations: [],
      volumes: [],
    },
    createdAt: 1000,
    ip: opts.ip,
    publishedPorts: ports.map((p) => ({
      containerPort: p.containerPort,
      protocol: p.protocol ?? 'TCP',
      hostPort: p.hostPort,
    })),
    infra: { id: `${name}-infra`, state: 'running' },
    containers: [
      {
        id: `${name}-web`,
        name: 'web',
        image: 'web:1',
        state: 'running',
        exitCode: 0,
        startedAt: 1000,
        restartCount: 0,
        labels: {},
      },
    ],
    probes: { web: { startupPassed: true, ready: opts.ready ?? true, live: true, readySince: 1500 } },
    terminating: opts.terminating,
  };
}
