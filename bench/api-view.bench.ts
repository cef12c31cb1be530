// Answer time of `GET /api/v1/view` (what `skiff get`, `status` and the dashboard read) at the
// 5,000-Deployment state: 5,000 Deployments x 3 pods on 500 hosts, served by the real API server
// (token check, Host/Origin guard, Secret scrubbing with 200 learned values, JSON) on loopback
// over a keep-alive connection. Baselines in the same run: GET /healthz on the same server (the
// HTTP floor) and JSON.stringify of the same view (the serialization floor).
//
//   node --expose-gc --import tsx bench/api-view.bench.ts

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApiServer } from '../src/daemon/api-server.js';
import { SecretScrubber } from '../src/daemon/secret-scrubber.js';
import type { KubeObject } from '../src/model/k8s.js';
import type { ClusterView } from '../src/model/views.js';
import { createToken, TokenVerifier } from '../src/state-dir/token-store.js';
import { build, FULL } from './support/scale-world.js';
import { gc, median } from './support/timing.js';

const RUNS = 31;
const world = build(FULL);
const v = world.steady.views;
const view: ClusterView = {
  at: Date.now(),
  apps: [],
  hosts: v.hosts,
  pods: v.pods,
  deployments: v.deployments,
  configs: [],
  services: v.services,
  endpoints: v.endpoints,
  claims: v.claims,
};

// A scrubber that knows 200 Secret values, as a daemon following apps with Secrets does.
const scrubber = new SecretScrubber();
const secrets: KubeObject[] = Array.from({ length: 200 }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: `s-${i}`, namespace: 'ns-0' },
  type: 'Opaque',
  data: { password: Buffer.from(`pa55-word-${i}-x7q`).toString('base64') },
})) as unknown as KubeObject[];
scrubber.note('app-0', 'c0', secrets);

const dir = mkdtempSync(join(tmpdir(), 'skiff-view-bench-'));
const { token } = createToken(dir, { role: 'read', name: 'bench' }, Date.now());
const inst = {
  config: { daemon: { stateDir: dir }, apps: [] },
  trackers: [],
  reconciler: { view, pass: async () => ({ converged: true, actions: [] }) },
  autoscaler: { views: () => [], latestSweep: undefined },
  scrubber,
  metrics: { render: async () => '', contentType: 'text/plain', observeWebhook: () => undefined },
};
const backend = {
  inst,
  lease: { view: () => ({ role: 'acting', message: 'acting' }) },
  refreshApp: async () => undefined,
  waitConverged: async () => ({ converged: true, failed: false }),
};
const api = await startApiServer({
  backend: backend as never,
  listen: '127.0.0.1:0',
  log: pino({ level: 'silent' }),
  security: { tokens: new TokenVerifier(dir), metricsPublic: false },
});
const port = Number(api.address.split(':').pop());
// The client is its own process, as `skiff get` or a browser is: its reading of 15 MiB does not
// land in the daemon's heap or CPU. It prints each request's wall time; the server's CPU is read
// here around the whole series.
const CLIENT = `
const http = require('node:http');
const [port, path, token, runs] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = () => new Promise((resolve, reject) => {
  const t0 = performance.now();
  http.get({ host: '127.0.0.1', port, path, agent, headers: { authorization: 'Bearer ' + token } }, (res) => {
    let bytes = 0;
    res.on('data', (c) => { bytes += c.length; });
    res.on('end', () => resolve({ ms: performance.now() - t0, bytes, status: res.statusCode }));
  }).on('error', reject);
});
(async () => {
  await get();
  const out = [];
  for (let i = 0; i < Number(runs); i++) out.push(await get());
  process.stdout.write(JSON.stringify(out));
  })();
`;

function client(path: string): Promise<{ ms: number; bytes: number; status: number }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, String(port), path, token, String(RUNS)]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exit ${code}`)),
    );
  });
}

async function series(path: string) {
  gc?.();
  const c0 = process.cpuUsage();
  const runs = await client(path);
  const c = process.cpuUsage(c0);
  if (runs.some((r) => r.status !== 200)) throw new Error(`GET ${path}: status ${runs[0]?.status}`);
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  return {
    p50: median(ms),
    p90: ms[Math.floor(ms.length * 0.9)]!,
    // The server's CPU per request (the warm-up request included in the total).
    cpu: (c.user + c.system) / 1000 / (RUNS + 1),
    bytes: runs[0]!.bytes,
  };
}

const load = loadavg()[0]!.toFixed(1);
const floor = await series('/healthz');
const served = await series('/api/v1/view');
const stringify: number[] = [];
const stringifyCpu: number[] = [];
for (let i = 0; i < RUNS; i++) {
  gc?.();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  JSON.stringify(view);
  const c = process.cpuUsage(c0);
  stringify.push(performance.now() - t0);
  stringifyCpu.push((c.user + c.system) / 1000);
}
api.server.close();
rmSync(dir, { recursive: true, force: true });

const f = (n: number) => n.toFixed(n < 10 ? 2 : 1);
process.stdout.write(`## API: GET /api/v1/view at ${FULL.deployments} Deployments x 3 pods on ${FULL.hosts} hosts

${RUNS} sequential requests over one keep-alive connection after a warm-up, from a client in its
own process (wall time there); the daemon's CPU per request measured in the server process;
load average ${load} at the start. Target: p50 < 50 ms.

| request | p50 wall ms | p90 wall ms | server CPU ms per request | body |
|---|---:|---:|---:|---:|
| GET /healthz (HTTP floor) | ${f(floor.p50)} | ${f(floor.p90)} | ${f(floor.cpu)} | ${floor.bytes} B |
| JSON.stringify(view) (serialization floor) | ${f(median(stringify))} | - | ${f(median(stringifyCpu))} | - |
| GET /api/v1/view | ${f(served.p50)} | ${f(served.p90)} | ${f(served.cpu)} | ${(served.bytes / 2 ** 20).toFixed(1)} MiB |

GET /api/v1/view p50 = ${(served.p50 / median(stringify)).toFixed(2)}x JSON.stringify of the same view (wall),
${(served.cpu / median(stringifyCpu)).toFixed(2)}x in CPU. The view is serialized once per pass (the first request after a
pass pays about one JSON.stringify plus the Secret scrub); the figures are the requests after it.
`);
