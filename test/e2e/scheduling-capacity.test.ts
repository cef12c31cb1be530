// Issue 16, capacity and cordon end to end on the 3-host testbed, through Git and the real
// daemon. h3 is cordoned in this test's skiff.yaml (`unschedulable: true`), no host declares a
// GPU:
// - a 3-replica Deployment runs on h1 and h2 only; h3 gets none of its pods (sampled while the
//   replicas come up and after they settle);
// - a pod with limits nvidia.com/gpu: 1 stays Pending with kube-scheduler's FitError. It
//   tolerates the unschedulable taint, so all three hosts are judged on the GPU alone: "0/3
//   hosts are available: 3 Insufficient nvidia.com/gpu."
// Asserts end states (Docker via the runtime, the daemon's pod view), polling with deadlines.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-config.js';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { UNSCHEDULABLE_TAINT_KEY } from '../../src/controllers/scheduler.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitFixture, makeGitFixture } from '../support/git-server.js';
import { eventually, testbed } from '../support/testbed.js';

const APP = 'e2e-capacity';
const NS = 'capacity';
const CORDONED = 'h3';
const BUSYBOX = '10.213.0.1:5000/skiff/busybox:1.36';
const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: ${BUSYBOX}
          command: ${JSON.stringify(SLEEP)}
          resources: { requests: { cpu: 10m, memory: 8Mi } }
`;

const GPU = `apiVersion: v1
kind: Pod
metadata: { name: trainer, namespace: ${NS} }
spec:
  terminationGracePeriodSeconds: 1
  tolerations: [{ key: ${UNSCHEDULABLE_TAINT_KEY}, operator: Exists, effect: NoSchedule }]
  containers:
    - name: main
      image: ${BUSYBOX}
      command: ${JSON.stringify(SLEEP)}
      resources: { limits: { nvidia.com/gpu: 1, cpu: 10m, memory: 8Mi } }
`;

let fx: GitFixture;
let runtime: DockerRuntime;
let daemon: Daemon | undefined;

const appPods = async (): Promise<ObservedPod[]> =>
  (await runtime.observe()).pods.filter((p) => p.app === APP);
const webPods = async () =>
  (await appPods()).filter((p) => p.ownerKind === 'Deployment' && p.ownerName === 'web');

beforeAll(async () => {
  fx = await makeGitFixture();
  const base = await loadClusterConfig(testbed().config);
  const config: ClusterConfig = {
    ...base,
    // As `unschedulable: true` in skiff.yaml loads: the flag and the taint.
    hosts: base.hosts.map((h) =>
      h.name === CORDONED
        ? {
            ...h,
            unschedulable: true,
            taints: [...h.taints, { key: UNSCHEDULABLE_TAINT_KEY, effect: 'NoSchedule' as const }],
          }
        : h,
    ),
    apps: [
      {
        name: APP,
        repoURL: fx.repoURL,
        revision: 'main',
        path: 'deploy',
        syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: true },
        poll: { interval: '2s' },
        rollback: { autoRestore: true },
      },
    ],
    daemon: { ...base.daemon, stateDir: fx.stateDir, reconcileIntervalSeconds: 1 },
  };
  runtime = new DockerRuntime(config);
  await fx.commit({ 'deploy/web.yaml': WEB, 'deploy/trainer.yaml': GPU }, 'Deploy web and a GPU pod');
  await fx.push();
  daemon = await Daemon.start({ config, log: pino({ level: 'warn' }), listen: '127.0.0.1:0' });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  for (const p of await appPods().catch(() => [])) {
    await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined);
  }
  await runtime?.close();
  await fx?.close();
}, 60_000);

describe('capacity and cordon (issue 16)', () => {
  it('a cordoned host gets no new pod of a 3-replica Deployment', async () => {
    const seenOn = new Set<string>();
    const running = await eventually(
      '3 web pods running',
      async () => {
        const pods = await webPods();
        for (const p of pods) seenOn.add(p.host);
        const up = pods.filter((p) => p.containers.some((c) => c.name === 'main' && c.state === 'running'));
        return up.length === 3 ? up : undefined;
      },
      90_000,
    );
    expect(seenOn.has(CORDONED)).toBe(false);
    expect(new Set(running.map((p) => p.host))).toEqual(new Set(['h1', 'h2']));
    // Settled: still nothing there a few passes later.
    const later = await eventually(
      'three more passes',
      async () => {
        const view = daemon!.inst.reconciler.view;
        return view && view.at > Date.now() - 1000 ? await webPods() : undefined;
      },
      10_000,
    );
    expect(later.some((p) => p.host === CORDONED)).toBe(false);
  });

  it('a GPU pod no host can give a GPU to stays Pending with the FitError', async () => {
    const view = await eventually(
      'the trainer pod shown Pending',
      async () => {
        const v = daemon!.inst.reconciler.view?.pods.find((p) => p.app === APP && p.name === 'trainer');
        return v?.phase === 'Pending' && v.pendingReason ? v : undefined;
      },
      30_000,
    );
    expect(view.pendingReason).toBe('0/3 hosts are available: 3 Insufficient nvidia.com/gpu.');
    expect(view.host).toBeUndefined();
    expect((await appPods()).some((p) => p.name === 'trainer')).toBe(false);
  });
});
