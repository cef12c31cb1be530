// Issue 12, gRPC probes end to end on the testbed through the real git server and daemon: a
// Deployment of 2 pods running skiff/grpc-health (a grpc.health.v1 server that is SERVING
// while /tmp/serving exists) with a grpc readiness probe on a named service becomes Ready and
// fills its Service's endpoints; removing the file in one pod (docker exec) makes it NotReady
// and it leaves the endpoints; creating it again brings it back. The probe reaches the pod's
// IP through its host's SSH connection, as httpGet and tcpSocket do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodView } from '../../src/model/views.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { runSkiff } from '../support/rollout-watch.js';
import { eventually, testbed } from '../support/testbed.js';

const APP = 'e2e-grpc-probe';
const NS = 'grpc-probe';
const image = testbed().images.grpcHealth?.[0] ?? '10.213.0.1:5000/skiff/grpc-health:1.0';

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: { name: health, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: health } }
  template:
    metadata: { labels: { app: health } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: ${image}
          ports: [{ name: grpc, containerPort: 9000 }]
          resources: { requests: { cpu: 50m, memory: 32Mi } }
          readinessProbe:
            grpc: { port: 9000, service: skiff.test.Echo }
            periodSeconds: 1
            failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: { name: health, namespace: ${NS} }
spec:
  selector: { app: health }
  ports: [{ name: grpc, port: 9000, targetPort: grpc }]
`;

let app: GitopsApp;

async function skiffJson<T>(...args: string[]): Promise<T> {
  const r = await runSkiff(app.configFile, ...args, '-n', NS, '-o', 'skiff-json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}
const pods = () => skiffJson<PodView[]>('get', 'pods');
const endpoints = async () =>
  (await skiffJson<{ name: string; endpoints: string[] }[]>('get', 'endpoints')).find(
    (e) => e.name === 'health',
  )?.endpoints ?? [];
const isReady = (p: PodView) => p.ready.ready === p.ready.total && p.ready.total > 0;

/** Runs `command` in a pod's container on its host (docker exec). */
async function inPod(p: PodView, command: string[]): Promise<void> {
  const r = await app.runtime.exec({ host: p.host!, namespace: NS, name: p.name }, 'app', command);
  expect(r.exitCode, r.stderr).toBe(0);
}

beforeAll(async () => {
  app = await startGitopsApp({ app: APP, files: { 'app.yaml': manifests } });
}, 30_000);

afterAll(async () => {
  await app?.close();
}, 60_000);

describe('gRPC readiness probes (issue 12)', () => {
  let flipped: PodView;
  let other: PodView;

  it('a Deployment with a grpc readiness probe becomes Ready and fills its endpoints', async () => {
    const ready = await eventually(
      '2 pods Ready',
      async () => {
        const ps = (await pods()).filter(isReady);
        return ps.length === 2 ? ps : undefined;
      },
      40_000,
    );
    await eventually(
      '2 endpoints',
      async () => ((await endpoints()).length === 2 ? true : undefined),
      10_000,
    );
    [flipped, other] = ready as [PodView, PodView];
  }, 45_000);

  it('NOT_SERVING makes the pod NotReady, with the kubelet message, and it leaves the endpoints', async () => {
    await inPod(flipped, ['rm', '/tmp/serving']);
    const view = await eventually(
      `pod/${flipped.name} NotReady`,
      async () => {
        const p = (await pods()).find((x) => x.name === flipped.name);
        return p && !isReady(p) ? p : undefined;
      },
      10_000,
    );
    expect(view.containers[0]?.lastProbeFailure?.message).toBe(
      'service unhealthy (responded with "NOT_SERVING")',
    );
    await eventually('1 endpoint', async () => ((await endpoints()).length === 1 ? true : undefined), 10_000);
    // The other pod stays Ready.
    expect((await pods()).filter(isReady).map((p) => p.name)).toEqual([other.name]);
  }, 25_000);

  it('SERVING again makes it Ready and it rejoins the endpoints', async () => {
    await inPod(flipped, ['touch', '/tmp/serving']);
    await eventually(
      `pod/${flipped.name} Ready`,
      async () => {
        const p = (await pods()).find((x) => x.name === flipped.name);
        return p && isReady(p) ? true : undefined;
      },
      10_000,
    );
    await eventually(
      '2 endpoints',
      async () => ((await endpoints()).length === 2 ? true : undefined),
      10_000,
    );
  }, 25_000);
});
