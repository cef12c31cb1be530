// The one mapping from a failure to the CLI's exit: usage 2, operational 1 with a hint, and
// "this is a bug" (70) only for what nothing explains.
import { Errors } from 'isomorphic-git';
import { describe, expect, it } from 'vitest';
import { failureExit } from '../../../src/cli/failure-exit.js';
import { SkiffError, UsageError } from '../../../src/model/errors.js';

function sysErr(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code}: raw`), { code, ...extra });
}

describe('failureExit', () => {
  it.each([
    ['a usage error', new UsageError('bad flag', 'try --help'), 2, 'error: bad flag\nhint: try --help\n'],
    [
      'a typed operational error',
      new SkiffError('x', 'host down', { hint: 'start it' }),
      1,
      'error: host down\nhint: start it\n',
    ],
    [
      'a port in use',
      sysErr('EADDRINUSE', { syscall: 'listen', address: '127.0.0.1', port: 80 }),
      1,
      'error: listen 127.0.0.1:80: address already in use\nhint: stop what listens there, or choose another --listen port\n',
    ],
    [
      'a path too long',
      sysErr('ENAMETOOLONG', { syscall: 'open', path: '/x' }),
      1,
      'error: open /x: path too long\nhint: use a shorter path\n',
    ],
    [
      'out of descriptors',
      sysErr('EMFILE', { syscall: 'spawn' }),
      1,
      'error: spawn: too many open files\nhint: raise the limit (ulimit -n) and retry\n',
    ],
    [
      'a git object isomorphic-git refuses',
      new Errors.UnsafeFilepathError('..'),
      1,
      'error: git: The filepath ".." contains unsafe character sequences\nhint: the repository holds something skiff cannot read (check its history and paths)\n',
    ],
  ])('%s exits %d with one line and a hint', (_what, err, code, text) => {
    expect(failureExit(err)).toEqual({ code, text });
  });

  it.each([
    ['a TypeError', new TypeError('x is undefined')],
    ['an unknown errno', sysErr('EWHATEVER')],
    ['a thrown string', 'oops'],
    ["isomorphic-git's InternalError", new Errors.InternalError('broken')],
  ])('%s is a bug (70)', (_what, err) => {
    const exit = failureExit(err);
    expect(exit.code).toBe(70);
    expect(exit.text).toMatch(/^skiff: this is a bug, please report it:\n/);
  });
});
