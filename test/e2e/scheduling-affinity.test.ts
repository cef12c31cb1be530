// Issue 16, inter-pod anti-affinity end to end on the 3-host testbed, through Git and the real
// daemon: 3 replicas with required anti-affinity on kubernetes.io/hostname land on 3 different
// hosts; scaled to 4, the 4th stays Pending with kube-scheduler's FitError message, and the
// 3 running replicas stay where they are.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-affinity';
const NS = 'affinity';
const BUSYBOX = '10.213.0.1:5000/skiff/busybox:1.36';
const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];
const FIT_ERROR = "0/3 hosts are available: 3 node(s) didn't match pod anti-affinity rules.";

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: spread, namespace: ${NS} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: spread } }
  template:
    metadata: { labels: { app: spread } }
    spec:
      terminationGracePeriodSeconds: 1
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: { matchLabels: { app: spread } }
              topologyKey: kubernetes.io/hostname
      containers:
        - name: main
          image: ${BUSYBOX}
          command: ${JSON.stringify(SLEEP)}
          resources: { requests: { cpu: 10m, memory: 8Mi } }
`;

let gitops: GitopsApp;

async function runningHosts(): Promise<string[]> {
  const pods = await gitops.pods();
  return pods.filter((p) => p.containers.some((c) => c.state === 'running')).map((p) => p.host);
}

beforeAll(async () => {
  gitops = await startGitopsApp({ app: APP, files: { 'spread.yaml': deployment(3) } });
}, 60_000);

afterAll(async () => {
  await gitops?.close();
}, 60_000);

describe('required pod anti-affinity on kubernetes.io/hostname', () => {
  it('puts 3 replicas on 3 different hosts', async () => {
    const hosts = await eventually(
      '3 replicas running',
      async () => {
        const h = await runningHosts();
        return h.length === 3 ? h : undefined;
      },
      60_000,
    );
    expect(new Set(hosts).size).toBe(3);
  }, 70_000);

  it('leaves a 4th replica Pending with the FitError message', async () => {
    const before = (await runningHosts()).sort();
    await gitops.push({ 'spread.yaml': deployment(4) }, 'Scale spread to 4');
    const pending = await eventually(
      'a Pending replica with the FitError',
      async () => {
        const views = gitops.daemon.inst.reconciler.view?.pods ?? [];
        return views.find(
          (p) =>
            p.app === APP &&
            p.phase === 'Pending' &&
            p.conditions.some((c) => c.type === 'PodScheduled' && c.message === FIT_ERROR),
        );
      },
      30_000,
    );
    expect(pending.conditions.find((c) => c.type === 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message: FIT_ERROR,
    });
    // The 3 running replicas stay put; no 4th container is created anywhere.
    expect((await runningHosts()).sort()).toEqual(before);
    expect((await gitops.pods()).length).toBe(3);
  }, 40_000);
});
