// CLI start-up: whole processes, as a user or a CI job starts them, each next to `node -e 0`
// (the floor) in the same run, interleaved so the machine's load falls on all alike. Measures
// the package as installed (bin/ and dist/ built by scripts/build.ts, copied beside
// package.json with node_modules linked and no src/: bin/skiff.js runs the CLI bundle with its
// V8 code cache, in a cache folder of this run, made by a warm-up run of each command), the same
// with the code cache off (a first run, or a home that cannot be written), and the checkout's
// bin/skiff.js (which checks src/ is not newer than the build first); as "before", the same
// commands through tsx (how bin ran two builds ago).
// `get pods` asks a daemon this bench starts (one local host whose Docker is never reached: the
// daemon answers with no pods; against the testbed the answer is larger). Prints a markdown
// section for BENCHMARKS.md.
// Run: npx tsx bench/cli-startup.bench.ts [RUNS] [--before DIR]   (default 15; "before" runs a
// third as many). With --before, "before" is another built package (a copy of an older commit's
// bin/, dist/ and package.json, its node_modules linked) instead of this checkout through tsx.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { median } from './support/timing.js';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.argv[2] ?? 15);
const BEFORE_AT = process.argv.indexOf('--before');
const BEFORE = BEFORE_AT >= 0 ? process.argv[BEFORE_AT + 1] : undefined;
const BIN = join(ROOT, 'bin/skiff.js');
const CACHE = mkdtempSync(join(os.tmpdir(), 'skiff-bench-cache-'));
const TICK_MS = 1000 / 100; // /proc clock ticks (USER_HZ)

/** CPU (user + system) of waited-for children so far, from /proc/self/stat (cutime, cstime). */
function childrenCpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
}

interface Case {
  name: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}
interface Sample {
  wall: number[];
  cpu: number[];
}

function runOnce(c: Case): { wall: number; cpu: number } {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const env = { ...process.env, SKIFF_CACHE_DIR: CACHE, ...c.env };
  const r = spawnSync(process.execPath, c.args, { cwd: c.cwd ?? ROOT, encoding: 'utf8', env });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childrenCpuMs() - cpu0 };
}

/** Every case once per round, RUNS rounds: interleaved, so load hits all cases alike. */
function measureAll(cases: Case[], runs: number): Map<string, Sample> {
  const out = new Map(cases.map((c) => [c.name, { wall: [] as number[], cpu: [] as number[] }]));
  for (const c of cases) runOnce(c); // warm the file cache
  for (let i = 0; i < runs; i++)
    for (const c of cases) {
      const r = runOnce(c);
      out.get(c.name)!.wall.push(r.wall);
      out.get(c.name)!.cpu.push(r.cpu);
    }
  return out;
}

/** dist/ as `npm run build` makes it, from the sources of this checkout. */
function build(): void {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build.ts')], { stdio: 'inherit' });
}

/** The package as `npm install` lays it out (what it ships, no src/), its node_modules linked. */
function stageInstalled(): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'skiff-bench-installed-'));
  for (const f of ['package.json', 'bin', 'dist']) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** A daemon on a temporary state dir with one local host (no Docker there), and its config. */
async function startDaemon(): Promise<{ child: ChildProcess; config: string }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'skiff-bench-cli-'));
  const config = join(dir, 'skiff.yaml');
  writeFileSync(
    config,
    `hosts:\n  - name: local\n    kind: local\n    dockerSocket: ${dir}/no-docker.sock\ndaemon:\n  stateDir: ${dir}/state\napps: []\n`,
  );
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--config', config, '--listen', '127.0.0.1:0', '--log-format', 'json'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('skiff daemon listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${err}`)));
  });
  return { child, config };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

function row(name: string, s: Sample, floor: Sample): string {
  const w = median(s.wall);
  const spread = `${ms(Math.min(...s.wall))} to ${ms(Math.max(...s.wall))}`;
  return `| ${name} | ${ms(w)} | +${ms(w - median(floor.wall))} | ${spread} | ${ms(median(s.cpu))} | +${ms(median(s.cpu) - median(floor.cpu))} |`;
}

build();
const installed = join(stageInstalled(), 'bin/skiff.js');
const daemon = await startDaemon();
try {
  const floor: Case = { name: '`node -e 0` (floor)', args: ['-e', '0'] };
  const noCache = { SKIFF_NO_COMPILE_CACHE: '1' };
  const getPods = ['get', 'pods', '--config', daemon.config];
  const after: Case[] = [
    floor,
    { name: '`skiff --version`', args: [installed, '--version'] },
    { name: '`skiff --help`', args: [installed, '--help'] },
    { name: '`skiff validate examples/repo`', args: [installed, 'validate', 'examples/repo'] },
    { name: '`skiff get pods` (daemon running)', args: [installed, ...getPods] },
    { name: '`skiff --version`, no code cache', args: [installed, '--version'], env: noCache },
    {
      name: '`skiff validate examples/repo`, no code cache',
      args: [installed, 'validate', 'examples/repo'],
      env: noCache,
    },
    { name: '`skiff get pods`, no code cache', args: [installed, ...getPods], env: noCache },
    { name: '`skiff get pods` from the checkout (bin/ checks src/)', args: [BIN, ...getPods] },
  ];
  const tsx = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  const old = BEFORE === undefined ? tsx : [join(BEFORE, 'bin/skiff.js')];
  const how = BEFORE === undefined ? 'through tsx' : 'older build';
  const before: Case[] = [
    floor,
    { name: `\`skiff --version\` ${how} (before)`, args: [...old, '--version'] },
    {
      name: `\`skiff validate examples/repo\` ${how} (before)`,
      args: [...old, 'validate', 'examples/repo'],
    },
    {
      name: `\`skiff get pods\` ${how} (before)`,
      args: [...old, 'get', 'pods', '--config', daemon.config],
    },
  ];
  const load0 = os.loadavg()[0]!;
  const a = measureAll(after, RUNS);
  const beforeRuns = Math.max(3, Math.round(RUNS / 3));
  const b = measureAll(before, beforeRuns);
  const load1 = os.loadavg()[0]!;
  const lines = [
    '## CLI start-up (bench/cli-startup.bench.ts)',
    '',
    `${new Date().toUTCString()}; ${os.cpus().length} cores / ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end (shared machine). Whole processes, median of ${RUNS} runs (before: ${beforeRuns}), interleaved with \`node -e 0\` in the same rounds; CPU is user + system of the child.`,
    '',
    '| command | median wall | over floor | wall spread | median CPU | CPU over floor |',
    '| --- | ---: | ---: | --- | ---: | ---: |',
    ...after.map((c) => row(c.name, a.get(c.name)!, a.get(floor.name)!)),
    ...before.slice(1).map((c) => row(c.name, b.get(c.name)!, b.get(floor.name)!)),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  daemon.child.kill('SIGTERM');
}
