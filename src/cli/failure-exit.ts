// The one place that decides how a failure ends the CLI: wrong usage exits 2; an operational
// failure (a typed SkiffError, or what the environment refused: a port in use, a path too
// long, a git object isomorphic-git rejects) exits 1 with one line and a hint; only what none of
// those explains is a bug (exit 70, with the stack for the report). Shell.
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { terminalText } from '../diff/terminal-text.js';
import { SkiffError, UsageError } from '../model/errors.js';
import { renderBug, renderError } from './views/errors.js';

export const EXIT = { ok: 0, finding: 1, usage: 2, bug: 70 } as const;

export interface FailureExit {
  code: number;
  /** What to print on stderr ('' when the failure already printed itself). */
  text: string;
}

/** What an operating system error (errno code) means for the user, and what to do. */
const SYSTEM_ERRORS: Record<string, { what: string; hint: string }> = {
  EADDRINUSE: {
    what: 'address already in use',
    hint: 'stop what listens there, or choose another --listen port',
  },
  EADDRNOTAVAIL: {
    what: 'address not available on this machine',
    hint: 'listen on an address of this machine (127.0.0.1, 0.0.0.0)',
  },
  EACCES: { what: 'permission denied', hint: 'check the permissions (ports below 1024 need privileges)' },
  EPERM: { what: 'operation not permitted', hint: 'check the permissions and the owner' },
  ENOENT: { what: 'no such file or directory', hint: 'check the path' },
  ENOTDIR: { what: 'a part of the path is not a directory', hint: 'check the path' },
  EISDIR: { what: 'is a directory, a file was expected', hint: 'check the path' },
  EEXIST: { what: 'already exists', hint: 'remove it or choose another path' },
  ENAMETOOLONG: { what: 'path too long', hint: 'use a shorter path' },
  ELOOP: { what: 'too many levels of symbolic links', hint: 'check the symbolic links in the path' },
  ENOSPC: { what: 'no space left on device', hint: 'free some disk space' },
  EDQUOT: { what: 'disk quota exceeded', hint: 'free some disk space' },
  EROFS: { what: 'read-only file system', hint: 'choose a writable location' },
  EMFILE: { what: 'too many open files', hint: 'raise the limit (ulimit -n) and retry' },
  ENFILE: { what: 'too many open files in the system', hint: 'retry later' },
  ENOTFOUND: { what: 'host name not found', hint: 'check the host name and DNS' },
  ECONNREFUSED: { what: 'connection refused', hint: 'check that the server runs and the port' },
  ETIMEDOUT: { what: 'timed out', hint: 'check the network and retry' },
  ERR_SOCKET_BAD_PORT: { what: 'invalid port', hint: 'a port is a number from 0 to 65535' },
};

/** One escaped `error:` line and one `hint:` line: a path or server text cannot forge lines. */
function withHint(message: string, hint: string | undefined): string {
  return `error: ${terminalText(message)}\n${hint ? `hint: ${terminalText(hint)}\n` : ''}`;
}

function systemFailure(err: NodeJS.ErrnoException): FailureExit | undefined {
  const known = typeof err.code === 'string' ? SYSTEM_ERRORS[err.code] : undefined;
  if (!known) return undefined;
  const where = [err.syscall, err.path ?? (err as { address?: string }).address].filter(Boolean).join(' ');
  const port = (err as { port?: number }).port;
  const subject = port === undefined ? where : `${where}:${port}`;
  return { code: EXIT.finding, text: withHint(`${subject ? `${subject}: ` : ''}${known.what}`, known.hint) };
}

/** isomorphic-git's error codes (NotFoundError, UnsafeFilepathError...), read from the library
 *  only when an error has such a code: --version and --help do not load git. Only the names
 *  are compared, so its CommonJS build answers for the ESM one the commands use. */
function isGitLibraryError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string' || !/^[A-Z][A-Za-z]*Error$/.test(code) || code === 'InternalError')
    return false;
  const { Errors } = createRequire(import.meta.url)('isomorphic-git') as { Errors: object };
  return Object.hasOwn(Errors, code);
}

export function failureExit(err: unknown): FailureExit {
  if (err instanceof CommanderError) {
    // commander printed its message (and the help) already.
    const quiet = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return { code: quiet.includes(err.code) ? EXIT.ok : EXIT.usage, text: '' };
  }
  if (err instanceof UsageError) return { code: EXIT.usage, text: renderError(err) };
  if (err instanceof SkiffError) return { code: EXIT.finding, text: renderError(err) };
  if (isGitLibraryError(err))
    return {
      code: EXIT.finding,
      text: withHint(
        `git: ${err.message}`,
        'the repository holds something skiff cannot read (check its history and paths)',
      ),
    };
  const system = err instanceof Error ? systemFailure(err as NodeJS.ErrnoException) : undefined;
  if (system) return system;
  return { code: EXIT.bug, text: renderBug(err) };
}
