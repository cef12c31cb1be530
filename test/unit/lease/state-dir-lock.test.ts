import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateDirLockError, StateDirLockedError } from '../../../src/lease/errors.js';
import {
  acquireStateDirLock,
  DAEMON_LOCK_FILE,
  inspectStateDirLock,
  readDaemonInfo,
  type StateDirLock,
} from '../../../src/lease/state-dir-lock.js';
import { tempStateDir } from '../history/temp-state-dir.js';

const T0 = 1_700_000_000_000;
const locks: StateDirLock[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function acquire(stateDir: string, extra: { apiAddress?: string; onWarning?: (m: string) => void } = {}) {
  const lock = acquireStateDirLock({ stateDir, now: T0, releaseOnExit: false, ...extra });
  locks.push(lock);
  return lock;
}

/** The pid of a process that has already exited (a short-lived child, waited for). */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

function writeLock(stateDir: string, content: Record<string, unknown>): void {
  writeFileSync(join(stateDir, DAEMON_LOCK_FILE), JSON.stringify(content));
}

describe('state directory lock', () => {
  it('creates daemon.lock with pid, hostname, start time and API address, and the CLI can read it', () => {
    const stateDir = tempStateDir();
    const lock = acquire(stateDir, { apiAddress: '127.0.0.1:7420' });
    const expected = { pid: process.pid, hostname: hostname(), startedAt: T0, apiAddress: '127.0.0.1:7420' };
    expect(lock.info).toEqual(expected);
    expect(readDaemonInfo(stateDir)).toEqual(expected);
    expect(inspectStateDirLock(stateDir)).toEqual({ info: expected, liveness: 'alive' });
    expect(JSON.parse(readFileSync(join(stateDir, DAEMON_LOCK_FILE), 'utf8'))).toMatchObject(expected);
  });

  it('publishes the API address once known', () => {
    const stateDir = tempStateDir();
    const lock = acquire(stateDir);
    expect(readDaemonInfo(stateDir)?.apiAddress).toBeUndefined();
    lock.setApiAddress('127.0.0.1:40123');
    expect(readDaemonInfo(stateDir)?.apiAddress).toBe('127.0.0.1:40123');
    expect(lock.isHeld()).toBe(true);
  });

  it('refuses a second daemon with a typed error naming the holder pid', () => {
    const stateDir = tempStateDir();
    acquire(stateDir);
    let error: unknown;
    try {
      acquire(stateDir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDirLockedError);
    const locked = error as StateDirLockedError;
    expect(locked.code).toBe('state.locked');
    expect(locked.holder.pid).toBe(process.pid);
    expect(locked.message).toContain(`pid ${process.pid}`);
    expect(locked.hint).toContain(`kill ${process.pid}`);
    expect(locked.retryable).toBe(false);
  });

  it('refuses while another live process holds it, and takes it over once that process is gone', async () => {
    const stateDir = tempStateDir();
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(holder);
    const pid = holder.pid as number;
    writeLock(stateDir, { pid, hostname: hostname(), startedAt: T0 - 1000, token: 'other' });
    expect(readDaemonInfo(stateDir)?.pid).toBe(pid);
    expect(() => acquire(stateDir)).toThrow(StateDirLockedError);

    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    expect(readDaemonInfo(stateDir)).toBeUndefined();
    expect(inspectStateDirLock(stateDir)?.liveness).toBe('dead');
    const warnings: string[] = [];
    const lock = acquire(stateDir, { onWarning: (m) => warnings.push(m) });
    expect(lock.info.pid).toBe(process.pid);
    expect(warnings).toEqual([expect.stringContaining(`pid ${pid}`)]);
  });

  it('takes over the lock of a dead pid on this host, with a warning', () => {
    const stateDir = tempStateDir();
    const pid = deadPid();
    writeLock(stateDir, { pid, hostname: hostname(), startedAt: T0 - 1000, token: 'stale' });
    const warnings: string[] = [];
    const lock = acquire(stateDir, { onWarning: (m) => warnings.push(m) });
    expect(lock.isHeld()).toBe(true);
    expect(readDaemonInfo(stateDir)?.pid).toBe(process.pid);
    expect(warnings[0]).toMatch(new RegExp(`stale lock .* pid ${pid} .*no longer runs`));
  });

  it('judges a reused pid (same pid, other process start time) stale', () => {
    const stateDir = tempStateDir();
    // Our own pid, but recorded with a start time that is not ours: another process, long gone.
    writeLock(stateDir, {
      pid: process.pid,
      hostname: hostname(),
      startedAt: T0,
      token: 'old',
      procStartTicks: 1,
    });
    expect(inspectStateDirLock(stateDir)?.liveness).toBe(existsSync('/proc/self/stat') ? 'dead' : 'alive');
  });

  it('judges a lock from before a reboot stale', () => {
    const stateDir = tempStateDir();
    writeLock(stateDir, {
      pid: process.pid,
      hostname: hostname(),
      startedAt: T0,
      token: 'old',
      bootId: 'another-boot',
    });
    expect(inspectStateDirLock(stateDir)?.liveness).toBe(
      existsSync('/proc/sys/kernel/random/boot_id') ? 'dead' : 'alive',
    );
  });

  it('never takes over a lock from another host: its pid means nothing here', () => {
    const stateDir = tempStateDir();
    writeLock(stateDir, { pid: deadPid(), hostname: 'some-other-machine', startedAt: T0, token: 'remote' });
    expect(inspectStateDirLock(stateDir)?.liveness).toBe('unknown');
    expect(readDaemonInfo(stateDir)).toBeUndefined();
    expect(() => acquire(stateDir)).toThrow(/on some-other-machine/);
  });

  it('refuses a lock file it cannot understand, saying how to clear it', () => {
    const stateDir = tempStateDir();
    writeFileSync(join(stateDir, DAEMON_LOCK_FILE), 'not json');
    expect(() => acquire(stateDir)).toThrow(StateDirLockError);
    expect(inspectStateDirLock(stateDir)).toBeUndefined();
  });

  it('refuses while another starter holds the takeover guard', () => {
    const stateDir = tempStateDir();
    writeLock(stateDir, { pid: deadPid(), hostname: hostname(), startedAt: T0, token: 'stale' });
    writeFileSync(join(stateDir, `${DAEMON_LOCK_FILE}.takeover`), '{}');
    expect(() => acquire(stateDir)).toThrow(/taking over/);
  });

  it('releases on request, idempotently, and another daemon can then start', () => {
    const stateDir = tempStateDir();
    const lock = acquire(stateDir);
    lock.release();
    lock.release();
    expect(lock.isHeld()).toBe(false);
    expect(existsSync(join(stateDir, DAEMON_LOCK_FILE))).toBe(false);
    expect(readDaemonInfo(stateDir)).toBeUndefined();
    expect(acquire(stateDir).isHeld()).toBe(true);
  });

  it('does not remove a lock that is no longer its own', () => {
    const stateDir = tempStateDir();
    const lock = acquire(stateDir);
    writeLock(stateDir, { pid: process.pid, hostname: hostname(), startedAt: T0, token: 'someone-else' });
    expect(lock.isHeld()).toBe(false);
    expect(() => lock.setApiAddress('127.0.0.1:1')).toThrow(StateDirLockError);
    lock.release();
    expect(existsSync(join(stateDir, DAEMON_LOCK_FILE))).toBe(true);
  });

  it('is released when the holding process exits normally', () => {
    const stateDir = tempStateDir();
    const lockFile = join(stateDir, DAEMON_LOCK_FILE);
    const script = [
      "import { existsSync } from 'node:fs';",
      `import { acquireStateDirLock } from ${JSON.stringify(join(process.cwd(), 'src/lease/state-dir-lock.ts'))};`,
      `acquireStateDirLock({ stateDir: ${JSON.stringify(stateDir)} });`,
      `process.stdout.write(existsSync(${JSON.stringify(lockFile)}) ? 'held' : 'missing');`,
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('held');
    expect(existsSync(lockFile)).toBe(false);
  });
});
