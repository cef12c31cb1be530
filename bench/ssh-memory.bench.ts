// What the daemon's SSH connections cost it in memory: the daemon memory bench
// (daemon-memory.bench.ts) runs the Docker API over unix sockets where SSH would carry it, so its
// figures leave out ssh2's per-connection state (keys, ciphers, buffers, channel windows). Here
// the daemon's own SshConnection reaches 500 ssh2 servers in another process
// (bench/support/fake-ssh-hosts.ts, loopback ports), and holds per host what a steady daemon
// holds: the Docker event stream, the keep-alive agent's 4 free channels, the control and work
// shells. Reported: RSS and heap after forced GCs before, connected, and with those channels.
//
//   npx tsx bench/ssh-memory.bench.ts        (SSH_HOSTS=N for another count)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import ssh2 from 'ssh2';

const ROOT = path.resolve(import.meta.dirname, '..');
const HOSTS = Number(process.env.SSH_HOSTS ?? 500);
const FREE_CHANNELS = 4;

interface Figures {
  rss: number;
  heapUsed: number;
  external: number;
}

const dir = mkdtempSync(path.join(tmpdir(), 'skiff-ssh-memory-'));
const hosts = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(ROOT, 'bench', 'support', 'fake-ssh-hosts.ts'), String(HOSTS)],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
try {
  const line = await new Promise<string>((resolve, reject) => {
    hosts.once('exit', (code) => reject(new Error(`fake SSH hosts exited (${code})`)));
    createInterface({ input: hosts.stdout! }).once('line', resolve);
  });
  const { hostKey, ports } = JSON.parse(line) as { hostKey: string; ports: number[] };
  const keyFile = path.join(dir, 'id_ed25519');
  writeFileSync(keyFile, ssh2.utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
  const worldFile = path.join(dir, 'world.json');
  writeFileSync(worldFile, JSON.stringify({ hostKey, ports, keyFile, freeChannels: FREE_CHANNELS }));
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'bench', 'support', 'ssh-memory-child.ts'), worldFile],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`measuring child failed (${child.status}): ${child.stderr}`);
  const r = JSON.parse(child.stdout) as {
    before: Figures;
    connected: Figures;
    withChannels: Figures;
    connectMs: number;
    channels: number;
  };
  const mb = (x: number) => `${x.toFixed(1)} MB`;
  const kb = (x: number) => `${((x * 1024) / HOSTS).toFixed(0)} KB`;
  const row = (what: string, f: Figures) =>
    `| ${what} | ${mb(f.rss)} | ${mb(f.heapUsed)} | ${mb(f.external)} |`;
  const delta = (what: string, a: Figures, b: Figures) =>
    `| ${what} | +${mb(b.rss - a.rss)} (${kb(b.rss - a.rss)}/host) | +${mb(b.heapUsed - a.heapUsed)} (${kb(b.heapUsed - a.heapUsed)}/host) | +${mb(b.external - a.external)} |`;
  console.log(`## SSH connections' memory (bench/ssh-memory.bench.ts)

${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}. The daemon's SshConnection to ${HOSTS} ssh2 servers in another process
(loopback), connected 32 at a time in ${(r.connectMs / 1000).toFixed(1)} s; then per host ${1 + FREE_CHANNELS} channels to the Docker socket (the event stream and
${FREE_CHANNELS} keep-alive ones) and 2 shells (${r.channels} in all). After forced GCs.

| state | RSS | heap used | external + array buffers |
|---|---:|---:|---:|
${row('before any connection', r.before)}
${row(`${HOSTS} connections`, r.connected)}
${row('and their channels', r.withChannels)}
${delta('connections', r.before, r.connected)}
${delta('connections and channels', r.before, r.withChannels)}`);
} finally {
  hosts.stdin?.end();
  hosts.kill();
  rmSync(dir, { recursive: true, force: true });
}
