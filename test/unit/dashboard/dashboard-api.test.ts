// The dashboard's routes against the real API server: login answers an HttpOnly SameSite=Strict
// session cookie, which the guard accepts as it accepts the token (role included); a session
// call that changes something needs this daemon's Origin; logout, revocation and expiry end a
// session; the event stream sends the view's sequence and new events, scrubbed, and is capped.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieValue, SessionStore } from '../../../src/daemon/session-store.js';
import { utilizationSeries } from '../../../src/dashboard/hpa-series.js';
import type { HpaMetricValue } from '../../../src/model/views.js';
import { createToken, revokeToken } from '../../../src/state-dir/token-store.js';
import {
  baseView,
  type FakeDaemon,
  SECRET,
  shopApp,
  startFakeDaemon,
  webDeployment,
  webHpa,
} from './fake-backend.js';

let d: FakeDaemon;
beforeAll(async () => {
  d = await startFakeDaemon();
});
afterAll(() => d?.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: d.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ORIGIN = () => ({ host: `127.0.0.1:${d.port}`, origin: `http://127.0.0.1:${d.port}` });

async function login(token: string): Promise<string> {
  const r = await call(
    'POST',
    '/api/v1/session',
    { ...ORIGIN(), 'content-type': 'application/json' },
    JSON.stringify({ token }),
  );
  expect(r.status).toBe(200);
  const set = (r.headers['set-cookie'] as string[])[0]!;
  return `skiff_session=${cookieValue(set.split(';')[0], 'skiff_session')}`;
}

describe('sessions', () => {
  it('login answers an HttpOnly, SameSite=Strict cookie for the whole site, not Secure on plain HTTP', async () => {
    const r = await call('POST', '/api/v1/session', ORIGIN(), JSON.stringify({ token: d.read }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ role: 'read', id: expect.any(String) });
    const set = (r.headers['set-cookie'] as string[])[0]!;
    expect(set).toMatch(
      /^skiff_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/,
    );
    expect(r.body).not.toContain(d.read);
  });

  it.each([
    ['a wrong token', JSON.stringify({ token: 'skiff_nope' }), 401],
    ['no token', '{}', 401],
    ['a token that is not a string', JSON.stringify({ token: 5 }), 400],
    ['an unknown field', JSON.stringify({ token: 'x', role: 'admin' }), 400],
    ['malformed JSON', '{', 400],
  ])('login with %s -> %i, no cookie', async (_what, body, status) => {
    const r = await call('POST', '/api/v1/session', ORIGIN(), body);
    expect(r.status).toBe(status);
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('a login from another site is refused (Origin check)', async () => {
    const r = await call(
      'POST',
      '/api/v1/session',
      { origin: 'http://evil.example' },
      JSON.stringify({ token: d.admin }),
    );
    expect(r.status).toBe(403);
  });

  it('a failed login is audited as refused, a good one names the token', async () => {
    const rows = d.history.listAudit(50).filter((a) => a.route === 'POST /api/v1/session');
    expect(rows.some((a) => a.result === 'refused' && a.tokenId === 'anonymous')).toBe(true);
    expect(rows.some((a) => a.result === 'session created' && a.tokenId !== 'anonymous')).toBe(true);
  });

  it.each([
    ['read', 'GET', '/api/v1/view', {}, 200],
    ['read', 'GET', '/api/v1/session', {}, 200],
    ['read', 'GET', '/api/v1/hosts', {}, 200],
    ['read', 'GET', '/api/v1/audit', {}, 403],
    ['read', 'POST', '/api/v1/sync', { origin: true }, 403],
    ['admin', 'POST', '/api/v1/sync', { origin: true }, 200],
    ['admin', 'POST', '/api/v1/sync', {}, 403],
    ['admin', 'POST', '/api/v1/sync', { origin: 'http://evil.example' }, 403],
  ] as const)('a %s session: %s %s %j -> %i', async (role, method, path, o, status) => {
    const cookie = await login(role === 'read' ? d.read : d.admin);
    const origin = 'origin' in o ? (o.origin === true ? ORIGIN().origin : o.origin) : undefined;
    const headers: Record<string, string> = {
      cookie,
      host: `127.0.0.1:${d.port}`,
      ...(origin ? { origin } : {}),
    };
    const r = await call(method, path, headers, method === 'POST' ? '{"app":"shop"}' : undefined);
    expect(r.status).toBe(status);
  });

  it('GET /api/v1/session names the role the page shows actions for', async () => {
    const r = await call('GET', '/api/v1/session', { cookie: await login(d.admin) });
    expect(JSON.parse(r.body)).toEqual({ id: 'local', role: 'admin' });
  });

  it('an unknown or forged cookie is 401', async () => {
    expect((await call('GET', '/api/v1/view', { cookie: 'skiff_session=forged' })).status).toBe(401);
  });

  it('logout ends the session and clears the cookie', async () => {
    const cookie = await login(d.read);
    const r = await call('DELETE', '/api/v1/session', { cookie, ...ORIGIN() });
    expect(r.headers['set-cookie']?.[0]).toMatch(/^skiff_session=; .*Max-Age=0/);
    expect((await call('GET', '/api/v1/view', { cookie })).status).toBe(401);
  });

  it('revoking the token ends its sessions at once', async () => {
    const { token, id } = createToken(d.dir, { role: 'read', name: 'short-lived' }, 3);
    const cookie = await login(token);
    expect((await call('GET', '/api/v1/view', { cookie })).status).toBe(200);
    revokeToken(d.dir, id);
    expect((await call('GET', '/api/v1/view', { cookie })).status).toBe(401);
  });
});

describe('SessionStore', () => {
  it('expires a session after its time to live, and keeps the id, not the token', () => {
    const store = new SessionStore(1000);
    const s = store.create({ id: 'grafana', role: 'read' }, 0);
    expect(store.get(s.id, 999)).toEqual({ id: 'grafana', role: 'read' });
    expect(store.get(s.id, 1000)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it.each([
    ['a=1; skiff_session=xyz; b=2', 'xyz'],
    ['skiff_session=abc', 'abc'],
    ['other=1', undefined],
    [undefined, undefined],
    ['skiff_sessionx=1', undefined],
  ])('cookieValue(%j) = %j', (header, value) => {
    expect(cookieValue(header, 'skiff_session')).toBe(value);
  });
});

/** Reads a stream's frames until `until` matches them all, or fails after `ms`. */
function stream(headers: Record<string, string>, until: (text: string) => boolean, ms = 8000) {
  return new Promise<{ status: number; type?: string; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: d.port, path: '/api/v1/stream', headers }, (res) => {
      let text = '';
      const done = () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], text });
      };
      const timer = setTimeout(
        () => (res.statusCode === 200 ? reject(new Error(`no match in: ${text}`)) : done()),
        ms,
      );
      if (res.statusCode !== 200) return res.on('data', (c) => (text += c)).on('end', done);
      res.on('data', (c) => {
        text += c;
        if (until(text)) done();
      });
    });
    req.on('error', () => undefined);
    req.end();
  });
}

describe('GET /api/v1/stream', () => {
  it('needs a token or a session', async () => {
    expect((await stream({}, () => true)).status).toBe(401);
  });

  it('sends the sequence, then a view event when a pass changes the view, and each new event, scrubbed', async () => {
    const cookie = await login(d.read);
    const got = stream({ cookie }, (t) => t.includes('event: event') && /"sequence":[1-9]/.test(t));
    await new Promise((r) => setTimeout(r, 300));
    d.setView(
      baseView({ at: 5_000, deployments: [webDeployment(3)], apps: [shopApp({ message: `pw ${SECRET}` })] }),
    );
    d.history.recordEvent({
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      object: 'deployment/web',
      namespace: 'default',
      message: `Scaled up to 3 with ${SECRET}`,
      at: 5_000,
    });
    const r = await got;
    expect(r.type).toBe('text/event-stream');
    expect(r.text.startsWith('event: view\ndata: {"sequence":0}\n\n')).toBe(true);
    expect(r.text).toMatch(/event: event\ndata: \{[^\n]*"reason":"ScalingReplicaSet"/);
    expect(r.text).not.toContain(SECRET);
  });

  it('a pass that changes nothing but the time sends no view event', async () => {
    const { EventStream } = await import('../../../src/daemon/event-stream.js');
    let view = baseView();
    const frames: string[] = [];
    const s = new EventStream({ view: () => view, history: () => undefined, scrub: (t) => t });
    const res = {
      writableLength: 0,
      write: (f: string) => frames.push(f),
      writeHead: () => undefined,
      on: () => undefined,
      destroy: () => undefined,
    };
    s.open(res as never);
    s.check();
    view = { ...view, at: 99_999 };
    s.check();
    view = baseView({ deployments: [webDeployment(3)] });
    s.check();
    s.close();
    expect(
      frames
        .filter((f) => f.startsWith('event: view'))
        .map((f) => JSON.parse(f.split('data: ')[1]!).sequence),
    ).toEqual([0, 1, 2]);
  });

  it('caps concurrent streams (503 with Retry-After) and drops a client that stops reading', async () => {
    const { EventStream } = await import('../../../src/daemon/event-stream.js');
    const s = new EventStream(
      { view: () => baseView(), history: () => undefined, scrub: (t) => t },
      { maxClients: 1, heartbeatMs: 60_000, checkMs: 60_000, maxBufferedBytes: 10 },
    );
    let destroyed = 0;
    const res = (buffered: number) => ({
      writableLength: buffered,
      write: () => true,
      writeHead: () => undefined,
      on: () => undefined,
      destroy: () => {
        destroyed += 1;
      },
    });
    expect(s.open(res(0) as never).streamed).toBe(true);
    const refused = s.open(res(0) as never);
    expect(refused.status).toBe(503);
    expect(refused.headers?.['retry-after']).toBe('30');
    s.close();
    destroyed = 0;
    s.open(res(11) as never);
    expect(destroyed).toBe(1);
    s.close();
  });
});

describe('GET /api/v1/view: the apps page', () => {
  it('names the live and head commits with author and subject, Secret values scrubbed', async () => {
    d.setView(
      baseView({
        apps: [
          shopApp({
            headCommit: 'f'.repeat(40),
            liveCommitInfo: { author: 'Ada <ada@example.com>', subject: 'web: 3 replicas', at: 1_000 },
            headCommitInfo: { author: 'Bob <bob@example.com>', subject: `rotate to ${SECRET}`, at: 1_500 },
          }),
        ],
      }),
    );
    const r = await call('GET', '/api/v1/view', { authorization: `Bearer ${d.read}` });
    const shop = JSON.parse(r.body).apps[0];
    expect(shop.liveCommitInfo).toEqual({
      author: 'Ada <ada@example.com>',
      subject: 'web: 3 replicas',
      at: 1_000,
    });
    expect(shop.headCommitInfo.author).toBe('Bob <bob@example.com>');
    expect(shop.headCommitInfo.subject).toMatch(/^rotate to /);
    expect(r.body).not.toContain(SECRET);
    d.setView(baseView());
  });
});

describe('GET /api/v1/plan and /api/v1/hosts', () => {
  it("the plan is each action's kind, key and reason, never the pod it creates (its env)", async () => {
    const { passPlan } = await import('../../../src/daemon/dashboard-routes.js');
    const pod = { namespace: 'default', name: 'web-1', env: { PASSWORD: SECRET } };
    const plan = passPlan({
      at: 1,
      converged: false,
      actions: [{ type: 'createPod', host: 'h1', pod, reason: 'scale up' } as never],
    });
    expect(plan).toEqual({
      at: 1,
      converged: false,
      actions: [{ type: 'createPod', key: 'pod/default/web-1@h1', reason: 'scale up' }],
    });
    expect(JSON.stringify(plan)).not.toContain(SECRET);
  });

  it('hosts answer requests vs capacity, sums only', async () => {
    const r = await call('GET', '/api/v1/hosts', { authorization: `Bearer ${d.read}` });
    expect(JSON.parse(r.body)).toEqual([
      expect.objectContaining({
        name: 'h1',
        capacity: { cpuMilli: 2000, memoryBytes: 4 * 2 ** 30 },
        allocated: { cpuMilli: 1000, memoryBytes: 2 ** 30 },
      }),
      expect.objectContaining({ name: 'h2', allocated: { cpuMilli: 0, memoryBytes: 0 } }),
    ]);
    expect(r.body).not.toContain('containers');
  });
});

describe('GET /api/v1/hpas: the HPA page', () => {
  it('answers the samples only when asked for, at most 1,440', async () => {
    d.setHpas([webHpa(10_000_000)]);
    const auth = { authorization: `Bearer ${d.read}` };
    const plain = JSON.parse((await call('GET', '/api/v1/hpas', auth)).body);
    expect(plain[0].samples).toBeUndefined();
    const some = JSON.parse((await call('GET', '/api/v1/hpas?decisions=10&samples=2', auth)).body);
    expect(some[0].samples.map((s: { metrics: { current: number }[] }) => s.metrics[0]!.current)).toEqual([
      60, 45,
    ]);
    const tooMany = await call('GET', '/api/v1/hpas?samples=5000', auth);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatch(/samples.{0,4} must be from 0 to 1440/);
    d.setHpas([]);
  });
});

describe('utilizationSeries (the HPA chart)', () => {
  const sample = (at: number, metrics: HpaMetricValue[]) => ({
    at,
    currentReplicas: 2,
    desiredReplicas: 2,
    metrics,
  });
  it.each([
    {
      name: 'a Utilization target: percent of requests, the target as it is',
      metrics: [{ name: 'cpu', unit: 'percent' as const, current: 45, target: 70 }],
      want: [
        { name: 'cpu', className: 'metric', points: [{ t: 1, v: 45 }] },
        { name: 'cpu target', className: 'target', points: [{ t: 1, v: 70 }] },
      ],
    },
    {
      name: 'an AverageValue target: percent of the target, the target at 100',
      metrics: [{ name: 'memory', unit: 'milli' as const, current: 150, target: 200 }],
      want: [
        { name: 'memory (% of target)', className: 'metric', points: [{ t: 1, v: 75 }] },
        { name: 'memory target', className: 'target', points: [{ t: 1, v: 100 }] },
      ],
    },
    {
      name: 'no value yet: no point',
      metrics: [{ name: 'cpu', unit: 'percent' as const, current: null, target: 70 }],
      want: [],
    },
  ])('$name', ({ metrics, want }) => {
    expect(utilizationSeries({ samples: [sample(1, metrics)] })).toEqual(want);
  });
});
