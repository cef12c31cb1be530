// Docker API call latency to one testbed host over three paths, measured in one run:
//   - local socket: the host engine's unix socket opened directly from the root namespace
//     (the floor: no network, no SSH), dockerode with Node's keep-alive agent;
//   - skiff's path: the persistent SSH connection with a stream-local forward per keep-alive
//     channel (DockerRuntime's transport);
//   - dockerode's built-in `protocol: 'ssh'`: a new SSH connection and `docker system
//     dial-stdio` per call.
// Targets (issue 3): p50 over SSH within 2x of the local socket, >= 20x faster than built-in ssh.
// Usage: npx tsx bench/docker-api.bench.ts  (brings the testbed up if needed, as root)
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { down, status, up } from '../scripts/testbed/lifecycle.js';
import { loadClusterConfig } from '../src/config/load-config.js';
import { DockerRuntime } from '../src/runtime/docker-runtime.js';

const ROUNDS = Number(process.env.ROUNDS ?? 400);
const BUILTIN_ROUNDS = Number(process.env.BUILTIN_ROUNDS ?? 30);

interface Summary {
  p50: number;
  p99: number;
  n: number;
}

function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99), n: s.length };
}

/** One timed call; a failed call is counted, not timed (the built-in ssh path drops some). */
async function timeOnce(fn: () => Promise<unknown>, failures: { n: number }): Promise<number | undefined> {
  const t = performance.now();
  try {
    await fn();
  } catch {
    failures.n++;
    return undefined;
  }
  return performance.now() - t;
}

async function main(): Promise<void> {
  const log = (l: string) => process.stderr.write(`[testbed] ${l}\n`);
  const wasUp = (await status().catch(() => undefined))?.up === true;
  const tb = wasUp ? (await status())! : await up({ hostCount: 3, log });
  try {
    const config = await loadClusterConfig(tb.config);
    const h1 = config.hosts.find((h) => h.name === 'h1');
    if (h1?.kind !== 'ssh') throw new Error('testbed host h1 missing from the config');
    const runtime = new DockerRuntime(config);
    const paths: Record<string, Docker> = {
      'local socket': new Docker({ socketPath: h1.dockerSocket }),
      'skiff SSH (persistent)': runtime.dockerOf('h1'),
      "dockerode protocol 'ssh'": new Docker({
        protocol: 'ssh',
        host: h1.address,
        port: h1.port,
        username: h1.user,
        sshOptions: {
          privateKey: readFileSync(h1.privateKeyFile!),
          // Same trust as skiff: only the configured host key.
          hostVerifier: (key: Buffer) => key.equals(Buffer.from(h1.hostKey!.split(' ')[1]!, 'base64')),
        } as object,
      } as Docker.DockerOptions),
    };
    const calls: Record<string, (d: Docker) => Promise<unknown>> = {
      ping: (d) => d.ping(),
      listContainers: (d) => d.listContainers({ all: true }),
    };
    const results: Record<string, Record<string, Summary>> = {};
    const failures: Record<string, { n: number }> = {};
    for (const [callName, call] of Object.entries(calls)) {
      results[callName] = {};
      // Warm up every path (connections, JIT), then interleave rounds so drift hits all alike.
      for (const d of Object.values(paths)) for (let i = 0; i < 3; i++) await call(d).catch(() => {});
      const samples: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((k) => [k, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, d] of Object.entries(paths)) {
          if (name.startsWith('dockerode') && r >= BUILTIN_ROUNDS) continue;
          const key = `${callName} ${name}`;
          failures[key] ??= { n: 0 };
          const ms = await timeOnce(() => call(d), failures[key]);
          if (ms !== undefined) samples[name]!.push(ms);
        }
      }
      for (const [name, s] of Object.entries(samples)) results[callName]![name] = summarize(s);
    }
    await runtime.close();

    const date = new Date().toUTCString();
    const lines = [
      '### Docker API latency: persistent SSH vs local socket vs dockerode built-in ssh',
      '',
      `${date}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; testbed host h1 (Docker ${(await paths['local socket']!.version()).Version}).`,
      `${ROUNDS} interleaved calls per path (built-in ssh: ${BUILTIN_ROUNDS}), after warm-up. Milliseconds.`,
      '',
      '| call | path | p50 ms | p99 ms | n |',
      '|---|---|---:|---:|---:|',
    ];
    for (const [callName, byPath] of Object.entries(results))
      for (const [name, s] of Object.entries(byPath))
        lines.push(`| ${callName} | ${name} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.n} |`);
    lines.push(
      '',
      '| call | SSH p50 / local p50 (target <= 2x) | built-in ssh p50 / SSH p50 (target >= 20x) |',
      '|---|---:|---:|',
    );
    for (const [callName, byPath] of Object.entries(results)) {
      const ssh = byPath['skiff SSH (persistent)']!.p50;
      const local = byPath['local socket']!.p50;
      const builtin = byPath["dockerode protocol 'ssh'"]!.p50;
      lines.push(`| ${callName} | ${(ssh / local).toFixed(2)}x | ${(builtin / ssh).toFixed(0)}x |`);
    }
    const failed = Object.entries(failures).filter(([, f]) => f.n > 0);
    if (failed.length > 0)
      lines.push('', `Failed calls (not timed): ${failed.map(([k, f]) => `${k}: ${f.n}`).join('; ')}.`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!wasUp) await down(log);
  }
}

await main();
