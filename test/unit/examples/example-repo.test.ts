// examples/repo as a new user meets it: `skiff validate` passes on it, and the notes app (a
// database on a claim, a web tier with wait and migrate init containers) does what its
// manifests say. Its scripts run here with busybox, as in the images: the init containers'
// commands and the web tier's CGI (from the ConfigMap) against a real kvdb server on loopback.
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateBundle } from '../../../src/manifest/bundle.js';
import { simulatePlan } from '../../../src/reconcile/simulate-plan.js';
import { host } from '../reconcile/fake-world.js';
import { freePort, IMAGE_FILES, ROOT, type Run, Sandbox, until } from './busybox-sandbox.js';

const NOTES = path.join(ROOT, 'examples/repo/apps/notes');

function skiff(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/skiff.js'), ...args], { cwd }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: number }).code : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain YAML here
type Manifest = any;
const manifest = (file: string): Manifest =>
  parseAllDocuments(readFileSync(path.join(NOTES, file), 'utf8'))[0]?.toJS();

describe('skiff validate examples/repo', () => {
  it('passes with exit 0, no warning', async () => {
    const r = await skiff(['validate', 'examples/repo']);
    expect(r.stdout.trim()).toBe('valid: 13 files, 14 objects, 0 errors, 0 warnings');
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('the notes app as written', () => {
  const db = manifest('db-deployment.yaml').spec.template.spec;
  const web = manifest('web-deployment.yaml').spec.template.spec;

  it('hardens the database as the restricted Pod Security Standard asks', () => {
    expect(db.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(db.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // Every folder kvdb writes is a volume: the claim for data, emptyDirs for the pid file and /tmp.
    const mounts = db.containers[0].volumeMounts.map((m: Manifest) => m.mountPath);
    expect(mounts).toEqual(['/var/lib/kvdb', '/var/run/kvdb', '/tmp']);
    expect(db.volumes[0].persistentVolumeClaim.claimName).toBe(manifest('db-pvc.yaml').metadata.name);
  });

  it('claims storage as Kubernetes users write it: ReadWriteOnce, a size, the default class', () => {
    expect(manifest('db-pvc.yaml').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '256Mi' } },
    });
  });

  it('starts the web tier after two init containers: wait for the database, then migrate', () => {
    expect(web.initContainers.map((c: Manifest) => c.name)).toEqual(['wait-for-db', 'migrate']);
  });
});

describe('the notes app against a real kvdb (busybox)', () => {
  const secret = manifest('db-secret.yaml');
  const password = Buffer.from(secret.data.password, 'base64').toString();
  const web = manifest('web-deployment.yaml').spec.template.spec;
  const site = manifest('web-config.yaml').data;
  let box: Sandbox;
  let port: number;
  let server: ChildProcess | undefined;
  let waiter: Promise<Run>;
  let cgi: string;

  /** An init container's command, run here: the Service name `db` is loopback and its port ours. */
  const initCommand = (name: string): string[] => {
    const command: string[] = web.initContainers.find((c: Manifest) => c.name === name).command;
    return command
      .map((a) => a.replaceAll('-h db -p 5432', `-h 127.0.0.1 -p ${port}`))
      .map((a, i, all) => {
        if (all[i - 1] === '-h' && a === 'db') return '127.0.0.1';
        if (all[i - 1] === '-p' && a === '5432') return String(port);
        return a;
      });
  };
  const request = (method: string, query: string, body = '', dbPassword = password) =>
    box.run(
      [cgi],
      {
        REQUEST_METHOD: method,
        QUERY_STRING: query,
        CONTENT_LENGTH: String(Buffer.byteLength(body)),
        DB_HOST: '127.0.0.1',
        DB_PORT: String(port),
        DB_PASSWORD: dbPassword,
      },
      body,
    );
  const startServer = () => {
    const data = path.join(box.dir, 'claim');
    mkdirSync(path.join(box.dir, 'run'), { recursive: true });
    server = box.spawn(['kvdb', 'serve'], {
      KVDB_DATA: path.join(data, 'data'),
      KVDB_RUN_DIR: path.join(box.dir, 'run'),
      KVDB_PORT: String(port),
      KVDB_PASSWORD: password,
    });
  };

  beforeAll(async () => {
    box = new Sandbox();
    box.install('kvdb', readFileSync(path.join(IMAGE_FILES, 'kvdb/kvdb'), 'utf8'));
    cgi = box.install('notes', site['notes.cgi']);
    port = await freePort();
    // The wait starts before the database does, as in a fresh deploy.
    waiter = box.run(initCommand('wait-for-db'), {}, '', 30_000);
    await new Promise((r) => setTimeout(r, 300));
    startServer();
  }, 20_000);
  afterAll(() => {
    server?.kill('SIGTERM');
    box?.remove();
  });

  it('wait-for-db loops until the database answers, then exits 0', async () => {
    const r = await waiter;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`127.0.0.1:${port} - accepting connections`);
  }, 30_000);

  it('migrate creates the notes table, and again is a no-op', async () => {
    const env = { KVDB_PASSWORD: password };
    expect((await box.run(initCommand('migrate'), env)).stdout).toBe('kvdb migrate: table notes created\n');
    expect(await box.run(initCommand('migrate'), env)).toMatchObject({
      code: 0,
      stdout: 'kvdb migrate: table notes exists\n',
    });
  });

  const status = (r: Run) => r.stdout.split('\r\n')[0];
  const body = (r: Run) => r.stdout.split('\r\n\r\n')[1];

  it('the CGI stores a note and reads it back through the database', async () => {
    const put = await request('POST', 'key=greeting', 'hello from the notes app');
    expect([status(put), body(put)]).toEqual(['Status: 200 OK', 'stored greeting\n']);
    const get = await request('GET', 'key=greeting');
    expect([status(get), body(get)]).toEqual(['Status: 200 OK', 'hello from the notes app\n']);
    const list = await request('GET', '');
    expect(body(list)).toBe('greeting\n');
    expect(readFileSync(path.join(box.dir, 'claim/data/notes/greeting'), 'utf8')).toBe(
      'hello from the notes app\n',
    );
  });

  it.each([
    ['a missing note', 'GET', 'key=nothing', '', password, 'Status: 404 Not Found'],
    ['a key that is not a plain name', 'GET', 'key=../etc', '', password, 'Status: 400 Bad Request'],
    ['a write without a key', 'POST', '', 'x', password, 'Status: 400 Bad Request'],
    ['a method it does not serve', 'DELETE', 'key=greeting', '', password, 'Status: 405 Method Not Allowed'],
    ['the wrong database password', 'GET', 'key=greeting', '', 'wrong', 'Status: 503 Service Unavailable'],
  ])('%s answers %s', async (_, method, query, payload, dbPassword, expected) => {
    expect(status(await request(method, query, payload, dbPassword))).toBe(expected);
  });

  it('the data outlives the database process (a restart on the same claim)', async () => {
    const s = server;
    if (s && s.exitCode === null) {
      const exited = new Promise((r) => s.once('exit', r));
      s.kill('SIGTERM');
      await exited;
    }
    expect(status(await request('GET', 'key=greeting'))).toBe('Status: 503 Service Unavailable');
    startServer();
    await until('kvdb back', async () => (await box.run(['kvdb', 'ping', '-p', String(port)])).code === 0);
    expect(body(await request('GET', 'key=greeting'))).toBe('hello from the notes app\n');
  }, 20_000);
});

describe('skiff plan of examples/repo on the testbed', () => {
  // The testbed's three hosts share one 2-core machine: each reports 2 CPUs.
  const hosts = ['h1', 'h2', 'h3'].map((name) =>
    host(name, { capacity: { cpuMilli: 2000, memoryBytes: 8 * 1024 ** 3 } }),
  );

  /** Every manifest of examples/repo, as validate reads them. */
  function exampleObjects() {
    const files = readdirSync(path.join(ROOT, 'examples/repo'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ path: f, text: readFileSync(path.join(ROOT, 'examples/repo', f), 'utf8') }));
    const r = validateBundle(files);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return r.objects;
  }

  it('places every pod, the notes app beside the web app, and settles', () => {
    const { plan, settled } = simulatePlan({
      app: 'demo',
      prune: true,
      toCommit: 'c1',
      liveObjects: [],
      nextObjects: exampleObjects(),
      observed: { at: 0, hosts, pods: [] },
      now: 0,
      random: () => 0.5,
      hostGracePeriodMs: 40_000,
    });
    expect(settled).toBe(true);
    expect(plan.unschedulable).toEqual([]);
    // web 3, my-app 1, notes-db 1, notes-web 2.
    expect(plan.placement.reduce((n, p) => n + p.after, 0)).toBe(7);
  }, 30_000); // ~2 s alone; the whole rollout is simulated, slow on a loaded machine
});
