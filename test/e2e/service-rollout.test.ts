// Issue 6 end to end through Git and the real daemon: a Deployment of 4 replicas behind a
// NodePort Service rolls from v1 to v2 while a client sends requests without pause through all
// three hosts' node port; no request fails and the answers switch from v1 to v2. `skiff get
// services|endpoints` show what the hosts were programmed with, and deleting the Service from
// Git leaves no skiff rule on any host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { runSkiff } from '../support/rollout-watch.js';
import { eventually, hostExec, httpGet, testbed } from '../support/testbed.js';

const APP = 'e2e-svc-rollout';
const NS = 'svc-rollout';
const NODE_PORT = 30613;
const REPLICAS = 4;
const image = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;
const hosts = testbed().hosts;

const deployment = (tag: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${REPLICAS}
  selector: { matchLabels: { app: web } }
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 1, maxUnavailable: 1 }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: ${image(tag)}
          ports: [{ name: http, containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
          readinessProbe:
            httpGet: { path: /ready, port: http }
            periodSeconds: 1
`;

const service = `apiVersion: v1
kind: Service
metadata: { name: web-service, namespace: ${NS} }
spec:
  type: NodePort
  selector: { app: web }
  ports:
    - { name: http, port: 80, targetPort: http, nodePort: ${NODE_PORT} }
`;

let app: GitopsApp;

/** The CLI as a user runs it, talking to the running daemon; returns its output. */
async function skiff(...args: string[]): Promise<string> {
  const r = await runSkiff(app.configFile, ...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Lines of skiff's own rules in a host's kernel (its iptables chains and its local routes). */
async function skiffRules(host: string): Promise<string[]> {
  const nat = await hostExec(host, ['iptables-save']);
  const route = await hostExec(host, ['ip', '-4', 'route', 'show', 'table', 'local', 'proto', '213']);
  return [
    ...nat.stdout.split('\n').filter((l) => l.includes('SKIFF')),
    ...route.stdout.split('\n').filter((l) => l.trim().length > 0),
  ];
}

/** Every host's node port answers with `version`. */
async function allHostsAnswer(version: string): Promise<boolean> {
  const answers = await Promise.all(
    hosts.map((h) => httpGet(h.address, NODE_PORT, '/version', 2000).catch(() => undefined)),
  );
  return answers.every((a) => a?.status === 200 && a.body.trim() === version);
}

interface LoadResult {
  ok: number;
  failures: string[];
  /** Versions answered, in order. */
  versions: string[];
}

/** One client per host, each sending one request at a time on a new connection, until stopped. */
function startLoad(): { stop: () => Promise<LoadResult> } {
  const result: LoadResult = { ok: 0, failures: [], versions: [] };
  let running = true;
  // Failures carry the wall time the request started, to match them with the daemon's log.
  const at = () => new Date().toISOString().slice(11, 23);
  const clients = hosts.map(async (h) => {
    while (running) {
      const started = at();
      try {
        const a = await httpGet(h.address, NODE_PORT, '/version', 5000);
        if (a.status === 200) {
          result.ok++;
          result.versions.push(a.body.trim());
        } else result.failures.push(`${started} ${h.name}: HTTP ${a.status}`);
      } catch (err) {
        result.failures.push(`${started} ${h.name}: ${(err as Error).message}`);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      return result;
    },
  };
}

beforeAll(async () => {
  app = await startGitopsApp({
    app: APP,
    files: { 'web.yaml': deployment('1.0.0'), 'service.yaml': service },
  });
});

afterAll(async () => {
  await app?.close();
});

describe('a Service through a rolling update (issue 6)', () => {
  it('answers v1 on the node port of all three hosts once the pods are ready', async () => {
    await eventually(
      'v1 on every host',
      async () => ((await allHostsAnswer('1.0.0')) ? true : undefined),
      120_000,
    );
  });

  it('lists the Service and its 4 ready endpoints (skiff get services|endpoints)', async () => {
    const services = JSON.parse(await skiff('get', 'services', '-n', NS, '-o', 'skiff-json')) as {
      name: string;
      type: string;
      ports: string[];
      clusterIP?: string;
    }[];
    expect(services).toEqual([
      expect.objectContaining({ name: 'web-service', type: 'NodePort', ports: [`80:${NODE_PORT}/TCP`] }),
    ]);
    expect(services[0]!.clusterIP).toMatch(/^10\.213\.200\.\d+$/);
    const endpoints = await eventually(
      '4 endpoints',
      async () => {
        const eps = JSON.parse(await skiff('get', 'endpoints', '-n', NS, '-o', 'skiff-json')) as {
          endpoints: string[];
        }[];
        return eps[0]?.endpoints.length === REPLICAS ? eps[0].endpoints : undefined;
      },
      60_000,
    );
    const pods = await app.pods();
    // Each endpoint is a pod's host address and published port.
    const hostAddresses = new Set(
      hosts.filter((h) => pods.some((p) => p.host === h.name)).map((h) => h.address),
    );
    for (const e of endpoints) expect(hostAddresses.has(e.split(':')[0]!)).toBe(true);
  });

  it('rolls v1 -> v2 under continuous load through every host with zero failed requests', async () => {
    const load = startLoad();
    await new Promise((r) => setTimeout(r, 2000));
    await app.push({ 'web.yaml': deployment('2.0.0') }, 'web v2');
    await eventually(
      'only v2 pods, all running',
      async () => {
        const pods = await app.pods();
        const done =
          pods.length === REPLICAS &&
          pods.every(
            (p) =>
              !p.terminating && p.containers.some((c) => c.image === image('2.0.0') && c.state === 'running'),
          );
        return done ? pods : undefined;
      },
      150_000,
    );
    await eventually(
      'v2 on every host',
      async () => ((await allHostsAnswer('2.0.0')) ? true : undefined),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const result = await load.stop();
    const v1 = result.versions.filter((v) => v === '1.0.0').length;
    process.stderr.write(
      `[service-rollout] ${result.ok} requests ok (${v1} v1, ${result.ok - v1} v2), ${result.failures.length} failed\n`,
    );

    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(50);
    expect(result.versions[0]).toBe('1.0.0');
    expect(result.versions.at(-1)).toBe('2.0.0');
    // The switch: once v2 answers only, nothing answers v1 any more.
    const lastV1 = result.versions.lastIndexOf('1.0.0');
    const firstV2 = result.versions.indexOf('2.0.0');
    expect(firstV2).toBeGreaterThan(0);
    expect(lastV1).toBeLessThan(result.versions.length - 1);
    expect(new Set(result.versions)).toEqual(new Set(['1.0.0', '2.0.0']));
  });

  it('removes every skiff rule and route from every host when the Service is deleted in Git', async () => {
    for (const h of hosts) expect((await skiffRules(h.name)).length).toBeGreaterThan(0);
    await app.push({ 'service.yaml': null }, 'drop the Service');
    await eventually(
      'no skiff rule on any host',
      async () => {
        const left = await Promise.all(hosts.map((h) => skiffRules(h.name)));
        return left.every((l) => l.length === 0) ? true : undefined;
      },
      60_000,
    );
    const refused = await Promise.all(
      hosts.map((h) =>
        httpGet(h.address, NODE_PORT, '/version', 1500).then(
          () => 'answered',
          () => 'failed',
        ),
      ),
    );
    expect(refused).toEqual(['failed', 'failed', 'failed']);
  });
});
