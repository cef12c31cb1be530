// One metrics sweep (MetricsSampler.sweep: DockerRuntime.stats on every host in parallel, then
// podMetricsFromStats) over 3 testbed hosts x 50 running skiff app containers, labelled as
// createPod labels them. Baseline in the same run: one container list per host over the same
// persistent SSH transport, in parallel (the `docker ps` a sweep cannot go below).
// Target (issue 7): a sweep under 100 ms.
// Usage: npx tsx bench/metrics.bench.ts  (brings the testbed up if needed, as root; leaves it up)
import Docker from 'dockerode';
import { status, up } from '../scripts/testbed/lifecycle.js';
import { MetricsSampler } from '../src/autoscale/metrics-sampler.js';
import { loadClusterConfig } from '../src/config/load-config.js';
import { APP_ROLE, LABELS } from '../src/model/labels.js';
import { DockerRuntime } from '../src/runtime/docker-runtime.js';

const CONTAINERS_PER_HOST = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 30);

function summarize(samples: number[]): { p50: number; p99: number; min: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), min: s[0]! };
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
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

    const runtime = new DockerRuntime(config);
    await runtime.observe(); // connect the hosts
    const hosts = config.hosts.map((h) => h.name);
    const sampler = new MetricsSampler({ runtime, clock: Date.now, windowMs: 15_000 });
    // The first sweep lets each engine take two CPU points (about 1 s); later ones are one-shot.
    const coldStart = performance.now();
    const first = await sampler.sweep(hosts);
    const cold = performance.now() - coldStart;
    const mine = first.pods.filter((p) => p.namespace === namespace);
    if (mine.length !== hosts.length * CONTAINERS_PER_HOST)
      throw new Error(`sweep saw ${mine.length} bench pods`);

    const sweepMs: number[] = [];
    const listMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      await sampler.sweep(hosts);
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
    }
    await runtime.close();
    const s = summarize(sweepMs);
    const l = summarize(listMs);
    const lines = [
      '### One metrics sweep: 3 hosts x 50 containers',
      '',
      `${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; testbed (3 hosts, Docker over SSH); shared with other helpers' work.`,
      `${first.containers.length} running skiff app containers sampled (${mine.length} bench pods); ${ROUNDS} rounds after one cold sweep. \`npx tsx bench/metrics.bench.ts\` reproduces it.`,
      '',
      '| what | p50 ms | p99 ms | fastest ms |',
      '|---|---:|---:|---:|',
      `| metrics sweep: one-shot stats of every container, 3 hosts in parallel, to pod samples (target < 100 ms) | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.min.toFixed(1)} |`,
      `| baseline: one container list per host over the same SSH transport, in parallel | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${l.min.toFixed(1)} |`,
      `| first (cold) sweep: the engine takes two CPU points per container | ${cold.toFixed(0)} | | |`,
      '',
      `sweep p50 / baseline p50: ${(s.p50 / l.p50).toFixed(2)}x.`,
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
