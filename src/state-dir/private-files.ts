// The state directory's files, written safely: the directory holds the git cache (every Secret
// manifest), the history and the daemon's lock, so it is private to its owner (0700, like
// ~/.ssh) and every file skiff writes there is created atomically without following links.
// Shell (filesystem). Invariants: skiff never runs on a state directory another user owns or
// can write (a planted symlink there could redirect a write anywhere we can write); a file is
// written through a fresh temp name (O_CREAT|O_EXCL|O_NOFOLLOW in the same folder), fsynced,
// then renamed over the target, so a reader sees the old or the new content, never half.
import {
  chmodSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { SkiffError } from '../model/errors.js';
import { nodeCrypto } from './lazy-crypto.js';

export class StateDirError extends SkiffError {
  constructor(message: string, dir: string, opts: { cause?: unknown; hint?: string } = {}) {
    super('state.dir', message, { subject: `state-dir/${dir}`, ...opts, retryable: false });
  }
}

const PRIVATE_DIR_MODE = 0o700;

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Creates `dir` (and missing parents of it under it) 0700, or checks the existing one: a
 *  directory, owned by this user, writable by no one else. A directory skiff created before it
 *  was private (0755) is made private again. Throws StateDirError with a hint. */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new StateDirError(`state directory ${dir} is not a directory`, dir, {
        cause: err,
        hint: 'point daemon.stateDir (or --state-dir) at a directory, or remove the file in the way',
      });
    if (code === 'ENAMETOOLONG')
      throw new StateDirError(`cannot create state directory ${dir}: path too long`, dir, {
        cause: err,
        hint: 'use a shorter path for daemon.stateDir',
      });
    throw new StateDirError(`cannot create state directory ${dir}: ${code ?? (err as Error).message}`, dir, {
      cause: err,
      hint: 'check the path and the permissions of its parent directory',
    });
  }
  checkPrivateDir(dir);
}

function checkPrivateDir(dir: string): void {
  const st = statSync(dir);
  if (!st.isDirectory())
    throw new StateDirError(`state directory ${dir} is not a directory`, dir, {
      hint: 'point daemon.stateDir at a directory',
    });
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new StateDirError(
      `state directory ${dir} is owned by uid ${st.uid}, not by this user (uid ${uid})`,
      dir,
      {
        hint: `run skiff as its owner, or use a state directory of your own`,
      },
    );
  if ((st.mode & 0o022) !== 0)
    throw new StateDirError(
      `state directory ${dir} is writable by others (mode ${(st.mode & 0o777).toString(8)})`,
      dir,
      { hint: `chmod 700 ${dir}` },
    );
  if ((st.mode & 0o077) !== 0) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes `content` to `path` atomically: a fresh temp file beside it, created exclusively and
 *  without following a link, fsynced, then renamed over `path` (a link at `path` is replaced,
 *  never followed). */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode = 0o600): void {
  const temp = join(dirname(path), `.${nodeCrypto().randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    try {
      const data = typeof content === 'string' ? Buffer.from(content) : content;
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // already renamed or gone
    }
    throw err;
  }
}

/** Creates `path` with `content` only if nothing (not even a dangling link) is there; false if
 *  something is. Never follows a link. */
export function createFileExclusive(path: string, content: string, mode = 0o600): boolean {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}
