// DockerRuntime.observe() over 3 testbed hosts x 100 skiff containers (50 pods of infra + app
// per host, labelled exactly as createPod labels them; created, not started: observe reads
// them all the same). Baseline in the same run: the bare container list of the three engines
// over their local sockets, in parallel (what observe cannot go below).
// Target (issue 3): observe() p50 under 150 ms.
// Usage: npx tsx bench/observe.bench.ts  (brings the testbed up if needed, as root)
import Docker from 'dockerode';
import { down, status, up } from '../scripts/testbed/lifecycle.js';
import { loadClusterConfig } from '../src/config/load-config.js';
import { DockerRuntime } from '../src/runtime/docker-runtime.js';
import { planPod } from '../src/runtime/pod-spec.js';
import { sleeperPod } from '../test/unit/runtime/runtime-contract.js';

const PODS_PER_HOST = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 60);

function summarize(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function main(): Promise<void> {
  const log = (l: string) => process.stderr.write(`[testbed] ${l}\n`);
  const wasUp = (await status().catch(() => undefined))?.up === true;
  const tb = wasUp ? (await status())! : await up({ hostCount: 3, log });
  const namespace = `bench-${process.pid}`;
  const config = await loadClusterConfig(tb.config);
  const engines = config.hosts.map((h) => ({
    name: h.name,
    docker: new Docker({ socketPath: h.dockerSocket }),
  }));
  const image = tb.images.busybox[0]!;
  try {
    // Setup over the local sockets (fast); the image must be on every engine.
    await Promise.all(
      engines.map(async (e) => {
        if (
          await e.docker
            .getImage(image)
            .inspect()
            .then(
              () => true,
              () => false,
            )
        )
          return;
        const stream = await e.docker.pull(image);
        await new Promise((resolve, reject) =>
          e.docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(null))),
        );
      }),
    );
    const started = performance.now();
    await Promise.all(
      engines.map(async (e) => {
        const bodies = Array.from({ length: PODS_PER_HOST }, (_, i) => {
          const plan = planPod(sleeperPod(`web-${i}`, { image, namespace }), {
            dataDir: '/tmp',
            pauseImage: image,
            createdAt: Date.now(),
          });
          return [plan.infra, ...plan.containers].map((b) => ({
            ...b,
            HostConfig: { RestartPolicy: b.HostConfig.RestartPolicy },
          }));
        }).flat();
        await inBatches(bodies, 8, (b) => e.docker.createContainer(b));
      }),
    );
    log(
      `created ${engines.length * PODS_PER_HOST * 2} containers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const runtime = new DockerRuntime(config);
    const coldStart = performance.now();
    const first = await runtime.observe();
    const cold = performance.now() - coldStart;
    const mine = first.pods.filter((p) => p.namespace === namespace);
    if (mine.length !== engines.length * PODS_PER_HOST)
      throw new Error(`observe saw ${mine.length} bench pods`);
    const containers = first.pods.reduce((n, p) => n + p.containers.length + (p.infra ? 1 : 0), 0);

    const observeMs: number[] = [];
    const listMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      await runtime.observe();
      observeMs.push(performance.now() - t);
      t = performance.now();
      await Promise.all(
        engines.map((e) =>
          e.docker.listContainers({ all: true, filters: { label: ['skiff.io/managed=true'] } }),
        ),
      );
      listMs.push(performance.now() - t);
    }
    await runtime.close();
    const o = summarize(observeMs);
    const l = summarize(listMs);
    const lines = [
      '### observe(): 3 hosts x 100 containers',
      '',
      `${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; testbed (3 hosts, Docker over SSH).`,
      `${containers} skiff containers seen (${mine.length} bench pods of infra + app); ${ROUNDS} rounds after one cold observe.`,
      '',
      '| what | p50 ms | p99 ms |',
      '|---|---:|---:|',
      `| DockerRuntime.observe() over SSH, 3 hosts in parallel (target p50 < 150 ms) | ${o.p50.toFixed(1)} | ${o.p99.toFixed(1)} |`,
      `| baseline: bare container list of the 3 engines over local sockets, in parallel | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} |`,
      `| first (cold) observe: connects 3 hosts and inspects every container once | ${cold.toFixed(0)} | |`,
      '',
      `observe p50 / baseline p50: ${(o.p50 / l.p50).toFixed(2)}x.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(
      engines.map(async (e) => {
        const ids = await e.docker.listContainers({
          all: true,
          filters: { label: [`skiff.io/namespace=${namespace}`] },
        });
        await inBatches(ids, 8, (c) => e.docker.getContainer(c.Id).remove({ force: true }));
      }),
    );
    if (!wasUp) await down(log);
  }
}

await main();
