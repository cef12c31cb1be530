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
const ROUNDS = Number(process.env.ROUNDS ?? 10);

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
    const burstMs: number[] = [];
    const cgroupMs: number[] = [];
    const ids = new Map(
      await Promise.all(
        hosts.map(
          async (h) =>
            [
              h,
              (
                await runtime.dockerOf(h).listContainers({
                  filters: { label: [`${LABELS.namespace}=${namespace}`] },
                })
              ).map((c) => c.Id),
            ] as const,
        ),
      ),
    );
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
      // What the engine can do at best: every one-shot stats call of a host at once (the
      // engine answers them all at its stats collector's next 1 s tick).
      t = performance.now();
      await Promise.all(
        hosts.map((h) =>
          Promise.all(
            ids.get(h)!.map((id) =>
              runtime
                .dockerOf(h)
                .getContainer(id)
                .stats({ stream: false, 'one-shot': true } as { stream: false }),
            ),
          ),
        ),
      );
      burstMs.push(performance.now() - t);
      // The same numbers from the cgroup files, one SSH exec per host (the testbed's cgroup v1
      // layout under --cgroup-parent /skiff-tb/<host>).
      t = performance.now();
      await Promise.all(
        hosts.map((h) =>
          runtime.execOnHost(
            h,
            // Two processes per host, whatever the count: one cat, one grep.
            `cd /sys/fs/cgroup/ && cat ${ids
              .get(h)!
              .map(
                (id) =>
                  `cpuacct/skiff-tb/${h}/${id}/cpuacct.usage memory/skiff-tb/${h}/${id}/memory.usage_in_bytes`,
              )
              .join(' ')} && grep -w total_inactive_file ${ids
              .get(h)!
              .map((id) => `memory/skiff-tb/${h}/${id}/memory.stat`)
              .join(' ')}`,
          ),
        ),
      );
      cgroupMs.push(performance.now() - t);
    }
    await runtime.close();
    const s = summarize(sweepMs);
    const l = summarize(listMs);
    const b = summarize(burstMs);
    const g = summarize(cgroupMs);
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
      `| engine stats with every call of a host in flight at once (no per-host limiter) | ${b.p50.toFixed(1)} | ${b.p99.toFixed(1)} | ${b.min.toFixed(1)} |`,
      `| cgroup files (cpuacct.usage, memory usage, inactive_file) in one SSH exec per host (one cat, one grep) | ${g.p50.toFixed(1)} | ${g.p99.toFixed(1)} | ${g.min.toFixed(1)} |`,
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
