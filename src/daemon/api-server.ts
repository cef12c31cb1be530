// The daemon's HTTP API (what the CLI talks to, as the argocd CLI talks to its server), the Git
// webhook, health and Prometheus metrics. Shell. Answers never carry secret values: the read
// models are built without them, and every answer leaves through `send`, which scrubs the
// values the daemon's SecretScrubber knows. Security (issue 14): bearer tokens by role
// (api-guard), Host and Origin checks, bounded requests (api-bounds), TLS or an explicit
// `insecure: true` beyond loopback, an audit row for every mutating call. No request can crash
// the daemon: a handler's failure is a 500 with a one-line message, a socket failure is logged.

import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/cluster-config.js';
import { isLoopbackHost, LISTEN_ADDRESS_HINT, parseListenAddress } from '../config/listen-address.js';
import { SkiffError } from '../model/errors.js';
import { systemClock } from '../runtime/clock.js';
import { TokenVerifier } from '../state-dir/token-store.js';
import { type Answer, refuse, send } from './api-answer.js';
import { parseQuery } from './api-bounds.js';
import { authorize, checkOrigin, type SessionLookup } from './api-guard.js';
import { type ApiBackend, apiRoutes, type Route } from './api-routes.js';
import { defaultAssetsDir } from './dashboard-assets.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { EventStream } from './event-stream.js';
import { countWebhook } from './metrics.js';
import { SessionStore } from './session-store.js';
import { serveWebhook, type WebhookState, webhookState } from './webhook-route.js';

export type { ApiBackend } from './api-routes.js';

/** Connection and time bounds: a client cannot hold more than these. */
export const API_LIMITS = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  /** Time to receive a whole request (not to answer it: a sync may wait minutes). */
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
} as const;

export interface ApiSecurity {
  tokens: TokenVerifier;
  tls?: { cert: string; key: string };
  metricsPublic: boolean;
  webhook?: WebhookState;
  /** The dashboard's sessions (shared by the daemon's listeners); a new store when absent. */
  sessions?: SessionStore;
}

export interface ApiServerOptions {
  backend: ApiBackend;
  listen: string;
  log: Logger;
  /** Serve POST /webhook (and /healthz) only: `daemon.webhookListen`. */
  webhookOnly?: boolean;
  /** Defaults to what the backend's config says (tokens of its state dir, its TLS, webhooks). */
  security?: ApiSecurity;
  /** The dashboard's built files; defaults to dist/dashboard (dashboard-assets.ts). */
  dashboardAssets?: string;
}

/** The security the daemon's config asks for; throws for a webhook secret that is not set. */
export function apiSecurityOf(config: ClusterConfig | undefined, backend: ApiBackend): ApiSecurity {
  return {
    tokens: new TokenVerifier(config?.daemon.stateDir),
    tls: config?.daemon.tls,
    metricsPublic: config?.daemon.metrics?.public ?? false,
    sessions: new SessionStore(),
    webhook:
      config &&
      webhookState(
        config.apps,
        process.env,
        (app) => backend.refreshApp(app),
        () => systemClock.now(),
      ),
  };
}

interface Served {
  backend: ApiBackend;
  log: Logger;
  security: ApiSecurity;
  routes: Record<string, Route>;
  listenHost: string;
  sessions: SessionLookup;
}

async function dispatch(req: IncomingMessage, res: ServerResponse, s: Served): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://skiff.local');
  } catch {
    return send(res, refuse(400, 'malformed request URL'), scrubOf(s.backend));
  }
  const route = `${req.method} ${url.pathname}`;
  const a =
    route === 'POST /webhook' && s.security.webhook
      ? await countWebhook(s.backend.inst?.metrics, serveWebhook(req, s.security.webhook))
      : await routed(req, res, url, s);
  if (a.audit) recordAudit(s, a, route);
  send(res, a, scrubOf(s.backend));
}

/** A call through the route table: origin, route, token, query, then the handler. */
async function routed(req: IncomingMessage, res: ServerResponse, url: URL, s: Served): Promise<Answer> {
  const refused = checkOrigin(req, s.listenHost);
  if (refused) return refused;
  const key = `${req.method} ${url.pathname}`;
  const r = Object.hasOwn(s.routes, key) ? s.routes[key] : undefined;
  if (!r) return notFound(s.routes, req.method ?? '', url.pathname);
  const auth = authorize(req, r.access, s.security.tokens, s.sessions);
  if ('answer' in auth)
    return r.mutating ? { ...auth.answer, audit: { params: {}, result: 'refused' } } : auth.answer;
  const query = r.query
    ? parseQuery<Record<string, unknown>>(url, r.query)
    : { ok: true as const, value: {} };
  if (!query.ok) return query.answer;
  const ac = new AbortController();
  res.on('close', () => ac.abort());
  const a = await r.handle({
    req,
    res,
    query: query.value,
    backend: s.backend,
    log: s.log,
    signal: ac.signal,
  });
  // A mutating call refused before its handler could say what it did (a body over the limit,
  // malformed JSON) is recorded too: the audit log has every attempt, not only the accepted ones.
  const audit = a.audit ?? (r.mutating ? { params: {}, result: `refused (${a.status})` } : undefined);
  return audit ? { ...a, audit: { ...audit, who: auth.identity?.id ?? audit.who } } : a;
}

function notFound(routes: Record<string, Route>, method: string, path: string): Answer {
  const allowed = Object.keys(routes)
    .filter((k) => k.endsWith(` ${path}`))
    .map((k) => k.split(' ')[0]!);
  if (allowed.length === 0) return refuse(404, `no route ${method} ${path}`);
  return { ...refuse(405, `${method} is not allowed on ${path}`), headers: { allow: allowed.join(', ') } };
}

/** One audit row: who (a token id, `webhook`, or `anonymous`), the route, params, result. */
function recordAudit(s: Served, a: Answer, route: string): void {
  const { params, result, who } = a.audit!;
  try {
    s.backend.inst?.history?.recordAudit({
      at: systemClock.now(),
      tokenId: who ?? 'anonymous',
      route,
      params,
      status: a.status,
      result,
    });
  } catch (err) {
    s.log.error({ err }, 'audit record failed');
  }
}

/** The daemon's SecretScrubber (absent only in tests that serve no read model). */
function scrubOf(backend: ApiBackend): (text: string) => string {
  return backend.inst?.scrubber?.text ?? ((text) => text);
}

function webhookOnlyRoutes(all: Record<string, Route>): Record<string, Route> {
  return { 'GET /healthz': all['GET /healthz']! };
}

export async function startApiServer(opts: ApiServerOptions): Promise<{ server: Server; address: string }> {
  const { backend, log } = opts;
  const security = opts.security ?? apiSecurityOf(backend.inst?.config, backend);
  const { host, port } = parseListenAddress(opts.listen);
  const sessions = { store: security.sessions ?? new SessionStore(), now: () => systemClock.now() };
  const stream = new EventStream({
    view: () => backend.inst?.reconciler?.view,
    history: () => backend.inst?.history,
    scrub: scrubOf(backend),
  });
  const all = {
    ...apiRoutes(security.metricsPublic ? 'open' : 'read'),
    ...dashboardRoutes({
      assetsDir: opts.dashboardAssets ?? defaultAssetsDir(),
      tokens: security.tokens,
      sessions,
      stream,
      secure: security.tls !== undefined,
    }),
  };
  const served: Served = {
    backend,
    log,
    security,
    routes: opts.webhookOnly ? webhookOnlyRoutes(all) : all,
    listenHost: host,
    sessions,
  };
  const server = createServer(security.tls, (req, res) => {
    dispatch(req, res, served).catch((err: Error) => {
      log.error({ err }, 'api request failed');
      const message = err instanceof SkiffError ? err.message : 'internal error';
      if (!res.headersSent) send(res, refuse(500, message, 'see the daemon log'), scrubOf(backend));
      else res.destroy();
    });
  });
  server.maxConnections = API_LIMITS.maxConnections;
  cutSilentConnections(server, security.tls !== undefined, API_LIMITS.headersTimeoutMs);
  server.on('close', () => stream.close());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenFailure(opts.listen, err)));
    server.listen(port, host, () => resolve());
  });
  // After listening, a socket-level failure (EMFILE at accept included) is logged, never an
  // unhandled 'error' event.
  server.on('error', (err) => log.error({ err }, 'api server error'));
  if (!isLoopbackHost(host) && !security.tls)
    log.warn(
      { listen: opts.listen },
      'serving plain HTTP beyond loopback (daemon.insecure: true): tokens travel in clear text',
    );
  const a = server.address() as AddressInfo;
  return { server, address: `${a.address}:${a.port}` };
}

/**
 * Closes a connection that has not begun a request within headersTimeout. Node starts that
 * clock at a request's first byte, so a socket that sends nothing was never cut: 256 of them
 * held every connection slot, /healthz included, for as long as they liked (found by the
 * request-storm e2e). Once a request begins, headersTimeout, requestTimeout and keepAliveTimeout
 * govern; under TLS the handshake has its own bound (handshakeTimeout).
 */
export function cutSilentConnections(server: Server, tls: boolean, timeoutMs: number): void {
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    timer.unref();
    timers.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (req: IncomingMessage) => clearTimeout(timers.get(req.socket)));
}

function createServer(
  tls: { cert: string; key: string } | undefined,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const bounds = {
    headersTimeout: API_LIMITS.headersTimeoutMs,
    requestTimeout: API_LIMITS.requestTimeoutMs,
    keepAliveTimeout: API_LIMITS.keepAliveTimeoutMs,
  };
  if (!tls) return createHttpServer(bounds, handler);
  return createHttpsServer(
    {
      ...bounds,
      handshakeTimeout: API_LIMITS.headersTimeoutMs,
      cert: readTlsFile(tls.cert, 'cert'),
      key: readTlsFile(tls.key, 'key'),
    },
    handler,
  );
}

function readTlsFile(path: string, what: 'cert' | 'key'): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new SkiffError(
      'daemon.tls',
      `cannot read daemon.tls.${what} ${path}: ${(err as NodeJS.ErrnoException).code}`,
      {
        cause: err,
        hint: `point daemon.tls.${what} at a readable PEM file`,
        retryable: false,
      },
    );
  }
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
