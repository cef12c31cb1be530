// The API's route table: each route's access (open, read, admin), whether it mutates (then
// the call is audited), the query parameters it takes, and its handler. Handlers answer from
// the ApiBackend, so this file never imports the daemon. Shell.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { HistoryStore } from '../history/history-store.js';
import type { LeaseView } from '../model/views.js';
import { removingHostRefusal } from '../state-dir/host-inventory.js';
import { type Answer, answer, refuse } from './api-answer.js';
import { type Fields, MAX_API_BODY, parseJsonBody, readBody } from './api-bounds.js';
import type { Access } from './api-guard.js';
import type { SkiffInstance } from './skiff-instance.js';
import { ViewAnswerCache } from './view-answer.js';

/** What the API needs from the daemon. */
export interface ApiBackend {
  /** The running skiff the read endpoints (and the metrics) answer from. */
  readonly inst: SkiffInstance;
  /** The host lease as of now (not as of the last pass). */
  readonly lease: { view(): LeaseView };
  /** Fetch one app (or all) now; resolves once the refresh that fetch triggered is applied. */
  refreshApp(app?: string): Promise<void>;
  /** Passes until converged, failed, timed out, or `signal` aborts (the client went away). */
  waitConverged(timeoutMs: number, signal?: AbortSignal): Promise<{ converged: boolean; failed: boolean }>;
}

/** One request, with what its handler may use. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: Record<string, unknown>;
  backend: ApiBackend;
  log: Logger;
  /** Aborts when the client disconnects before the answer is sent. */
  signal: AbortSignal;
}

export interface Route {
  access: Access;
  /** Mutating calls are recorded in the audit log. */
  mutating?: boolean;
  query?: Fields;
  handle(c: RequestContext): Answer | Promise<Answer>;
}

const LIMIT = { type: 'number', min: 1, max: 10_000, integer: true } as const;
const NAME = { type: 'string', maxLength: 512 } as const;

/** The route table: `METHOD /path` -> route. /metrics' access is the daemon's choice. */
export function apiRoutes(metricsAccess: Access): Record<string, Route> {
  const views = new ViewAnswerCache();
  return {
    'GET /healthz': { access: 'open', handle: () => answer(200, 'ok', 'text/plain') },
    'GET /readyz': {
      access: 'open',
      handle: ({ backend }) =>
        backend.inst?.reconciler?.view
          ? answer(200, 'ok', 'text/plain')
          : answer(503, 'not ready', 'text/plain'),
    },
    'GET /metrics': {
      access: metricsAccess,
      handle: async ({ backend: { inst } }) =>
        answer(200, await inst.metrics.render(), inst.metrics.contentType),
    },
    'GET /api/v1/view': { access: 'read', query: {}, handle: (c) => serveView(c, views) },
    'GET /api/v1/hpas': {
      access: 'read',
      query: {
        decisions: { type: 'number', min: 0, max: 1000, integer: true },
        samples: { type: 'number', min: 0, max: 1440, integer: true },
      },
      handle: ({ query, backend }) =>
        answer(
          200,
          backend.inst.autoscaler.views((query.decisions as number) ?? 10, (query.samples as number) ?? 0),
        ),
    },
    'GET /api/v1/top': {
      access: 'read',
      query: {},
      handle: ({ backend: { inst } }) =>
        answer(200, { hosts: inst.reconciler.view?.hosts ?? [], sweep: inst.autoscaler.latestSweep }),
    },
    'GET /api/v1/events': historyRoute('read', { limit: LIMIT, object: NAME }, (h, q) =>
      h.listEvents({ object: q.object as string | undefined, limit: (q.limit as number) ?? 200 }),
    ),
    'GET /api/v1/history': historyRoute('read', { limit: LIMIT, app: NAME }, (h, q) =>
      h.listSyncs({ app: q.app as string | undefined, limit: (q.limit as number) ?? 50 }),
    ),
    // Who did what is for admins: it names tokens and what they were used for.
    'GET /api/v1/audit': historyRoute('admin', { limit: LIMIT }, (h, q) =>
      h.listAudit((q.limit as number) ?? 50),
    ),
    'POST /api/v1/sync': { access: 'admin', mutating: true, query: {}, handle: serveSync },
    'GET /api/v1/drain': { access: 'read', query: { host: NAME }, handle: serveDrains },
    'POST /api/v1/drain': { access: 'admin', mutating: true, query: {}, handle: serveDrain },
    'POST /api/v1/uncordon': { access: 'admin', mutating: true, query: {}, handle: serveUncordon },
  };
}

/** A read of the history database ([] when the daemon keeps none). */
function historyRoute(
  access: Access,
  query: Fields,
  read: (h: HistoryStore, q: Record<string, unknown>) => unknown[],
): Route {
  return {
    access,
    query,
    handle: ({ query: q, backend }) => answer(200, backend.inst.history ? read(backend.inst.history, q) : []),
  };
}

async function serveView({ backend }: RequestContext, views: ViewAnswerCache): Promise<Answer> {
  const { reconciler, scrubber } = backend.inst;
  if (!reconciler.view) await reconciler.pass();
  const view = reconciler.view;
  // The lease as of now, not as of the last pass (a standby daemon's passes are 10 s apart).
  const lease = backend.lease.view();
  if (!view || !scrubber) return answer(200, { ...view, lease });
  return views.answer(view, lease, scrubber);
}

const SYNC_FIELDS: Fields = {
  app: NAME,
  wait: { type: 'boolean' },
  timeoutSeconds: { type: 'number', min: 0, max: 86_400 },
};

async function serveSync({ req, backend, signal }: RequestContext): Promise<Answer> {
  const raw = await readBody(req, MAX_API_BODY);
  if (!Buffer.isBuffer(raw)) return raw;
  const parsed = parseJsonBody<{ app?: string; wait?: boolean; timeoutSeconds?: number }>(raw, SYNC_FIELDS);
  if (!parsed.ok) return parsed.answer;
  const body = parsed.value;
  const audited = (a: Answer, result: string): Answer => ({ ...a, audit: { params: body, result } });
  const { inst } = backend;
  if (body.app !== undefined && !inst.trackers.some((t) => t.name === body.app))
    return audited(refuse(404, `app "${body.app}" not found`, 'see the apps in skiff.yaml'), 'unknown app');
  // Another daemon holds the hosts: a sync here would change nothing, say who acts.
  const lease = backend.lease.view();
  if (lease.role === 'standby') return audited(answer(409, { error: lease.message, lease }), 'standby');
  await backend.refreshApp(body.app);
  if (!body.wait) {
    const s = await inst.reconciler.pass();
    return audited(
      answer(200, { converged: s.converged, actions: s.actions.length }),
      `${s.actions.length} actions`,
    );
  }
  const r = await backend.waitConverged((body.timeoutSeconds ?? 300) * 1000, signal);
  const result = r.converged
    ? 'converged'
    : r.failed
      ? 'failed'
      : signal.aborted
        ? 'client left'
        : 'timed out';
  return audited(answer(200, { ...r, view: inst.reconciler.view }), result);
}

/** The drains as the last pass saw them (one host's with `?host=`). */
async function serveDrains({ query, backend }: RequestContext): Promise<Answer> {
  const { reconciler, drains } = backend.inst;
  if (!reconciler.view) await reconciler.pass();
  const host = query.host as string | undefined;
  const views = (reconciler.view?.drains ?? []).filter((d) => host === undefined || d.host === host);
  // Asked but not yet seen by a pass: say so rather than an empty list.
  const pending = drains
    .list()
    .filter((d) => (host === undefined || d.host === host) && !views.some((v) => v.host === d.host));
  return answer(200, { drains: views, pending: pending.map((d) => d.host) });
}

const DRAIN_FIELDS: Fields = { host: NAME, force: { type: 'boolean' } };

/** The body's host, when it names a host of the inventory; else the answer refusing it. */
async function hostOfBody(
  c: RequestContext,
): Promise<{ ok: true; body: { host: string; force?: boolean } } | { ok: false; answer: Answer }> {
  const raw = await readBody(c.req, MAX_API_BODY);
  if (!Buffer.isBuffer(raw)) return { ok: false, answer: raw };
  const parsed = parseJsonBody<{ host?: string; force?: boolean }>(raw, DRAIN_FIELDS);
  if (!parsed.ok) return parsed;
  const { host } = parsed.value;
  if (host === undefined) return { ok: false, answer: refuse(400, 'invalid body: "host" is required') };
  if (c.backend.inst.inventory.isRemoving(host)) {
    const { message, hint } = removingHostRefusal(host);
    return {
      ok: false,
      answer: {
        ...refuse(409, message, hint),
        audit: { params: parsed.value, result: 'host being removed' },
      },
    };
  }
  if (!c.backend.inst.config.hosts.some((h) => h.name === host))
    return {
      ok: false,
      answer: {
        ...refuse(404, `host "${host}" is not in the inventory`, 'see the hosts in skiff.yaml (skiff hosts)'),
        audit: { params: parsed.value, result: 'unknown host' },
      },
    };
  return { ok: true, body: { ...parsed.value, host } };
}

/** Cordons the host and starts evicting its pods (the passes do, as budgets allow). */
async function serveDrain(c: RequestContext): Promise<Answer> {
  const got = await hostOfBody(c);
  if (!got.ok) return got.answer;
  const { inst } = c.backend;
  const audited = (a: Answer, result: string): Answer => ({ ...a, audit: { params: got.body, result } });
  const lease = c.backend.lease.view();
  if (lease.role === 'standby') return audited(answer(409, { error: lease.message, lease }), 'standby');
  const drain = inst.drains.drain(got.body.host, got.body.force ?? false, Date.now());
  await inst.reconciler.pass();
  const view = inst.reconciler.view?.drains?.find((d) => d.host === drain.host);
  return audited(answer(200, { drain: view ?? { ...drain, pods: [] } }), `draining ${drain.host}`);
}

/** Ends a drain: the host takes new pods again. */
async function serveUncordon(c: RequestContext): Promise<Answer> {
  const got = await hostOfBody(c);
  if (!got.ok) return got.answer;
  const { inst } = c.backend;
  const ended = inst.drains.uncordon(got.body.host);
  if (ended) await inst.reconciler.pass();
  return {
    ...answer(200, { host: got.body.host, uncordoned: ended }),
    audit: { params: got.body, result: ended ? 'uncordoned' : 'was not cordoned' },
  };
}
