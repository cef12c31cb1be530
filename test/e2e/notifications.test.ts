// Issue 17 end to end on the testbed: the real daemon (in this process, on the test machine)
// follows an app on the real git HTTP server and reports each commit to a local GitHub-shaped
// commit status server (test/support/status-servers.ts, on loopback: the daemon runs here). A
// good push gets `pending` then `success` on its commit; a commit that does not validate gets
// `failure` with the error at file:line; a rollout that never becomes ready is quarantined and
// its commit gets `failure` naming the restored commit (the never-ready pattern of rollout.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { githubStatusServer, type TestServer } from '../support/status-servers.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-notify';
const NS = 'notify';
const TOKEN = 'e2e-github-token-4242';
const image = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;

const deployment = (tag: string, env: Record<string, string> = {}) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 2
  progressDeadlineSeconds: 20
  selector: { matchLabels: { app: web } }
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

let server: TestServer;
let gitops: GitopsApp;

interface Status {
  sha: string;
  state: string;
  description: string;
  context: string;
  targetUrl?: string;
}

function statuses(): Status[] {
  return server.received.map((r) => {
    const b = JSON.parse(r.body) as {
      state: string;
      description: string;
      context: string;
      target_url?: string;
    };
    return {
      sha: r.path.split('/').at(-1) ?? '',
      state: b.state,
      description: b.description,
      context: b.context,
      targetUrl: b.target_url,
    };
  });
}

const statesOf = (sha: string) => statuses().filter((s) => s.sha === sha);

function waitForState(sha: string, state: string, timeoutMs = 180_000): Promise<Status> {
  return eventually(
    `status ${state} on ${sha.slice(0, 7)}`,
    async () => statesOf(sha).find((s) => s.state === state),
    timeoutMs,
  );
}

beforeAll(async () => {
  server = await githubStatusServer(TOKEN);
  // The daemon runs in this process: it reads its token from here.
  process.env.E2E_NOTIFY_GITHUB_TOKEN = TOKEN;
  gitops = await startGitopsApp({
    app: APP,
    files: { 'web.yaml': deployment('1.0.0') },
    appYaml: `notifications:
  publicUrl: http://skiff.e2e.test
  services:
    - name: github
      type: github
      tokenEnv: E2E_NOTIFY_GITHUB_TOKEN
      apiUrl: ${server.url}
      owner: acme
      repo: shop
`,
  });
});

afterAll(async () => {
  await gitops?.close();
  await server?.close();
  delete process.env.E2E_NOTIFY_GITHUB_TOKEN;
});

describe('commit statuses (issue 17)', () => {
  let good = '';

  it('a good push gets pending, then success once every pod is Ready', async () => {
    good = await eventually(
      'the first commit admitted',
      async () => gitops.daemon.inst.trackers[0]?.snapshot().admitted?.commit,
    );
    const success = await waitForState(good, 'success');
    expect(statesOf(good).map((s) => s.state)).toEqual(['pending', 'success']);
    expect(success.context).toBe(`skiff/${APP}`);
    expect(success.targetUrl).toBe(`http://skiff.e2e.test/#/apps/${APP}`);
    const pods = await gitops.pods();
    expect(pods.length).toBe(2);
    expect(server.received.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const recorded = gitops.daemon.inst.history!.listNotifications(APP, 10);
    expect(recorded.filter((n) => n.commit === good).map((n) => n.outcome)).toEqual(['sent', 'sent']);
  });

  it('a commit that does not validate gets failure with its error at file:line', async () => {
    const bad = await gitops.push(
      { 'web.yaml': deployment('1.0.0').replace('replicas: 2', 'replicas: many') },
      'Break replicas',
    );
    const failure = await waitForState(bad, 'failure', 60_000);
    expect(failure.description).toMatch(/web\.yaml:\d+:\d+/);
    expect(statesOf(bad).map((s) => s.state)).toEqual(['failure']);
  });

  it('a rollout that never becomes ready is quarantined: failure naming the restored commit', async () => {
    const neverReady = await gitops.push(
      { 'web.yaml': deployment('3.0.0', { READY: 'false' }) },
      'Roll web to 3.0.0',
    );
    await waitForState(neverReady, 'pending', 60_000);
    const failure = await waitForState(neverReady, 'failure', 180_000);
    expect(failure.description).toContain(`restored ${good.slice(0, 7)}`);
    expect(gitops.daemon.inst.history!.isQuarantined(APP, neverReady)).toBe(true);
    // The restored commit's success was posted once, before: not again.
    await new Promise((r) => setTimeout(r, 3000));
    expect(statesOf(good).map((s) => s.state)).toEqual(['pending', 'success']);
  });
});
