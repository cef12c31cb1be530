// How the runtime reaches one host: a Docker API client plus file writes, host commands and
// TCP connections. Two kinds: over the host's persistent SSH connection (normal), or locally
// (the `local` host: the local Docker socket, the local filesystem, no SSH). Shell.
// Invariant: everything for one SSH host goes over its single SshConnection.
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import type {
  ConnectionConfig,
  HostConfig,
  LocalHostConfig,
  SshHostConfig,
} from '../config/cluster-config.js';
import { SshDockerAgent } from './docker-agent.js';
import { RuntimeError } from './errors.js';
import { HostShell, type ShellProcess } from './host-shell.js';
import type { HostPathEntry } from './pod-spec.js';
import type { ExecResult } from './runtime.js';
import type { RuntimeObserver } from './runtime-observer.js';
import { shellQuote } from './shell-quote.js';
import { SshConnection } from './ssh-connection.js';

export interface HostTransport {
  readonly docker: Docker;
  /** True when calls can go out now without first (re)connecting. */
  connected(): boolean;
  /** Connect if needed; rejects with HostUnreachableError/HostKeyError. */
  ready(): Promise<void>;
  /** Create folders and files on the host (files with their exact mode). */
  writePaths(entries: readonly HostPathEntry[]): Promise<void>;
  /** Remove a folder and everything in it (no error if absent). */
  removeTree(path: string): Promise<void>;
  /** Run a short command on the host, `stdin` as its input. Over SSH it runs in the host's
   *  long-lived work shell (one at a time), not in a new channel. */
  exec(command: string, stdin: string | undefined, timeoutMs: number): Promise<ExecResult>;
  /** Run a short read-only script in the host's long-lived control shell (no new SSH channel or
   *  login shell per call; scripts run one at a time), apart from `exec`'s work. */
  runScript(script: string, timeoutMs: number): Promise<ExecResult>;
  connectTcp(ip: string, port: number): Promise<Duplex>;
  close(): void;
}

export { shellQuote };

function parentDir(p: string): string {
  return p.slice(0, p.lastIndexOf('/')) || '/';
}

/** Folders to create first, in order: a pod's `secrets` folder 0700 (other users of the host
 *  cannot reach a Secret's files, whose modes are Kubernetes' 0644 so that a container running
 *  as another user reads its own: inside the container the bind mount needs no traversal of
 *  the host's parents), then every file's parent 0755. */
function foldersOf(entries: readonly HostPathEntry[]): { path: string; mode: number }[] {
  const out = new Map<string, number>();
  for (const e of entries) {
    if (e.kind === 'dir') out.set(e.hostPath, e.mode);
    else {
      // podDirOf: <dataDir>/pods/<namespace>/<pod>; a Secret's files are under its secrets/.
      const root = e.secret ? /^(.*\/pods\/[^/]+\/[^/]+\/secrets)\//.exec(e.hostPath)?.[1] : undefined;
      if (root && !out.has(root)) out.set(root, 0o700);
      if (!out.has(parentDir(e.hostPath))) out.set(parentDir(e.hostPath), 0o755);
    }
  }
  return [...out].map(([path, mode]) => ({ path, mode }));
}

/** `chown :gid` commands for the entries with an owner (fsGroup). */
function ownershipScript(entries: readonly HostPathEntry[]): string {
  return entries
    .filter((e) => e.gid !== undefined)
    .map((e) => `chown :${e.gid} ${shellQuote(e.hostPath)}`)
    .join(' && ');
}

export class SshTransport implements HostTransport {
  readonly docker: Docker;
  readonly connection: SshConnection;
  private readonly agent: SshDockerAgent;
  /** The control shell: the lease and the metrics sweep, kept clear of slower work. */
  private readonly shell: HostShell;
  /** The work shell: Service rules, pod folders, host checks; everything `exec` runs. Opening an
   *  SSH exec channel per command cost 1.9-2.5 s on the testbed at load 10 (a login shell's
   *  start-up per channel); a command in this shell costs about a millisecond. */
  private readonly work: HostShell;

  constructor(host: SshHostConfig, opts: ConnectionConfig, observer?: RuntimeObserver) {
    this.connection = new SshConnection(host, opts, () => this.agent.dropAll(), observer);
    this.shell = new HostShell(() => this.connection.startShell(), `host/${host.name}`);
    this.work = new HostShell(() => this.connection.startShell(), `host/${host.name}`);
    this.agent = new SshDockerAgent(() => this.connection.streamLocal(host.dockerSocket));
    // The host name in the URL is never resolved: the agent opens an SSH channel instead.
    this.docker = new Docker({
      protocol: 'http',
      host: 'docker',
      port: 80,
      agent: this.agent,
    } as Docker.DockerOptions);
  }

  connected(): boolean {
    return this.connection.status.state === 'ready';
  }

  async ready(): Promise<void> {
    await this.connection.ready();
  }

  async writePaths(entries: readonly HostPathEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // One round trip for all folders (`mkdir -p` then exact modes), then SFTP for contents.
    const folders = foldersOf(entries);
    const script = folders
      .map((f) => `mkdir -p ${shellQuote(f.path)} && chmod ${f.mode.toString(8)} ${shellQuote(f.path)}`)
      .join(' && ');
    const r = await this.work.run(script, 30_000);
    if (r.exitCode !== 0)
      throw new RuntimeError('runtime.docker', `cannot create pod folders: ${r.stderr.trim()}`);
    const sftp = await this.connection.sftp();
    await Promise.all(
      entries.map(async (e) => {
        if (e.kind !== 'file') return;
        // Created with its final mode (0600 for secrets): never world-readable, not even briefly.
        await new Promise<void>((resolve, reject) =>
          sftp.writeFile(e.hostPath, Buffer.from(e.contentBase64, 'base64'), { mode: e.mode }, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
        // The SFTP server applies its umask on create; set the exact mode.
        await new Promise<void>((resolve, reject) =>
          sftp.chmod(e.hostPath, e.mode, (err) => (err ? reject(err) : resolve())),
        );
      }),
    );
    const chowns = ownershipScript(entries);
    if (chowns === '') return;
    // chown drops setgid on some systems: the modes are set again after it.
    const modes = entries
      .filter((e) => e.gid !== undefined)
      .map((e) => `chmod ${e.mode.toString(8)} ${shellQuote(e.hostPath)}`)
      .join(' && ');
    const owned = await this.work.run(`${chowns} && ${modes}`, 30_000);
    if (owned.exitCode !== 0)
      throw new RuntimeError(
        'runtime.docker',
        `cannot set volume ownership (fsGroup): ${owned.stderr.trim()}`,
        {
          hint: 'the SSH user must be root (or allowed to chown) for fsGroup',
        },
      );
  }

  async removeTree(path: string): Promise<void> {
    const r = await this.work.run(`rm -rf -- ${shellQuote(path)}`, 30_000);
    if (r.exitCode !== 0)
      throw new RuntimeError('runtime.docker', `cannot remove ${path}: ${r.stderr.trim()}`);
  }

  exec(command: string, stdin: string | undefined, timeoutMs: number): Promise<ExecResult> {
    return this.work.run(command, timeoutMs, stdin);
  }

  runScript(script: string, timeoutMs: number): Promise<ExecResult> {
    return this.shell.run(script, timeoutMs);
  }

  connectTcp(ip: string, port: number): Promise<Duplex> {
    return this.connection.forwardTcp(ip, port);
  }

  close(): void {
    this.shell.close();
    this.work.close();
    this.agent.destroy();
    this.connection.close();
  }
}

export class LocalTransport implements HostTransport {
  readonly docker: Docker;
  private readonly shell: HostShell;

  constructor(host: LocalHostConfig) {
    this.docker = new Docker({ socketPath: host.dockerSocket });
    this.shell = new HostShell(() => startLocalShell(), `host/${host.name}`);
  }

  connected(): boolean {
    return true;
  }

  async ready(): Promise<void> {}

  async writePaths(entries: readonly HostPathEntry[]): Promise<void> {
    for (const f of foldersOf(entries)) {
      await mkdir(f.path, { recursive: true });
      await chmod(f.path, f.mode);
    }
    await Promise.all(
      entries.map(async (e) => {
        if (e.kind !== 'file') return;
        await writeFile(e.hostPath, Buffer.from(e.contentBase64, 'base64'), { mode: e.mode });
        await chmod(e.hostPath, e.mode);
      }),
    );
    for (const e of entries) {
      if (e.gid === undefined) continue;
      await chown(e.hostPath, -1, e.gid);
      await chmod(e.hostPath, e.mode);
    }
  }

  async removeTree(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }

  exec(command: string, stdin: string | undefined, timeoutMs: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      // Out of descriptors or processes (EMFILE, EAGAIN): no pipes, an 'error' event follows.
      if (!child.stdin || !child.stdout || !child.stderr) {
        child.once('error', (e) => reject(spawnFailure(e)));
        return;
      }
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new RuntimeError('runtime.timeout', `local command timed out after ${timeoutMs} ms`, {
            retryable: true,
          }),
        );
      }, timeoutMs);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(spawnFailure(e));
      });
      child.stdin.on('error', () => undefined); // EPIPE: the command did not read its input
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          exitCode: code ?? (signal ? 128 : 255),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.end(stdin ?? '');
    });
  }

  runScript(script: string, timeoutMs: number): Promise<ExecResult> {
    return this.shell.run(script, timeoutMs);
  }

  connectTcp(ip: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: ip, port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  }

  close(): void {
    this.shell.close();
  }
}

/** A local process that could not start (out of descriptors or processes): retryable. */
function spawnFailure(err: NodeJS.ErrnoException): RuntimeError {
  return new RuntimeError(
    'runtime.start-failed',
    `cannot start a local command: ${err.code ?? err.message}`,
    {
      subject: 'host/local',
      cause: err,
      hint:
        err.code === 'EMFILE' || err.code === 'ENFILE' ? 'too many open files: raise ulimit -n' : undefined,
      retryable: true,
    },
  );
}

/** A local `sh` that does not keep the process alive by itself (a CLI run ends when done). */
async function startLocalShell(): Promise<ShellProcess> {
  const child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.unref();
  if (!child.stdin || !child.stdout) {
    // Out of descriptors: no pipes were made and an 'error' event follows; HostShell fails the
    // waiting script and the next call starts a new shell.
    throw await new Promise<RuntimeError>((resolve) => child.once('error', (e) => resolve(spawnFailure(e))));
  }
  // A shell that cannot start ends its output: HostShell fails the waiting script.
  child.on('error', () => child.stdout?.destroy());
  for (const s of [child.stdin, child.stdout] as unknown as { unref?: () => void }[]) s.unref?.();
  return { input: child.stdin, output: child.stdout, kill: () => child.kill('SIGKILL') };
}

export function transportFor(
  host: HostConfig,
  opts: ConnectionConfig,
  observer?: RuntimeObserver,
): HostTransport {
  return host.kind === 'ssh' ? new SshTransport(host, opts, observer) : new LocalTransport(host);
}
