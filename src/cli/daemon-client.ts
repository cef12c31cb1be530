// The CLI's client for a running daemon's API. It sends a bearer token (SKIFF_TOKEN, else the
// local admin token the daemon keeps in its state dir) and, when the daemon serves TLS, trusts
// the daemon's configured certificate (pinned: a self-signed one works, nothing else passes
// for it) besides the system's roots. Shell.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { PeerCertificate } from 'node:tls';
import { SkiffError } from '../model/errors.js';
import type { ClusterView, DrainView } from '../model/views.js';

export interface DaemonClientOptions {
  /** The bearer token to send. */
  token?: string;
  /** The daemon's certificate (PEM), when it serves HTTPS. */
  certPem?: string;
}

/** `host:port` or `[v6]:port` (or a bare v6 address with its port last). */
function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

/** The DER of the first certificate of a PEM text. */
function firstCertDer(pem: string): Buffer | undefined {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : undefined;
}

export class DaemonClient {
  constructor(
    readonly address: string,
    private readonly opts: DaemonClientOptions = {},
  ) {}

  private requestOptions(method: string, path: string, body: string | undefined): RequestOptions {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const base: RequestOptions = { ...splitAddress(this.address), method, path, headers };
    const pem = this.opts.certPem;
    if (pem === undefined) return base;
    const pinned = firstCertDer(pem);
    // TLS is loaded only for a daemon that serves it (~15 ms of every other command's start).
    const { checkServerIdentity, rootCertificates } = process.getBuiltinModule('node:tls');
    return {
      ...base,
      ca: [...rootCertificates, pem],
      checkServerIdentity: (host: string, cert: PeerCertificate) =>
        pinned && cert.raw?.equals(pinned) ? undefined : checkServerIdentity(host, cert),
    } as RequestOptions;
  }

  private send(method: string, path: string, body: string | undefined, timeoutMs: number) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request =
        this.opts.certPem === undefined ? httpRequest : process.getBuiltinModule('node:https').request;
      const req = request(this.requestOptions(method, path, body), (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  private async call<T>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    let res: { status: number; text: string };
    try {
      res = await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), timeoutMs);
    } catch (cause) {
      throw new SkiffError('daemon.unreachable', `cannot reach the skiff daemon at ${this.address}`, {
        cause,
        retryable: true,
      });
    }
    if (res.status < 200 || res.status > 299) throw answerError(res.status, res.text);
    return JSON.parse(res.text) as T;
  }

  async alive(): Promise<boolean> {
    try {
      return (await this.send('GET', '/healthz', undefined, 2000)).status === 200;
    } catch {
      return false;
    }
  }

  /** GET a JSON answer. */
  get<T>(path: string): Promise<T> {
    return this.call('GET', path);
  }
  view(): Promise<ClusterView> {
    return this.call('GET', '/api/v1/view');
  }
  events(object?: string, limit = 200): Promise<unknown[]> {
    const q = new URLSearchParams({ limit: String(limit), ...(object ? { object } : {}) });
    return this.call('GET', `/api/v1/events?${q}`);
  }
  history(app?: string, limit = 50): Promise<unknown[]> {
    const q = new URLSearchParams({ limit: String(limit), ...(app ? { app } : {}) });
    return this.call('GET', `/api/v1/history?${q}`);
  }
  audit(limit = 50): Promise<unknown[]> {
    return this.call('GET', `/api/v1/audit?limit=${limit}`);
  }
  /** Cordons `host` and starts evicting its pods; answers what remains on it. */
  drain(host: string, force: boolean): Promise<{ drain: DrainView }> {
    return this.call('POST', '/api/v1/drain', { host, force });
  }
  /** The drain of `host` as the daemon's last pass saw it (`pending`: asked, not yet seen). */
  drains(host: string): Promise<{ drains: DrainView[]; pending: string[] }> {
    return this.call('GET', `/api/v1/drain?${new URLSearchParams({ host })}`);
  }
  uncordon(host: string): Promise<{ host: string; uncordoned: boolean }> {
    return this.call('POST', '/api/v1/uncordon', { host });
  }
  sync(opts: { app?: string; wait: boolean; timeoutSeconds: number }): Promise<{
    converged: boolean;
    failed?: boolean;
    view?: ClusterView;
  }> {
    return this.call('POST', '/api/v1/sync', opts, (opts.timeoutSeconds + 30) * 1000);
  }
}

/** A refused call as one line with a hint: 401/403 say which token to use. */
function answerError(status: number, text: string): SkiffError {
  let body: { error?: string; hint?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: the text is the message
  }
  const message = `daemon answered ${status}: ${body.error ?? text}`;
  const hint =
    status === 401
      ? "set SKIFF_TOKEN to a token of this daemon (skiff token create), or run as the daemon's user"
      : status === 403
        ? 'this needs an admin token: set SKIFF_TOKEN to one'
        : body.hint;
  return new SkiffError('daemon.error', message, { hint, retryable: status >= 500 });
}
