// No Secret value leaves the daemon (the daemon's side of test/unit/cli/secret-sentinel.test.ts):
// a sentinel value is planted in a local repository's Secrets (stringData, and base64 data of a
// value holding a quote and a backslash, which JSON escapes), the runtime's container create
// fails once with an error echoing the pod's env, and exec readiness and liveness probes fail with output
// echoing the value (and terminal controls). The daemon's wiring runs as `skiff run` wires it
// (daemonLogger + SecretScrubber + createSkiffInstance + RolloutGuard + the API server) on a
// FakeRuntime; then the captured log stream, the history database's files on disk, the history
// as read back and every API answer are searched for the values and their base64 forms.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../../src/daemon/api-server.js';
import { daemonLogger } from '../../../src/daemon/daemon-log.js';
import { RolloutGuard } from '../../../src/daemon/rollout-guard.js';
import { SecretScrubber } from '../../../src/daemon/secret-scrubber.js';
import {
  createSkiffInstance,
  initialAdmission,
  type SkiffInstance,
} from '../../../src/daemon/skiff-instance.js';
import type { DesiredPod } from '../../../src/model/desired.js';
import { systemClock } from '../../../src/runtime/clock.js';
import { RuntimeError } from '../../../src/runtime/errors.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { ensureLocalAdminToken, readLocalAdminToken } from '../../../src/state-dir/token-store.js';
import { localAppRepo } from '../../support/local-app-repo.js';
import { fakeHosts, shopApp } from './fixtures.js';

const PLAIN = 's3ntinel-daemon-PLAIN';
const QUOTED = 's3ntinel-daemon-"q\\b';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const FORBIDDEN = ['s3ntinel', b64(PLAIN), b64(QUOTED), b64(PLAIN).replace(/=+$/, '')];

const manifests = `apiVersion: v1
kind: Secret
metadata: { name: db }
stringData:
  password: ${PLAIN}
data:
  token: ${b64(QUOTED)}
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
          image: web:1
          env:
            - name: PW
              valueFrom: { secretKeyRef: { name: db, key: password } }
            - name: TOKEN
              valueFrom: { secretKeyRef: { name: db, key: token } }
          readinessProbe:
            exec: { command: [sh, -c, 'check "$PW"'] }
            periodSeconds: 1
          livenessProbe:
            exec: { command: [sh, -c, 'check "$PW"'] }
            periodSeconds: 1
            failureThreshold: 1
`;

/** Docker's first creates failing with the env in their message, as a daemon can answer. */
class EchoingRuntime extends FakeRuntime {
  private failures = 2;
  override async createPod(host: string, pod: DesiredPod): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      const env = pod.containers[0]!.env.map((e) => `${e.name}=${e.value}`).join(' ');
      throw new RuntimeError('runtime.docker', `create ${pod.name}: invalid environment "${env}"`);
    }
    return super.createPod(host, pod);
  }
}

let dir: string;
let inst: SkiffInstance;
let server: { close(): void };
let address: string;
let token: string;
const logLines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'skiff-daemon-sentinel-'));
  const { config, commit } = localAppRepo(dir, shopApp);
  commit(manifests, 'web with a secret');
  const scrubber = new SecretScrubber();
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const log = daemonLogger({ format: 'json', level: 'debug', scrubber, destination });
  const runtime = new EchoingRuntime(fakeHosts(2));
  runtime.execHandler = () => ({
    exitCode: 1,
    stdout: `checking ${PLAIN}\x1b[31m`,
    stderr: `token ${QUOTED} rejected\u009b2J`,
  });
  inst = createSkiffInstance({ config, log, runtime, scrubber });
  await initialAdmission(inst, systemClock.now(), log);
  const guard = new RolloutGuard({
    trackers: inst.trackers,
    sources: inst.sources,
    history: inst.history,
    log: log.child({ component: 'rollout-guard' }),
    clock: systemClock,
    wake: () => undefined,
  });
  const backend = {
    inst,
    lease: { view: () => ({ role: 'acting' as const, holder: 'me', message: 'acting' }) },
    refreshApp: async () => undefined,
    waitConverged: async () => ({ converged: false, failed: false }),
  };
  ensureLocalAdminToken(config.daemon.stateDir, systemClock.now());
  token = readLocalAdminToken(config.daemon.stateDir)!;
  const api = await startApiServer({ backend: backend as never, listen: '127.0.0.1:0', log });
  server = api.server;
  address = api.address;
  // Passes until the creates failed once, the pods run and their readiness probes have failed.
  for (let i = 0; i < 40; i++) {
    await guard.afterPass(await inst.reconciler.pass());
    const failedProbe = inst.reconciler.view?.pods.some((p) => JSON.stringify(p).includes('probe'));
    if (i > 2 && failedProbe && logLines.some((l) => l.includes('liveness probe failed'))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await guard.afterPass(await inst.reconciler.pass());
}, 60_000);

afterAll(async () => {
  server?.close();
  await inst?.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectClean(where: string, text: string): void {
  for (const s of FORBIDDEN) expect(text, `${where} holds ${s}`).not.toContain(s);
  // JSON escapes C0 itself; DEL, C1 and bidi controls must arrive escaped too.
  expect(text, `${where} holds a raw C1 control`).not.toMatch(/[\u007f-\u009f]/);
}

async function get(route: string, method = 'GET', auth = true): Promise<string> {
  const res = await fetch(`http://${address}${route}`, {
    method,
    body: method === 'POST' ? '{}' : undefined,
    headers: auth ? { authorization: `Bearer ${token}` } : {},
  });
  return res.text();
}

describe('a planted Secret value leaves the daemon nowhere', () => {
  it('the paths that would leak it ran (the create error and the probe output were logged, masked)', () => {
    const log = logLines.join('');
    expect(log).toContain('action failed');
    expect(log).toContain('invalid environment \\"PW=*** TOKEN=***\\"');
    expect(log).toMatch(/liveness probe failed: .*\*\*\*/);
  });

  it('the log stream', () => {
    expectClean('the log', logLines.join(''));
  });

  it('every API answer', async () => {
    const routes = [
      '/healthz',
      '/metrics',
      '/api/v1/view',
      '/api/v1/hpas',
      '/api/v1/top',
      '/api/v1/events',
      '/api/v1/history',
      '/nope',
    ];
    for (const r of routes) expectClean(`GET ${r}`, await get(r));
    for (const r of routes) expectClean(`GET ${r} without a token`, await get(r, 'GET', false));
    expectClean('POST /api/v1/sync', await get('/api/v1/sync', 'POST'));
    const view = await get('/api/v1/view');
    expect(view).toContain('***'); // the probe failure is shown, masked
    expect(view).toContain('\\u001b[31m'); // the probe output's ESC arrives escaped
  });

  it('the history, as read back and as stored on disk', () => {
    const h = inst.history!;
    const read = JSON.stringify([
      h.listEvents({ limit: 1000 }),
      h.listSyncs({ limit: 1000 }),
      h.listQuarantined(undefined, { includeCleared: true }),
      h.listAppStatuses(),
    ]);
    expect(read).toContain('***');
    expectClean('the history', read);
    const state = path.join(dir, 'state');
    for (const f of readdirSync(state).filter((n) => n.startsWith('history.db'))) {
      const bytes = readFileSync(path.join(state, f)).toString('latin1');
      for (const s of FORBIDDEN) expect(bytes, `${f} holds ${s}`).not.toContain(s);
    }
  });
});
