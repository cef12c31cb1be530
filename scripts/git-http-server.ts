// A real smart-HTTP git server for tests and the demo: Node's http server running git's own
// `git-http-backend` as a CGI program, so clients (the git CLI, isomorphic-git) talk to the same
// server code they meet in production behind Apache or nginx. Shell: it binds a socket and spawns
// processes. Invariants: listens on loopback only; every repository under `root` is exported;
// push (receive-pack) is enabled; optional HTTP basic auth (or a bearer/basic token) guards every
// request; gzip request bodies (git sends them for large negotiations) are inflated before CGI.
//
// Usage as a script:
//   npx tsx scripts/git-http-server.ts --root DIR [--port 8123] [--token T | --user U --password P]
import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';

export const GIT_HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export type GitHttpAuth = { username: string; password: string } | { token: string };

export interface GitHttpServerOptions {
  /** Folder holding the repositories (`<root>/<name>.git`), served as `<url>/<name>.git`. */
  root: string;
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** 0 picks a free port. */
  port?: number;
  auth?: GitHttpAuth;
}

export interface GitHttpServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** Number of requests served (lets tests see that a fetch really happened). */
  requestCount(): number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`git http server: refusing to listen on ${host}: loopback only`);
  const root = resolvePath(opts.root);
  let served = 0;
  const server = createServer((req, res) => {
    served++;
    if (opts.auth && !isAuthorized(req, opts.auth)) {
      res.writeHead(401, {
        'WWW-Authenticate': 'Basic realm="skiff-test-git"',
        'Content-Type': 'text/plain',
      });
      res.end('authentication required\n');
      return;
    }
    runBackend(root, req, res);
  });
  // git keeps connections alive between the discovery and the pack request; a quick close()
  // needs them dropped.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requestCount: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isAuthorized(req: IncomingMessage, auth: GitHttpAuth): boolean {
  const header = req.headers.authorization ?? '';
  const [scheme, value = ''] = header.split(' ', 2);
  if ('token' in auth) {
    if (scheme?.toLowerCase() === 'bearer') return safeEqual(value, auth.token);
    if (scheme?.toLowerCase() !== 'basic') return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    return decoded.includes(':') && safeEqual(password, auth.token);
  }
  if (scheme?.toLowerCase() !== 'basic') return false;
  return safeEqual(Buffer.from(value, 'base64').toString('utf8'), `${auth.username}:${auth.password}`);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function runBackend(root: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://loopback');
  const gzipped = (req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    // Enable push without touching the repositories' own config; tests run as root over
    // folders they created, so no ownership check is meaningful here.
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
    GIT_CONFIG_KEY_1: 'safe.directory',
    GIT_CONFIG_VALUE_1: '*',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: root,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: 'skiff-test',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  // A plain body keeps its length; an inflated one is read to EOF by the backend.
  if (!gzipped && req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);

  const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const body = gzipped ? req.pipe(createGunzip()) : req;
  body.on('error', () => child.kill());
  body.pipe(child.stdin);
  child.stdin.on('error', () => {});
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.on('error', (err) => {
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`git-http-backend failed: ${err.message}\n`);
  });

  // CGI response: headers, a blank line, then the body streamed through.
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const split = findHeaderEnd(head);
    if (!split) return;
    headersDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, split.at).toString('latin1'));
    res.writeHead(status, headers);
    const rest = head.subarray(split.at + split.length);
    if (rest.length > 0) res.write(rest);
  });
  child.on('close', (code) => {
    if (!headersDone) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git-http-backend exited ${code}: ${stderr}\n`);
      return;
    }
    res.end();
  });
}

function findHeaderEnd(buf: Buffer): { at: number; length: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return undefined;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}

function parseArgs(argv: string[]): GitHttpServerOptions {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = get('--root');
  if (!root)
    throw new Error('usage: git-http-server --root DIR [--port N] [--token T | --user U --password P]');
  const token = get('--token');
  const user = get('--user');
  const password = get('--password');
  const auth: GitHttpAuth | undefined = token
    ? { token }
    : user && password !== undefined
      ? { username: user, password }
      : undefined;
  return { root, port: Number(get('--port') ?? 0), auth };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  const server = await startGitHttpServer(parseArgs(process.argv.slice(2)));
  process.stdout.write(`git http server listening on ${server.url}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
