// Typed operational failures of the single-actor guarantees (state-dir lock, host lease).
// Each carries a stable code, a hint, and whether retrying can help (see model/errors.ts).
import { SkiffError } from '../model/errors.js';

/** Who holds a state directory's lock, as written in `<stateDir>/daemon.lock`. */
export interface DaemonLockHolder {
  pid: number;
  hostname: string;
  startedAt: number;
  apiAddress?: string;
}

/** A second daemon tried to start on a state directory a live daemon already holds. */
export class StateDirLockedError extends SkiffError {
  readonly holder: DaemonLockHolder;
  readonly lockPath: string;

  constructor(lockPath: string, holder: DaemonLockHolder, sameHost: boolean) {
    const where = sameHost ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.hostname}`;
    super('state.locked', `state directory is in use by another skiff daemon (${where})`, {
      subject: `lock/${lockPath}`,
      hint: sameHost
        ? `stop that daemon first (kill ${holder.pid}), or use another --state-dir`
        : `the lock was taken on host ${holder.hostname}; if no daemon runs there any more, delete ${lockPath}`,
      retryable: false,
    });
    this.holder = holder;
    this.lockPath = lockPath;
  }
}

/** The lock file exists but cannot be read or parsed, or cannot be created. */
export class StateDirLockError extends SkiffError {
  constructor(message: string, lockPath: string, opts: { cause?: unknown; hint?: string } = {}) {
    super('state.lock-failed', message, {
      subject: `lock/${lockPath}`,
      cause: opts.cause,
      hint: opts.hint,
      retryable: false,
    });
  }
}
