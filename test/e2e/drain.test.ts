// Issue 16 end to end on the 3-host testbed, through the real git HTTP server, the real daemon
// and the real CLI (`skiff drain`, `skiff uncordon` run as processes): a 3-replica Deployment
// with a PodDisruptionBudget minAvailable 2; `skiff drain h1` while the test samples, every
// 250 ms, how many of the app's pods answer ready over TCP from their own host (not taken from
// skiff): never fewer than 2; h1 ends empty, 3 pods Ready on h2/h3; then `skiff uncordon h1`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { type ReadyPods, readyAmong, runSkiff, startReadySampler } from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-drain';
const NS = 'drain';
const MIN_AVAILABLE = 2;

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: 10.213.0.1:5000/skiff/web:1.0.0
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 1
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: ${NS} }
spec:
  minAvailable: ${MIN_AVAILABLE}
  selector: { matchLabels: { app: web } }
`;

let gitops: GitopsApp;
let runtime: DockerRuntime;
const skiff = (...args: string[]) => runSkiff(gitops.configFile, ...args);

const readyPods = async (): Promise<ReadyPods> => readyAmong(runtime, await gitops.pods());
const startSampler = () => startReadySampler(readyPods);

beforeAll(async () => {
  gitops = await startGitopsApp({ app: APP, files: { 'web.yaml': manifests } });
  runtime = gitops.runtime;
  await eventually(
    '3 ready pods, one on h1',
    async () => {
      const r = await readyPods();
      return r.ready.length === 3 && r.pods.some((p) => p.host === 'h1') ? r : undefined;
    },
    180_000,
  );
}, 240_000);

afterAll(async () => {
  await skiff('uncordon', 'h1').catch(() => undefined);
  await gitops?.close();
});

describe('drain with a PodDisruptionBudget (issue 16)', () => {
  it('`skiff drain h1` never drops below minAvailable, empties h1, pods Ready on h2/h3', async () => {
    const sampler = startSampler();
    let drain: Awaited<ReturnType<typeof skiff>>;
    try {
      drain = await skiff('drain', 'h1', '--timeout', '180');
    } finally {
      await sampler.stop();
    }
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('host/h1 cordoned');
    expect(drain.stdout).toContain('host/h1 drained');
    const judged = sampler.samples.filter((s) => s.unknown === 0 || s.ready >= MIN_AVAILABLE);
    expect(judged.length).toBeGreaterThan(4);
    expect(Math.min(...judged.map((s) => s.ready))).toBeGreaterThanOrEqual(MIN_AVAILABLE);

    const after = await eventually(
      '3 ready pods on h2/h3',
      async () => {
        const r = await readyPods();
        return r.ready.length === 3 && r.pods.length === 3 ? r : undefined;
      },
      120_000,
    );
    expect(after.pods.filter((p) => p.host === 'h1')).toEqual([]);
    expect(new Set(after.pods.map((p) => p.host))).toEqual(new Set(['h2', 'h3']));
  }, 300_000);

  it('`skiff uncordon h1` ends the drain', async () => {
    const r = await skiff('uncordon', 'h1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('host/h1 uncordoned');
    const again = await skiff('uncordon', 'h1');
    expect(again.stdout).toContain('host/h1 already uncordoned');
  }, 180_000);
});
