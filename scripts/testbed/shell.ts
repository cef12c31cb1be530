// Running system commands for the testbed (ip, iptables, nsenter, ssh-keygen, tar...), with
// failures turned into TestbedError values that carry the command and its stderr.

import { spawn } from 'node:child_process';
import { SkiffError } from '../../src/model/errors.js';

export class TestbedError extends SkiffError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('testbed', message, { hint, cause });
  }
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface RunOptions {
  /** Return the result instead of throwing when the command exits non-zero. */
  allowFailure?: boolean;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Runs a command to completion. Throws TestbedError on a non-zero exit unless allowFailure. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new TestbedError(`cannot run ${cmd}: ${e.message}`, 'is the package installed?', e));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code: code ?? (signal ? 128 : 1),
      };
      if (result.code !== 0 && !opts.allowFailure) {
        const what = [cmd, ...args].join(' ');
        reject(
          new TestbedError(
            `\`${what}\` failed (${signal ?? `exit ${result.code}`}): ${result.stderr.trim()}`,
          ),
        );
        return;
      }
      resolvePromise(result);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command and reports only whether it succeeded (for idempotent clean-up steps). */
export async function attempt(cmd: string, args: readonly string[]): Promise<boolean> {
  return (await run(cmd, args, { allowFailure: true })).code === 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WaitOptions {
  hint?: string;
  /** Returns a reason to stop waiting at once (e.g. the daemon died), or undefined. */
  gaveUp?: () => string | undefined;
}

/** Polls `check` until it returns true; throws when the deadline passes or gaveUp says so. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  opts: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 20;
  for (;;) {
    if (await check().catch(() => false)) return;
    const reason = opts.gaveUp?.();
    if (reason !== undefined) throw new TestbedError(`${reason} while waiting for ${what}`, opts.hint);
    if (Date.now() > deadline)
      throw new TestbedError(`timed out after ${timeoutMs} ms waiting for ${what}`, opts.hint);
    await sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
}
