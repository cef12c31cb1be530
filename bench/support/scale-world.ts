// The scale world of the plan benchmarks: 5,000 Deployments x 3 replicas in 10 apps on 500
// simulated hosts (and the same at a tenth), its manifests, one pass of the pure core over it,
// and the converged observed state (every pod up and ready). Benchmark support only.
import { randomInt } from 'node:crypto';
import { validateBundle } from '../../src/manifest/index.js';
import type { Action } from '../../src/model/actions.js';
import type { ObservedHost, ObservedPod } from '../../src/model/observed.js';
import {
  type AppDesired,
  emptyPassInputs,
  emptyPassMemory,
  type PassResult,
  reconcilePass,
} from '../../src/reconcile/pass.js';
import { startedPod } from '../../src/reconcile/simulate-plan.js';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;
export const NOW = 1_800_000_000_000;

export interface Size {
  deployments: number;
  hosts: number;
  apps: number;
}
export const FULL: Size = { deployments: 5000, hosts: 500, apps: 10 };
export const TENTH: Size = { deployments: 500, hosts: 50, apps: 1 };
export const REPLICAS = 3;

/** The daemon's random source (src/daemon/skiff-instance.ts): pod name suffixes and the
 *  scheduler's tie-breaks draw from it, so its cost is part of a pass. */
export const osRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;

export function makeHosts(n: number): ObservedHost[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `host-${String(i).padStart(3, '0')}`,
    address: `10.213.${Math.floor(i / 250)}.${i % 250}`,
    ready: true,
    labels: { zone: `z${i % 3}`, disk: i % 2 ? 'ssd' : 'hdd' },
    taints: i % 50 === 49 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }] : [],
    capacity: { cpuMilli: 32_000, memoryBytes: 64 * GiB },
  }));
}

/** One app's manifests: Deployments (each its own image and CPU request), one ConfigMap and one
 *  Secret per 10 Deployments, referenced through envFrom and a single env valueFrom. */
export function appYaml(app: number, first: number, count: number): string {
  const docs: string[] = [];
  for (let d = first; d < first + count; d++) {
    if ((d - first) % 10 === 0) {
      docs.push(`apiVersion: v1
kind: ConfigMap
metadata: { name: cfg-${d}, namespace: ns-${app} }
data: { LOG_LEVEL: info, FEATURE: "on-${d}" }
---
apiVersion: v1
kind: Secret
metadata: { name: sec-${d}, namespace: ns-${app} }
data: { PASSWORD: cGFzc3dvcmQxMjM= }`);
    }
    const group = d - ((d - first) % 10);
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: { name: app-${d}, namespace: ns-${app} }
spec:
  replicas: ${REPLICAS}
  selector: { matchLabels: { app: app-${d} } }
  template:
    metadata: { labels: { app: app-${d}, tier: web } }
    spec:
      ${d % 10 === 0 ? 'nodeSelector: { disk: ssd }' : ''}
      containers:
        - name: app
          image: registry.local/app-${d}:1.0.${d % 7}
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: ${100 + (d % 4) * 100}m, memory: 64Mi }, limits: { memory: 128Mi } }
          envFrom: [{ configMapRef: { name: cfg-${group} } }]
          env:
            - { name: PASSWORD, valueFrom: { secretKeyRef: { name: sec-${group}, key: PASSWORD } } }`);
  }
  return docs.join('\n---\n');
}

export function makeApps(size: Size): AppDesired[] {
  const per = size.deployments / size.apps;
  return Array.from({ length: size.apps }, (_, a) => {
    const r = validateBundle([{ path: `app-${a}.yaml`, text: appYaml(a, a * per, per) }]);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(errors[0]!.message);
    return { name: `app-${a}`, commit: `c0ffee${a}`.padEnd(40, '0'), objects: r.objects, prune: true };
  });
}

/** What the runtime would observe once every createPod has run: each pod up and ready. */
export function runAll(actions: readonly Action[]): ObservedPod[] {
  let seq = 0;
  return actions.flatMap((a) => (a.type === 'createPod' ? [startedPod(a, NOW - 60_000, ++seq)] : []));
}

export interface World {
  apps: AppDesired[];
  hosts: ObservedHost[];
  first: PassResult;
  pods: ObservedPod[];
  steady: PassResult;
}

export function passOver(
  apps: AppDesired[],
  hosts: ObservedHost[],
  pods: ObservedPod[],
  memory = emptyPassMemory(),
) {
  return reconcilePass({
    apps,
    frozenApps: [],
    observed: { at: NOW, hosts, pods },
    memory,
    now: NOW,
    random: osRandom,
    options: { hostGracePeriodMs: 40_000 },
    inputs: emptyPassInputs(),
  });
}

export function build(size: Size): World {
  const apps = makeApps(size);
  const hosts = makeHosts(size.hosts);
  const first = passOver(apps, hosts, []);
  const pods = runAll(first.actions);
  const steady = passOver(apps, hosts, pods, first.memory);
  return { apps, hosts, first, pods, steady };
}
