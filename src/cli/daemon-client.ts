// The CLI's client for a running daemon's local API.

import { SkiffError } from '../model/errors.js';
import type { ClusterView } from '../model/views.js';

export class DaemonClient {
  constructor(readonly address: string) {}

  private async call<T>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`http://${this.address}${path}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new SkiffError('daemon.unreachable', `cannot reach the skiff daemon at ${this.address}`, {
        cause,
        retryable: true,
      });
    }
    if (!res.ok) throw new SkiffError('daemon.error', `daemon answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }

  async alive(): Promise<boolean> {
    try {
      const r = await fetch(`http://${this.address}/healthz`, { signal: AbortSignal.timeout(2000) });
      return r.ok;
    } catch {
      return false;
    }
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
  sync(opts: { app?: string; wait: boolean; timeoutSeconds: number }): Promise<{
    converged: boolean;
    failed?: boolean;
    view?: ClusterView;
  }> {
    return this.call('POST', '/api/v1/sync', opts, (opts.timeoutSeconds + 30) * 1000);
  }
}
