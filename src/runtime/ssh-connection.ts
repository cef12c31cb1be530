// One persistent SSH connection to one host (ssh2), shared by every Docker API call, file
// write, host command and TCP probe for that host. Shell.
// Invariants: the host key is always checked (hostVerifier); a dropped connection is
// re-established in the background with capped exponential backoff; while in backoff, callers
// fail fast with HostUnreachableError instead of queueing behind a dead host; a host key
// problem is reported as HostKeyError, never retried into acceptance.
import type { Duplex } from 'node:stream';
import { type CipherAlgorithm, Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { ConnectionConfig, SshHostConfig } from '../config/cluster-config.js';
import { HostKeyError, HostUnreachableError, RuntimeError } from './errors.js';
import { checkHostKey, readTrustedKeys } from './host-key.js';
import type { ShellProcess } from './host-shell.js';
import { PrivateKeyFileError, readPrivateKeyFile } from './private-key-file.js';
import type { RuntimeObserver } from './runtime-observer.js';

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'backoff' | 'closed';

/**
 * Ciphers in preference order. AES-GCM runs in OpenSSL with AES-NI and needs no separate MAC,
 * which measured fastest for the many small request/response exchanges of the Docker API.
 */
const CIPHERS: CipherAlgorithm[] = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes256-ctr',
];

export class SshConnection {
  private client?: Client;
  private connecting?: Promise<Client>;
  private sftpSession?: Promise<SFTPWrapper>;
  private state: ConnectionState = 'idle';
  private attempt = 0;
  private backoffUntil = 0;
  private lastError?: Error;
  private timer?: NodeJS.Timeout;
  private privateKey?: Buffer;
  /** A connection was attempted before: the next attempt is a reconnect. */
  private attempted = false;

  constructor(
    readonly host: SshHostConfig,
    private readonly opts: ConnectionConfig,
    /** Called when an established connection is lost (users drop state tied to it). */
    private readonly onDropped: () => void = () => {},
    /** Told each connection attempt and drop (the daemon's metrics). */
    private readonly observer?: Pick<RuntimeObserver, 'sshConnect' | 'sshDropped'>,
  ) {}

  get status(): { state: ConnectionState; lastError?: Error } {
    return { state: this.state, lastError: this.lastError };
  }

  /** A connected client: the current one, the attempt in flight, or a new attempt. */
  ready(): Promise<Client> {
    if (this.state === 'closed')
      return Promise.reject(new RuntimeError('runtime.closed', 'runtime is closed'));
    if (this.client && this.state === 'ready') return Promise.resolve(this.client);
    if (this.connecting) return this.connecting;
    if (this.state === 'backoff' && Date.now() < this.backoffUntil) return Promise.reject(this.unreachable());
    return this.connect();
  }

  private unreachable(): Error {
    if (this.lastError instanceof HostKeyError || this.lastError instanceof PrivateKeyFileError)
      return this.lastError;
    return new HostUnreachableError(
      this.host.name,
      this.lastError?.message ?? 'not connected',
      this.lastError,
    );
  }

  private async connectConfig(verify: (key: Buffer) => boolean): Promise<ConnectConfig> {
    if (this.host.privateKeyFile && !this.privateKey)
      this.privateKey = await readPrivateKeyFile(this.host.privateKeyFile, this.host.name);
    return {
      host: this.host.address,
      port: this.host.port,
      username: this.host.user,
      privateKey: this.privateKey,
      agent: this.host.agent,
      readyTimeout: this.opts.connectTimeoutSeconds * 1000,
      keepaliveInterval: this.opts.keepaliveIntervalSeconds * 1000,
      keepaliveCountMax: this.opts.keepaliveCountMax,
      hostVerifier: verify,
      algorithms: { cipher: CIPHERS },
    };
  }

  private connect(): Promise<Client> {
    this.state = 'connecting';
    const reconnect = this.attempted;
    this.attempted = true;
    const attempt = (async () => {
      const trusted = await readTrustedKeys(this.host);
      let keyProblem: HostKeyError | undefined;
      const verify = (key: Buffer) => {
        const verdict = checkHostKey(trusted, key);
        if (!verdict.ok && trusted.kind === 'keys')
          keyProblem = new HostKeyError(this.host.name, verdict.problem, verdict.presented, trusted.source);
        return verdict.ok;
      };
      const config = await this.connectConfig(verify);
      return await new Promise<Client>((resolve, reject) => {
        const c = new Client();
        let isReady = false;
        c.on('ready', () => {
          isReady = true;
          c.setNoDelay(true);
          resolve(c);
        });
        c.on('error', (err) => {
          if (!isReady) reject(keyProblem ?? err);
          else this.lastError = err;
        });
        c.on('close', () => {
          if (!isReady) reject(keyProblem ?? new Error('connection closed during handshake'));
          else this.dropped(c);
        });
        c.connect(config);
      });
    })();
    this.connecting = attempt.then(
      (c) => {
        this.connecting = undefined;
        if (this.state === 'closed') {
          c.end();
          throw new RuntimeError('runtime.closed', 'runtime is closed');
        }
        this.client = c;
        this.state = 'ready';
        this.observer?.sshConnect(this.host.name, reconnect, true);
        this.attempt = 0;
        this.lastError = undefined;
        return c;
      },
      (err: Error) => {
        this.connecting = undefined;
        this.lastError = err;
        this.observer?.sshConnect(this.host.name, reconnect, false);
        this.scheduleReconnect();
        throw this.unreachable();
      },
    );
    return this.connecting;
  }

  private dropped(c: Client): void {
    if (this.client !== c) return;
    this.client = undefined;
    this.sftpSession = undefined;
    this.onDropped();
    if (this.state !== 'closed') this.observer?.sshDropped(this.host.name);
    if (this.state === 'closed') return;
    this.lastError ??= new Error('connection closed');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed') return;
    const base = Math.min(this.opts.reconnectMaxSeconds, this.opts.reconnectMinSeconds * 2 ** this.attempt);
    // ±20% jitter so hosts that dropped together do not reconnect in lockstep.
    const delayMs = base * 1000 * (0.8 + 0.4 * Math.random());
    this.attempt++;
    this.state = 'backoff';
    this.backoffUntil = Date.now() + delayMs;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.state === 'backoff') this.connect().catch(() => {});
    }, delayMs);
    this.timer.unref();
  }

  /** A new channel to a unix socket on the host (the Docker engine's). */
  async streamLocal(socketPath: string): Promise<ClientChannel> {
    const c = await this.ready();
    return await new Promise((resolve, reject) =>
      c.openssh_forwardOutStreamLocal(socketPath, (err, ch) => (err ? reject(err) : resolve(ch))),
    );
  }

  /** A TCP connection opened from the host to ip:port (e.g. a container on its bridge). */
  async forwardTcp(ip: string, port: number): Promise<Duplex> {
    const c = await this.ready();
    return await new Promise((resolve, reject) =>
      c.forwardOut('127.0.0.1', 0, ip, port, (err, ch) => (err ? reject(err) : resolve(ch))),
    );
  }

  /** A long-lived `sh` on the host, for HostShell: one channel serves many short scripts. */
  async startShell(): Promise<ShellProcess> {
    const c = await this.ready();
    const ch = await new Promise<ClientChannel>((resolve, reject) =>
      c.exec('exec /bin/sh', (err, s) => (err ? reject(err) : resolve(s))),
    );
    // The shell's own complaints (scripts' stderr comes back framed on stdout): drained.
    ch.stderr.resume();
    return { input: ch, output: ch, kill: () => ch.close() };
  }

  /** The connection's SFTP session (opened once, reopened after a reconnect). */
  async sftp(): Promise<SFTPWrapper> {
    const c = await this.ready();
    if (!this.sftpSession) {
      const session = new Promise<SFTPWrapper>((resolve, reject) =>
        c.sftp((err, s) => (err ? reject(err) : resolve(s))),
      );
      this.sftpSession = session;
      const forget = () => {
        if (this.sftpSession === session) this.sftpSession = undefined;
      };
      session.then((sftp) => sftp.on('close', forget), forget);
    }
    return await this.sftpSession;
  }

  close(): void {
    this.state = 'closed';
    clearTimeout(this.timer);
    this.client?.end();
    this.client = undefined;
  }
}
