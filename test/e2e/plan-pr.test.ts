// Issue 13 end to end on the 3-host testbed: a pull request is planned while the daemon follows
// main, from a fresh CI-like checkout (`--local`) and by its ref (`--rev pull/1/head`); the plan
// names the ConfigMap as the reason the Deployment rolls and shows its waves and availability
// floor; after the merge, the real rollout (sampled on the hosts) stays within the plan's floor
// and ceiling and creates and deletes the pods the plan said. PRs that would leave pods
// unschedulable, break a Service selector or delete everything say so at the top.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonToken } from '../../src/cli/cli-context.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { fetchNow } from '../support/daemon-api.js';
import { git } from '../support/git-server.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { runSkiff, type Sample, startWatcher, terminatingIn } from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-plan-pr';
const NS = 'planpr';
const image = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;

const manifests = (o: {
  replicas: number;
  tag: string;
  greeting: string;
  cpu?: string;
  selects?: string;
}) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config, namespace: ${NS} }
data: { GREETING: ${o.greeting} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${o.replicas}
  selector: { matchLabels: { app: web } }
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: ${image(o.tag)}
          ports: [{ containerPort: 8080 }]
          envFrom: [{ configMapRef: { name: web-config } }]
          resources: { requests: { cpu: ${o.cpu ?? '50m'}, memory: 16Mi } }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NS} }
spec:
  selector: { app: ${o.selects ?? 'web'} }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const MAIN = { replicas: 3, tag: '1.0.0', greeting: 'hello' };
const PR = { replicas: 5, tag: '2.0.0', greeting: 'bonjour' };

let gitops: GitopsApp;
let mainSha = '';
let prSha = '';
const skiff = (...args: string[]) => runSkiff(gitops.configFile, ...args);

/** Pushes a commit on its own branch as the pull request ref `refs/pull/N/head`; main stays. */
async function pushPullRequest(n: number, deployYaml: string | null): Promise<string> {
  const { fx } = gitops;
  await git(fx.work, 'checkout', '-q', '-b', `pr-${n}`, 'main');
  const sha = await fx.commit({ 'deploy/web.yaml': deployYaml }, `PR ${n}`);
  await git(fx.work, 'push', '-q', 'origin', `${sha}:refs/pull/${n}/head`);
  await git(fx.work, 'checkout', '-q', 'main');
  return sha;
}

/** The daemon's /metrics, with the CLI's read token: the sum of `name`'s series whose labels
 *  include every `label="value"` given. */
async function metric(name: string, ...labels: string[]): Promise<number> {
  const { daemon, config } = gitops;
  const res = await fetch(`http://${daemon.address}/metrics`, {
    headers: { authorization: `Bearer ${daemonToken(config.daemon.stateDir)}` },
  });
  expect(res.status).toBe(200);
  return (await res.text())
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
}

const webPods = async (): Promise<ObservedPod[]> =>
  (await gitops.pods()).filter((p) => p.ownerName === 'web');

beforeAll(async () => {
  gitops = await startGitopsApp({ app: APP, files: { 'web.yaml': manifests(MAIN) }, poll: '1h' });
  mainSha = await gitops.fx.head();
  const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '2m');
  expect(status.code, status.stderr).toBe(0);
  prSha = await pushPullRequest(1, manifests(PR));
  await pushPullRequest(2, manifests({ ...MAIN, cpu: '100' }));
  await pushPullRequest(3, manifests({ ...MAIN, selects: 'webapp' }));
  await pushPullRequest(4, null);
}, 240_000);

afterAll(async () => {
  await gitops?.close();
});

interface PlanJson {
  toCommit: string;
  alerts: string[];
  rollouts: {
    name: string;
    reason: string;
    replicasBefore: number;
    replicasAfter: number;
    steps: { created: number; deleted: number; ready: number; total: number }[];
    floor: number;
    ceiling: number;
    minAvailable: number;
    maxPods: number;
    estimate: { seconds: number; waves: number; source: string };
  }[];
  changes: { kind: string; name: string; change: string; forcedBy: string[]; rolls?: string[] }[];
}

describe('skiff plan of a pull request (issue 13)', () => {
  let byRef: PlanJson;

  it('plans the PR by its ref and from a CI checkout, the same way, while the daemon follows main', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'skiff-ci-'));
    await git(checkout, 'clone', '-q', gitops.fx.cliURL, 'repo');
    const repo = join(checkout, 'repo');
    await git(repo, 'fetch', '-q', 'origin', 'refs/pull/1/head');
    await git(repo, 'checkout', '-q', 'FETCH_HEAD');

    const [ref, local, gate] = await Promise.all([
      skiff('plan', '--rev', 'pull/1/head', '-o', 'json'),
      skiff('plan', '--local', repo, '-o', 'json'),
      skiff('plan', '--rev', 'pull/1/head', '--exit-code', '-o', 'markdown'),
    ]);
    expect(ref.code, ref.stderr).toBe(0);
    expect(local.code, local.stderr).toBe(0);
    expect(gate.code, gate.stderr).toBe(2);
    byRef = JSON.parse(ref.stdout) as PlanJson;
    const fromCheckout = JSON.parse(local.stdout) as PlanJson;
    expect(byRef.toCommit).toBe(prSha);
    expect(fromCheckout.toCommit).toBe('local');
    expect({ ...fromCheckout, toCommit: prSha }).toEqual(byRef);
    expect(byRef.alerts).toEqual([]);

    // The Deployment rolls: its image, and the ConfigMap it reads, named.
    const web = byRef.changes.find((c) => c.kind === 'Deployment' && c.name === 'web')!;
    expect(web.change).toBe('replace-pods');
    expect(web.forcedBy).toContain('spec.template.spec.containers[web].image');
    expect(web.forcedBy.some((f) => f.startsWith('configmap/web-config'))).toBe(true);
    const config = byRef.changes.find((c) => c.kind === 'ConfigMap')!;
    expect(config.rolls).toEqual(['deployment/web']);
    expect(gate.stdout).toContain('configmap/web-config');

    // The rollout it will cause: 3 -> 5 with maxSurge 1 / maxUnavailable 0, new pods one at a
    // time; never fewer than the 3 ready pods of now, never more than 6.
    const rollout = byRef.rollouts.find((r) => r.name === 'web')!;
    expect(rollout.reason).toContain('configmap/web-config');
    expect(rollout).toMatchObject({ replicasBefore: 3, replicasAfter: 5, minAvailable: 5, maxPods: 6 });
    expect(rollout.floor).toBe(3);
    expect(rollout.ceiling).toBe(6);
    expect(rollout.steps.reduce((n, s) => n + s.created, 0)).toBe(5);
    expect(rollout.steps.reduce((n, s) => n + s.deleted, 0)).toBe(3);
    expect(rollout.estimate.seconds).toBeGreaterThan(0);
    expect(gate.stdout).toMatch(/floor/i);

    // Planning moved nothing: the daemon still serves main, the pods are main's.
    const view = gitops.daemon.inst.reconciler.view;
    expect(view?.apps.find((a) => a.name === APP)?.liveCommit).toBe(mainSha);
    const pods = await webPods();
    expect(pods.map((p) => p.containers[0]?.image)).toEqual(Array(3).fill(image('1.0.0')));
  });

  it.each([
    [2, /would not be scheduled: .*Insufficient cpu/],
    [
      3,
      /service\/web selects app=webapp, which no pod template of this revision carries: it would lose all its endpoints/,
    ],
    [4, /the daemon would refuse this revision: the app's path "deploy" does not exist in it/],
  ])('PR %i: what would go wrong is at the top of the comment', async (n, alert) => {
    const md = await skiff('plan', '--rev', `pull/${n}/head`, '-o', 'markdown');
    expect(md.code, md.stderr).toBe(0);
    const lines = md.stdout.split('\n');
    const caution = lines.indexOf('> [!CAUTION]');
    expect(caution, md.stdout).toBeGreaterThan(0);
    expect(caution).toBeLessThan(5);
    expect(lines[caution + 1]).toMatch(alert);
  });

  it('after the merge, the real rollout matches the plan', async () => {
    const { fx, daemon, runtime } = gitops;
    const before = new Set((await webPods()).map((p) => p.name));
    const creates = await metric('skiff_actions_total', 'kind="createPod"');
    const rollouts = await metric('skiff_rollout_duration_seconds_count', `app="${APP}"`);
    const watcher = startWatcher(
      runtime,
      (pods) => pods.filter((p) => p.app === APP && p.ownerName === 'web'),
      terminatingIn(daemon, APP),
    );
    let samples: Sample[] = [];
    const seen = new Set<string>();
    try {
      await git(fx.work, 'merge', '-q', '--ff-only', 'pr-1');
      await fx.push();
      fetchNow(daemon);
      await eventually(
        '5 ready pods of 2.0.0',
        async () => {
          const pods = await webPods();
          for (const p of pods) seen.add(p.name);
          return pods.length === 5 && pods.every((p) => p.containers[0]?.image === image('2.0.0'))
            ? pods
            : undefined;
        },
        180_000,
      );
      const status = await skiff('rollout', 'status', 'deployment/web', '-n', NS, '--timeout', '2m');
      expect(status.code, status.stderr).toBe(0);
    } finally {
      samples = await watcher.stop();
    }
    // The real rollout, sampled on the hosts, against the plan's: the pods it created, and
    // never above the plan's ceiling nor below its floor of ready pods.
    const planned = byRef.rollouts.find((r) => r.name === 'web')!;
    const created = [...seen].filter((n) => !before.has(n));
    expect(created).toHaveLength(planned.steps.reduce((n, s) => n + s.created, 0));
    expect(samples.length).toBeGreaterThan(3);
    expect(Math.max(...samples.map((s) => s.pods))).toBeLessThanOrEqual(planned.ceiling);
    const measured = samples.filter((s) => s.unknown === 0);
    expect(measured.length).toBeGreaterThan(samples.length / 2);
    for (const s of measured) expect(s.ready, JSON.stringify(s)).toBeGreaterThanOrEqual(planned.floor);
    // The metrics tell the same story: 5 pods created, one more rollout finished.
    expect(await metric('skiff_actions_total', 'kind="createPod"')).toBeGreaterThanOrEqual(creates + 5);
    expect(await metric('skiff_rollout_duration_seconds_count', `app="${APP}"`)).toBe(rollouts + 1);
  });
});
