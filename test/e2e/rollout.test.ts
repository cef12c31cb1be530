// Issue 5 end to end on the 3-host testbed, through the real git HTTP server, the real daemon
// and the real CLI (`skiff set image`, `rollout status|history`, `scale` run as processes):
// a rolling update v1 -> v2 stays within replicas+maxSurge pods and replicas-maxUnavailable
// ready ones (readiness checked by the test itself, over TCP from each pod's host, not taken
// from skiff); a v3 that never becomes ready stalls, `rollout status` exits 1 with the reason,
// skiff restores v2 and quarantines v3; v4 rolls normally and lifts the quarantine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { fetchNow } from '../support/daemon-api.js';
import type { GitFixture } from '../support/git-server.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import {
  expectWithinBounds as expectBounds,
  runningImages,
  runSkiff,
  type Sample,
  startWatcher as startWatcherOf,
  terminatingIn,
} from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';

const exec = promisify(execFile);
const APP = 'e2e-rollout';
const NS = 'rollout';
const REPLICAS = 4;
const MAX_SURGE = 1;
const MAX_UNAVAILABLE = 1;
const image = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;

const deployment = (tag: string, env: Record<string, string> = {}) => `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${REPLICAS} # capacity promised to users
  progressDeadlineSeconds: 20
  selector: { matchLabels: { app: web } }
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: ${MAX_SURGE}, maxUnavailable: ${MAX_UNAVAILABLE} }
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

let gitops: GitopsApp;
let fx: GitFixture;
let runtime: DockerRuntime;
let configFile: string;
let daemon: Daemon | undefined;

/** The CLI as a user runs it; never throws on a non-zero exit. */
const skiff = (...args: string[]) => runSkiff(configFile, ...args);

async function pushAndNotify(files: Record<string, string | null>, message: string): Promise<string> {
  const sha = await fx.commit(files, message);
  await fx.push();
  if (daemon) fetchNow(daemon);
  return sha;
}

async function appPods(): Promise<ObservedPod[]> {
  return (await runtime.observe()).pods.filter((p) => p.app === APP);
}

const BOUNDS = { replicas: REPLICAS, maxSurge: MAX_SURGE, maxUnavailable: MAX_UNAVAILABLE };
const startWatcher = () =>
  startWatcherOf(runtime, (pods) => pods.filter((p) => p.app === APP), terminatingIn(daemon, APP));
const expectWithinBounds = (samples: Sample[]) => expectBounds(samples, BOUNDS);

function podsOf(what: string, ok: (pods: ObservedPod[]) => boolean, timeoutMs = 120_000) {
  return eventually(
    what,
    async () => {
      const pods = await appPods();
      return ok(pods) ? pods : undefined;
    },
    timeoutMs,
  );
}

const allOf =
  (tag: string, n = REPLICAS) =>
  (ps: ObservedPod[]) =>
    ps.length === n && runningImages(ps).every((i) => i === image(tag));

beforeAll(async () => {
  // No polling: `rollout status` must see the rollout it starts by its own fetch in progress.
  gitops = await startGitopsApp({ app: APP, files: { 'web.yaml': deployment('1.0.0') }, poll: '1h' });
  ({ fx, configFile, runtime, daemon } = gitops);
  await podsOf('4 pods of 1.0.0', allOf('1.0.0'));
  const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '2m');
  expect(status.stdout).toContain('deployment "web" successfully rolled out');
});

afterAll(async () => {
  await gitops?.close();
});

describe('rolling updates with health checks (issue 5)', () => {
  it('rolls v1 -> v2 (by `skiff set image`) within maxSurge and maxUnavailable', async () => {
    const watcher = startWatcher();
    let samples: Sample[] = [];
    try {
      const set = await skiff('set', 'image', 'deployment/web', `web=${image('2.0.0')}`, '-n', NS);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain('deployment.apps/web image updated: commit');
      await fx.pull();
      const { stdout: log } = await exec('git', ['log', '-1', '--format=%an|%s'], { cwd: fx.work });
      expect(log.trim()).toBe(`Ops Bot|Set image of deployment/web: web=${image('2.0.0')}`);

      // No webhook: `rollout status` has the daemon fetch before it judges.
      const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '3m');
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/Waiting for deployment "web" rollout to finish: /);
      expect(status.stdout.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
      await podsOf('4 pods of 2.0.0', allOf('2.0.0'));
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      samples = await watcher.stop();
    }
    expect(samples.filter((s) => new Set(s.images).size > 1).length).toBeGreaterThanOrEqual(3); // it saw the rollout
    expectWithinBounds(samples);
  });

  let v3 = '';
  it('stalls a v3 that never becomes ready, fails rollout status, restores v2 and quarantines v3', async () => {
    const watcher = startWatcher();
    let samples: Sample[] = [];
    try {
      v3 = await pushAndNotify(
        { 'deploy/web.yaml': deployment('3.0.0', { READY: 'false' }) },
        'Roll web to 3.0.0',
      );
      const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '3m');
      expect(status.code, status.stdout).toBe(1);
      expect(status.stderr).toContain('error: deployment "web" exceeded its progress deadline');
      expect(status.stderr).toMatch(/reason: .*(Readiness probe failed|ReadinessNeverPassed)/);
      await podsOf('4 pods of 2.0.0 again', allOf('2.0.0'));
    } finally {
      samples = await watcher.stop();
    }
    expect(samples.some((s) => s.images.includes(image('3.0.0')))).toBe(true); // v3 was tried
    expectWithinBounds(samples);

    const history = daemon!.inst.history!;
    expect(history.isQuarantined(APP, v3)).toBe(true);
    expect(history.quarantineOf(APP, v3)!.reason).toMatch(/deployment\/web: /);
    const app = await eventually('status shows the quarantine', async () => {
      const a = daemon!.inst.reconciler.view?.apps.find((x) => x.name === APP);
      return a?.quarantined.some((q) => q.commit === v3) ? a : undefined;
    });
    expect(app.liveCommit).not.toBe(v3);
    // Auto-sync keeps skipping the quarantined head.
    await new Promise((r) => setTimeout(r, 4000));
    expect(runningImages(await appPods())).toEqual(Array(REPLICAS).fill(image('2.0.0')));
  });

  it('rolls a following commit v4 normally and lifts the quarantine', async () => {
    const v4 = await pushAndNotify(
      { 'deploy/web.yaml': deployment('3.0.0') },
      'Roll web to 3.0.0, ready this time',
    );
    const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '3m');
    expect(status.code, status.stderr).toBe(0);
    await podsOf('4 pods of 3.0.0', allOf('3.0.0'));
    const history = daemon!.inst.history!;
    await eventually('quarantine lifted', async () => (history.isQuarantined(APP, v3) ? undefined : true));
    expect(
      history.listQuarantined(APP, { includeCleared: true }).find((q) => q.commit === v3)?.clearedBy,
    ).toBe(v4);

    const revisions = await skiff('rollout', 'history', 'deployment/web', '-n', NS);
    expect(revisions.code, revisions.stderr).toBe(0);
    expect(revisions.stdout).toMatch(/REVISION\s+COMMIT\s+AUTHOR\s+CHANGE-CAUSE/);
    expect(revisions.stdout).toMatch(
      new RegExp(`${v4.slice(0, 7)}\\s+Ada Dev <ada@example.test>\\s+Roll web to 3\\.0\\.0, ready this time`),
    );
    expect(revisions.stdout).toContain('Set image of deployment/web');
  });

  it('scales by a commit (`skiff scale`), and a dry run changes nothing', async () => {
    const head = await fx.head();
    const dry = await skiff('scale', 'deployment/web', '--replicas=2', '-n', NS, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('-  replicas: 4 # capacity promised to users');
    expect(dry.stdout).toContain('+  replicas: 2 # capacity promised to users');
    await fx.pull();
    expect(await fx.head()).toBe(head);

    const scaled = await skiff('scale', 'deployment/web', '--replicas=2', '-n', NS);
    expect(scaled.code, scaled.stderr).toBe(0);
    await fx.pull();
    const { stdout } = await exec('git', ['log', '-1', '--format=%s'], { cwd: fx.work });
    expect(stdout.trim()).toBe('Scale deployment/web to 2 replicas');
    if (daemon) fetchNow(daemon);
    await podsOf('2 pods of 3.0.0', allOf('3.0.0', 2));
  });
});
