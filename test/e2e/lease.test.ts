// One actor across machines, end to end on the testbed: two daemons with their own state
// directories (as on two machines) drive the same three hosts. Daemon A runs as its own process
// (`skiff run`); daemon B, started second, finds A's lease on the hosts, stands by (observes,
// says so in `skiff status`, changes nothing) and takes over once A is killed without releasing
// its lease and the lease expires; then B converges the hosts to its own desired state.
//
// B follows the same repository as A but a folder that asks for one replica more, so a B that
// acted while on standby would show at once as a third pod. The hosts' lease files live in a
// data folder of this test's own (`dataDir` per host), so other tests' daemons never meet them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitFixture, makeGitFixture } from '../support/git-server.js';
import { runSkiff } from '../support/rollout-watch.js';
import { eventually, testbed } from '../support/testbed.js';

const APP = 'e2e-lease';
const NS = 'lease';
const LEASE_SECONDS = 6;
const REPO_DIR = join(import.meta.dirname, '../..');

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: 10.213.0.1:5000/skiff/web:1.0.0
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
`;

let fx: GitFixture;
let runtime: DockerRuntime;
let daemonA: ChildProcess | undefined;
let daemonB: Daemon | undefined;
let configA = '';
let configB = '';
let configC = '';
const leaseDirs: string[] = [];

/** skiff.yaml for one daemon: the testbed's hosts with this test's data folder, one app. */
function writeConfig(name: string, path: string): string {
  const hosts = readFileSync(testbed().config, 'utf8').replace(
    /dataDir: "([^"]+)\/skiff"/g,
    (_m, dir: string) => {
      leaseDirs.push(`${dir}/skiff-${APP}`);
      return `dataDir: "${dir}/skiff-${APP}"`;
    },
  );
  const file = join(fx.base, `${name}.yaml`);
  writeFileSync(
    file,
    `${hosts}
apps:
  - name: ${APP}
    repoURL: ${fx.repoURL}
    revision: main
    path: ${path}
    poll: { interval: 2s }
daemon:
  stateDir: ${join(fx.base, `state-${name}`)}
  reconcileIntervalSeconds: 1
  leaseDurationSeconds: ${LEASE_SECONDS}
`,
  );
  return file;
}

async function runningPods(): Promise<ObservedPod[]> {
  const o = await runtime.observe();
  return o.pods.filter(
    (p) =>
      p.app === APP && !p.terminating && p.containers.some((c) => c.name === 'web' && c.state === 'running'),
  );
}

const podsExactly = (n: number, timeoutMs = 90_000) =>
  eventually(
    `${n} running pods of ${APP}`,
    async () => {
      const all = (await runtime.observe()).pods.filter((p) => p.app === APP);
      const running = await runningPods();
      return all.length === n && running.length === n ? running : undefined;
    },
    timeoutMs,
  );

beforeAll(async () => {
  fx = await makeGitFixture();
  configA = writeConfig('a', 'deploy-a');
  configB = writeConfig('b', 'deploy-b');
  configC = writeConfig('c', 'deploy-b');
  runtime = new DockerRuntime(await loadClusterConfig(configA));
  await fx.commit(
    { 'deploy-a/web.yaml': deployment(2), 'deploy-b/web.yaml': deployment(3) },
    'Deploy web: 2 replicas for daemon A, 3 for daemon B',
  );
  await fx.push();
});

afterAll(async () => {
  daemonA?.kill('SIGKILL');
  await daemonB?.stop();
  for (const p of await runtime.observe().then((o) => o.pods.filter((x) => x.app === APP))) {
    await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined);
  }
  await runtime.close();
  for (const dir of leaseDirs) rmSync(dir, { recursive: true, force: true });
  await fx.close();
});

describe('two daemons on the same hosts', () => {
  it('the first one acts: its pods run', async () => {
    // Its own process, so that it can be killed with no chance to release the lease.
    daemonA = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', configA, '--listen', '127.0.0.1:0'],
      {
        cwd: REPO_DIR,
        env: { ...process.env, SKIFF_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    daemonA.stderr?.on('data', (d: Buffer) => process.stderr.write(`[daemon A] ${d}`));
    const pods = await podsExactly(2);
    expect(pods.every((p) => p.commit.length === 40)).toBe(true);
  });

  it('the second one stands by, says who acts, and changes nothing', async () => {
    daemonB = await Daemon.start({
      config: await loadClusterConfig(configB),
      log: pino({ level: 'warn' }),
      listen: '127.0.0.1:0',
    });
    const b = daemonB;
    expect(b.lease.view().role).toBe('standby');
    // A round gives each host a quarter of the lease to answer: under load B's first SSH
    // handshakes can take longer, and that round reads the slow hosts as unreachable (standby
    // as well).
    await eventually(
      'B stands by, seeing A hold the hosts',
      async () => {
        const v = b.lease.view();
        return v.reason === 'HeldByOther' && v.heldBy?.hosts.length === 3 ? true : undefined;
      },
      30_000,
    );
    expect(b.lease.view()).toMatchObject({ role: 'standby', reason: 'HeldByOther' });
    expect(b.lease.view().heldBy?.description).toContain(join(fx.base, 'state-a'));
    expect(b.lease.view().heldBy?.hosts.sort()).toEqual(['h1', 'h2', 'h3']);

    // B plans the third pod (its passes run and observe), but none appears on the hosts.
    const planned = await eventually('a pass of daemon B over its admitted commit', async () => {
      const last = b.inst.reconciler.last;
      return last && last.result.views.deployments.length > 0 ? last : undefined;
    });
    expect(planned.acted).toBe(false);
    expect(planned.actions.filter((a) => a.type === 'createPod')).toHaveLength(1);
    const before = (await runningPods()).map((p) => p.name).sort();
    // Several of B's passes and lease rounds (every 2 s) later, the hosts are as A left them.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await runningPods()).map((p) => p.name).sort()).toEqual(before);
    expect(b.inst.reconciler.last?.acted).toBe(false);
    expect(b.inst.history?.listSyncs({ limit: 10 })).toEqual([]);

    // `skiff status` (through B's API) shows the standby state and the acting daemon.
    const status = await runSkiff(configB, 'status');
    expect(status.stdout).toContain('Daemon: STANDBY (HeldByOther)');
    expect(status.stdout).toContain(join(fx.base, 'state-a'));
    const json = JSON.parse((await runSkiff(configB, 'status', '-o', 'json')).stdout) as {
      lease: { role: string };
    };
    expect(json.lease.role).toBe('standby');
    // A sync asked of B is refused with the reason.
    const sync = await runSkiff(configB, 'sync');
    expect(sync.code).not.toBe(0);
    expect(sync.stderr).toContain('standby');
    // So is a `skiff sync` acting on its own (no daemon for its state directory).
    const direct = await runSkiff(configC, 'sync');
    expect(direct.code).not.toBe(0);
    expect(direct.stderr).toContain(join(fx.base, 'state-a'));
    expect((await runningPods()).map((p) => p.name).sort()).toEqual(before);
  });

  it('killed without releasing its lease, the first is replaced once the lease expires', async () => {
    const b = daemonB!;
    daemonA!.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => daemonA!.once('exit', r));
    daemonA = undefined;
    // Still standing by right after the kill: A's lease is live on the hosts.
    expect(b.lease.view().role).toBe('standby');
    await eventually('daemon B acting', async () => (b.lease.acting() ? true : undefined), 60_000);
    const tookOverMs = Date.now() - killedAt;
    process.stderr.write(
      `[lease] daemon B took over ${tookOverMs} ms after A was killed (lease ${LEASE_SECONDS} s)\n`,
    );
    expect(b.lease.view()).toMatchObject({ role: 'acting' });
    expect(b.lease.view().hosts.sort()).toEqual(['h1', 'h2', 'h3']);

    // B converges the hosts to its own desired state, adopting A's pods (same template).
    await podsExactly(3);
    const status = await runSkiff(configB, 'status');
    expect(status.stdout).toContain('Daemon: acting (holds the host lease on h1, h2, h3)');
  });
});
