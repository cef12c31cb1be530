// The CLI's client against a real API server: it sends SKIFF_TOKEN or the local admin token,
// says which token to use on 401/403, and over TLS trusts exactly the daemon's configured
// certificate (a self-signed one without the address in its names included).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonToken } from '../../../src/cli/cli-context.js';
import { DaemonClient } from '../../../src/cli/daemon-client.js';
import { startApiServer } from '../../../src/daemon/api-server.js';
import {
  createToken,
  ensureLocalAdminToken,
  readLocalAdminToken,
  TokenVerifier,
} from '../../../src/state-dir/token-store.js';

let dir: string;
let server: Server;
let address: string;

function selfSigned(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-client-'));
  ensureLocalAdminToken(dir, 1);
  const tls = selfSigned('skiff-daemon');
  const backend = {
    inst: {
      reconciler: { view: { pods: [], deployments: [], hosts: [] }, pass: async () => ({}) },
      trackers: [],
    },
    lease: { view: () => ({ role: 'acting', holder: 'me', message: '' }) },
    refreshApp: async () => undefined,
    waitConverged: async () => ({ converged: true, failed: false }),
  };
  const api = await startApiServer({
    backend: backend as never,
    listen: '127.0.0.1:0',
    log: pino({ level: 'silent' }),
    security: { tokens: new TokenVerifier(dir), tls, metricsPublic: false },
  });
  server = api.server;
  address = api.address;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const certPem = () => readFileSync(join(dir, 'skiff-daemon.pem'), 'utf8');

describe('the CLI client', () => {
  it('prefers SKIFF_TOKEN, else reads the local admin token', () => {
    expect(daemonToken(dir, { SKIFF_TOKEN: 'skiff_x' })).toBe('skiff_x');
    expect(daemonToken(dir, {})).toBe(readLocalAdminToken(dir));
  });

  it('talks HTTPS to a daemon with a self-signed certificate, pinned', async () => {
    const client = new DaemonClient(address, { token: readLocalAdminToken(dir), certPem: certPem() });
    expect(await client.alive()).toBe(true);
    expect(await client.view()).toMatchObject({ pods: [] });
  });

  it('does not trust another certificate', async () => {
    const other = readFileSync(selfSigned('impostor').cert, 'utf8');
    const client = new DaemonClient(address, { token: readLocalAdminToken(dir), certPem: other });
    await expect(client.view()).rejects.toMatchObject({ code: 'daemon.unreachable' });
  });

  it.each([
    [undefined, 'GET', 401, /SKIFF_TOKEN/],
    ['read', 'POST', 403, /admin token/],
  ] as const)('with %s token, a %s is refused %i with a hint', async (role, method, status, hint) => {
    const token = role ? createToken(dir, { role }, 2).token : undefined;
    const client = new DaemonClient(address, { token, certPem: certPem() });
    const call = method === 'GET' ? client.view() : client.sync({ wait: false, timeoutSeconds: 1 });
    await expect(call).rejects.toMatchObject({
      message: expect.stringContaining(`answered ${status}`),
      hint: expect.stringMatching(hint),
    });
  });
});
