// The daemon's Prometheus metrics as `skiff run` wires them (createSkiffInstance on a FakeRuntime,
// a local Git repository): passes, syncs, actions, probe results, rollouts and the read model's
// gauges move in the exposition the API serves; probe series leave with their pod; the webhook,
// git fetches, Docker calls and SSH connections are counted by the pieces that observe them;
// and no label carries a Secret value.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTION, defaultClusterConfig } from '../../../src/config/cluster-config.js';
import { startApiServer } from '../../../src/daemon/api-server.js';
import {
  countWebhook,
  DaemonMetrics,
  identifierLabel,
  timedHeadSource,
} from '../../../src/daemon/metrics.js';
import {
  createSkiffInstance,
  initialAdmission,
  type SkiffInstance,
} from '../../../src/daemon/skiff-instance.js';
import { GitError } from '../../../src/git/errors.js';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { SshConnection } from '../../../src/runtime/ssh-connection.js';
import { ensureLocalAdminToken, readLocalAdminToken } from '../../../src/state-dir/token-store.js';
import { localAppRepo } from '../../support/local-app-repo.js';
import { stubTransport } from '../../support/stub-transport.js';
import { fakeHosts, shopApp } from './fixtures.js';

const SECRET = 'm3trics-s3cret-value';
const b64 = (s: string) => Buffer.from(s).toString('base64');

const manifests = (image: string) => `apiVersion: v1
kind: Secret
metadata: { name: db }
stringData: { password: ${SECRET} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ${image}
          env:
            - name: PW
              valueFrom: { secretKeyRef: { name: db, key: password } }
          readinessProbe:
            exec: { command: [check] }
            periodSeconds: 1
`;

type Sample = { name: string; labels: Record<string, string>; value: number };

/** The samples of a text exposition (`name{k="v",...} value`). */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseExposition(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

let dir: string;
let inst: SkiffInstance;
let server: { close(): void };
let address: string;
const log = pino({ level: 'silent' });
const runtime = new FakeRuntime(fakeHosts(2));
runtime.execHandler = () => ({ exitCode: 0, stdout: `ok ${SECRET}`, stderr: '' });

let commit: (text: string, message: string) => void;

async function until(ok: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await inst.reconciler.pass();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'skiff-metrics-'));
  const repo = localAppRepo(dir, shopApp);
  commit = repo.commit;
  commit(manifests('web:1'), 'web v1');
  const config = repo.config;
  inst = createSkiffInstance({ config, log, runtime });
  ensureLocalAdminToken(config.daemon.stateDir, Date.now());
  await initialAdmission(inst, Date.now(), log);
  const backend = {
    inst,
    lease: { view: () => ({ role: 'acting' as const, holder: 'me', message: 'acting' }) },
    refreshApp: async () => undefined,
    waitConverged: async () => ({ converged: false, failed: false }),
  };
  const api = await startApiServer({ backend: backend as never, listen: '127.0.0.1:0', log });
  server = api.server;
  address = api.address;
});

afterAll(async () => {
  server?.close();
  await inst?.close();
  rmSync(dir, { recursive: true, force: true });
});

const scrape = async () => {
  // /metrics takes a read token (issue 14); the daemon's local admin token will do.
  const token = readLocalAdminToken(inst.config.daemon.stateDir);
  const res = await fetch(`http://${address}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

describe('daemon metrics on /metrics', () => {
  it('counts passes, syncs, actions, probes and a rollout, and the gauges follow the view', async () => {
    const before = await scrape();
    expect(total(before, 'skiff_notifications_total', { result: 'sent' })).toBe(0);
    expect(before).toContain('skiff_notifications_total{result="failed"} 0');

    await until(() => inst.reconciler.view?.deployments[0]?.phase === 'Complete', 'web v1 to complete');
    const v1 = await scrape();
    expect(total(v1, 'skiff_pass_duration_seconds_count')).toBeGreaterThan(0);
    expect(total(v1, 'skiff_pass_phase_duration_seconds_count', { phase: 'execute' })).toBeGreaterThan(0);
    expect(total(v1, 'skiff_syncs_total', { app: 'shop', result: 'Synced' })).toBeGreaterThan(0);
    expect(total(v1, 'skiff_actions_total', { kind: 'createPod', result: 'done' })).toBe(2);
    expect(
      total(v1, 'skiff_probe_results_total', { container: 'web', probe: 'readiness', result: 'success' }),
    ).toBeGreaterThan(0);
    expect(total(v1, 'skiff_pods', { phase: 'Running' })).toBe(2);
    expect(total(v1, 'skiff_deployment_available_replicas', { app: 'shop', deployment: 'web' })).toBe(2);
    expect(total(v1, 'skiff_host_ready', { host: 'h1' })).toBe(1);
    // First seen Progressing, then Complete: one rollout timed.
    expect(total(v1, 'skiff_rollout_duration_seconds_count', { app: 'shop', result: 'complete' })).toBe(1);

    commit(manifests('web:2'), 'web v2');
    await inst.trackers[0]!.refresh(Date.now());
    await until(
      () =>
        inst.reconciler.view?.deployments[0]?.images[0] === 'web:2' &&
        inst.reconciler.view.deployments[0].phase === 'Complete' &&
        inst.reconciler.inflight.size === 0,
      'web v2 to complete',
    );
    await inst.reconciler.pass();
    const v2 = await scrape();
    expect(total(v2, 'skiff_rollout_duration_seconds_count', { app: 'shop', result: 'complete' })).toBe(2);
    expect(total(v2, 'skiff_actions_total', { kind: 'createPod', result: 'done' })).toBe(4);
    expect(total(v2, 'skiff_actions_total', { kind: 'deletePod', result: 'done' })).toBe(2);
    expect(total(v2, 'skiff_syncs_total', { app: 'shop', result: 'NoOp' })).toBeGreaterThan(0);
    // The v1 pods are gone: so are their probe series (the counters are per live pod).
    const live = new Set(inst.reconciler.view!.pods.map((p) => p.name));
    const probed = parseExposition(v2).filter((s) => s.name === 'skiff_probe_results_total');
    expect(probed.length).toBeGreaterThan(0);
    for (const s of probed) expect(live.has(s.labels.pod!)).toBe(true);
  });

  it('carries no Secret value, and every label value is an identifier', async () => {
    const text = await scrape();
    for (const bad of [SECRET, b64(SECRET)]) expect(text).not.toContain(bad);
    for (const s of parseExposition(text))
      for (const v of Object.values(s.labels)) expect(v).toMatch(/^[A-Za-z0-9._:/+-]*$/);
  });
});

describe('the pieces the metrics observe', () => {
  it('counts webhook requests by their answer, and a failed handler as an error', async () => {
    const m = new DaemonMetrics();
    await countWebhook(m, { status: 202 });
    await countWebhook(m, Promise.resolve({ status: 401 }));
    await countWebhook(m, { status: 413 });
    await expect(countWebhook(m, Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const text = await m.render();
    for (const result of ['accepted', 'unauthorized', 'rejected', 'error'])
      expect(total(text, 'skiff_webhook_requests_total', { result })).toBe(1);
  });

  it('times git fetches by app and counts failures by code', async () => {
    const m = new DaemonMetrics();
    let fail = false;
    const source = timedHeadSource(
      {
        app: 'shop',
        resolveHead: async () => {
          if (fail) throw new GitError('git.unreachable', 'cannot reach https://user:pw@example.test/x');
          return { commit: 'a'.repeat(40), previous: null, change: 'initial' as const };
        },
      },
      m,
    );
    await source.resolveHead();
    fail = true;
    await expect(source.resolveHead()).rejects.toThrow('cannot reach');
    const text = await m.render();
    expect(total(text, 'skiff_git_fetch_duration_seconds_count', { app: 'shop' })).toBe(2);
    expect(total(text, 'skiff_git_fetch_errors_total', { app: 'shop', code: 'git.unreachable' })).toBe(1);
    expect(text).not.toContain('pw@');
  });

  it('times Docker calls by host and operation, and counts the failed ones', async () => {
    const m = new DaemonMetrics();
    let fail = false;
    const docker = {
      listContainers: async () => {
        if (fail) throw new Error('engine down');
        return [];
      },
      listVolumes: async () => ({ Volumes: [] }),
      info: async () => ({ ServerVersion: '27.0.0', NCPU: 2, MemTotal: 2 ** 32, Architecture: 'x86_64' }),
    };
    const transport = stubTransport(docker);
    const rt = new DockerRuntime(defaultClusterConfig('/tmp/x'), {
      transport: () => transport,
      observer: m.runtime,
    });
    const host = rt.hostInfo()[0]!.name;
    await rt.observe();
    fail = true;
    await rt.observe();
    const text = await m.render();
    const op = { host, operation: 'observe' };
    expect(total(text, 'skiff_docker_call_duration_seconds_count', op)).toBe(2);
    expect(total(text, 'skiff_docker_call_errors_total', op)).toBe(1);
  });

  it('counts SSH reconnection attempts by host', async () => {
    const m = new DaemonMetrics();
    const conn = new SshConnection(
      {
        name: 'h9',
        kind: 'ssh',
        address: '127.0.0.1',
        port: 1,
        user: 'skiff',
        labels: {},
        taints: [],
        dockerSocket: '/var/run/docker.sock',
        dataDir: '/var/lib/skiff',
      } as never,
      {
        ...DEFAULT_CONNECTION,
        reconnectMinSeconds: 0.01,
        reconnectMaxSeconds: 0.01,
        connectTimeoutSeconds: 1,
      },
      () => {},
      m.runtime,
    );
    await conn.ready().catch(() => undefined);
    for (
      let i = 0;
      i < 100 && total(await m.render(), 'skiff_ssh_reconnects_total', { host: 'h9' }) === 0;
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    conn.close();
    const text = await m.render();
    expect(total(text, 'skiff_ssh_reconnects_total', { host: 'h9', result: 'failure' })).toBeGreaterThan(0);
  });

  it('keeps two instances apart (a registry each)', async () => {
    const a = new DaemonMetrics();
    const b = new DaemonMetrics();
    a.observeWebhook('accepted');
    expect(total(await a.render(), 'skiff_webhook_requests_total')).toBe(1);
    expect(total(await b.render(), 'skiff_webhook_requests_total')).toBe(0);
  });

  it.each([
    ['git.unreachable', 'git.unreachable'],
    ['ECONNREFUSED', 'ECONNREFUSED'],
    [undefined, 'unknown'],
    ['', 'unknown'],
    [`password ${SECRET} rejected`, 'unknown'],
    ['a'.repeat(80), 'unknown'],
  ])('identifierLabel(%j) is %j', (value, label) => {
    expect(identifierLabel(value)).toBe(label);
  });
});

describe('examples/grafana/skiff-dashboard.json', () => {
  const dashboard = JSON.parse(
    readFileSync(path.join(__dirname, '../../../examples/grafana/skiff-dashboard.json'), 'utf8'),
  ) as { panels: { targets?: { expr: string }[] }[]; templating: { list: { type: string }[] } };

  it('queries only metrics the registry exports', async () => {
    const exported = new Set<string>();
    for (const metric of await new DaemonMetrics().registry.getMetricsAsJSON()) {
      exported.add(metric.name);
      if (String(metric.type) === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) exported.add(metric.name + suffix);
    }
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    for (const expr of exprs)
      for (const name of expr.match(/\bskiff_[a-z_]+/g) ?? []) expect(exported, expr).toContain(name);
  });

  it('has a Prometheus datasource variable', () => {
    expect(dashboard.templating.list.some((v) => v.type === 'datasource')).toBe(true);
  });
});
