// Issue 14 end to end: the API's security rules against the real daemon, run as a user runs
// it (`skiff run` as its own process) on the 3-host testbed, woken only by signed webhooks.
// Each rule is checked from the outside (HTTP from the test process or from a testbed host's
// namespace), and the request storm runs while a rollout is in progress: the daemon must stay
// healthy and the rollout converge, and /metrics' counters must have moved.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load-config.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitFixture, makeGitFixture } from '../support/git-server.js';
import { runSkiff } from '../support/rollout-watch.js';
import { eventually, hostExec, testbed } from '../support/testbed.js';
import { webDeployment } from '../support/web-manifests.js';

const APP = 'e2e-apisec';
const NS = 'apisec';
const HOOK_ENV = 'SKIFF_E2E_HOOK_SECRET';
const HOOK_SECRET = 'e2e-hook-secret-4f1c9a';
const REPO_DIR = join(import.meta.dirname, '../..');

const deployment = (replicas: number, tag: string) =>
  webDeployment({ namespace: NS, replicas, tag, surgeOnly: true });

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP(S) request with raw control over headers (fetch forbids setting Host). */
function call(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer; ca?: string } = {},
): Promise<Answer> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        agent: false,
        timeout: 30_000,
        ca: opts.ca,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${opts.method ?? 'GET'} ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A port free on every address right now (the daemon binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '0.0.0.0', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface RunningDaemon {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `skiff run --config FILE` as its own process; resolves once it says where it listens. */
function startSkiffRun(configFile: string, env: Record<string, string> = {}): RunningDaemon {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', configFile],
    {
      cwd: REPO_DIR,
      env: { ...process.env, SKIFF_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  child.stdout?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stderr: () => err, exited };
}

async function stopSkiffRun(d: RunningDaemon | undefined): Promise<void> {
  if (!d || d.child.exitCode !== null) return;
  d.child.kill('SIGTERM');
  const done = await Promise.race([d.exited, new Promise((r) => setTimeout(() => r('late'), 20_000))]);
  if (done === 'late') d.child.kill('SIGKILL');
}

let fx: GitFixture;
let runtime: DockerRuntime;
let port: number;
let base: string;
let configFile: string;
let daemon: RunningDaemon | undefined;
const others: RunningDaemon[] = [];
let adminToken: string;

function writeConfig(
  name: string,
  daemonYaml: string,
  appYaml = `    webhook: { secretEnv: ${HOOK_ENV} }`,
): string {
  const file = join(fx.base, `${name}.yaml`);
  writeFileSync(
    file,
    `${readFileSync(testbed().config, 'utf8')}
apps:
  - name: ${APP}
    repoURL: ${fx.repoURL}
    revision: main
    path: deploy
    poll: { interval: 1h }
${appYaml}
daemon:
  stateDir: ${join(fx.base, `state-${name}`)}
  reconcileIntervalSeconds: 1
${daemonYaml}
`,
  );
  return file;
}

const api = (path: string) => `http://127.0.0.1:${port}${path}`;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

/** A GitHub push delivery for `repoURL`, signed with `secret` (or unsigned). */
function githubDelivery(repoURL: string, secret: string | undefined, id = randomUUID()) {
  // A push's body names its new head (`after`): two pushes never send the same body.
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    after: randomUUID().replaceAll('-', ''),
    repository: { clone_url: repoURL, full_name: new URL(repoURL).pathname.slice(1).replace(/\.git$/, '') },
  });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': id,
  };
  if (secret)
    headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return { headers, body };
}

/** POST /api/v1/sync as the admin with `body`. */
const post = (body: string | Buffer) =>
  call(api('/api/v1/sync'), {
    method: 'POST',
    body,
    headers: { ...bearer(adminToken), 'content-type': 'application/json' },
  });

async function appPods(): Promise<ObservedPod[]> {
  return (await runtime.observe()).pods.filter((p) => p.app === APP);
}

/** Waits for exactly `n` running pods of the app, all on `tag`. */
async function podsAt(n: number, tag: string, timeoutMs = 90_000): Promise<ObservedPod[]> {
  return eventually(
    `${n} running pods on ${tag}`,
    async () => {
      const pods = (await appPods()).filter((p) => p.containers.every((c) => c.state === 'running'));
      return pods.length === n && pods.every((p) => p.containers[0]?.image.endsWith(`:${tag}`))
        ? pods
        : undefined;
    },
    timeoutMs,
  );
}

/** The value of one sample line of a Prometheus text exposition (summed over matches). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

beforeAll(async () => {
  fx = await makeGitFixture();
  base = fx.base;
  port = await freePort();
  configFile = writeConfig('main', `  listen: 127.0.0.1:${port}`);
  runtime = new DockerRuntime(await loadClusterConfig(configFile));
  await fx.commit({ 'deploy/web.yaml': deployment(2, '1.0.0') }, 'Deploy web 1.0.0 x2');
  await fx.push();
  daemon = startSkiffRun(configFile, { [HOOK_ENV]: HOOK_SECRET });
  await eventually(
    'the daemon answers /healthz',
    async () => ((await call(api('/healthz'))).status === 200 ? true : undefined),
    60_000,
  );
  adminToken = readFileSync(join(base, 'state-main', 'admin.token'), 'utf8').trim();
  await podsAt(2, '1.0.0');
}, 180_000);

afterAll(async () => {
  for (const d of others) await stopSkiffRun(d);
  await stopSkiffRun(daemon);
  for (const p of await appPods().catch(() => [])) {
    await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined);
  }
  await runtime?.close();
  await fx?.close();
}, 120_000);

describe('starting refuses what would be unsafe (exit 2, one line with a hint)', () => {
  it('a webhook secret variable that is unset or empty stops the daemon at start', async () => {
    for (const value of [undefined, '']) {
      const env: Record<string, string> = value === undefined ? {} : { [HOOK_ENV]: value };
      const file = writeConfig(`nosecret${value ?? 'unset'}`, `  listen: 127.0.0.1:${await freePort()}`);
      const d = startSkiffRun(file, env);
      expect(await d.exited).toBe(2);
      expect(d.stderr()).toContain(HOOK_ENV);
      expect(d.stderr()).not.toMatch(/this is a bug|\n\s+at /);
    }
  });

  it('listening beyond loopback needs TLS or an explicit insecure: true', async () => {
    const file = writeConfig('wide', `  listen: 0.0.0.0:${await freePort()}`);
    const d = startSkiffRun(file, { [HOOK_ENV]: HOOK_SECRET });
    expect([1, 2]).toContain(await d.exited);
    expect(d.stderr()).toMatch(/tls|insecure/);
    expect(d.stderr()).not.toMatch(/this is a bug|\n\s+at /);
  });
});

describe('tokens and roles', () => {
  it('no token or a bad one is 401; read may view, not sync (403); admin may sync', async () => {
    expect((await call(api('/api/v1/view'))).status).toBe(401);
    expect((await call(api('/api/v1/view'), { headers: bearer('skiff_not-a-token') })).status).toBe(401);
    expect((await call(api('/healthz'))).status).toBe(200);
    const created = await runSkiff(configFile, 'token', 'create', '--role', 'read', '--name', 'ci-reader');
    expect(created.code).toBe(0);
    const readToken = created.stdout.trim();
    expect(readToken).toMatch(/^skiff_/);
    const view = await call(api('/api/v1/view'), { headers: bearer(readToken) });
    expect(view.status).toBe(200);
    expect(JSON.parse(view.body).deployments.length).toBeGreaterThan(0);
    expect((await call(api('/metrics'), { headers: bearer(readToken) })).status).toBe(200);
    expect((await call(api('/metrics'))).status).toBe(401);
    const sync = { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } };
    expect(
      (await call(api('/api/v1/sync'), { ...sync, headers: { ...sync.headers, ...bearer(readToken) } }))
        .status,
    ).toBe(403);
    expect(
      (await call(api('/api/v1/sync'), { ...sync, headers: { ...sync.headers, ...bearer(adminToken) } }))
        .status,
    ).toBe(200);
    // The CLI with a read token says why it cannot sync, and exits non-zero.
    const cli = await runSkiffAs(readToken, 'sync');
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/403|admin/);
    expect(cli.stderr).not.toContain(readToken);
    // `token list` never shows a token; a revoked one is refused on the next call.
    const list = await runSkiff(configFile, 'token', 'list', '-o', 'json');
    expect(list.stdout).toContain('ci-reader');
    expect(list.stdout).not.toContain(readToken);
    expect((await runSkiff(configFile, 'token', 'revoke', 'ci-reader')).code).toBe(0);
    expect((await call(api('/api/v1/view'), { headers: bearer(readToken) })).status).toBe(401);
  });
});

async function runSkiffAs(token: string, ...args: string[]) {
  const prev = process.env.SKIFF_TOKEN;
  process.env.SKIFF_TOKEN = token;
  try {
    return await runSkiff(configFile, ...args);
  } finally {
    if (prev === undefined) delete process.env.SKIFF_TOKEN;
    else process.env.SKIFF_TOKEN = prev;
  }
}

describe('the webhook', () => {
  it('an unsigned or wrongly signed delivery is refused and deploys nothing; a signed one deploys', async () => {
    await fx.commit({ 'deploy/web.yaml': deployment(3, '1.0.0') }, 'Scale web to 3');
    await fx.push();
    const unsigned = githubDelivery(fx.repoURL, undefined);
    expect((await call(api('/webhook'), { method: 'POST', ...unsigned })).status).toBe(401);
    const forged = githubDelivery(fx.repoURL, 'not-the-secret');
    expect((await call(api('/webhook'), { method: 'POST', ...forged })).status).toBe(401);
    // Signed, but for another repository: no app of this daemon follows it, nothing is fetched.
    const other = githubDelivery('http://git.example.test/someone/else.git', HOOK_SECRET);
    const otherAnswer = await call(api('/webhook'), { method: 'POST', ...other });
    expect(otherAnswer.status).toBeGreaterThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 4000));
    expect(await appPods()).toHaveLength(2);

    const signed = githubDelivery(fx.repoURL, HOOK_SECRET);
    const accepted = await call(api('/webhook'), { method: 'POST', ...signed });
    expect(accepted.status).toBeLessThan(300);
    await podsAt(3, '1.0.0');
    // The same delivery again is answered 200 and ignored (git hosts retry; a replay gains nothing).
    const replay = await call(api('/webhook'), { method: 'POST', ...signed });
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.body)).toMatchObject({ accepted: false, reason: 'duplicate delivery' });
  });

  it("GitLab's token header works too", async () => {
    await fx.commit({ 'deploy/web.yaml': deployment(2, '1.0.0') }, 'Back to 2');
    await fx.push();
    const body = JSON.stringify({
      object_kind: 'push',
      after: randomUUID(),
      project: { git_http_url: fx.repoURL },
    });
    const r = await call(api('/webhook'), {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Push Hook',
        'x-gitlab-token': HOOK_SECRET,
        'x-gitlab-event-uuid': randomUUID(),
      },
    });
    expect(r.status).toBeLessThan(300);
    await podsAt(2, '1.0.0');
  });
});

describe('Host and Origin checks', () => {
  it('a rebinding Host or a cross-site Origin is refused even with a valid token', async () => {
    const rebound = await call(api('/api/v1/view'), {
      headers: { ...bearer(adminToken), host: `attacker.example:${port}` },
    });
    expect(rebound.status).toBe(403);
    const crossSite = await call(api('/api/v1/sync'), {
      method: 'POST',
      body: '{}',
      headers: {
        ...bearer(adminToken),
        'content-type': 'application/json',
        origin: 'https://attacker.example',
      },
    });
    expect(crossSite.status).toBe(403);
    const fetchSite = await call(api('/api/v1/sync'), {
      method: 'POST',
      body: '{}',
      headers: { ...bearer(adminToken), 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
    });
    expect(fetchSite.status).toBe(403);
  });
});

describe('request bounds', () => {
  it('413 for a large body (an answer, not a reset), 400 naming the field for bad JSON or query', async () => {
    const big = await post(Buffer.alloc(200 * 1024, 'x'));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error).toBeTruthy();
    const malformed = await post('{"wait": tru');
    expect(malformed.status).toBe(400);
    expect(malformed.body).not.toMatch(/TypeError|at .*\.ts/);
    const mistyped = await post('{"wait": "yes"}');
    expect(mistyped.status).toBe(400);
    expect(mistyped.body).toContain('wait');
    const query = await call(api('/api/v1/events?limit=abc'), { headers: bearer(adminToken) });
    expect(query.status).toBe(400);
    expect(query.body).toContain('limit');
  });

  it('a client that never finishes its headers is cut off', async () => {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let answer = '';
    sock.on('data', (d: Buffer) => {
      answer += d.toString('utf8');
    });
    sock.write('GET /api/v1/view HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const started = Date.now();
    const closedAfter = await new Promise<number>((r) => sock.once('close', () => r(Date.now() - started)));
    // headersTimeout is 10 s; Node checks it on a 30 s interval at most (connectionsCheckingInterval).
    expect(closedAfter).toBeLessThan(45_000);
    // Node answers 408 when its headersTimeout check comes first; skiff's own cut closes silently.
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  }, 60_000);

  it('connections over the cap are refused, silent ones are cut, and the API serves again', async () => {
    const sockets = Array.from({ length: 300 }, () => {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.resume();
      return { s, closed: new Promise<number>((r) => s.once('close', () => r(Date.now()))) };
    });
    const opened = Date.now();
    const closedAt = await Promise.all(sockets.map((x) => x.closed));
    const slowest = Math.max(...closedAt) - opened;
    console.log(`300 silent connections: all closed by the daemon within ${slowest} ms`);
    // Each is cut at headersTimeout (10 s) after it was accepted; those over the cap at once.
    expect(slowest).toBeLessThan(20_000);
    expect((await call(api('/healthz'))).status).toBe(200);
  }, 60_000);
});

describe('a request storm during a rollout', () => {
  it('the daemon stays healthy, the rollout converges, the counters moved, the audit log has it', async () => {
    const metricsBefore = (await call(api('/metrics'), { headers: bearer(adminToken) })).body;
    await fx.commit({ 'deploy/web.yaml': deployment(2, '2.0.0') }, 'Roll web to 2.0.0');
    await fx.push();
    const signed = githubDelivery(fx.repoURL, HOOK_SECRET);
    expect((await call(api('/webhook'), { method: 'POST', ...signed })).status).toBeLessThan(300);

    const kinds = [
      () => call(api('/api/v1/view'), { headers: bearer(adminToken) }),
      () => call(api('/api/v1/view')),
      () => call(api('/api/v1/view'), { headers: bearer('skiff_wrong') }),
      () => post(Buffer.alloc(100 * 1024, 'y')),
      () => post('{"app": 12}'),
      () => call(api('/api/v1/events?limit=-5'), { headers: bearer(adminToken) }),
      () => call(api('/webhook'), { method: 'POST', ...githubDelivery(fx.repoURL, undefined) }),
      () => call(api('/healthz')),
    ];
    const statuses = new Map<string, number>();
    let next = 0;
    const total = 2000;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const key = await kinds[i % kinds.length]!()
          .then((r) => String(r.status))
          .catch((e: Error) => `error:${(e as NodeJS.ErrnoException).code ?? e.message}`);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
    };
    // Health sampled through the storm by its own connection each time.
    let healthOk = 0;
    let healthFailed = 0;
    let storming = true;
    const health = (async () => {
      while (storming) {
        const ok = await call(api('/healthz'))
          .then((r) => r.status === 200)
          .catch(() => false);
        if (ok) healthOk++;
        else healthFailed++;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await Promise.all(Array.from({ length: 48 }, worker));
    storming = false;
    await health;
    console.log(
      `storm: ${total} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}; healthz ok ${healthOk}, failed ${healthFailed}`,
    );
    expect(daemon?.child.exitCode).toBeNull();
    // Every storm request got an HTTP answer with the status its kind calls for.
    expect([...statuses.keys()].filter((k) => !['200', '400', '401', '413'].includes(k))).toEqual([]);
    expect(healthFailed).toBe(0);
    expect(healthOk).toBeGreaterThan(0);

    // The rollout converges on 2.0.0 regardless.
    await podsAt(2, '2.0.0', 120_000);
    expect((await call(api('/healthz'))).status).toBe(200);

    // /metrics during and after the rollout: the counters moved.
    const after = await eventually(
      'the rollout counted in /metrics',
      async () => {
        const text = (await call(api('/metrics'), { headers: bearer(adminToken) })).body;
        return sample(text, 'skiff_rollout_duration_seconds_count', { app: APP }) >
          sample(metricsBefore, 'skiff_rollout_duration_seconds_count', { app: APP })
          ? text
          : undefined;
      },
      60_000,
    );
    expect(sample(after, 'skiff_syncs_total', { app: APP })).toBeGreaterThan(
      sample(metricsBefore, 'skiff_syncs_total', { app: APP }),
    );
    expect(sample(after, 'skiff_pass_duration_seconds_count')).toBeGreaterThan(
      sample(metricsBefore, 'skiff_pass_duration_seconds_count'),
    );
    expect(sample(after, 'skiff_actions_total', { kind: 'createPod' })).toBeGreaterThan(
      sample(metricsBefore, 'skiff_actions_total', { kind: 'createPod' }),
    );
    expect(sample(after, 'skiff_docker_call_duration_seconds_count', { host: 'h1' })).toBeGreaterThan(
      sample(metricsBefore, 'skiff_docker_call_duration_seconds_count', { host: 'h1' }),
    );
    expect(sample(after, 'skiff_probe_results_total', { probe: 'readiness' })).toBeGreaterThan(0);
    expect(sample(after, 'skiff_git_fetch_duration_seconds_count', { app: APP })).toBeGreaterThan(
      sample(metricsBefore, 'skiff_git_fetch_duration_seconds_count', { app: APP }),
    );
    expect(sample(after, 'skiff_webhook_requests_total')).toBeGreaterThan(
      sample(metricsBefore, 'skiff_webhook_requests_total'),
    );

    // The audit log names the admin token's sync and the refused webhook deliveries.
    const audit = await runSkiff(configFile, 'history', '--audit', '--limit', '10000', '-o', 'json');
    expect(audit.code).toBe(0);
    const rows = JSON.parse(audit.stdout) as { tokenId: string; route: string; status: number }[];
    expect(rows.some((r) => r.route.includes('/api/v1/sync') && r.status === 200)).toBe(true);
    expect(rows.some((r) => r.route.includes('/webhook') && r.status === 401)).toBe(true);
    expect(
      rows.filter((r) => r.route.includes('/api/v1/sync') && r.status === 413).length,
    ).toBeGreaterThanOrEqual(250);
    expect(audit.stdout).not.toContain(adminToken);
  }, 300_000);
});

describe('exposed on the network', () => {
  it('with TLS: HTTPS from a testbed host, the CLI trusts the configured certificate', async () => {
    const cert = join(base, 'tls.crt');
    const key = join(base, 'tls.key');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=skiff-e2e',
        '-addext',
        'subjectAltName=IP:127.0.0.1,IP:10.213.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'pipe' },
    );
    const tlsPort = await freePort();
    const file = writeConfig('tls', `  listen: 0.0.0.0:${tlsPort}\n  tls: { cert: ${cert}, key: ${key} }`);
    const d = startSkiffRun(file, { [HOOK_ENV]: HOOK_SECRET });
    others.push(d);
    const ca = readFileSync(cert, 'utf8');
    await eventually(
      'the TLS daemon answers',
      async () =>
        (await call(`https://127.0.0.1:${tlsPort}/healthz`, { ca })).status === 200 ? true : undefined,
      60_000,
    );
    // From h1's network namespace, over the testbed bridge.
    const fromHost = await hostExec('h1', [
      'curl',
      '-sS',
      '--cacert',
      cert,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://10.213.0.1:${tlsPort}/api/v1/view`,
    ]);
    expect(fromHost.stdout.trim()).toBe('401');
    const plain = await hostExec('h1', [
      'curl',
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://10.213.0.1:${tlsPort}/healthz`,
    ]);
    expect(plain.stdout.trim()).not.toBe('200');
    // The CLI on this machine reads the local admin token and trusts the configured cert.
    const status = await runSkiff(file, 'status');
    expect(status.code).toBe(0);
    await stopSkiffRun(d);
  }, 120_000);

  it('insecure: true warns at start; webhookListen serves only the webhook', async () => {
    const wide = await freePort();
    const hook = await freePort();
    const file = writeConfig(
      'insecure',
      `  listen: 0.0.0.0:${wide}\n  insecure: true\n  webhookListen: 10.213.0.1:${hook}`,
    );
    const d = startSkiffRun(file, { [HOOK_ENV]: HOOK_SECRET });
    others.push(d);
    await eventually(
      'the insecure daemon answers',
      async () => ((await call(`http://127.0.0.1:${wide}/healthz`)).status === 200 ? true : undefined),
      60_000,
    );
    expect(d.stderr()).toMatch(/insecure|plain HTTP/i);
    const onHook = await hostExec('h2', [
      'curl',
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://10.213.0.1:${hook}/api/v1/view`,
    ]);
    expect(['404', '403']).toContain(onHook.stdout.trim());
    const hookHealth = await hostExec('h2', [
      'curl',
      '-sS',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `http://10.213.0.1:${hook}/healthz`,
    ]);
    expect(hookHealth.stdout.trim()).toBe('200');
    const unsigned = githubDelivery(fx.repoURL, undefined);
    const hookCall = await call(`http://10.213.0.1:${hook}/webhook`, { method: 'POST', ...unsigned });
    expect(hookCall.status).toBe(401);
    await stopSkiffRun(d);
  }, 120_000);
});
