// skiff as a user installs it (issue 15): the packed tarball installed offline into an empty
// project (test/support/packed-install.ts: production dependencies only, no tsx), and its
// `skiff run` as the daemon against the testbed. The installed CLI (the bundle with its code
// cache) asks that daemon for pods, the daemon deploys a commit and rolls the next one, and
// serves the dashboard's built assets from the installed dist/.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load-config.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitFixture, makeGitFixture } from '../support/git-server.js';
import { type PackedInstall, packAndInstall } from '../support/packed-install.js';
import { eventually, testbed } from '../support/testbed.js';
import { webDeployment } from '../support/web-manifests.js';

const APP = 'e2e-installed';
const NS = 'installed';
const exec = promisify(execFile);

const deployment = (tag: string) => webDeployment({ namespace: NS, replicas: 2, tag, surgeOnly: true });

let installed: PackedInstall;
let fx: GitFixture;
let configFile: string;
let runtime: DockerRuntime;
let daemon: ChildProcess | undefined;
let daemonLog = '';
let address: string;
/** The installed CLI's code cache folder (kept apart from the user's). */
let cacheDir: string;
let loadHook: string;
let loadedLog: string;

/** The installed `skiff` with `args`, against this test's config. */
async function skiff(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(installed.skiff, [...args, '--config', configFile], {
    cwd: installed.project,
    env: { ...process.env, SKIFF_CACHE_DIR: cacheDir },
  });
}

async function appPods(): Promise<ObservedPod[]> {
  return (await runtime.observe()).pods.filter((p) => p.app === APP);
}

interface KubePod {
  metadata: { name: string };
  spec: { containers: Array<{ image: string }> };
  status: { phase: string; conditions?: Array<{ type: string; status: string }> };
}

/** The app's pods as the installed `skiff get pods -o json` lists them, once `n` are Ready on `tag`. */
async function readyThroughCli(n: number, tag: string): Promise<KubePod[]> {
  return eventually(
    `${n} Ready pods on ${tag}, as the installed CLI lists them`,
    async () => {
      const list = JSON.parse((await skiff('get', 'pods', '-n', NS, '-o', 'json')).stdout) as {
        kind: string;
        items: KubePod[];
      };
      const ready = list.items.filter(
        (p) =>
          p.spec.containers[0]?.image.endsWith(`:${tag}`) &&
          p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      return list.kind === 'List' && list.items.length === n && ready.length === n ? ready : undefined;
    },
    120_000,
  );
}

beforeAll(async () => {
  installed = packAndInstall();
  cacheDir = join(installed.tmp, 'cache');
  loadHook = join(installed.tmp, 'load-hook.cjs');
  loadedLog = join(installed.tmp, 'loaded.txt');
  fx = await makeGitFixture();
  configFile = join(fx.base, 'skiff.yaml');
  writeFileSync(
    configFile,
    `${readFileSync(testbed().config, 'utf8')}
apps:
  - name: ${APP}
    repoURL: ${fx.repoURL}
    revision: main
    path: deploy
    poll: { interval: 2s }
daemon:
  stateDir: ${join(fx.base, 'state')}
  reconcileIntervalSeconds: 1
`,
  );
  runtime = new DockerRuntime(await loadClusterConfig(configFile));
  await fx.commit({ 'deploy/web.yaml': deployment('1.0.0') }, 'Deploy web 1.0.0');
  await fx.push();
  // Records every CommonJS module the daemon resolves (the bundle reaches node_modules so).
  writeFileSync(
    loadHook,
    `const Module = require('node:module');\nconst { appendFileSync } = require('node:fs');\nconst resolve = Module._resolveFilename;\nModule._resolveFilename = function (...args) {\n  const file = resolve.apply(this, args);\n  appendFileSync(${JSON.stringify(loadedLog)}, file + '\\n');\n  return file;\n};\n`,
  );
  // The installed daemon, as a service would start it: its own process, no tsx anywhere.
  daemon = spawn(installed.skiff, ['run', '--config', configFile, '--listen', '127.0.0.1:0'], {
    cwd: installed.project,
    env: {
      ...process.env,
      SKIFF_LOG_LEVEL: 'warn',
      SKIFF_CACHE_DIR: cacheDir,
      NODE_OPTIONS: `--require ${loadHook}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  daemon.stdout?.on('data', (d: Buffer) => {
    daemonLog += d.toString('utf8');
  });
  daemon.stderr?.on('data', (d: Buffer) => {
    daemonLog += d.toString('utf8');
  });
  address = await eventually(
    'the installed daemon says where it listens',
    async () => {
      if (daemon?.exitCode !== null) throw new Error(`the daemon exited ${daemon?.exitCode}: ${daemonLog}`);
      return /skiff daemon listening on (\S+)/.exec(daemonLog)?.[1];
    },
    60_000,
  );
}, 300_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  }
  for (const p of await appPods().catch(() => []))
    await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined);
  await runtime?.close();
  await fx?.close();
}, 120_000);

describe('the installed package against the testbed (issue 15)', () => {
  it('runs no TypeScript: bin runs the bundle from the installed dist/', () => {
    const root = join(installed.project, 'node_modules/skiff');
    expect(readdirSync(root)).not.toContain('src');
    expect(readdirSync(join(installed.project, 'node_modules'))).not.toContain('tsx');
    expect(readdirSync(join(root, 'dist/bin'))).toContain('skiff.cjs');
  });

  it('its daemon deploys the commit, and its CLI lists the pods as kubectl would', async () => {
    const ready = await readyThroughCli(2, '1.0.0');
    expect(ready.every((p) => p.status.phase === 'Running')).toBe(true);
    expect((await appPods()).filter((p) => p.containers.every((c) => c.state === 'running'))).toHaveLength(2);
    const status = await skiff('status');
    expect(status.stdout).toContain(APP);
    expect(status.stdout).toMatch(/Synced/);
  }, 180_000);

  it('rolls the next commit; each command it ran left its code cache', async () => {
    await fx.commit({ 'deploy/web.yaml': deployment('2.0.0') }, 'Roll web to 2.0.0');
    await fx.push();
    await readyThroughCli(2, '2.0.0');
    const [folder] = readdirSync(cacheDir);
    expect(readdirSync(join(cacheDir, folder!))).toEqual(expect.arrayContaining(['get.v8', 'status.v8']));
  }, 180_000);

  it('loads no gRPC, protobuf, OpenPGP or cron parser it has no use for', () => {
    const loaded = readFileSync(loadedLog, 'utf8');
    // It did reach its hosts over SSH (dockerode itself is bundled) and read its repository.
    expect(loaded).toMatch(/node_modules\/ssh2\//);
    expect(loaded).toMatch(/node_modules\/isomorphic-git\//);
    // dockerode's BuildKit session code, and the grpc probe's health messages (no grpc probe).
    expect(loaded).not.toMatch(/node_modules\/@grpc\//);
    expect(loaded).not.toMatch(/node_modules\/protobufjs\//);
    // No app verifies an OpenPGP key, and its poll is an interval, not a cron expression.
    expect(loaded).not.toMatch(/node_modules\/openpgp\//);
    expect(loaded).not.toMatch(/node_modules\/node-cron\//);
  });

  it('serves the dashboard built into the installed dist/', async () => {
    const page = await fetch(`http://${address}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('app.js');
    const js = await fetch(`http://${address}/app.js`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(1000);
  });
});
