// Runs the testbed images' shell scripts with the machine's busybox-static, as they run in the
// images: a PATH of busybox applets, the scripts' shebang pointing at busybox (whose sh runs its
// own applets before any PATH lookup, as in the images), only local temp folders and loopback
// ports.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const BUSYBOX = '/bin/busybox';
export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const IMAGE_FILES = path.join(ROOT, 'scripts/testbed/image-files');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class Sandbox {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'skiff-busybox-'));
  readonly bin = path.join(this.dir, 'bin');
  readonly env: Record<string, string>;

  constructor() {
    // Never a silent skip: scripts/install-deps.sh installs busybox-static (the testbed needs it).
    if (!existsSync(BUSYBOX))
      throw new Error(`${BUSYBOX} is missing: install busybox-static (scripts/install-deps.sh)`);
    const applets = path.join(this.dir, 'applets');
    mkdirSync(applets);
    mkdirSync(this.bin);
    execFileSync(BUSYBOX, ['--install', '-s', applets]);
    this.env = { PATH: `${this.bin}:${applets}`, HOME: this.dir };
  }

  /** Writes a script into the sandbox's bin, its shebang made busybox's. */
  install(name: string, script: string): string {
    const file = path.join(this.bin, name);
    writeFileSync(file, script.replace(/^#!.*\n/, `#!${BUSYBOX} sh\n`));
    chmodSync(file, 0o755);
    return file;
  }

  /** Runs a command to completion with `env` over the sandbox's, `input` on stdin. */
  run(command: string[], env: Record<string, string> = {}, input = '', timeoutMs = 15_000): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(command, env);
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.stdout?.on('data', (d) => {
        stdout += d;
      });
      child.stderr?.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      // A command that exits before reading its input (a refusal at start) closes the pipe.
      child.stdin?.on('error', () => {});
      child.stdin?.end(input);
    });
  }

  spawn(command: string[], env: Record<string, string> = {}): ChildProcess {
    const [file, ...args] = command;
    return spawn(file as string, args, { cwd: this.dir, env: { ...this.env, ...env } });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A loopback port free at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Polls `check` every 50 ms until it is true, or fails after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
