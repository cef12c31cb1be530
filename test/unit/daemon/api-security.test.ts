// The API's security rules against a real server on a loopback port, a real token store and a
// real history database in a temp dir: tokens and roles (401/403), Host and Origin checks,
// bounded requests (413 drained, 400 with the field, query checks), waits that end with the
// client, the audit log, and the webhook (fail closed, signature, replay window, repository).
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/cluster-config.js';
import { API_LIMITS, startApiServer } from '../../../src/daemon/api-server.js';
import { resolveWebhookSecrets, webhookState } from '../../../src/daemon/webhook-route.js';
import { type HistoryStore, openHistoryStore } from '../../../src/history/history-store.js';
import {
  createToken,
  ensureLocalAdminToken,
  readLocalAdminToken,
  revokeToken,
  TokenVerifier,
} from '../../../src/state-dir/token-store.js';

const app = (name: string, repoURL: string, secretEnv?: string): AppConfig =>
  ({ name, repoURL, webhook: secretEnv ? { secretEnv } : undefined }) as AppConfig;
const APPS = [
  app('web', 'https://github.com/acme/web.git', 'WEB_HOOK'),
  app('api', 'https://github.com/acme/api'),
];

let dir: string;
let history: HistoryStore;
let server: Server;
let port: number;
let admin: string;
let read: string;
const refreshed: string[] = [];
let waitSignal: AbortSignal | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-api-'));
  ensureLocalAdminToken(dir, 1);
  admin = readLocalAdminToken(dir)!;
  read = createToken(dir, { role: 'read', name: 'grafana' }, 2).token;
  history = openHistoryStore({ stateDir: dir });
  const inst = {
    config: { daemon: { stateDir: dir }, apps: APPS },
    trackers: APPS.map((a) => ({ name: a.name, config: a })),
    reconciler: {
      view: { pods: [], deployments: [], hosts: [] },
      pass: async () => ({ converged: true, actions: [] }),
    },
    autoscaler: { views: () => [], latestSweep: undefined },
    metrics: {
      render: async () => '# no series\n',
      contentType: 'text/plain; version=0.0.4',
      observeWebhook: () => undefined,
    },
    history,
  };
  const backend = {
    inst,
    lease: { view: () => ({ role: 'acting', holder: 'me', message: 'acting' }) },
    refreshApp: async (a?: string) => void refreshed.push(a ?? '*'),
    waitConverged: (_ms: number, signal?: AbortSignal) =>
      new Promise<{ converged: boolean; failed: boolean }>((resolve) => {
        waitSignal = signal;
        signal?.addEventListener('abort', () => resolve({ converged: false, failed: false }));
      }),
  };
  const security = {
    tokens: new TokenVerifier(dir),
    metricsPublic: false,
    webhook: webhookState(APPS, { WEB_HOOK: 's3cret' }, backend.refreshApp, () => 1000),
  };
  const api = await startApiServer({
    backend: backend as never,
    listen: '127.0.0.1:0',
    log: pino({ level: 'silent' }),
    security,
  });
  server = api.server;
  port = Number(api.address.split(':').pop());
});

afterAll(() => {
  server?.close();
  history?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request (fetch may not set Host), so every header is the test's to choose. */
function call(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('tokens and roles', () => {
  it.each([
    ['GET', '/healthz', undefined, 200],
    ['GET', '/readyz', undefined, 200],
    ['GET', '/api/v1/view', undefined, 401],
    ['GET', '/api/v1/view', 'skiff_not-a-token', 401],
    ['GET', '/api/v1/view', 'read', 200],
    ['GET', '/api/v1/view', 'admin', 200],
    ['GET', '/api/v1/events', 'read', 200],
    ['GET', '/metrics', undefined, 401],
    ['GET', '/metrics', 'read', 200],
    ['GET', '/api/v1/audit', 'read', 403],
    ['GET', '/api/v1/audit', 'admin', 200],
    ['POST', '/api/v1/sync', undefined, 401],
    ['POST', '/api/v1/sync', 'read', 403],
    ['POST', '/api/v1/sync', 'admin', 200],
  ] as const)('%s %s with %s token -> %i', async (method, path, who, status) => {
    const token = who === 'read' ? read : who === 'admin' ? admin : who;
    const r = await call(method, path, { headers: token ? bearer(token) : {} });
    expect(r.status).toBe(status);
    if (status === 401) {
      expect(r.headers['www-authenticate']).toBe('Bearer realm="skiff"');
      expect(JSON.parse(r.body)).toMatchObject({ error: 'a valid bearer token is needed' });
    }
  });

  it('a revoked token is refused on the next call, with no restart', async () => {
    const { id, token } = createToken(dir, { role: 'read', name: 'temp' }, 3);
    expect((await call('GET', '/api/v1/view', { headers: bearer(token) })).status).toBe(200);
    expect(revokeToken(dir, id)).toBe(true);
    expect((await call('GET', '/api/v1/view', { headers: bearer(token) })).status).toBe(401);
  });
});

describe('Host and Origin', () => {
  it.each([
    ['a DNS-rebinding Host', { host: 'evil.example:7420' }, 403],
    ['localhost', { host: 'localhost:7420' }, 200],
    ['[::1]', { host: '[::1]:7420' }, 200],
    ['a cross-site Origin', { host: '127.0.0.1:7420', origin: 'http://evil.example' }, 403],
    ['a null Origin', { host: '127.0.0.1:7420', origin: 'null' }, 403],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 403],
    ['its own Origin', { host: '127.0.0.1:7420', origin: 'http://127.0.0.1:7420' }, 200],
  ])('%s -> %i', async (_what, headers, status) => {
    const r = await call('POST', '/api/v1/sync', { headers: { ...bearer(admin), ...headers } });
    expect(r.status).toBe(status);
  });
});

describe('request bounds', () => {
  it('a body over the limit is answered 413 in JSON, not reset', async () => {
    const r = await call('POST', '/api/v1/sync', {
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      body: Buffer.alloc(200 * 1024, 'x'),
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toMatch(/larger than 65536 bytes/);
    expect(r.headers.connection).toBe('close');
  });

  it.each([
    ['{', /^malformed JSON body/],
    ['[1]', /must be a JSON object/],
    ['{"wait": "yes"}', /"wait" must be a boolean/],
    ['{"timeoutSeconds": -1}', /"timeoutSeconds" must be from 0 to 86400/],
    ['{"app": 7}', /"app" must be a string/],
    ['{"force": true}', /unknown field "force"/],
  ])('body %s -> 400 %s', async (body, message) => {
    const r = await call('POST', '/api/v1/sync', { headers: bearer(admin), body });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(message);
  });

  it.each([
    ['/api/v1/events?limit=abc', /"limit" must be an integer/],
    ['/api/v1/events?limit=0', /"limit" must be from 1 to 10000/],
    ['/api/v1/history?limit=1&limit=2', /given twice/],
    ['/api/v1/hpas?decisions=5000', /"decisions" must be from 0 to 1000/],
    ['/api/v1/view?x=1', /unknown parameter "x"/],
  ])('query %s -> 400', async (path, message) => {
    const r = await call('GET', path, { headers: bearer(read) });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(message);
  });

  it('an unknown app is 404, a wrong method 405 with Allow', async () => {
    const r = await call('POST', '/api/v1/sync', { headers: bearer(admin), body: '{"app":"nope"}' });
    expect(r.status).toBe(404);
    const m = await call('GET', '/api/v1/sync', { headers: bearer(admin) });
    expect(m.status).toBe(405);
    expect(m.headers.allow).toBe('POST');
  });

  it('caps connections and the time a client may take', () => {
    expect(server.maxConnections).toBe(API_LIMITS.maxConnections);
    expect(server.headersTimeout).toBe(API_LIMITS.headersTimeoutMs);
    expect(server.requestTimeout).toBe(API_LIMITS.requestTimeoutMs);
  });

  it('a sync ?wait ends when its client disconnects', async () => {
    waitSignal = undefined;
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/sync',
      headers: bearer(admin),
    });
    req.on('error', () => undefined);
    req.end('{"wait": true}');
    const signal = () => waitSignal as AbortSignal | undefined;
    for (let i = 0; i < 100 && !signal(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(signal()?.aborted).toBe(false);
    req.destroy();
    for (let i = 0; i < 100 && !signal()?.aborted; i++) await new Promise((r) => setTimeout(r, 10));
    expect(signal()?.aborted).toBe(true);
  });
});

describe('the audit log', () => {
  it('records mutating calls: who, what, result; refused ones as anonymous', async () => {
    await call('POST', '/api/v1/sync', { headers: bearer(admin), body: '{"app":"web"}' });
    await call('POST', '/api/v1/sync', { body: '{"app":"web"}' });
    const [refused, done] = history.listAudit(2);
    expect(done).toMatchObject({
      tokenId: 'local',
      route: 'POST /api/v1/sync',
      params: { app: 'web' },
      status: 200,
    });
    expect(refused).toMatchObject({ tokenId: 'anonymous', status: 401, result: 'refused' });
    // Read calls are not audited.
    await call('GET', '/api/v1/view', { headers: bearer(read) });
    expect(history.listAudit(1)[0]?.id).toBe(refused?.id);
  });

  it('records a mutating call refused before its handler ran (body too large, malformed)', async () => {
    await call('POST', '/api/v1/sync', { headers: bearer(admin), body: Buffer.alloc(200 * 1024, 'x') });
    await call('POST', '/api/v1/sync', { headers: bearer(admin), body: '{' });
    const [malformed, tooLarge] = history.listAudit(2);
    expect(tooLarge).toMatchObject({ tokenId: 'local', status: 413, result: 'refused (413)' });
    expect(malformed).toMatchObject({ tokenId: 'local', status: 400, result: 'refused (400)' });
  });
});

describe('the webhook', () => {
  const sign = (body: string, secret = 's3cret') =>
    `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const push = (repo: string, after: string) =>
    JSON.stringify({
      after,
      repository: { clone_url: repo, full_name: repo.split('/').slice(-2).join('/') },
    });
  const hook = (body: string, headers: Record<string, string> = {}) =>
    call('POST', '/webhook', { headers: { 'x-hub-signature-256': sign(body), ...headers }, body });

  it('is open, but refuses an unsigned or badly signed delivery', async () => {
    const body = push('https://github.com/acme/web', 'a1');
    expect((await call('POST', '/webhook', { body })).status).toBe(401);
    expect(
      (await call('POST', '/webhook', { body, headers: { 'x-hub-signature-256': sign(body, 'x') } })).status,
    ).toBe(401);
  });

  it('refreshes only the apps whose repository the payload names', async () => {
    refreshed.length = 0;
    const r = await hook(push('https://github.com/ACME/web', 'b2'), { 'x-github-delivery': 'd-1' });
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body)).toEqual({ accepted: true, refreshed: ['web'] });
    const other = await hook(push('https://github.com/acme/other', 'c3'));
    expect(JSON.parse(other.body)).toEqual({ accepted: true, refreshed: [] });
    expect(refreshed).toEqual(['web']);
  });

  it('ignores a delivery seen within the window (200), by id and by body', async () => {
    const body = push('https://github.com/acme/web', 'd4');
    expect((await hook(body, { 'x-github-delivery': 'd-2' })).status).toBe(202);
    const again = await hook(body, { 'x-github-delivery': 'd-2' });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ accepted: false, reason: 'duplicate delivery' });
    // The signature covers the body only: a new delivery id on the same body is still a replay.
    expect((await hook(body, { 'x-github-delivery': 'd-3' })).status).toBe(200);
    expect(history.listAudit(1)[0]).toMatchObject({ tokenId: 'webhook', result: 'replay ignored' });
  });
});

describe('webhook secrets at start', () => {
  it.each([
    [{}, /WEB_HOOK is not set/],
    [{ WEB_HOOK: '' }, /WEB_HOOK is empty/],
  ])('fail closed: %j', (env, message) => {
    expect(() => resolveWebhookSecrets(APPS, env)).toThrow(message);
    try {
      resolveWebhookSecrets(APPS, env);
    } catch (err) {
      expect((err as { code: string; hint: string }).code).toBe('usage');
      expect((err as { hint: string }).hint).toMatch(/export WEB_HOOK/);
    }
  });

  it('reads each configured secret', () => {
    expect([...resolveWebhookSecrets(APPS, { WEB_HOOK: 'x' })]).toEqual([['web', 'x']]);
  });
});

describe('daemon.webhookListen and plain HTTP beyond loopback', () => {
  it('serves only the webhook and /healthz, and warns that it is plain HTTP on the network', async () => {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const backend = { inst: { config: { daemon: { stateDir: dir }, apps: APPS }, trackers: [] } };
    const hook = await startApiServer({
      backend: backend as never,
      listen: '0.0.0.0:0',
      log,
      webhookOnly: true,
      security: {
        tokens: new TokenVerifier(dir),
        metricsPublic: false,
        webhook: webhookState(
          APPS,
          { WEB_HOOK: 's3cret' },
          async () => undefined,
          () => 1,
        ),
      },
    });
    try {
      const hookPort = Number(hook.address.split(':').pop());
      const get = (path: string, method = 'GET') =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port: hookPort, method, path, headers: bearer(admin) },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect(await get('/healthz')).toBe(200);
      expect(await get('/api/v1/view')).toBe(404);
      expect(await get('/metrics')).toBe(404);
      expect(await get('/webhook', 'POST')).toBe(401); // served, and unsigned is refused
      expect(warnings.join('')).toMatch(/serving plain HTTP beyond loopback/);
    } finally {
      hook.server.close();
    }
  });
});
