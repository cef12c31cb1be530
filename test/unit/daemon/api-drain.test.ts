// The drain endpoints against a real server on a loopback port, a real token store, drain
// store and history database in a temp dir: admin only, audited, unknown hosts refused with a
// hint, the drain kept in the state directory (a restarted daemon goes on with it), uncordon.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConfig } from '../../../src/config/cluster-config.js';
import { startApiServer } from '../../../src/daemon/api-server.js';
import { type HistoryStore, openHistoryStore } from '../../../src/history/history-store.js';
import type { DrainView } from '../../../src/model/views.js';
import { DRAINS_FILE, DrainStore } from '../../../src/state-dir/drain-store.js';
import { HostInventory } from '../../../src/state-dir/host-inventory.js';
import {
  createToken,
  ensureLocalAdminToken,
  readLocalAdminToken,
  TokenVerifier,
} from '../../../src/state-dir/token-store.js';

let dir: string;
let history: HistoryStore;
let server: Server;
let port: number;
let admin: string;
let read: string;
let passes = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-api-drain-'));
  ensureLocalAdminToken(dir, 1);
  admin = readLocalAdminToken(dir)!;
  read = createToken(dir, { role: 'read', name: 'ops' }, 2).token;
  history = openHistoryStore({ stateDir: dir });
  const drains = new DrainStore(dir);
  const reconciler = {
    view: undefined as undefined | { drains?: DrainView[] },
    // A pass that sees every drain with one pod left on its host.
    pass: async () => {
      passes++;
      reconciler.view = {
        drains: drains.list().map((d) => ({
          ...d,
          pods: [
            { namespace: 'default', name: 'web-1', app: 'demo', status: 'Blocked' as const, message: 'wait' },
          ],
        })),
      };
      return { converged: true, actions: [] };
    },
  };
  // h3 was in skiff.yaml and is being removed from it.
  const inventory = new HostInventory(dir);
  const hostOf = (name: string) => ({ name, kind: 'local', dataDir: `/var/lib/${name}` }) as HostConfig;
  inventory.update([hostOf('h1'), hostOf('h2'), hostOf('h3')], 1, false);
  inventory.update([hostOf('h1'), hostOf('h2')], 2, false);
  const inst = {
    inventory,
    config: { daemon: { stateDir: dir }, apps: [], hosts: [{ name: 'h1' }, { name: 'h2' }] },
    trackers: [],
    reconciler,
    drains,
    history,
  };
  const backend = {
    inst,
    lease: { view: () => ({ role: 'acting', holder: 'me', message: 'acting' }) },
    refreshApp: async () => undefined,
    waitConverged: async () => ({ converged: true, failed: false }),
  };
  const api = await startApiServer({
    backend: backend as never,
    listen: '127.0.0.1:0',
    log: pino({ level: 'silent' }),
    security: { tokens: new TokenVerifier(dir), metricsPublic: false, webhook: undefined as never },
  });
  server = api.server;
  port = Number(api.address.split(':').pop());
});

afterAll(() => {
  server?.close();
  history?.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, token?: string, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('drain API', () => {
  it.each([
    ['POST', '/api/v1/drain', undefined, 401],
    ['POST', '/api/v1/drain', 'read', 403],
    ['POST', '/api/v1/uncordon', 'read', 403],
    ['GET', '/api/v1/drain', undefined, 401],
    ['GET', '/api/v1/drain', 'read', 200],
  ] as const)('%s %s as %s: %i', async (method, path, who, status) => {
    const token = who === 'read' ? read : who;
    expect((await call(method, path, token, method === 'POST' ? '{"host":"h1"}' : undefined)).status).toBe(
      status,
    );
  });

  it('refuses a host not in the inventory, and a body without a host', async () => {
    const r = await call('POST', '/api/v1/drain', admin, '{"host":"h9"}');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({
      error: 'host "h9" is not in the inventory',
      hint: 'see the hosts in skiff.yaml (skiff hosts)',
    });
    expect((await call('POST', '/api/v1/drain', admin, '{}')).status).toBe(400);
    expect((await call('POST', '/api/v1/drain', admin, '{"host":"h1","grace":1}')).status).toBe(400);
  });

  it.each(['/api/v1/drain', '/api/v1/uncordon'])(
    'POST %s on a host being removed from skiff.yaml: 409, skiff drains it itself, audited',
    async (path) => {
      const before = passes;
      const r = await call('POST', path, admin, '{"host":"h3"}');
      expect(r.status).toBe(409);
      expect(JSON.parse(r.body)).toEqual({
        error: 'host/h3 is being removed from skiff.yaml: skiff drains it itself',
        hint: 'see `skiff hosts`; put it back in skiff.yaml to keep it',
      });
      expect(passes).toBe(before);
      expect(new DrainStore(dir).get('h3')).toBeUndefined();
      expect(history.listAudit(1)[0]).toMatchObject({
        route: `POST ${path}`,
        params: { host: 'h3' },
        result: 'host being removed',
      });
    },
  );

  it('drains: kept in the state directory, answered with what remains, audited', async () => {
    const before = passes;
    const r = await call('POST', '/api/v1/drain', admin, '{"host":"h1","force":true}');
    expect(r.status).toBe(200);
    expect(passes).toBe(before + 1);
    expect(JSON.parse(r.body).drain).toMatchObject({ host: 'h1', force: true, pods: [{ name: 'web-1' }] });
    const file = JSON.parse(readFileSync(join(dir, DRAINS_FILE), 'utf8'));
    expect(file.drains).toMatchObject([{ host: 'h1', force: true }]);
    // A new store (a restarted daemon) reads it back.
    expect(new DrainStore(dir).get('h1')).toMatchObject({ host: 'h1', force: true });
    expect(history.listAudit(1)[0]).toMatchObject({
      route: 'POST /api/v1/drain',
      params: { host: 'h1', force: true },
      result: 'draining h1',
    });
    const g = await call('GET', '/api/v1/drain?host=h1', read);
    expect(JSON.parse(g.body)).toMatchObject({ drains: [{ host: 'h1' }], pending: [] });
  });

  it('uncordons: the drain ends, a second time says it was not cordoned', async () => {
    await call('POST', '/api/v1/drain', admin, '{"host":"h2"}');
    const r = await call('POST', '/api/v1/uncordon', admin, '{"host":"h2"}');
    expect(JSON.parse(r.body)).toEqual({ host: 'h2', uncordoned: true });
    expect(new DrainStore(dir).get('h2')).toBeUndefined();
    const again = await call('POST', '/api/v1/uncordon', admin, '{"host":"h2"}');
    expect(JSON.parse(again.body)).toEqual({ host: 'h2', uncordoned: false });
    expect(history.listAudit(1)[0]).toMatchObject({
      route: 'POST /api/v1/uncordon',
      result: 'was not cordoned',
    });
  });
});

describe('DrainStore', () => {
  it('refuses a file it cannot read as drains, with a hint', () => {
    const d = mkdtempSync(join(tmpdir(), 'skiff-drains-'));
    try {
      writeFileSync(join(d, DRAINS_FILE), '{"drains": [{"host": 1}]}');
      expect(() => new DrainStore(d)).toThrow(/is not a list of drains/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
