// Issue 12, initContainers and sidecars, end to end on the testbed through the real git HTTP
// server and the real daemon (written by the "init" helper; run by the lead). One Pod whose
// init containers share an emptyDir with the app:
// - `one` appends "one" to /shared/order;
// - `flaky` fails twice (a counter file in the emptyDir), so the pod shows Init:Error and
//   Init:CrashLoopBackOff and is retried with the kubelet's backoff (at once, then 10 s),
//   and appends "two" on its third run;
// - `side` is a sidecar (restartPolicy: Always): it appends "side", keeps running;
// then the app (busybox httpd) serves the file. The order in the file proves one-at-a-time,
// in-order, each-to-completion; the sidecar is still running (never restarted) afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { runSkiff } from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-init';
const NS = 'init';
const BUSYBOX = '10.213.0.1:5000/skiff/busybox:1.36';

const POD = `apiVersion: v1
kind: Pod
metadata: { name: ordered, namespace: ${NS}, labels: { app: ordered } }
spec:
  terminationGracePeriodSeconds: 2
  volumes:
    - { name: shared, emptyDir: {} }
  initContainers:
    - name: one
      image: ${BUSYBOX}
      command: ["sh", "-c", "echo one >> /shared/order"]
      volumeMounts: [{ name: shared, mountPath: /shared }]
    - name: flaky
      image: ${BUSYBOX}
      command:
        - sh
        - -c
        - n=$(cat /shared/count 2>/dev/null || echo 0); n=$((n+1)); echo $n > /shared/count; [ $n -ge 3 ] || exit 1; echo two >> /shared/order
      volumeMounts: [{ name: shared, mountPath: /shared }]
    - name: side
      image: ${BUSYBOX}
      restartPolicy: Always
      command: ["sh", "-c", "echo side >> /shared/order; trap 'exit 0' TERM; while true; do sleep 1; done"]
      volumeMounts: [{ name: shared, mountPath: /shared }]
  containers:
    - name: app
      image: ${BUSYBOX}
      command: ["httpd", "-f", "-p", "8080", "-h", "/shared"]
      ports: [{ containerPort: 8080 }]
      volumeMounts: [{ name: shared, mountPath: /shared }]
      readinessProbe:
        tcpSocket: { port: 8080 }
        periodSeconds: 1
`;

let gitops: GitopsApp;
let runtime: DockerRuntime;
let daemon: Daemon;

const podView = () => daemon.inst.reconciler.view?.pods.find((p) => p.app === APP && p.name === 'ordered');
const observedPod = async (): Promise<ObservedPod | undefined> =>
  (await runtime.observe()).pods.find((p) => p.app === APP && p.name === 'ordered');

beforeAll(async () => {
  gitops = await startGitopsApp({ app: APP, files: { 'pod.yaml': POD } });
  ({ runtime, daemon } = gitops);
}, 120_000);

afterAll(async () => {
  await gitops?.close();
}, 120_000);

describe('init containers and sidecars (issue 12)', () => {
  it('runs init containers in order, retries a failing one with backoff, keeps the sidecar running', async () => {
    const t0 = Date.now();
    const statuses: string[] = [];
    const view = await eventually(
      'pod/ordered Running and Ready',
      async () => {
        const v = podView();
        if (v && statuses.at(-1) !== v.status) statuses.push(v.status);
        return v?.status === 'Running' && v.ready.ready === v.ready.total ? v : undefined;
      },
      80_000,
    );
    console.info(`init containers: Running after ${Date.now() - t0} ms; statuses ${statuses.join(' -> ')}`);
    // The failing init container went through the kubelet's states; Init:Error shows between a
    // failure and its restart (the first restart is immediate, so it may be missed).
    expect(statuses).toContain('Init:CrashLoopBackOff');
    expect(
      statuses.every((s) => s.startsWith('Init:') || ['Pending', 'PodInitializing', 'Running'].includes(s)),
    ).toBe(true);
    expect(statuses.indexOf('Init:CrashLoopBackOff')).toBeLessThan(statuses.indexOf('Running'));
    // READY counts the sidecar with the app container, as kubectl does.
    expect(view.ready).toEqual({ ready: 2, total: 2 });
    expect(view.initContainers?.find((c) => c.name === 'flaky')).toMatchObject({
      state: 'terminated',
      exitCode: 0,
      restartCount: 2,
    });

    const pod = (await observedPod())!;
    const ref = { host: pod.host, namespace: NS, name: 'ordered' };
    // The app serves what the init containers wrote, in the order they ran.
    const served = await runtime.exec(ref, 'app', ['wget', '-qO-', 'http://127.0.0.1:8080/order']);
    expect(served.stdout).toBe('one\ntwo\nside\n');

    // The sidecar keeps running beside the app, never restarted.
    await new Promise((r) => setTimeout(r, 3000));
    const later = (await observedPod())!;
    expect(later.initContainers?.find((c) => c.name === 'side')).toMatchObject({
      state: 'running',
      restartCount: 0,
    });
    expect(later.initContainers?.find((c) => c.name === 'one')).toMatchObject({
      state: 'exited',
      exitCode: 0,
    });
    expect(later.containers.find((c) => c.name === 'app')).toMatchObject({
      state: 'running',
      restartCount: 0,
    });

    // `skiff get pods` as a user reads it.
    const get = await runSkiff(gitops.configFile, 'get', 'pods', '-n', NS);
    expect(get.code, get.stderr).toBe(0);
    // RESTARTS as kubectl: a completed init container's retries no longer count.
    expect(get.stdout).toMatch(/ordered\s+2\/2\s+Running\s+0\s/);
    expect(Date.now() - t0).toBeLessThan(90_000);
  }, 120_000);
});
