// One daemon per state directory: `<stateDir>/daemon.lock` is created exclusively (a hard
// link of a fully written temp file, which fails if the name exists, exactly like O_EXCL but
// never visible half-written; O_EXCL itself where the filesystem has no hard links). It holds
// the daemon's pid, hostname, start time and API address, so a second daemon refuses to start
// naming the holder, and the CLI finds the running daemon's API.
// Shell code (files, processes). Invariants: the lock file is only ever removed by its owner
// (same token) or by a taker-over that proved, under the takeover guard, that it is the very
// stale file it judged dead; a lock from another host is never judged stale (its pid means
// nothing here).
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { nodeCrypto } from '../state-dir/lazy-crypto.js';
import { createFileExclusive, ensurePrivateDir, writeFileAtomic } from '../state-dir/private-files.js';
import { type DaemonLockHolder, StateDirLockError, StateDirLockedError } from './errors.js';

export const DAEMON_LOCK_FILE = 'daemon.lock';
/** A takeover guard older than this was left by a crashed starter and may be removed. */
export const TAKEOVER_GUARD_STALE_MS = 30_000;

/** What a running daemon publishes about itself. */
export type DaemonInfo = DaemonLockHolder;

/** The lock file's full content: DaemonInfo plus what proves identity and liveness. */
interface LockContent extends DaemonInfo {
  /** Random per acquisition: release and takeover touch only the file they know. */
  token: string;
  /** Linux: /proc/sys/kernel/random/boot_id; a lock from before a reboot is stale. */
  bootId?: string;
  /** Linux: the holder's start time in clock ticks since boot; a different process with the
   *  same (reused) pid is not the holder. */
  procStartTicks?: number;
}

/** `unknown`: held from another host, whose processes cannot be checked from here. */
export type LockLiveness = 'alive' | 'dead' | 'unknown';

export interface AcquireStateDirLockOptions {
  stateDir: string;
  /** The daemon's API address, if already known (else see StateDirLock.setApiAddress). */
  apiAddress?: string;
  /** Start time recorded in the lock; defaults to the wall clock. */
  now?: number;
  /** Told when a stale lock is taken over. */
  onWarning?: (message: string) => void;
  /** Remove the lock when the process exits normally (default true). Signals must be turned
   *  into an orderly exit by the daemon for this to run; a SIGKILL leaves a stale lock, which
   *  the next daemon takes over. */
  releaseOnExit?: boolean;
}

function readProcText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function currentBootId(): string | undefined {
  return readProcText('/proc/sys/kernel/random/boot_id')?.trim();
}

/** Field 22 of /proc/<pid>/stat (starttime). The command name (field 2) may hold spaces and
 *  parentheses, so fields are counted after its last ')'. */
function procStartTicks(pid: number): number | undefined {
  const stat = readProcText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function judgeLiveness(content: LockContent): LockLiveness {
  if (content.hostname !== osHostname()) return 'unknown';
  if (content.bootId !== undefined) {
    const boot = currentBootId();
    if (boot !== undefined && boot !== content.bootId) return 'dead';
  }
  if (!pidExists(content.pid)) return 'dead';
  if (content.procStartTicks !== undefined) {
    const ticks = procStartTicks(content.pid);
    if (ticks !== undefined && ticks !== content.procStartTicks) return 'dead';
  }
  return 'alive';
}

function parseLock(text: string): LockContent | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (
      typeof v.pid !== 'number' ||
      typeof v.hostname !== 'string' ||
      typeof v.startedAt !== 'number' ||
      typeof v.token !== 'string'
    ) {
      return undefined;
    }
    return v as LockContent;
  } catch {
    return undefined;
  }
}

type ReadLock = { kind: 'absent' } | { kind: 'garbage' } | { kind: 'lock'; content: LockContent };

function readLock(lockPath: string): ReadLock {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw new StateDirLockError(`cannot read ${lockPath}: ${(err as Error).message}`, lockPath, {
      cause: err,
    });
  }
  const content = parseLock(text);
  return content === undefined ? { kind: 'garbage' } : { kind: 'lock', content };
}

function publicInfo(c: LockContent): DaemonInfo {
  const info: DaemonInfo = { pid: c.pid, hostname: c.hostname, startedAt: c.startedAt };
  if (c.apiAddress !== undefined) info.apiAddress = c.apiAddress;
  return info;
}

/** Creates `path` with `text` only if it does not exist; false if it does. */
function createExclusive(path: string, text: string): boolean {
  const temp = `${path}.${process.pid}.${nodeCrypto().randomUUID()}.tmp`;
  if (!createFileExclusive(temp, text)) throw new StateDirLockError(`${temp} exists`, path);
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // No hard links on this filesystem: plain O_EXCL.
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return true;
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}

function unlinkIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** What is in a state directory's lock and whether its holder still runs. */
export function inspectStateDirLock(
  stateDir: string,
): { info: DaemonInfo; liveness: LockLiveness } | undefined {
  const read = readLock(join(stateDir, DAEMON_LOCK_FILE));
  if (read.kind !== 'lock') return undefined;
  return { info: publicInfo(read.content), liveness: judgeLiveness(read.content) };
}

/** The running daemon of this state directory (for the CLI to talk to), or undefined when no
 *  live daemon on this host holds it. */
export function readDaemonInfo(stateDir: string): DaemonInfo | undefined {
  const found = inspectStateDirLock(stateDir);
  return found?.liveness === 'alive' ? found.info : undefined;
}

/** Takes the state directory for this process, or throws StateDirLockedError naming the live
 *  holder. A stale lock (holder dead, same host) is taken over with a warning. */
export function acquireStateDirLock(opts: AcquireStateDirLockOptions): StateDirLock {
  ensurePrivateDir(opts.stateDir);
  const lockPath = join(opts.stateDir, DAEMON_LOCK_FILE);
  const content: LockContent = {
    pid: process.pid,
    hostname: osHostname(),
    startedAt: opts.now ?? Date.now(),
    token: nodeCrypto().randomUUID(),
  };
  if (opts.apiAddress !== undefined) content.apiAddress = opts.apiAddress;
  const bootId = currentBootId();
  if (bootId !== undefined) content.bootId = bootId;
  const ticks = procStartTicks(process.pid);
  if (ticks !== undefined) content.procStartTicks = ticks;
  const text = JSON.stringify(content);

  // A few rounds: each lost race re-reads what won it.
  for (let round = 0; round < 5; round++) {
    if (createExclusive(lockPath, text))
      return new StateDirLock(lockPath, content, opts.releaseOnExit ?? true);
    const read = readLock(lockPath);
    if (read.kind === 'absent') continue;
    if (read.kind === 'garbage') {
      throw new StateDirLockError(`${lockPath} exists but is not a skiff daemon lock`, lockPath, {
        hint: `if no skiff daemon runs on this state directory, delete ${lockPath}`,
      });
    }
    const liveness = judgeLiveness(read.content);
    if (liveness !== 'dead') {
      throw new StateDirLockedError(lockPath, publicInfo(read.content), liveness === 'alive');
    }
    if (takeOver(lockPath, read.content, text)) {
      opts.onWarning?.(
        `took over a stale lock of ${lockPath}: skiff daemon pid ${read.content.pid} ` +
          `(started ${new Date(read.content.startedAt).toISOString()}) no longer runs`,
      );
      return new StateDirLock(lockPath, content, opts.releaseOnExit ?? true);
    }
  }
  throw new StateDirLockError(`could not take ${lockPath}: other daemons keep starting on it`, lockPath, {
    hint: 'start one daemon per state directory',
  });
}

/** Replaces the stale lock by ours, under a guard that makes concurrent takers-over take turns;
 *  false if the guard is busy or the lock changed since it was judged stale. */
function takeOver(lockPath: string, stale: LockContent, ours: string): boolean {
  const guard = `${lockPath}.takeover`;
  if (!createExclusive(guard, JSON.stringify({ pid: process.pid }))) {
    let age = 0;
    try {
      age = Date.now() - statSync(guard).mtimeMs;
    } catch {
      return false; // released meanwhile: the next round retries
    }
    if (age < TAKEOVER_GUARD_STALE_MS) {
      throw new StateDirLockError(`another skiff daemon is taking over ${lockPath} right now`, lockPath, {
        hint: 'start one daemon per state directory',
      });
    }
    unlinkIfExists(guard);
    return false;
  }
  try {
    const again = readLock(lockPath);
    if (again.kind === 'lock' && again.content.token !== stale.token) return false;
    if (again.kind === 'lock') unlinkSync(lockPath);
    return createExclusive(lockPath, ours);
  } finally {
    unlinkIfExists(guard);
  }
}

/** This process's hold on a state directory. */
export class StateDirLock {
  private released = false;
  // An exit handler must not throw: a lock we cannot read any more is not ours to remove.
  private readonly onExit = () => {
    try {
      this.release();
    } catch {
      // left for the next daemon's stale-lock takeover
    }
  };

  constructor(
    readonly path: string,
    private content: LockContent,
    releaseOnExit: boolean,
  ) {
    if (releaseOnExit) process.on('exit', this.onExit);
  }

  get info(): DaemonInfo {
    return publicInfo(this.content);
  }

  /** Publishes the API address once the daemon listens (atomic rewrite of our own lock). */
  setApiAddress(apiAddress: string): void {
    this.assertHeld();
    const next: LockContent = { ...this.content, apiAddress };
    writeFileAtomic(this.path, JSON.stringify(next));
    this.content = next;
  }

  /** True while the lock file on disk is still ours. */
  isHeld(): boolean {
    if (this.released) return false;
    const read = readLock(this.path);
    return read.kind === 'lock' && read.content.token === this.content.token;
  }

  /** Removes the lock if it is still ours; idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    const read = readLock(this.path);
    if (read.kind === 'lock' && read.content.token === this.content.token) unlinkIfExists(this.path);
  }

  private assertHeld(): void {
    if (!this.isHeld()) {
      throw new StateDirLockError(`${this.path} is no longer held by this daemon`, this.path, {
        hint: 'another process removed or replaced the lock; restart the daemon',
      });
    }
  }
}
