import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-config.js';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { fetchNow } from '../support/daemon-api.js';
import { type GitFixture, git } from '../support/git-server.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import {
  expectWithinBounds,
  runningImages,
  runSkiff,
  type Sample,
  startWatcher,
  terminatingIn,
} from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-rollout-edge';
const NS = 'rollout-edge';
const BOUNDS = { replicas: 4, maxSurge: 1, maxUnavailable: 1 };
const image = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;

const web = (tag: string, env: Record<string, string> = {}) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${BOUNDS.replicas}
  progressDeadlineSeconds: 15
  selector: { matchLabels: { app: web } }
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: ${BOUNDS.maxSurge}, maxUnavailable: ${BOUNDS.maxUnavailable} }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: ${image(tag)}
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 1
          env: [${Object.entries(env)
            .map(([k, v]) => `{ name: ${k}, value: "${v}" }`)
            .join(', ')}]
`;

/** Two pods of two web containers each (ports 8080 and 8081 in the pod's shared network),
 *  each container with its own liveness probe on /healthz. */
const PAIR = `apiVersion: apps/v1
kind: Deployment
metadata: { name: pair, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: pair } }
  template:
    metadata: { labels: { app: pair } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: a
          image: ${image('1.0.0')}
          resources: { requests: { cpu: 10m, memory: 8Mi } }
          livenessProbe:
            httpGet: { path: /healthz, port: 8080 }
            periodSeconds: 1
            failureThreshold: 2
        - name: b
          image: ${image('1.0.0')}
          args: ["PORT=8081"]
          resources: { requests: { cpu: 10m, memory: 8Mi } }
          livenessProbe:
            httpGet: { path: /healthz, port: 8081 }
            periodSeconds: 1
            failureThreshold: 2
`;

let gitops: GitopsApp;
let fx: GitFixture;
let runtime: DockerRuntime;
let configFile: string;
let clusterConfig: ClusterConfig;
let daemon: Daemon | undefined;

const skiff = (...args: string[]) => runSkiff(configFile, ...args);

async function notify(): Promise<void> {
  if (daemon) fetchNow(daemon);
}

async function pushAndNotify(files: Record<string, string | null>, message: string): Promise<string> {
  const sha = await fx.commit(files, message);
  await fx.push();
  await notify();
  return sha;
}

const ofDeployment = (name: string) => (pods: ObservedPod[]) =>
  pods.filter((p) => p.app === APP && p.ownerName === name);

async function podsOfDeployment(name: string): Promise<ObservedPod[]> {
  return ofDeployment(name)((await runtime.observe()).pods);
}

function webPodsUntil(what: string, ok: (pods: ObservedPod[]) => boolean, timeoutMs = 120_000) {
  return eventually(
    what,
    async () => {
      const pods = await podsOfDeployment('web');
      return ok(pods) ? pods : undefined;
    },
    timeoutMs,
  );
}

const allOf =
  (tag: string, n = BOUNDS.replicas) =>
  (ps: ObservedPod[]) =>
    ps.length === n && runningImages(ps).every((i) => i === image(tag));

const webView = () =>
  daemon!.inst.reconciler.view?.deployments.find((d) => d.app === APP && d.name === 'web');

const watchWeb = () => startWatcher(runtime, ofDeployment('web'), terminatingIn(daemon, APP));

beforeAll(async () => {
  gitops = await startGitopsApp({
    app: APP,
    files: { 'web.yaml': web('2.0.0'), 'pair.yaml': PAIR },
    appYaml: '    rollback: { autoRestore: false }',
  });
  ({ fx, configFile, config: clusterConfig, runtime, daemon } = gitops);
  expect(clusterConfig.apps[0]!.rollback.autoRestore).toBe(false);
  await webPodsUntil('4 pods of 2.0.0', allOf('2.0.0'));
  const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '2m');
  expect(status.stdout).toContain('deployment "web" successfully rolled out');
});

afterAll(async () => {
  await gitops?.close();
});

describe('rollout edge cases (issue 5), automatic restore off', () => {
  it('leaves a never-ready v3 failed (no restore), and a `git revert` commit brings full v2 back', async () => {
    const watcher = watchWeb();
    let samples: Sample[] = [];
    try {
      const v3 = await pushAndNotify(
        { 'deploy/web.yaml': web('3.0.0', { READY: 'false' }) },
        'Roll web to 3.0.0',
      );
      const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '2m');
      expect(status.code, status.stdout).toBe(1);
      expect(status.stderr).toContain('error: deployment "web" exceeded its progress deadline');

      // Stays failed as on Kubernetes: v3 stays admitted and is not quarantined, its pods stay,
      // and v2 keeps the promised capacity.
      await new Promise((r) => setTimeout(r, 4000));
      expect(webView()?.phase).toBe('Failed');
      const app = daemon!.inst.reconciler.view!.apps.find((a) => a.name === APP)!;
      expect(app.liveCommit).toBe(v3);
      expect(app.quarantined).toEqual([]);
      expect(daemon!.inst.history!.isQuarantined(APP, v3)).toBe(false);
      const stalled = runningImages(await podsOfDeployment('web'));
      expect(stalled).toContain(image('3.0.0'));
      expect(stalled.filter((i) => i === image('2.0.0')).length).toBeGreaterThanOrEqual(
        BOUNDS.replicas - BOUNDS.maxUnavailable,
      );

      // Revert to roll back: an ordinary new commit.
      await git(fx.work, 'revert', '--no-edit', 'HEAD');
      await fx.push();
      await notify();
      const reverted = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '2m');
      expect(reverted.code, reverted.stderr).toBe(0);
      expect(reverted.stdout.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
      await webPodsUntil('4 pods of 2.0.0 again', allOf('2.0.0'));
      const after = daemon!.inst.reconciler.view!.apps.find((a) => a.name === APP)!;
      expect(after.liveCommit).toBe(await fx.head());
    } finally {
      samples = await watcher.stop();
    }
    expect(samples.some((s) => s.images.includes(image('3.0.0')))).toBe(true); // v3 was tried
    expectWithinBounds(samples, BOUNDS);
  });

  it('ends on v6 when v6 is pushed while v5 is rolling, within the bounds throughout', async () => {
    const watcher = watchWeb();
    let samples: Sample[] = [];
    let inFlight: ObservedPod[] = [];
    let convergedAt = 0;
    try {
      // v5 listens only after 3 s: its pods are surely not all ready when v6 lands.
      await pushAndNotify({ 'deploy/web.yaml': web('3.0.0', { STARTUP_DELAY: '3' }) }, 'Roll web to v5');
      inFlight = await webPodsUntil(
        'a v5 pod started',
        (ps) => ps.some((p) => p.containers[0]?.image === image('3.0.0')),
        60_000,
      );
      await pushAndNotify({ 'deploy/web.yaml': web('1.0.0', { REV: '6' }) }, 'Roll web to v6');
      const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '3m');
      expect(status.code, status.stderr).toBe(0);
      await webPodsUntil('4 pods of v6', allOf('1.0.0'));
      convergedAt = Date.now();
      await eventually(
        'a sample of the end state',
        async () => watcher.sampledSince(convergedAt) || undefined,
      );
    } finally {
      samples = await watcher.stop();
    }
    // v6 arrived mid-rollout: v2 pods were still there next to v5's, and the watcher saw v5's
    // pods (by template hash: they may have no container yet) before any of v6.
    expect(runningImages(inFlight)).toContain(image('2.0.0'));
    const final = await podsOfDeployment('web');
    const v5 = inFlight.find((p) => p.containers[0]?.image === image('3.0.0'))!.templateHash;
    const v6 = final[0]!.templateHash;
    const firstV6 = samples.findIndex((s) => s.hashes.includes(v6));
    const seen = samples.map((s) => `${s.at % 100000}:${s.images.map((i) => i.split(':').at(-1)).join(',')}`);
    expect(firstV6, seen.join(' ')).toBeGreaterThan(0);
    expect(
      samples.slice(0, firstV6).some((s) => s.hashes.includes(v5)),
      seen.join(' '),
    ).toBe(true);
    // The end state, from samples begun once the pods were all v6 (an earlier sample still
    // probing a deleted v2 pod may finish later and list it).
    const ended = samples.filter((s) => s.at >= convergedAt);
    expect(ended.length).toBeGreaterThan(0);
    for (const s of ended) expect(s.images).toEqual(Array(BOUNDS.replicas).fill(image('1.0.0')));
    expectWithinBounds(samples, BOUNDS);
    expect(
      final.every((p) => p.spec?.containers[0]?.env.some((e) => e.name === 'REV' && e.value === '6')),
    ).toBe(true);
  });

  it('restarts only the container whose liveness probe fails', async () => {
    const ids = (pods: ObservedPod[]) =>
      Object.fromEntries(
        pods.flatMap((p) =>
          p.containers.map((c) => [`${p.name}/${c.name}`, { id: c.id, restarts: c.restartCount }] as const),
        ),
      );
    const pairs = await eventually('both pair pods running', async () => {
      const ps = await podsOfDeployment('pair');
      return ps.length === 2 &&
        ps.every((p) => p.containers.length === 2 && p.containers.every((c) => c.state === 'running'))
        ? ps
        : undefined;
    });
    const before = ids(pairs);
    expect(Object.values(before).every((c) => c.restarts === 0)).toBe(true);
    const [sick, other] = pairs as [ObservedPod, ObservedPod];

    // The web app answers /healthz with 500 while /tmp/unhealthy exists in its container.
    const touched = await runtime.exec({ host: sick.host, namespace: sick.namespace, name: sick.name }, 'a', [
      'touch',
      '/tmp/unhealthy',
    ]);
    expect(touched.exitCode).toBe(0);

    await eventually(
      'container a restarted',
      async () => {
        const ps = await podsOfDeployment('pair');
        const a = ps.find((p) => p.name === sick.name)?.containers.find((c) => c.name === 'a');
        return a && a.restartCount >= 1 && a.state === 'running' ? a : undefined;
      },
      60_000,
    );
    // The restarted container is a fresh one (no /tmp/unhealthy): its probe passes again and it
    // is not restarted twice.
    await new Promise((r) => setTimeout(r, 4000));
    const after = ids(await podsOfDeployment('pair'));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort()); // same pods, same containers
    expect(after[`${sick.name}/a`]!.restarts).toBe(1);
    expect(after[`${sick.name}/a`]!.id).not.toBe(before[`${sick.name}/a`]!.id);
    for (const key of [`${sick.name}/b`, `${other.name}/a`, `${other.name}/b`]) {
      expect(after[key], key).toEqual(before[key]);
    }
    const view = daemon!.inst.reconciler.view!.pods.find((p) => p.name === sick.name);
    expect(view?.containers.find((c) => c.name === 'a')?.restartCount).toBe(1);
    const events = daemon!.inst.history!.listEvents({ namespace: NS, limit: 500 });
    expect(events.some((e) => e.reason === 'Unhealthy' && e.object === `pod/${sick.name}`)).toBe(true);
  });
});
