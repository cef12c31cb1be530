// The processes the testbed starts, and how it finds and stops them again by process id.
// Every daemon is started inside one cgroup subtree (`skiff-tb`), and each host's dockerd puts
// its containers under `skiff-tb/<host>` (--cgroup-parent): so even after a crash, `down` can
// list every pid the testbed owns (daemons, containerd, shims, container processes) and stop
// exactly those, never anything else on the machine.

import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { CGROUP_NAME, hostLayout, LOCK_FILE, MAX_HOST_COUNT, RUN_DIR, TESTBED_DIR } from './layout.js';
import { sleep, TestbedError } from './shell.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The cgroup directory the daemons are started in (a leaf: containers go in sibling leaves). */
function daemonCgroupDir(): string | undefined {
  if (existsSync(join(CGROUP_ROOT, 'pids', 'cgroup.procs')))
    return join(CGROUP_ROOT, 'pids', CGROUP_NAME, 'daemons');
  if (existsSync(join(CGROUP_ROOT, 'systemd', 'cgroup.procs')))
    return join(CGROUP_ROOT, 'systemd', CGROUP_NAME, 'daemons');
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return join(CGROUP_ROOT, CGROUP_NAME, 'daemons');
  return undefined;
}

/** Every `skiff-tb` subtree, in every mounted cgroup hierarchy (v1 has one per controller). */
function cgroupSubtrees(): string[] {
  const roots = [join(CGROUP_ROOT, CGROUP_NAME)];
  if (existsSync(CGROUP_ROOT)) {
    for (const entry of readdirSync(CGROUP_ROOT, { withFileTypes: true })) {
      if (entry.isDirectory()) roots.push(join(CGROUP_ROOT, entry.name, CGROUP_NAME));
    }
  }
  return roots.filter((r) => existsSync(r));
}

function walkDirs(dir: string, visit: (d: string) => void): void {
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) walkDirs(join(dir, e.name), visit);
  visit(dir);
}

function readPids(file: string): number[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Command-line fragments only the testbed's own daemons carry (dockerd, containerd and shims
 * name RUN_DIR; sshd and the registry name their config files). Deliberately narrow: a skiff
 * daemon started with `--config .testbed/skiff.yaml` is not ours to stop.
 */
const OWN_DAEMON_PATTERNS = [`${RUN_DIR}/`, `${TESTBED_DIR}/registry/config.yml`, ...hostSshdConfigs()];

function hostSshdConfigs(): string[] {
  return Array.from({ length: MAX_HOST_COUNT }, (_, i) => `${hostLayout(i + 1).sshdConfigFile} `);
}

/** Processes in the containers of the testbed's engines (not the daemons themselves). */
export function findContainerPids(): number[] {
  const pids = new Set<number>();
  for (const root of cgroupSubtrees()) {
    walkDirs(root, (d) => {
      if (d === root || d.startsWith(join(root, 'daemons'))) return;
      for (const p of readPids(join(d, 'cgroup.procs'))) pids.add(p);
    });
  }
  for (const own of ancestry()) pids.delete(own);
  return [...pids].sort((a, b) => a - b);
}

/** Processes inside the testbed's cgroups, plus any whose command line names its daemons' files. */
export function findTestbedPids(): number[] {
  const pids = new Set<number>();
  for (const root of cgroupSubtrees()) {
    walkDirs(root, (d) => {
      for (const p of readPids(join(d, 'cgroup.procs'))) pids.add(p);
    });
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = cmdlineOf(Number(entry));
    if (cmd !== undefined && OWN_DAEMON_PATTERNS.some((p) => `${cmd} `.includes(p))) pids.add(Number(entry));
  }
  for (const own of ancestry()) pids.delete(own);
  return [...pids].sort((a, b) => a - b);
}

/** This process and its parents: never targets of clean-up. */
function ancestry(): number[] {
  const out: number[] = [];
  let pid = process.pid;
  while (pid > 1 && out.length < 64) {
    out.push(pid);
    const m = /^\d+ \(.*\) \S (\d+)/.exec(readFileSafe(`/proc/${pid}/stat`) ?? '');
    if (!m) break;
    pid = Number(m[1]);
  }
  return out;
}

function readFileSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function cmdlineOf(pid: number): string | undefined {
  const raw = readFileSafe(`/proc/${pid}/cmdline`);
  return raw === undefined ? undefined : raw.split('\0').join(' ').trim();
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is gone for our purposes: only its parent can reap it.
  return !/^\d+ \(.*\) Z/.test(readFileSafe(`/proc/${pid}/stat`) ?? '');
}

/** True when pid is alive and still the process we started (pids get reused). */
export function isOurProcess(pid: number, marker: string): boolean {
  return isAlive(pid) && (cmdlineOf(pid) ?? '').includes(marker);
}

export function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(25);
    left = left.filter(isAlive);
  }
  return left;
}

/** Removes the testbed's (now empty) cgroups, deepest first. */
export function removeCgroups(): string[] {
  const failed: string[] = [];
  for (const root of cgroupSubtrees()) {
    walkDirs(root, (d) => {
      try {
        rmdirSync(d);
      } catch {
        failed.push(d);
      }
    });
  }
  return failed;
}

export interface SpawnSpec {
  argv: readonly string[];
  /** Network namespace name (under /run/netns) to run in; the root namespace when absent. */
  netns?: string;
  /** Gives the process its own UTS namespace with this hostname (so `hostname` says h1). */
  hostname?: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a long-running daemon detached from this process, inside the testbed's cgroup, and
 * returns its pid. The wrapper joins the cgroup before exec'ing, so nothing the daemon forks
 * can escape it; `nsenter --net` (not `ip netns exec`, which remounts /sys and breaks
 * dockerd's cgroup detection) execs without forking, so the pid is the daemon's own.
 */
export function spawnDaemon(spec: SpawnSpec): number {
  const cgroupDir = daemonCgroupDir();
  let procsFile = '/dev/null';
  if (cgroupDir) {
    try {
      mkdirSync(cgroupDir, { recursive: true });
      procsFile = join(cgroupDir, 'cgroup.procs');
    } catch {
      // No writable cgroup hierarchy: clean-up falls back to command-line matching.
    }
  }
  const inner = [...(spec.netns ? ['nsenter', `--net=/run/netns/${spec.netns}`] : []), ...spec.argv];
  const argv = spec.hostname
    ? [
        'unshare',
        '--uts',
        'sh',
        '-c',
        'hostname "$1" && echo $$ > "$2" && shift 2 && exec "$@"',
        'sh',
        spec.hostname,
        procsFile,
        ...inner,
      ]
    : ['sh', '-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', procsFile, ...inner];
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: spec.env ?? process.env,
    });
    if (child.pid === undefined) throw new TestbedError(`cannot start ${spec.argv[0]}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * An exclusive lock for `up` and `down` (two test runs starting at once must not build and
 * tear down the same bridge). A lock left by a dead process is taken over.
 */
export async function withLock<T>(fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(LOCK_FILE, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSafe(LOCK_FILE));
      if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
        try {
          unlinkSync(LOCK_FILE);
        } catch {
          // someone else took it over first
        }
        continue;
      }
      if (Date.now() > deadline)
        throw new TestbedError(`the testbed is locked by process ${holder}`, `wait for it, or stop it`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(LOCK_FILE);
    } catch {
      // already removed
    }
  }
}
