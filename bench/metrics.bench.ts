// One metrics sweep (MetricsSampler.sweep: runtime.sampleStats on every host in parallel, i.e.
// the Docker container list beside one cgroup read in each host's long-lived shell, then CPU
// rates from the previous sweep's counters and podMetricsFromStats) over 3 testbed hosts x 50
// running skiff app containers, labelled as createPod labels them. Baselines in the same run:
// the former sweep (DockerRuntime.stats: the Docker stats API, one call per container), and one
// container list per host over the same persistent SSH transport (the `docker ps` a sweep
// cannot go below). Target (issue 7): a sweep under 100 ms.
// Usage: npx tsx bench/metrics.bench.ts  (brings the testbed up if needed, as root; leaves it up)
// ROUNDS (default 40) timed sweeps; API_ROUNDS (default 3) of the slow Docker stats API sweep.
import { loadavg } from 'node:os';
import Docker from 'dockerode';
import { status, up } from '../scripts/testbed/lifecycle.js';
import { loadClusterConfig } from '../src/config/load-config.js';
import { APP_ROLE, LABELS } from '../src/model/labels.js';
import { CGROUP_USAGE_SCRIPT } from '../src/runtime/cgroup-usage.js';
import { systemClock } from '../src/runtime/clock.js';
import { DockerRuntime } from '../src/runtime/docker-runtime.js';
import { transportFor } from '../src/runtime/host-transport.js';
import { MetricsSampler } from '../src/runtime/metrics-sampler.js';
import type { ContainerStats } from '../src/runtime/runtime.js';

const CONTAINERS_PER_HOST = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 40);
const API_ROUNDS = Number(process.env.API_ROUNDS ?? 3);

function summarize(samples: number[]): { p50: number; p90: number; max: number; min: number } {
  const s = [...samples].sort((a, b) => a - b);
  // Nearest rank: the smallest sample with at least q of them at or below it.
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { p50: at(0.5), p90: at(0.9), max: s[s.length - 1]!, min: s[0]! };
}

function row(what: string, x: ReturnType<typeof summarize>): string {
  return `| ${what} | ${x.p50.toFixed(1)} | ${x.p90.toFixed(1)} | ${x.max.toFixed(1)} | ${x.min.toFixed(1)} |`;
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** The bench's own containers of a sweep (its namespace). */
function benchContainers(containers: readonly ContainerStats[], namespace: string): ContainerStats[] {
  return containers.filter((c) => c.namespace === namespace);
}

async function main(): Promise<void> {
  const log = (l: string) => process.stderr.write(`[testbed] ${l}\n`);
  const wasUp = (await status().catch(() => undefined))?.up === true;
  const tb = wasUp ? (await status())! : await up({ hostCount: 3, log });
  const namespace = `bench-metrics-${process.pid}`;
  const config = await loadClusterConfig(tb.config);
  const engines = config.hosts.map((h) => ({
    name: h.name,
    docker: new Docker({ socketPath: h.dockerSocket }),
  }));
  const image = tb.images.busybox[0]!;
  try {
    // Setup over the local sockets: 50 running `sleep` containers per host, no network.
    const started = performance.now();
    await Promise.all(
      engines.map(async (e) => {
        const stream = await e.docker.pull(image);
        await new Promise((resolve, reject) =>
          e.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(null))),
        );
        const names = Array.from({ length: CONTAINERS_PER_HOST }, (_, i) => `web-${e.name}-${i}`);
        await inBatches(names, 8, async (pod) => {
          const c = await e.docker.createContainer({
            Image: image,
            Cmd: ['sleep', '3600'],
            name: `skiff_${namespace}_${pod}_web_0`,
            Labels: {
              [LABELS.managed]: 'true',
              [LABELS.role]: APP_ROLE,
              [LABELS.app]: 'bench',
              [LABELS.namespace]: namespace,
              [LABELS.pod]: pod,
              [LABELS.container]: 'web',
            },
            HostConfig: { NetworkMode: 'none' },
          });
          await c.start();
        });
      }),
    );
    log(
      `started ${engines.length * CONTAINERS_PER_HOST} containers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const warnings: string[] = [];
    const runtime = new DockerRuntime(config, {
      logger: { info: () => {}, warn: (_o, msg) => warnings.push(msg) },
    });
    const observed = await runtime.observe(); // connect the hosts
    const hosts = config.hosts.map((h) => h.name);
    const sampler = new MetricsSampler({ runtime, clock: systemClock, windowMs: 15_000 });
    // The first sweep of a sampler opens each host's shell and reads twice, 1 s apart (no
    // previous counters yet); later ones read once.
    const coldStart = performance.now();
    const first = await sampler.sweep(hosts, observed.pods);
    const cold = performance.now() - coldStart;
    const mine = first.pods.filter((p) => p.namespace === namespace);
    if (mine.length !== hosts.length * CONTAINERS_PER_HOST)
      throw new Error(`sweep saw ${mine.length} bench pods`);

    // Own connections, to time the cgroup read by itself.
    const transports = config.hosts.map((h) => transportFor(h, config.connection));
    await Promise.all(transports.map((tr) => tr.runScript('true', 10_000))); // start the shells
    const sweepMs: number[] = [];
    const listMs: number[] = [];
    const readMs: number[] = [];
    let last = first;
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      last = await sampler.sweep(hosts, observed.pods);
      sweepMs.push(performance.now() - t);
      t = performance.now();
      await Promise.all(
        hosts.map((h) =>
          runtime.dockerOf(h).listContainers({
            filters: { label: [`${LABELS.managed}=true`, `${LABELS.role}=${APP_ROLE}`], status: ['running'] },
          }),
        ),
      );
      listMs.push(performance.now() - t);
      // The cgroup read alone, every host's shell in parallel (what the sweep adds to the list).
      t = performance.now();
      await Promise.all(transports.map((tr) => tr.runScript(CGROUP_USAGE_SCRIPT, 10_000)));
      readMs.push(performance.now() - t);
    }
    for (const tr of transports) tr.close();
    const sources = new Set(
      (await Promise.all(hosts.map((h) => runtime.sampleStats(h)))).flat().map((u) => u.source),
    );
    const benchPods = last.pods.filter((p) => p.namespace === namespace);
    if (benchPods.length !== hosts.length * CONTAINERS_PER_HOST || last.failures.length > 0)
      throw new Error(
        `a timed sweep saw ${benchPods.length} bench pods, failures ${JSON.stringify(last.failures)}`,
      );

    // Baseline: the former sweep through the Docker stats API (one call per container, the
    // engine answering at its 1 s stats tick, 8 calls of a host at a time).
    const apiMs: number[] = [];
    let apiLast: ContainerStats[] = [];
    await Promise.all(hosts.map((h) => runtime.stats(h))); // its own first points
    for (let r = 0; r < API_ROUNDS; r++) {
      const t = performance.now();
      apiLast = (await Promise.all(hosts.map((h) => runtime.stats(h)))).flat();
      apiMs.push(performance.now() - t);
    }
    // The two paths read the same numbers: working set per container, cgroup vs the engine.
    const apiMemory = new Map(apiLast.map((c) => [c.containerId, c.memoryBytes]));
    const memoryDiffs = benchContainers(last.containers, namespace).map((c) =>
      Math.abs(c.memoryBytes - (apiMemory.get(c.containerId) ?? Number.NaN)),
    );
    memoryDiffs.sort((a, b) => a - b);
    await runtime.close();

    const s = summarize(sweepMs);
    const l = summarize(listMs);
    const g = summarize(readMs);
    const api = summarize(apiMs);
    const lines = [
      '### One metrics sweep: 3 hosts x 50 containers (bench/metrics.bench.ts)',
      '',
      `${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; testbed (3 hosts, Docker over SSH, cgroup v1); shared with other helpers' work (load average ${loadavg()[0]!.toFixed(1)} at the end).`,
      `${last.containers.length} running skiff app containers sampled per sweep (${benchPods.length} bench pods), source ${[...sources].join(', ')}; ${ROUNDS} timed sweeps after one cold sweep, ${API_ROUNDS} of the Docker stats API baseline. \`npx tsx bench/metrics.bench.ts\` reproduces it.`,
      '',
      '| what | p50 ms | p90 ms | max ms | fastest ms |',
      '|---|---:|---:|---:|---:|',
      row(
        'metrics sweep: container list + one cgroup read per host (long-lived shell), 3 hosts in parallel, to pod samples (target < 100 ms)',
        s,
      ),
      row('baseline: the former sweep, Docker stats API one call per container (DockerRuntime.stats)', api),
      row('baseline: one container list per host over the same SSH transport, in parallel', l),
      row('the cgroup read alone, 3 hosts in parallel (`find` + `awk` in each host shell)', g),
      `| first (cold) sweep: opens each host's shell, reads twice 1 s apart | ${cold.toFixed(0)} | | | |`,
      '',
      `sweep p50 / Docker stats API sweep p50: ${(s.p50 / api.p50).toFixed(4)}x (${(api.p50 / s.p50).toFixed(0)} times faster); sweep p50 / container list p50: ${(s.p50 / l.p50).toFixed(2)}x.`,
      `Working set, cgroup read vs the engine's stats, per bench container: median difference ${memoryDiffs[Math.floor(memoryDiffs.length / 2)]} bytes, largest ${memoryDiffs[memoryDiffs.length - 1]} bytes.`,
      `Fallback warnings during the run: ${warnings.length === 0 ? 'none' : warnings.join('; ')}.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(
      engines.map(async (e) => {
        const ids = await e.docker.listContainers({
          all: true,
          filters: { label: [`${LABELS.namespace}=${namespace}`] },
        });
        await inBatches(ids, 8, (c) => e.docker.getContainer(c.Id).remove({ force: true }));
      }),
    );
    // A testbed this bench brought up stays up (other work shares it); `npm run testbed -- down`
    // is for whoever owns it.
  }
}

await main();
