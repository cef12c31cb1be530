// The dashboard's calls to its daemon: same origin, the session cookie sent by the browser
// (HttpOnly: the page never sees it). Every answer is the API's, already scrubbed of Secret values.
import type { ClusterView, EventView, HpaView } from '../model/views.js';

export interface Session {
  id: string;
  role: 'read' | 'admin';
}

/** An event as the history keeps it (the view's EventView with its row id). */
export type EventRow = EventView & { id: number };

export interface HostRow {
  name: string;
  address: string;
  ready: boolean;
  reason?: string;
  capacity: { cpuMilli: number; memoryBytes: number };
  allocated: { cpuMilli: number; memoryBytes: number };
}

/** What the daemon's last pass decided (GET /api/v1/plan). */
export interface PassPlan {
  at?: number;
  converged: boolean;
  actions: { type: string; key: string; reason: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string; hint?: string };
  if (!res.ok) throw new ApiError(res.status, [data.error, data.hint].filter(Boolean).join(': '));
  return data as T;
}

export const api = {
  login: (token: string) => call<Session>('POST', '/api/v1/session', { token }),
  logout: () => call<unknown>('DELETE', '/api/v1/session'),
  session: () => call<Session>('GET', '/api/v1/session'),
  view: () => call<ClusterView>('GET', '/api/v1/view'),
  hosts: () => call<HostRow[]>('GET', '/api/v1/hosts'),
  events: (object?: string) =>
    call<EventRow[]>(
      'GET',
      `/api/v1/events?limit=200${object ? `&object=${encodeURIComponent(object)}` : ''}`,
    ),
  plan: () => call<PassPlan>('GET', '/api/v1/plan'),
  // Six hours of samples at one a minute.
  hpas: () => call<HpaView[]>('GET', '/api/v1/hpas?decisions=100&samples=360'),
  rollback: (namespace: string, deployment: string) =>
    call<{ outcome: string; commit?: string; message: string }>('POST', '/api/v1/rollback', {
      namespace,
      deployment,
    }),
  sync: (app: string) => call<{ converged: boolean; actions: number }>('POST', '/api/v1/sync', { app }),
};
