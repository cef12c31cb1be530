// One long-lived `sh` on a host that runs short read-only scripts one after another (the
// metrics sweep's cgroup read). Shell. Why: opening an SSH exec channel costs a session
// process and the login shell's start-up on the host per command (measured 140-650 ms on the
// testbed, whose root ~/.bashrc runs pyenv); a script written to a shell that is already
// running answers in about a millisecond.
// Invariants: one script at a time, in call order; each answer ends at a marker line carrying a
// random nonce and the script's exit status, so script output cannot fake the end; a script
// reads /dev/null, never the command stream; a timeout, a closed stream or a broken frame
// kills the shell and fails the calls waiting on it, and the next call starts a new one.
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { RuntimeError } from './errors.js';
import type { ExecResult } from './runtime.js';

/** A started shell process: its stdin and stdout (stderr is folded into stdout per script). */
export interface ShellProcess {
  input: Writable;
  output: Readable;
  /** Ends the process (or its channel); its output then ends. */
  kill(): void;
}

interface Pending {
  marker: string;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

export class HostShell {
  private proc: ShellProcess | undefined;
  private buffer = '';
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** Starts `sh` on the host (an SSH exec channel, or a local child process). */
    private readonly start: () => Promise<ShellProcess>,
    /** For messages: `host/h1`. */
    private readonly subject: string,
  ) {}

  /** Runs `script` in the shell and returns its output (stdout and stderr together). */
  run(script: string, timeoutMs: number): Promise<ExecResult> {
    const next = this.queue.then(() => this.runNow(script, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the shell (the runtime is closing or the connection dropped). */
  close(): void {
    this.drop(new RuntimeError('runtime.closed', `the shell on ${this.subject} was closed`));
  }

  private async runNow(script: string, timeoutMs: number): Promise<ExecResult> {
    const proc = await this.ensure();
    const marker = `__skiff_done_${randomBytes(12).toString('hex')}`;
    return await new Promise<ExecResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(
          new RuntimeError('runtime.timeout', `script on ${this.subject} timed out after ${timeoutMs} ms`, {
            subject: this.subject,
            retryable: true,
          }),
        );
      }, timeoutMs);
      this.pending = {
        marker,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      // A subshell: an `exit` or `cd` in the script ends or moves only it. The marker starts
      // on a line of its own whatever the script printed last.
      proc.input.write(`( ${script}\n) </dev/null 2>&1; printf '\\n%s %s\\n' ${marker} "$?"\n`);
      this.consume();
    });
  }

  private async ensure(): Promise<ShellProcess> {
    if (this.proc) return this.proc;
    const proc = await this.start();
    this.proc = proc;
    this.buffer = '';
    proc.output.setEncoding('utf8');
    proc.output.on('data', (d: string) => {
      if (this.proc !== proc) return;
      this.buffer += d;
      this.consume();
    });
    const ended = () => {
      if (this.proc === proc)
        this.drop(
          new RuntimeError('runtime.docker', `the shell on ${this.subject} ended`, {
            subject: this.subject,
            retryable: true,
          }),
        );
    };
    proc.output.on('end', ended);
    proc.output.on('close', ended);
    proc.output.on('error', ended);
    proc.input.on('error', ended);
    return proc;
  }

  /** Hands the pending script its answer once the marker line is in. */
  private consume(): void {
    const p = this.pending;
    if (!p) return;
    const at = this.buffer.indexOf(`${p.marker} `);
    if (at < 0) return;
    const eol = this.buffer.indexOf('\n', at);
    if (eol < 0) return;
    const status = Number(this.buffer.slice(at + p.marker.length + 1, eol));
    // The printf's leading newline is ours, not the script's.
    const stdout = this.buffer.slice(0, Math.max(0, at - 1));
    this.buffer = this.buffer.slice(eol + 1);
    this.pending = undefined;
    p.resolve({ exitCode: Number.isInteger(status) ? status : 255, stdout, stderr: '' });
  }

  private drop(err: Error): void {
    const proc = this.proc;
    this.proc = undefined;
    this.buffer = '';
    const p = this.pending;
    this.pending = undefined;
    try {
      proc?.kill();
    } catch {
      // Already gone with its connection: nothing left to end.
    }
    p?.reject(err);
  }
}
