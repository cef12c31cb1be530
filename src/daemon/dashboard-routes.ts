// The dashboard's routes: its three static files (open: they hold no data), the session a
// browser logs in with (a token in, an HttpOnly SameSite=Strict cookie out) and the live stream
// of server-sent events. Every data answer the page shows comes from the API's own read routes,
// through the same scrubbing `send`. Shell.

import { requestedOn } from '../controllers/pod-requests.js';
import { type Action, actionKey } from '../model/actions.js';
import type { Observed } from '../model/observed.js';
import type { TokenVerifier } from '../state-dir/token-store.js';
import type { Answer } from './api-answer.js';
import { answer, refuse } from './api-answer.js';
import { MAX_API_BODY, parseJsonBody, readBody } from './api-bounds.js';
import { authorize, type SessionLookup } from './api-guard.js';
import type { RequestContext, Route } from './api-routes.js';
import { type DashboardFile, readDashboardAssets } from './dashboard-assets.js';
import type { EventStream } from './event-stream.js';
import { rollbackRoute } from './rollback-route.js';
import { cookieValue, SESSION_COOKIE, SESSION_TTL_MS } from './session-store.js';

export interface DashboardDeps {
  assetsDir: string;
  tokens: TokenVerifier;
  sessions: SessionLookup;
  stream: EventStream;
  /** Served over TLS: the cookie is Secure. */
  secure: boolean;
}

/** The page may load only its own files and talk only to its own daemon. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const TYPES: Record<DashboardFile, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

function assetRoute(deps: DashboardDeps, file: DashboardFile): Route {
  let assets: ReturnType<typeof readDashboardAssets>;
  return {
    access: 'open',
    handle: () => {
      assets ??= readDashboardAssets(deps.assetsDir);
      if (!assets)
        return refuse(503, 'the dashboard is not built', 'run npm run build (an installed package ships it)');
      return { ...answer(200, assets[file], TYPES[file]), headers: PAGE_HEADERS };
    },
  };
}

function cookie(deps: DashboardDeps, value: string, maxAgeS: number): string {
  const secure = deps.secure ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure}`;
}

async function login(deps: DashboardDeps, { req }: RequestContext): Promise<Answer> {
  const raw = await readBody(req, MAX_API_BODY);
  if (!Buffer.isBuffer(raw)) return raw;
  const parsed = parseJsonBody<{ token?: string }>(raw, { token: { type: 'string', maxLength: 512 } });
  if (!parsed.ok) return parsed.answer;
  const identity = parsed.value.token ? deps.tokens.verify(parsed.value.token.trim()) : undefined;
  const audit = (result: string, who?: string) => ({ params: {}, result, who });
  if (!identity)
    return {
      ...refuse(401, 'the token is not valid', 'create one with skiff token create --role read'),
      audit: audit('refused'),
    };
  const s = deps.sessions.store.create(identity, deps.sessions.now());
  return {
    ...answer(200, { id: identity.id, role: identity.role, expiresAt: s.expiresAt }),
    headers: { 'set-cookie': cookie(deps, s.id, SESSION_TTL_MS / 1000), 'cache-control': 'no-store' },
    audit: { ...audit('session created'), who: identity.id },
  };
}

function logout(deps: DashboardDeps, { req }: RequestContext): Answer {
  const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (id) deps.sessions.store.delete(id);
  return { ...answer(200, { loggedOut: true }), headers: { 'set-cookie': cookie(deps, '', 0) } };
}

/** Who the page's caller is (its role decides which actions it shows). */
function whoami(deps: DashboardDeps, { req }: RequestContext): Answer {
  const auth = authorize(req, 'read', deps.tokens, deps.sessions);
  return 'answer' in auth ? auth.answer : answer(200, auth.identity);
}

/** Each host with what skiff's pods there request against its capacity (as `skiff hosts`),
 *  from what the last pass observed. Sums only: a pod's spec (its env) never leaves. */
export function hostRequests(observed: Observed | undefined) {
  return (observed?.hosts ?? []).map((h) => ({
    name: h.name,
    address: h.address,
    ready: h.ready,
    reason: h.reason,
    capacity: h.capacity,
    allocated: requestedOn(observed!.pods, h.name),
  }));
}

/** What the last pass decided to bring the live state to the admitted commits: each action's
 *  kind, key and reason. Never the action itself (a createPod carries the pod's env). */
export function passPlan(last: { at: number; converged: boolean; actions: readonly Action[] } | undefined) {
  if (!last) return { at: undefined, converged: false, actions: [] };
  const actions = last.actions.map((a) => ({ type: a.type, key: actionKey(a), reason: a.reason }));
  return { at: last.at, converged: last.converged, actions };
}

export function dashboardRoutes(deps: DashboardDeps): Record<string, Route> {
  return {
    'GET /': assetRoute(deps, 'index.html'),
    'GET /app.js': assetRoute(deps, 'app.js'),
    'GET /app.css': assetRoute(deps, 'app.css'),
    // Open: the token is the credential, checked here (a wrong one is audited as refused).
    'POST /api/v1/session': { access: 'open', mutating: true, query: {}, handle: (c) => login(deps, c) },
    'DELETE /api/v1/session': { access: 'open', query: {}, handle: (c) => logout(deps, c) },
    'GET /api/v1/session': { access: 'read', query: {}, handle: (c) => whoami(deps, c) },
    'GET /api/v1/hosts': {
      access: 'read',
      query: {},
      handle: ({ backend }) => answer(200, hostRequests(backend.inst.reconciler.last?.observed)),
    },
    'GET /api/v1/plan': {
      access: 'read',
      query: {},
      handle: ({ backend }) => answer(200, passPlan(backend.inst.reconciler.last)),
    },
    'POST /api/v1/rollback': rollbackRoute,
    'GET /api/v1/stream': { access: 'read', query: {}, handle: ({ res }) => deps.stream.open(res) },
  };
}
