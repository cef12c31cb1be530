// Never two actors, under a network partition, end to end on the testbed. Two daemons with
// their own state directories drive the same hosts, each in a client network namespace of its
// own on the testbed's bridge (skiff-c1, skiff-c2: made by `npm run testbed -- up`), as two
// machines would. Daemon A acts first; daemon B stands by. Then iptables inside the daemons'
// namespaces partitions the network: A reaches every host but the last, B only the last. A
// holds a strict majority and goes on acting (its pods on the cut host are rescheduled); B, in
// the minority, stands by (NoQuorum). After healing, exactly one acts and the cluster
// converges with no duplicate pods. Both daemons' lease views are sampled every 250 ms
// throughout: at no sample do both act.
//
// The app's repository is a bare repository on disk (the daemons' namespaces cannot reach the
// loopback git server of the test process). A follows a folder asking for 3 replicas, B one
// asking for 4: a B that acted would show as a fourth pod. The hosts' lease files live in a
// data folder of this test's own, so other tests' daemons never meet them.
// Needs the client namespaces: on a testbed made before them, `npm run testbed -- up` adds them.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientLayout } from '../../scripts/testbed/layout.js';
import { run } from '../../scripts/testbed/shell.js';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { readDaemonInfo } from '../../src/lease/state-dir-lock.js';
import type { LeaseView } from '../../src/model/views.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { daemonClient } from '../support/daemon-api.js';
import { type GitFixture, makeGitFixture } from '../support/git-server.js';
import { eventually, testbed } from '../support/testbed.js';

const APP = 'e2e-lease-partition';
const NS = 'partition';
// Renewed every 3 s; each step of a round waits 2.25 s at most for a host (a quarter).
const LEASE_SECONDS = 9;
const REPLICAS_A = 3;
const REPLICAS_B = 4;
const SAMPLE_MS = 250;
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
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: 10.213.0.1:5000/skiff/web:1.0.0
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
`;

interface Side {
  name: 'a' | 'b';
  client: ReturnType<typeof clientLayout>;
  config: string;
  stateDir: string;
  process?: ChildProcess;
}

interface Sample {
  at: number;
  phase: string;
  roles: Record<'a' | 'b', LeaseView['role'] | 'down'>;
  reasons: Record<'a' | 'b', string>;
}

let fx: GitFixture;
let runtime: DockerRuntime;
const leaseDirs: string[] = [];
const sides: Record<'a' | 'b', Side> = {} as Record<'a' | 'b', Side>;
const samples: Sample[] = [];
let phase = 'start';
let sampling: Promise<void> | undefined;
let stopSampling = false;
/** The hosts each side cannot reach during the partition: A all but the last, B the last. */
let cutFrom: Record<'a' | 'b', string[]> = { a: [], b: [] };

/** skiff.yaml for one daemon: the testbed's hosts with this test's data folder, one app, short
 *  timeouts so a dropped host is noticed in seconds. */
function writeConfig(name: 'a' | 'b', path: string): string {
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
    repoURL: ${join(fx.base, 'root', 'app.git')}
    revision: main
    path: ${path}
    poll: { interval: 2s }
daemon:
  stateDir: ${join(fx.base, `state-${name}`)}
  reconcileIntervalSeconds: 1
  hostGracePeriodSeconds: 5
  leaseDurationSeconds: ${LEASE_SECONDS}
connection:
  connectTimeoutSeconds: 3
  keepaliveIntervalSeconds: 1
  keepaliveCountMax: 2
  callTimeoutSeconds: 5
  observeTimeoutSeconds: 3
`,
  );
  return file;
}

/** `skiff run` inside the side's client namespace, its API on the client's address. */
function startDaemon(side: Side): void {
  const child = spawn(
    'nsenter',
    [
      `--net=/run/netns/${side.client.netns}`,
      '--',
      process.execPath,
      '--import',
      'tsx',
      'src/cli/main.ts',
      'run',
      '--config',
      side.config,
      '--listen',
      `${side.client.address}:0`,
    ],
    { cwd: REPO_DIR, env: { ...process.env, SKIFF_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[daemon ${side.name}] ${d}`));
  side.process = child;
}

async function stopDaemon(side: Side): Promise<void> {
  const p = side.process;
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** The side's lease as its daemon's API says now (`down` when it does not answer). */
async function leaseOf(side: Side): Promise<LeaseView | undefined> {
  const info = readDaemonInfo(side.stateDir);
  if (!info?.apiAddress) return undefined;
  try {
    const view = await Promise.race([
      daemonClient(side.stateDir, info.apiAddress).view(),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000)),
    ]);
    return view?.lease;
  } catch {
    return undefined;
  }
}

async function sampleLoop(): Promise<void> {
  while (!stopSampling) {
    const next = Date.now() + SAMPLE_MS;
    const [a, b] = await Promise.all([leaseOf(sides.a), leaseOf(sides.b)]);
    samples.push({
      at: Date.now(),
      phase,
      roles: { a: a?.role ?? 'down', b: b?.role ?? 'down' },
      reasons: { a: a?.reason ?? '', b: b?.reason ?? '' },
    });
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
}

const bothActing = () => samples.filter((s) => s.roles.a === 'acting' && s.roles.b === 'acting');

/** iptables inside the side's namespace: drop what it sends to the given hosts. */
async function dropTo(side: Side, hostNames: string[], op: '-I' | '-D'): Promise<void> {
  for (const name of hostNames) {
    const address = testbed().hosts.find((h) => h.name === name)!.address;
    await run(
      'nsenter',
      [
        `--net=/run/netns/${side.client.netns}`,
        '--',
        'iptables',
        '-w',
        op,
        'OUTPUT',
        '-d',
        address,
        '-j',
        'DROP',
      ],
      { allowFailure: op === '-D' },
    );
  }
}

async function appPods() {
  return (await runtime.observe()).pods.filter((p) => p.app === APP);
}

/** No pod name on two hosts (a pod created twice by two actors). */
function duplicateNames(pods: { name: string; host: string }[]): string[] {
  const hostsOf = new Map<string, Set<string>>();
  for (const p of pods) hostsOf.set(p.name, (hostsOf.get(p.name) ?? new Set()).add(p.host));
  return [...hostsOf].filter(([, h]) => h.size > 1).map(([n]) => n);
}

const converged = (replicas: number, timeoutMs: number) =>
  eventually(
    `${replicas} running pods of ${APP}, no duplicate`,
    async () => {
      const all = await appPods();
      const running = all.filter(
        (p) => !p.terminating && p.containers.some((c) => c.name === 'web' && c.state === 'running'),
      );
      return all.length === replicas && running.length === replicas && duplicateNames(all).length === 0
        ? running
        : undefined;
    },
    timeoutMs,
  );

beforeAll(async () => {
  fx = await makeGitFixture();
  for (const [name, path, index] of [
    ['a', 'deploy-a', 1],
    ['b', 'deploy-b', 2],
  ] as const) {
    sides[name] = {
      name,
      client: clientLayout(index),
      config: writeConfig(name, path),
      stateDir: join(fx.base, `state-${name}`),
    };
  }
  const hostNames = testbed().hosts.map((h) => h.name);
  cutFrom = { a: hostNames.slice(-1), b: hostNames.slice(0, -1) };
  runtime = new DockerRuntime(await loadClusterConfig(sides.a.config));
  await fx.commit(
    { 'deploy-a/web.yaml': deployment(REPLICAS_A), 'deploy-b/web.yaml': deployment(REPLICAS_B) },
    `Deploy web: ${REPLICAS_A} replicas for daemon A, ${REPLICAS_B} for daemon B`,
  );
  await fx.push();
});

afterAll(async () => {
  stopSampling = true;
  await sampling;
  for (const side of Object.values(sides)) {
    await dropTo(side, [...cutFrom.a, ...cutFrom.b], '-D').catch(() => undefined);
    await stopDaemon(side).catch(() => undefined);
  }
  for (const p of await appPods().catch(() => [])) {
    await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined);
  }
  await runtime?.close();
  for (const dir of leaseDirs) rmSync(dir, { recursive: true, force: true });
  await fx?.close();
});

describe('two daemons split by a network partition', () => {
  it('A acts, B stands by (HeldByOther)', async () => {
    startDaemon(sides.a);
    await converged(REPLICAS_A, 90_000);
    startDaemon(sides.b);
    sampling = sampleLoop();
    await eventually('daemon B standing by', async () =>
      samples.at(-1)?.reasons.b === 'HeldByOther' ? true : undefined,
    );
    expect(samples.at(-1)?.roles).toEqual({ a: 'acting', b: 'standby' });
  }, 150_000);

  it('partitioned, the majority side acts and the minority side stands by (NoQuorum)', async () => {
    phase = 'partition';
    const partitionedAt = Date.now();
    await dropTo(sides.a, cutFrom.a, '-I');
    await dropTo(sides.b, cutFrom.b, '-I');
    await eventually(
      'daemon B on NoQuorum',
      async () => (samples.at(-1)?.reasons.b === 'NoQuorum' ? true : undefined),
      20_000,
    );
    // A goes on acting: its pods on the cut host are rescheduled on the hosts it reaches
    // (after hostGracePeriodSeconds), the old copies still running where it cannot reach.
    await eventually(
      `${REPLICAS_A} running pods of ${APP} on the hosts A reaches`,
      async () => {
        const live = (await appPods()).filter(
          (p) => !cutFrom.a.includes(p.host) && p.containers.some((c) => c.state === 'running'),
        );
        return live.length === REPLICAS_A ? live : undefined;
      },
      45_000,
    );
    const during = samples.filter((s) => s.phase === 'partition' && s.at > partitionedAt + 2 * SAMPLE_MS);
    expect(during.length).toBeGreaterThan(0);
    expect(during.at(-1)?.roles).toEqual({ a: 'acting', b: 'standby' });
    expect(bothActing()).toEqual([]);
    // B never created a pod (it asks for one more replica than A).
    expect(duplicateNames(await appPods())).toEqual([]);
  }, 90_000);

  it('healed, exactly one acts and the cluster converges with no duplicate pods', async () => {
    phase = 'healed';
    const healedAt = Date.now();
    await dropTo(sides.a, cutFrom.a, '-D');
    await dropTo(sides.b, cutFrom.b, '-D');
    const pods = await converged(REPLICAS_A, 60_000);
    expect(duplicateNames(pods)).toEqual([]);
    // Samples past one lease after the heal (the minority's leases have expired by then) and a
    // few more: one acts, the other stands by, steadily.
    const steadyAt = healedAt + LEASE_SECONDS * 1000 + 4 * SAMPLE_MS;
    await new Promise((r) => setTimeout(r, Math.max(4 * SAMPLE_MS, steadyAt - Date.now())));
    const after = samples.filter((s) => s.phase === 'healed' && s.at > healedAt + LEASE_SECONDS * 1000);
    expect(after.length).toBeGreaterThan(0);
    for (const s of after.slice(-4))
      expect([s.roles.a, s.roles.b].filter((r) => r === 'acting')).toHaveLength(1);
    stopSampling = true;
    await sampling;
    expect(bothActing()).toEqual([]);
    process.stderr.write(
      `[lease-partition] ${samples.length} samples every ${SAMPLE_MS} ms, none with both acting; ` +
        `B on NoQuorum in ${samples.filter((s) => s.reasons.b === 'NoQuorum').length} of them\n`,
    );
  }, 90_000);
});
