// The child of bench/ssh-memory.bench.ts: the daemon's SshConnection to each fake SSH host, with
// the channels a steady daemon keeps open per host (its Docker event stream, the keep-alive
// agent's free channels, the control and work shells), and the memory that costs: RSS and heap
// after forced GCs, before and after. Run with --expose-gc.
import { readFileSync } from 'node:fs';
import { DEFAULT_CONNECTION, type SshHostConfig } from '../../src/config/cluster-config.js';
import { Limiter } from '../../src/runtime/limiter.js';
import { SshConnection } from '../../src/runtime/ssh-connection.js';

interface World {
  hostKey: string;
  ports: number[];
  keyFile: string;
  /** Keep-alive channels to the Docker socket per host (the agent's free ones). */
  freeChannels: number;
}

const world = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as World;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function figures(): { rss: number; heapUsed: number; external: number } {
  for (let i = 0; i < 4; i++) gc!();
  const m = process.memoryUsage();
  return {
    rss: m.rss / 2 ** 20,
    heapUsed: m.heapUsed / 2 ** 20,
    external: (m.external + m.arrayBuffers) / 2 ** 20,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 500));
const held: unknown[] = [];
await settle();
const before = figures();
const connections = world.ports.map(
  (port, i) =>
    new SshConnection(
      {
        kind: 'ssh',
        name: `host-${i}`,
        address: '127.0.0.1',
        port,
        user: 'skiff',
        privateKeyFile: world.keyFile,
        hostKey: world.hostKey,
        insecureAcceptHostKey: false,
        labels: {},
        taints: [],
        dataDir: '/var/lib/skiff',
        dockerSocket: '/var/run/docker.sock',
      } satisfies SshHostConfig,
      DEFAULT_CONNECTION,
    ),
);
const limiter = new Limiter(32);
const started = performance.now();
await Promise.all(connections.map((c) => limiter.run(() => c.ready())));
const connectMs = performance.now() - started;
await settle();
const connected = figures();
await Promise.all(
  connections.map((c) =>
    limiter.run(async () => {
      for (let i = 0; i < 1 + world.freeChannels; i++) held.push(await c.streamLocal('/var/run/docker.sock'));
      for (let i = 0; i < 2; i++) held.push(await c.startShell());
    }),
  ),
);
await settle();
const withChannels = figures();
for (const c of connections) c.close();
process.stdout.write(JSON.stringify({ before, connected, withChannels, connectMs, channels: held.length }));
process.exit(0);
