// The child of bench/daemon-memory.bench.ts: the compiled daemon (dist/, plain node, no tsx)
// holding the scale world. It wires one skiff as `skiff run` does (createSkiffInstance: git
// sources on a local repository, app trackers, bundle validator, secret scrubber, history,
// prober, autoscaler, Service data plane, reconciler, metrics) on a DockerRuntime whose hosts are
// the fake engines' sockets the world names (engineDir), else on a FakeRuntime in this process,
// admits every app, runs the pass that creates every pod and a few idle passes, then passes at
// the daemon's interval with no forced GC (the memory `ps` shows of a running daemon), forces
// GCs and prints memory figures as JSON on stdout. Then it closes the skiff and measures again
// (what is left is the runtime: its caches and open channels, or the FakeRuntime's world), and
// once more without the runtime (the code). The heap flags are the daemon's own
// (applyDaemonV8Flags, as `skiff run` sets them; SKIFF_DAEMON_V8_FLAGS= for Node's defaults).
// The code is the bundle the world names (as an install runs it:
// bench/support/daemon-bundle-entry.ts), else dist/'s modules.
//
//   node --expose-gc bench/support/daemon-memory-child.mjs WORLD.json [--snapshot FILE]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import pino from 'pino';

const MiB = 1024 ** 2;
const [worldFile, flag, snapshotFile] = process.argv.slice(2);
const world = JSON.parse(readFileSync(worldFile, 'utf8'));
const {
  applyDaemonV8Flags,
  createSkiffInstance,
  initialAdmission,
  systemClock,
  FakeRuntime,
  DockerRuntime,
  Docker,
  SshDockerAgent,
} = world.bundle
  ? createRequire(import.meta.url)(world.bundle)
  : {
      ...(await import('../../dist/daemon/heap-flags.js')),
      ...(await import('../../dist/daemon/skiff-instance.js')),
      ...(await import('../../dist/runtime/clock.js')),
      ...(await import('../../dist/runtime/fake-runtime.js')),
      ...(await import('../../dist/runtime/docker-runtime.js')),
      ...(await import('../../dist/runtime/docker-agent.js')),
      Docker: (await import('dockerode')).default,
    };
const passes = world.idlePasses;
const v8Flags = applyDaemonV8Flags();

/** Forced GCs, then a moment for V8 to hand freed pages back (it unmaps them off the main
 *  thread: read at once, a compacting collection's RSS still counts both copies). */
async function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  await new Promise((r) => setTimeout(r, 500));
  return figures();
}

function figures() {
  const m = process.memoryUsage();
  return {
    rss: m.rss / MiB,
    heapUsed: m.heapUsed / MiB,
    heapTotal: m.heapTotal / MiB,
    external: m.external / MiB,
  };
}

const code = await settle();
const log = pino({ level: 'silent' });
const ok = async () => ({ exitCode: 0, stdout: '', stderr: '' });
/** A unix socket to the fake engine of one host, open (what an SSH channel to the host's
 *  Docker socket is in a real daemon). */
const engineSocket = (file) =>
  new Promise((resolve, reject) => {
    const s = connect(file);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
/** A host reached through the fake engine's socket for it: the Docker client and its
 *  keep-alive agent are the SSH transport's (src/runtime/host-transport.ts), with a unix
 *  socket where SSH opens a channel; host commands answer as an empty host does (no Service
 *  rules, nothing to read), as the FakeRuntime's do, and files are not written (the world
 *  mounts no volume). */
const engineTransport = (cfg) => ({
  docker: new Docker({
    protocol: 'http',
    host: 'docker',
    port: 80,
    agent: new SshDockerAgent(() => engineSocket(path.join(world.engineDir, `${cfg.name}.sock`))),
  }),
  connected: () => true,
  ready: async () => {},
  writePaths: async () => {},
  removeTree: async () => {},
  exec: ok,
  runScript: ok,
  connectTcp: async () => {
    throw new Error('the bench hosts take no TCP connection');
  },
  close: () => {},
});
let runtime = world.engineDir
  ? new DockerRuntime(world.config, { transport: engineTransport, clock: systemClock })
  : new FakeRuntime(world.hosts);
let inst = createSkiffInstance({ config: world.config, log, runtime });
await initialAdmission(inst, systemClock.now(), log);
let first = await inst.reconciler.pass();
const created = first.results.filter((r) => r.outcome === 'done').length;
const firstPassActions = first.actions.length;
// The daemon keeps only its last pass: the first one's 15,000 creates go.
first = undefined;
// Garbage collections during each idle pass: scavenges (young generation) say how much a pass
// allocates (each one means a semi-space filled), mark-sweeps how much survived to old space.
let gcs = { minor: 0, major: 0, ms: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) gcs.minor++;
    else gcs.major++;
    gcs.ms += e.duration;
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
const idle = [];
let last;
for (let i = 0; i < passes; i++) {
  gcs = { minor: 0, major: 0, ms: 0 };
  const t0 = performance.now();
  last = await inst.reconciler.pass();
  const ms = performance.now() - t0;
  // The observer is called back after the pass: let it run before reading the counts.
  await new Promise((r) => setTimeout(r, 0));
  idle.push({ ms, actions: last.actions.length, gcs });
}
gcObserver.disconnect();
// Asking for the view builds it (as a `get` or a metrics scrape would): it is part of what the
// daemon holds until the next pass.
const shape = {
  apps: inst.reconciler.view?.apps.length,
  pods: inst.reconciler.view?.pods.length,
  deployments: inst.reconciler.view?.deployments.length,
  observedPods: last.observed.pods.length,
  firstPassActions,
  created,
};
last = undefined;
// The steady daemon: a pass every reconcile interval, V8 left to collect as it likes. RSS after
// each pass, and the pass time.
const steady = [];
for (let i = 0; i < world.steadyPasses; i++) {
  await new Promise((r) => setTimeout(r, world.config.daemon.reconcileIntervalSeconds * 1000));
  const t0 = performance.now();
  await inst.reconciler.pass();
  steady.push({ ms: performance.now() - t0, ...figures() });
}
const holding = await settle();
// Writing it grows the RSS by about the snapshot's size: the later rows' RSS is inflated then.
if (flag === '--snapshot') writeHeapSnapshot(snapshotFile);
await inst.close();
inst = undefined;
// The fake keeps the copies it handed out (the daemon's observation, shared): not the hosts'.
runtime.forgetHandedOut?.();
const worldOnly = await settle();
runtime = undefined;
const after = await settle();
process.stdout.write(JSON.stringify({ v8Flags, code, holding, worldOnly, after, shape, idle, steady }));
process.exit(0);
