// Defaulted objects for diff tests, built by hand (as src/manifest's defaulting would leave
// them) so these tests do not depend on the parser.
import type {
  ConfigMap,
  Container,
  Deployment,
  HorizontalPodAutoscaler,
  Pod,
  Secret,
  Service,
} from '../../../src/model/k8s.js';

const src = (file: string) => ({ file, document: 0, line: 1, column: 1 });
const meta = (name: string, labels: Record<string, string> = {}) => ({
  name,
  namespace: 'default',
  labels,
  annotations: {},
});

export function container(over: Partial<Container> = {}): Container {
  return {
    name: 'web',
    image: 'my-app:1.0.0',
    imagePullPolicy: 'IfNotPresent',
    env: [],
    envFrom: [],
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    resources: { requests: {}, limits: {} },
    volumeMounts: [],
    ...over,
  };
}

export function deployment(
  name: string,
  over: {
    replicas?: number;
    containers?: Container[];
    volumes?: Deployment['spec']['template']['spec']['volumes'];
  } = {},
): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    source: src(`${name}.yaml`),
    spec: {
      replicas: over.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: {} },
        spec: {
          containers: over.containers ?? [container()],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          nodeSelector: {},
          tolerations: [],
          volumes: over.volumes ?? [],
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      minReadySeconds: 0,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      paused: false,
    },
  };
}

export function pod(name: string, containers: Container[] = [container({ name: 'app' })]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, { app: name }),
    source: src(`${name}.yaml`),
    spec: {
      containers,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      nodeSelector: {},
      tolerations: [],
      volumes: [],
    },
  };
}

export function configMap(name: string, data: Record<string, string>): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(name),
    source: src('config.yaml'),
    data,
    binaryData: {},
  };
}

export function secret(name: string, data: Record<string, string>): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(name),
    source: src('secret.yaml'),
    type: 'Opaque',
    data,
  };
}

export function service(name: string, port = 80): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name),
    source: src('svc.yaml'),
    spec: {
      type: 'ClusterIP',
      selector: { app: 'web' },
      ports: [{ protocol: 'TCP', port, targetPort: 8080 }],
      sessionAffinity: 'None',
    },
  };
}

export function hpa(name: string, target: string, maxReplicas = 10): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(name),
    source: src('hpa.yaml'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 2,
      maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  };
}

/** base64 of ASCII text, as a Secret's data holds it. */
export function b64(s: string): string {
  return btoa(s);
}

/** A deep copy to edit: tests change a copy, never the fixture. */
export function edit<T>(o: T, f: (copy: T) => void): T {
  const copy = structuredClone(o);
  f(copy);
  return copy;
}
