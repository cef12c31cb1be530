// Shared fixtures of the daemon's unit tests: one app on an in-memory source, a Deployment
// behind a Service, and FakeRuntime hosts.
import type { AppConfig } from '../../../src/config/cluster-config.js';
import type { FakeHost } from '../../../src/runtime/fake-runtime.js';

/** A Deployment `web` of `replicas` pods behind a Service `web` (port 80 -> 8080). */
export const webWithService = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{ containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

export const shopApp: AppConfig = {
  name: 'shop',
  repoURL: 'memory://shop',
  revision: 'main',
  path: '.',
  syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false },
  poll: { interval: '30s' },
  rollback: { autoRestore: true },
};

/** Ready SSH hosts h1, h2, ... at 10.213.0.11, .12, ... with 2 CPUs and 4 GiB each. */
export const fakeHosts = (count: number): FakeHost[] =>
  Array.from({ length: count }, (_, i) => ({
    name: `h${i + 1}`,
    kind: 'ssh',
    address: `10.213.0.${11 + i}`,
    labels: {},
    taints: [],
    capacity: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3 },
  }));
