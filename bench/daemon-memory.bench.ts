// The daemon's memory at scale: 5,000 Deployments x 3 replicas in 10 apps on 500 hosts (the
// plan benches' world, bench/support/scale-world.ts), held by the compiled daemon (plain node: no
// tsx compiling in process) wired as `skiff run` wires it (bench/support/daemon-memory-child.mjs).
// The hosts are fake Docker engines in another process (bench/support/fake-docker-engine.ts,
// one unix socket each): the daemon runs its real DockerRuntime, dockerode and the SSH
// transport's keep-alive agent against them, so its process holds what a daemon facing real
// hosts holds, less the SSH connections themselves. The world's manifests are committed to a
// local Git repository (one directory per app) the app trackers follow. Reported after the pass
// that creates every pod and a few idle passes: first the steady daemon (a pass every reconcile
// interval, V8 collecting as it likes: the RSS `ps` shows), then after forced GCs, and again
// once the skiff is closed and once the runtime is dropped too. The daemon's heap flags
// (src/daemon/heap-flags.ts) apply; SKIFF_DAEMON_V8_FLAGS= measures Node's defaults. The daemon
// runs with MALLOC_ARENA_MAX=2, as examples/systemd/skiff.service and the Dockerfile run it;
// MALLOC_ARENA_MAX= (empty) measures glibc's default arenas.
//
//   npm run build && npx tsx bench/daemon-memory.bench.ts [--snapshot] [--modules] [--in-process]
// The daemon's code is bundled as the CLI is (dist/bin/, removed after), so it is loaded as an
// install loads it; --modules loads dist/'s ES modules instead. --in-process runs the hosts as a
// FakeRuntime inside the daemon's process (the bench before the fake engines: its world is
// counted in the daemon's RSS, and the FakeRuntime hands out pods without the Docker API's
// decoding). --snapshot also writes a heap snapshot of the holding daemon and prints its largest
// constructors (bench/.out/daemon-memory.heapsnapshot).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleCli } from '../scripts/bundle-cli.js';
import type { ClusterConfig } from '../src/config/cluster-config.js';
import {
  DEFAULT_CONNECTION,
  DEFAULT_DAEMON,
  DEFAULT_DATA_DIR,
  DEFAULT_DOCKER_SOCKET,
  DEFAULT_SERVICE_CIDR,
} from '../src/config/cluster-config.js';
import type { FakeHost } from '../src/runtime/fake-runtime.js';
import { summarizeHeapSnapshot } from './support/heap-summary.js';
import { appYaml, FULL, makeHosts, REPLICAS } from './support/scale-world.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const IDLE_PASSES = 4;
const STEADY_PASSES = Number(process.env.STEADY_PASSES ?? 6);
const TARGET_MB = 150;
const snapshot = process.argv.includes('--snapshot');
const fromModules = process.argv.includes('--modules');
const inProcess = process.argv.includes('--in-process');
const flags = process.env.DAEMON_NODE_FLAGS ?? '';
/** The service files' malloc arenas, unless the environment says otherwise ('' for glibc's). */
const arenas = process.env.MALLOC_ARENA_MAX ?? '2';
const childEnv: NodeJS.ProcessEnv = { ...process.env, MALLOC_ARENA_MAX: arenas };
if (arenas === '') delete childEnv.MALLOC_ARENA_MAX;

if (!existsSync(path.join(ROOT, 'dist', 'daemon', 'skiff-instance.js')))
  throw new Error('no dist/: run `npm run build` first (the bench measures the compiled daemon)');

/** A local repository with one directory per app, and the config of a skiff following it. */
function worldOnDisk(dir: string): { config: ClusterConfig; hosts: FakeHost[] } {
  const repo = path.join(dir, 'repo');
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  git('config', 'user.email', 'bench@example.test');
  git('config', 'user.name', 'Bench');
  const per = FULL.deployments / FULL.apps;
  const apps = Array.from({ length: FULL.apps }, (_, a) => {
    mkdirSync(path.join(repo, `app-${a}`));
    writeFileSync(path.join(repo, `app-${a}`, 'app.yaml'), appYaml(a, a * per, per));
    return {
      name: `app-${a}`,
      repoURL: repo,
      revision: 'main',
      path: `app-${a}`,
      syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false },
      poll: { interval: '30s' },
      rollback: { autoRestore: true },
    };
  });
  git('add', '-A');
  git('commit', '-qm', 'the scale world');
  const hosts = makeHosts(FULL.hosts).map((h) => ({
    name: h.name,
    kind: 'ssh' as const,
    address: h.address,
    labels: h.labels,
    taints: h.taints,
    capacity: h.capacity,
  }));
  const config: ClusterConfig = {
    // Against the fake engine the hosts are skiff.yaml's, as on real hosts; the FakeRuntime
    // takes its own.
    hosts: inProcess
      ? []
      : hosts.map((h) => ({
          name: h.name,
          kind: 'ssh' as const,
          address: h.address,
          port: 22,
          user: 'skiff',
          insecureAcceptHostKey: false,
          dataDir: DEFAULT_DATA_DIR,
          dockerSocket: DEFAULT_DOCKER_SOCKET,
          labels: h.labels,
          taints: h.taints,
        })),
    registries: [],
    network: { serviceCIDR: DEFAULT_SERVICE_CIDR },
    apps,
    daemon: { ...DEFAULT_DAEMON, stateDir: path.join(dir, 'state') },
    connection: DEFAULT_CONNECTION,
  };
  return { config, hosts };
}

interface Figures {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}
interface ChildReport {
  v8Flags: string[];
  steady: (Figures & { ms: number })[];
  code: Figures;
  holding: Figures;
  worldOnly: Figures;
  after: Figures;
  shape: Record<string, number>;
  idle: { ms: number; actions: number; gcs: { minor: number; major: number; ms: number } }[];
}

const dir = mkdtempSync(path.join(tmpdir(), 'skiff-daemon-memory-'));
const out = path.join(ROOT, 'bench', '.out');
mkdirSync(out, { recursive: true });
const snapshotFile = path.join(out, 'daemon-memory.heapsnapshot');
const bundle = path.join(ROOT, 'dist', 'bin', 'bench-daemon.cjs');
let engine: ChildProcess | undefined;
try {
  if (!fromModules)
    await bundleCli(
      ROOT,
      path.join(ROOT, 'dist'),
      'bench/support/daemon-bundle-entry.ts',
      'bench-daemon.cjs',
    );
  const worldFile = path.join(dir, 'world.json');
  const world = worldOnDisk(dir);
  const engineDir = path.join(dir, 'engine');
  if (!inProcess) {
    mkdirSync(engineDir);
    engine = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'bench', 'support', 'fake-docker-engine.ts'),
        engineDir,
        ...world.hosts.map((h) => h.name),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const [ready] = (await Promise.race([once(engine.stdout!, 'data'), once(engine, 'exit')])) as unknown[];
    if (String(ready).trim() !== 'ready') throw new Error('the fake Docker engine did not start');
  }
  writeFileSync(
    worldFile,
    JSON.stringify({
      ...world,
      ...(inProcess ? {} : { engineDir }),
      idlePasses: IDLE_PASSES,
      steadyPasses: STEADY_PASSES,
      ...(fromModules ? {} : { bundle }),
    }),
  );
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      // Extra V8 flags to try (e.g. --max-semi-space-size=4): DAEMON_NODE_FLAGS="..."
      ...flags.split(' ').filter(Boolean),
      path.join(ROOT, 'bench', 'support', 'daemon-memory-child.mjs'),
      worldFile,
      ...(snapshot ? ['--snapshot', snapshotFile] : []),
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, cwd: dir, env: childEnv },
  );
  if (child.status !== 0) throw new Error(`daemon child failed (${child.status}): ${child.stderr}`);
  const r = JSON.parse(child.stdout) as ChildReport;
  const mb = (x: number) => `${x.toFixed(0)} MB`;
  const row = (what: string, f: Figures) =>
    `| ${what} | ${mb(f.rss)} | ${mb(f.heapUsed)} | ${mb(f.heapTotal)} | ${mb(f.external)} |`;
  const idleMs = r.idle.map((p) => p.ms.toFixed(0)).join(', ');
  const steadyRss = r.steady.map((p) => p.rss);
  const steadyMs = r.steady.map((p) => p.ms.toFixed(0)).join(', ');
  const steadyRow = `| steady: ${r.steady.length} passes ${DEFAULT_DAEMON.reconcileIntervalSeconds} s apart, no forced GC (RSS max / last; target < ${TARGET_MB} MB) | ${mb(Math.max(...steadyRss))} / ${mb(
    steadyRss.at(-1) ?? 0,
  )} | ${mb(Math.max(...r.steady.map((p) => p.heapUsed)))} max | ${mb(Math.max(...r.steady.map((p) => p.heapTotal)))} max | |`;
  const idleGcs = r.idle.map((p) => `${p.gcs.minor}/${p.gcs.major} (${p.gcs.ms.toFixed(0)} ms)`).join(', ');
  const hostsAre = inProcess
    ? `a FakeRuntime of ${FULL.hosts} hosts in the daemon's process`
    : `its DockerRuntime against ${FULL.hosts} fake Docker engines in another process`;
  const closedRow = inProcess
    ? 'skiff dropped: the fake hosts world and the code'
    : "skiff closed: the runtime (its caches, the hosts' open channels) and the code";
  const droppedRow = inProcess
    ? 'fake runtime dropped too'
    : 'runtime dropped too: the code and its module-level caches';
  const footer = inProcess
    ? `The daemon's own live heap: ${mb(r.holding.heapUsed - r.worldOnly.heapUsed)} (holding less the fake world). RSS includes the
FakeRuntime's world (the ${r.shape.observedPods} pods Docker would hold: ${mb(r.worldOnly.heapUsed - r.after.heapUsed)} of heap), which a
real daemon does not carry: against real hosts the RSS is about ${mb(r.holding.rss - (r.worldOnly.heapUsed - r.after.heapUsed))}.`
    : `The daemon's live heap beyond its code: ${mb(r.holding.heapUsed - r.after.heapUsed)}, of which the runtime keeps ${mb(
        r.worldOnly.heapUsed - r.after.heapUsed,
      )} (decoded pods, inspect results, specs, channels). The hosts are
another process: every figure is the daemon's own, less the SSH connections a real daemon holds.`;
  console.log(`## Daemon memory at scale (bench/daemon-memory.bench.ts)

${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; the compiled daemon (${fromModules ? "dist/'s modules" : 'bundled as the CLI is'},
plain node --expose-gc${flags ? ` ${flags}` : ''}; daemon heap flags: ${r.v8Flags.join(' ') || 'none, Node defaults'}; ${arenas ? `MALLOC_ARENA_MAX=${arenas}` : "glibc's default malloc arenas"}), wired as \`skiff run\` wires it, on ${hostsAre}. World:
${FULL.deployments} Deployments x ${REPLICAS} replicas in ${FULL.apps} apps (${r.shape.observedPods} pods observed, ${r.shape.deployments} Deployment views,
${r.shape.pods} pod views), committed to a local repository; measured after the pass that created
${r.shape.created} pods and ${IDLE_PASSES} idle passes (${idleMs} ms; last one ${r.idle.at(-1)?.actions} actions), 4 forced GCs each.
Garbage collections per idle pass, scavenges/mark-sweeps (time in GC): ${idleGcs}.
Steady passes (ms): ${steadyMs}.

| state | RSS | heap used | heap reserved | external |
|---|---:|---:|---:|---:|
${row('code loaded, no skiff', r.code)}
${steadyRow}
${row('the daemon holding the world, after forced GCs', r.holding)}
${row(closedRow, r.worldOnly)}
${row(droppedRow, r.after)}

${footer}`);
  if (snapshot) {
    console.log(`\nLargest constructors in the holding daemon's heap (${snapshotFile}):\n`);
    console.log(summarizeHeapSnapshot(snapshotFile, 25));
  }
} finally {
  engine?.kill();
  rmSync(bundle, { force: true });
  rmSync(dir, { recursive: true, force: true });
}
