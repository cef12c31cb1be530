// What a seed deploys: one Deployment behind a Service, reading a Secret whose value is the
// sentinel no output may ever contain, rolled through a new image per rollout.

export const SENTINEL = 'chaos-sentinel-5f0c1e9ab7d2';
export const SENTINEL_B64 = Buffer.from(SENTINEL).toString('base64');

/** replicas, maxSurge and maxUnavailable as written, and as Kubernetes resolves them. */
export interface Strategy {
  replicas: number;
  maxSurge: string | number;
  maxUnavailable: string | number;
  surge: number;
  unavailable: number;
}

// Resolved as upstream's ResolveFenceposts: surge rounds up, unavailable down.
export const STRATEGIES: readonly Strategy[] = [
  { replicas: 3, maxSurge: 1, maxUnavailable: 0, surge: 1, unavailable: 0 },
  { replicas: 4, maxSurge: 1, maxUnavailable: 1, surge: 1, unavailable: 1 },
  { replicas: 5, maxSurge: '25%', maxUnavailable: '25%', surge: 2, unavailable: 1 },
  { replicas: 2, maxSurge: 0, maxUnavailable: 1, surge: 0, unavailable: 1 },
  { replicas: 6, maxSurge: 2, maxUnavailable: 0, surge: 2, unavailable: 0 },
];

/** The application warms up this long after its container starts (readiness probe passes). */
export const READY_AFTER_MS = 2000;

/** The app at `version`; on the testbed the image is real and the version an argument. */
export function manifest(s: Strategy, version: number, image = `registry.local/web:v${version}`): string {
  const q = (v: string | number) => (typeof v === 'string' ? `'${v}'` : String(v));
  return `apiVersion: v1
kind: Secret
metadata: { name: web-token }
stringData: { token: ${SENTINEL} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${s.replicas}
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: ${q(s.maxSurge)}, maxUnavailable: ${q(s.maxUnavailable)} } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ${image}
          args: ["VERSION=${version}"]
          ports: [{ containerPort: 8080 }]
          env: [{ name: TOKEN, valueFrom: { secretKeyRef: { name: web-token, key: token } } }]
          readinessProbe: { httpGet: { path: /healthz, port: 8080 }, initialDelaySeconds: 2, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;
}
