// The testbed's `web` image as a Deployment, the manifest most e2e files start from: one
// container serving 8080 with a 1 s readiness probe on /ready, a 2 s grace period.
export const WEB_IMAGE = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;

export interface WebDeployment {
  namespace: string;
  replicas: number;
  tag: string;
  /** CPU request (default 20m). */
  cpu?: string;
  /** Rolls one pod at a time, never below `replicas` Ready (maxSurge 1, maxUnavailable 0). */
  surgeOnly?: boolean;
}

export function webDeployment(d: WebDeployment): string {
  const strategy = d.surgeOnly ? '\n  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }' : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${d.namespace} }
spec:
  replicas: ${d.replicas}${strategy}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: ${WEB_IMAGE(d.tag)}
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: ${d.cpu ?? '20m'}, memory: 16Mi } }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 1
`;
}
