// The daemon's local HTTP API (what the CLI talks to, as the argocd CLI talks to its server),
// the Git webhook, health and Prometheus metrics. Shell. Answers never carry secret values:
// the read models are built without them, and every answer leaves through `send`, which scrubs
// the values the daemon's SecretScrubber knows (an error echoing an env value, a probe's output).
// It serves from an ApiBackend (the daemon implements it), so this file never imports the daemon.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { LISTEN_ADDRESS_HINT, parseListenAddress } from '../config/listen-address.js';
import { terminalJson } from '../diff/terminal-text.js';
import { verifyWebhook } from '../git/webhook.js';
import { SkiffError } from '../model/errors.js';
import type { LeaseView } from '../model/views.js';
import { countWebhook } from './metrics.js';
import type { SkiffInstance } from './skiff-instance.js';

/** What the API needs from the daemon. */
export interface ApiBackend {
  /** The running skiff the read endpoints (and the metrics) answer from. */
  readonly inst: SkiffInstance;
  /** The host lease as of now (not as of the last pass). */
  readonly lease: { view(): LeaseView };
  /** Fetch one app (or all) now; resolves once the refresh that fetch triggered is applied. */
  refreshApp(app?: string): Promise<void>;
  waitConverged(timeoutMs: number): Promise<{ converged: boolean; failed: boolean }>;
}

export interface ApiServerOptions {
  backend: ApiBackend;
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

/** What a handler answers; dispatch sends it, so every answer leaves through `send`. */
interface Answer {
  status: number;
  body: unknown;
  type?: string;
}

const answer = (status: number, body: unknown, type?: string): Answer => ({ status, body, type });

/** The one exit of every answer: Secret values scrubbed (in JSON, as JSON escapes them), and
 *  the controls JSON leaves raw (DEL, C1, bidi) escaped, so a client printing a decoded string
 *  cannot be made to obey one through a name or a message. */
function send(res: ServerResponse, a: Answer, scrub: (text: string) => string): void {
  const type = a.type ?? 'application/json';
  const text =
    type === 'application/json'
      ? terminalJson(scrub(JSON.stringify(a.body) ?? 'null'))
      : scrub(String(a.body));
  res.writeHead(a.status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** One request, with what its handler may use. */
interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  backend: ApiBackend;
  log: Logger;
}

type Handler = (c: RequestContext) => Answer | Promise<Answer>;

/** The route table: `METHOD /path` -> handler. */
const ROUTES: Record<string, Handler> = {
  'GET /healthz': () => answer(200, 'ok', 'text/plain'),
  'GET /metrics': async ({ backend: { inst } }) =>
    answer(200, await inst.metrics.render(), inst.metrics.contentType),
  'GET /api/v1/view': serveView,
  'GET /api/v1/hpas': ({ url, backend }) =>
    answer(200, backend.inst.autoscaler.views(Number(url.searchParams.get('decisions') ?? 10))),
  'GET /api/v1/top': ({ backend: { inst } }) =>
    answer(200, { hosts: inst.reconciler.view?.hosts ?? [], sweep: inst.autoscaler.latestSweep }),
  'GET /api/v1/events': ({ url, backend }) => {
    const limit = Number(url.searchParams.get('limit') ?? 200);
    const object = url.searchParams.get('object') ?? undefined;
    return answer(200, backend.inst.history?.listEvents({ object, limit }) ?? []);
  },
  'GET /api/v1/history': ({ url, backend }) => {
    const app = url.searchParams.get('app') ?? undefined;
    const limit = Number(url.searchParams.get('limit') ?? 50);
    return answer(200, backend.inst.history?.listSyncs({ app, limit }) ?? []);
  },
  'POST /api/v1/sync': serveSync,
  'POST /webhook': (c) => countWebhook(c.backend.inst?.metrics, serveWebhook(c)),
};

async function serveView({ backend }: RequestContext): Promise<Answer> {
  const { reconciler } = backend.inst;
  if (!reconciler.view) await reconciler.pass();
  // The lease as of now, not as of the last pass (a standby daemon's passes are 10 s apart).
  return answer(200, { ...reconciler.view, lease: backend.lease.view() });
}

async function serveSync({ req, backend }: RequestContext): Promise<Answer> {
  const { inst } = backend;
  // Another daemon holds the hosts: a sync here would change nothing, say who acts.
  const lease = backend.lease.view();
  if (lease.role === 'standby') return answer(409, { error: lease.message, lease });
  const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as {
    app?: string;
    wait?: boolean;
    timeoutSeconds?: number;
  };
  await backend.refreshApp(body.app);
  if (!body.wait) {
    const s = await inst.reconciler.pass();
    return answer(200, { converged: s.converged, actions: s.actions.length });
  }
  const r = await backend.waitConverged((body.timeoutSeconds ?? 300) * 1000);
  return answer(200, { ...r, view: inst.reconciler.view });
}

/** Any app's webhook secret may sign (one endpoint serves every app); every app is fetched. */
async function serveWebhook({ req, backend, log }: RequestContext): Promise<Answer> {
  const body = await readBody(req);
  const secrets = backend.inst.trackers
    .map((t) => (t.config.webhook?.secretEnv ? process.env[t.config.webhook.secretEnv] : undefined))
    .filter((s): s is string => !!s);
  if (secrets.length > 0 && !secrets.some((s) => verifyWebhook(s, req.headers, body).ok)) {
    log.warn('webhook with a bad or missing signature refused');
    return answer(401, { error: 'bad signature' });
  }
  void backend.refreshApp();
  return answer(202, { accepted: true });
}

async function dispatch(req: IncomingMessage, res: ServerResponse, backend: ApiBackend, log: Logger) {
  const url = new URL(req.url ?? '/', 'http://skiff.local');
  const route = `${req.method} ${url.pathname}`;
  const handler = Object.hasOwn(ROUTES, route) ? ROUTES[route] : undefined;
  const a = handler
    ? await handler({ req, res, url, backend, log })
    : answer(404, { error: `no route ${route}` });
  send(res, a, scrubOf(backend));
}

/** The daemon's SecretScrubber (absent only in tests that serve no read model). */
function scrubOf(backend: ApiBackend): (text: string) => string {
  return backend.inst?.scrubber?.text ?? ((text) => text);
}

export async function startApiServer(opts: ApiServerOptions): Promise<{ server: Server; address: string }> {
  const { backend, log } = opts;
  const server = createServer((req, res) => {
    dispatch(req, res, backend, log).catch((err: Error) => {
      log.error({ err }, 'api request failed');
      if (!res.headersSent) send(res, answer(500, { error: err.message }), scrubOf(backend));
    });
  });
  const { host, port } = parseListenAddress(opts.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenFailure(opts.listen, err)));
    server.listen(port, host, () => resolve());
  });
  // After listening, a socket-level failure is logged, never an unhandled 'error' event.
  server.on('error', (err) => log.error({ err }, 'api server error'));
  const a = server.address() as AddressInfo;
  return { server, address: `${a.address}:${a.port}` };
}

function listenFailure(listen: string, err: NodeJS.ErrnoException): SkiffError {
  const why: Record<string, [string, string]> = {
    EADDRINUSE: [
      'address already in use',
      'stop what listens there, or set another daemon.listen / --listen',
    ],
    EACCES: ['permission denied', 'ports below 1024 need privileges: choose a higher port'],
    EADDRNOTAVAIL: [
      'not an address of this machine',
      'listen on 127.0.0.1, 0.0.0.0 or an address of this machine',
    ],
    ENOTFOUND: ['host name not found', 'listen on an IP address or a resolvable name'],
    EAI_AGAIN: ['host name not found', 'listen on an IP address or a resolvable name'],
  };
  const [what, hint] = why[err.code ?? ''] ?? [err.code ?? err.message, LISTEN_ADDRESS_HINT];
  return new SkiffError('daemon.listen', `cannot listen on ${listen}: ${what}`, {
    cause: err,
    hint,
    retryable: false,
  });
}
