// One long-lived `sh` on a host that runs short scripts one after another (the lease, the
// metrics sweep, Service rules, pod folders). Shell. Why: opening an SSH exec channel costs a
// session process and the login shell's start-up on the host per command (measured 140-650 ms
// on a quiet testbed and 1.9-2.5 s at load 10, whose root ~/.bashrc runs pyenv); a script
// written to a shell that is already running answers in about a millisecond.
// Invariants: one script at a time, in call order; each answer ends at marker lines carrying a
// random nonce (the script's exit status, then its stderr, kept apart from its stdout in a temp
// file the shell owns), so script output cannot fake the end; a script reads /dev/null or the
// here-document given as its stdin (ended by a nonce line), never the command stream; a
// timeout, a closed stream or a broken frame kills the shell and fails the calls waiting on it,
// and the next call starts a new one.
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { RuntimeError } from './errors.js';
import type { ExecResult } from './runtime.js';

/** A started shell process: its stdin and stdout (scripts' stderr comes back framed on stdout). */
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

  /** Runs `script` in the shell, `stdin` (text) as its standard input, and returns its exit
   *  status, stdout and stderr. */
  run(script: string, timeoutMs: number, stdin?: string): Promise<ExecResult> {
    const next = this.queue.then(() => this.runNow(script, timeoutMs, stdin));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the shell (the runtime is closing or the connection dropped). */
  close(): void {
    this.drop(new RuntimeError('runtime.closed', `the shell on ${this.subject} was closed`));
  }

  private async runNow(script: string, timeoutMs: number, stdin: string | undefined): Promise<ExecResult> {
    const proc = await this.ensure();
    const nonce = randomBytes(12).toString('hex');
    const marker = `__skiff_done_${nonce}`;
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
      proc.input.write(requestText(script, marker, stdin === undefined ? undefined : { nonce, text: stdin }));
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

  /** Hands the pending script its answer once both marker lines are in. */
  private consume(): void {
    const p = this.pending;
    if (!p) return;
    const at = this.buffer.indexOf(`${p.marker} `);
    if (at < 0) return;
    const eol = this.buffer.indexOf('\n', at);
    if (eol < 0) return;
    const end = this.buffer.indexOf(`\n${p.marker}\n`, eol);
    if (end < 0) return;
    const status = Number(this.buffer.slice(at + p.marker.length + 1, eol));
    // Each printf's leading newline is ours, not the script's.
    const stdout = this.buffer.slice(0, Math.max(0, at - 1));
    const stderr = this.buffer.slice(eol + 1, end);
    this.buffer = this.buffer.slice(end + p.marker.length + 2);
    this.pending = undefined;
    p.resolve({ exitCode: Number.isInteger(status) ? status : 255, stdout, stderr });
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

/** What the shell is sent for one script. A subshell: an `exit` or `cd` in the script ends or
 *  moves only it. Its stderr goes to the shell's own temp file (made once, removed when the
 *  shell exits; /dev/null if none can be made), printed between the status line and the closing
 *  marker. Each marker starts on a line of its own whatever the script printed last. */
export function requestText(script: string, marker: string, stdin?: { nonce: string; text: string }): string {
  const errFile =
    `[ -n "$__skiff_err" ] || { __skiff_err=$(mktemp 2>/dev/null) && trap 'rm -f "$__skiff_err"' EXIT; } ` +
    `|| __skiff_err=/dev/null`;
  const input = stdin ? `<<'__skiff_in_${stdin.nonce}'` : '</dev/null';
  const tail =
    `printf '\\n%s %s\\n' ${marker} "$?"; cat "$__skiff_err" 2>/dev/null; ` + `printf '\\n%s\\n' ${marker}`;
  const body = stdin
    ? `${stdin.text}${stdin.text.endsWith('\n') ? '' : '\n'}__skiff_in_${stdin.nonce}\n`
    : '';
  return `${errFile}\n( ${script}\n) 2>"$__skiff_err" ${input}; ${tail}\n${body}`;
}
