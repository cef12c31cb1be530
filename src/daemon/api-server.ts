// The daemon's local HTTP API (what the CLI talks to, as the argocd CLI talks to its server),
// the Git webhook, health and Prometheus metrics. Shell. Answers never carry secret values:
// the read models are built without them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { verifyWebhook } from '../git/webhook.js';
import type { Daemon } from './daemon.js';
import { renderMetrics } from './metrics.js';

export interface ApiServerOptions {
  daemon: Daemon;
  listen: string;
  log: Logger;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = type === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startApiServer(opts: ApiServerOptions): Promise<{ server: Server; address: string }> {
  const { daemon, log } = opts;
  const inst = daemon.inst;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      log.error({ err }, 'api request failed');
      if (!res.headersSent) send(res, 500, { error: err.message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://skiff.local');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /healthz':
        return send(res, 200, 'ok', 'text/plain');
      case 'GET /metrics':
        return send(res, 200, renderMetrics(inst), 'text/plain; version=0.0.4');
      case 'GET /api/v1/view': {
        const view = inst.reconciler.view ?? (await inst.reconciler.pass(), inst.reconciler.view);
        // The lease as of now, not as of the last pass (a standby daemon's passes are 10 s apart).
        return send(res, 200, { ...view, lease: daemon.lease.view() });
      }
      case 'GET /api/v1/hpas':
        return send(res, 200, inst.autoscaler.views(Number(url.searchParams.get('decisions') ?? 10)));
      case 'GET /api/v1/top':
        return send(res, 200, {
          hosts: inst.reconciler.view?.hosts ?? [],
          sweep: inst.autoscaler.latestSweep,
        });
      case 'GET /api/v1/events': {
        const limit = Number(url.searchParams.get('limit') ?? 200);
        const object = url.searchParams.get('object') ?? undefined;
        return send(res, 200, inst.history?.listEvents({ object, limit }) ?? []);
      }
      case 'GET /api/v1/history': {
        const app = url.searchParams.get('app') ?? undefined;
        const limit = Number(url.searchParams.get('limit') ?? 50);
        return send(res, 200, inst.history?.listSyncs({ app, limit }) ?? []);
      }
      case 'POST /api/v1/sync': {
        // Another daemon holds the hosts: a sync here would change nothing, say who acts.
        const lease = daemon.lease.view();
        if (lease.role === 'standby') return send(res, 409, { error: lease.message, lease });
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as {
          app?: string;
          wait?: boolean;
          timeoutSeconds?: number;
        };
        await daemon.refreshApp(body.app);
        if (!body.wait) {
          const s = await inst.reconciler.pass();
          return send(res, 200, { converged: s.converged, actions: s.actions.length });
        }
        const r = await daemon.waitConverged((body.timeoutSeconds ?? 300) * 1000);
        return send(res, 200, { ...r, view: inst.reconciler.view });
      }
      case 'POST /webhook': {
        const body = await readBody(req);
        const secrets = inst.trackers
          .map((t) => (t.config.webhook?.secretEnv ? process.env[t.config.webhook.secretEnv] : undefined))
          .filter((s): s is string => !!s);
        if (secrets.length > 0 && !secrets.some((s) => verifyWebhook(s, req.headers, body).ok)) {
          log.warn('webhook with a bad or missing signature refused');
          return send(res, 401, { error: 'bad signature' });
        }
        send(res, 202, { accepted: true });
        void daemon.refreshApp();
        return;
      }
      default:
        return send(res, 404, { error: `no route ${route}` });
    }
  }

  const [host, portText] = splitHostPort(opts.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(portText), host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { server, address: `${a.address}:${a.port}` };
}

function splitHostPort(listen: string): [string, string] {
  const i = listen.lastIndexOf(':');
  return i < 0 ? ['127.0.0.1', listen] : [listen.slice(0, i), listen.slice(i + 1)];
}
