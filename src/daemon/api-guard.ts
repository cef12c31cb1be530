// Who may call the API, and from where. Every route but /healthz, /readyz and the webhook needs
// a bearer token (read: the read routes; admin: everything); the Host header must name this
// daemon (a DNS-rebinding page's Host names the attacker's domain) and a browser's Origin must
// be this daemon's own (a cross-site page cannot POST here). The dashboard's session cookie
// stands for a token; a call it authenticates that changes something must carry this daemon's
// own Origin (a cookie travels by itself, a bearer token does not). Shell (reads request headers).
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config/listen-address.js';
import type { TokenIdentity, TokenRole, TokenVerifier } from '../state-dir/token-store.js';
import { type Answer, refuse } from './api-answer.js';
import { cookieValue, SESSION_COOKIE, type SessionStore } from './session-store.js';

/** What a route needs: nothing, a read token, or an admin token. */
export type Access = 'open' | TokenRole;

/** The host part of a Host header value (`name:port`, `[v6]:port`), lower-cased. */
export function hostnameOf(hostHeader: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(hostHeader);
  return (v6 ? v6[1]! : hostHeader.replace(/:[0-9]*$/, '')).toLowerCase();
}

/** Pure: whether a Host header may reach a daemon that listens on `listenHost`. A wildcard
 *  listener (0.0.0.0, ::) has no single name: any Host is accepted there, the token protects it
 *  (and its listen needed TLS or insecure: true); a named listener accepts its name and loopback. */
export function hostAllowed(hostHeader: string | undefined, listenHost: string): boolean {
  if (hostHeader === undefined) return true; // HTTP/1.0: no Host, no rebinding either
  if (listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '') return true;
  const name = hostnameOf(hostHeader);
  return name === listenHost.toLowerCase() || isLoopbackHost(name);
}

/** Pure: a browser request from another origin (Origin not this Host, or Sec-Fetch-Site
 *  cross-site); a request without those headers (the CLI, curl, a scraper) passes. */
export function crossSite(headers: IncomingMessage['headers']): boolean {
  if (headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() !== (headers.host ?? '').toLowerCase();
  } catch {
    return true; // "null" (a sandboxed or file: page) or garbage
  }
}

/** The Host and Origin checks, as a 403 answer or undefined. */
export function checkOrigin(req: IncomingMessage, listenHost: string): Answer | undefined {
  if (!hostAllowed(req.headers.host, listenHost))
    return refuse(
      403,
      'Host header names another server',
      'call the daemon by its listen address or localhost',
    );
  if (crossSite(req.headers))
    return refuse(403, 'cross-site request refused', "call the API from the CLI or the daemon's own pages");
  return undefined;
}

const UNAUTHENTICATED: Answer = {
  ...refuse(401, 'a valid bearer token is needed', 'set SKIFF_TOKEN, or create one with skiff token create'),
  headers: { 'www-authenticate': 'Bearer realm="skiff"' },
};

/** Where a session cookie is looked up, with the time to judge its expiry. */
export interface SessionLookup {
  store: SessionStore;
  now: () => number;
}

/** The caller's identity for a route that needs `access`, or the 401/403 answer: a bearer
 *  token, or else the dashboard's session cookie (whose token must still exist: a revoked
 *  token's sessions end with it, a role changed since login is the role now). */
export function authorize(
  req: IncomingMessage,
  access: Access,
  tokens: TokenVerifier,
  sessions?: SessionLookup,
): { identity?: TokenIdentity } | { answer: Answer } {
  if (access === 'open') return {};
  const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  const identity = m ? tokens.verify(m[1]!) : sessionIdentity(req, tokens, sessions);
  if (!identity) return { answer: UNAUTHENTICATED };
  if (!m && req.method !== 'GET' && req.method !== 'HEAD' && req.headers.origin === undefined)
    return {
      answer: refuse(
        403,
        'a session call that changes something needs an Origin header',
        'use the dashboard',
      ),
    };
  if (access === 'admin' && identity.role !== 'admin')
    return {
      answer: refuse(403, `token ${identity.id} has the read role; this needs admin`, 'use an admin token'),
    };
  return { identity };
}

function sessionIdentity(
  req: IncomingMessage,
  tokens: TokenVerifier,
  sessions: SessionLookup | undefined,
): TokenIdentity | undefined {
  const id = sessions && cookieValue(req.headers.cookie, SESSION_COOKIE);
  const session = id ? sessions!.store.get(id, sessions!.now()) : undefined;
  return session && tokens.identity(session.id);
}
