// Local HTTP servers (node:http on 127.0.0.1) shaped like GitHub's and GitLab's commit status
// endpoints: the same paths, the same authentication headers, the same answers (201 with the
// created status as JSON; 401 for a bad token; GitHub 422 / GitLab 400 for a bad state), plus a
// generic receiver for webhooks and Slack. Each can fail its next N requests with a 5xx, or
// hold requests without answering (a slow receiver).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  received: Received[];
  /** Answer the next N requests with this 5xx status. */
  failNext(n: number, status?: number): void;
  /** Hold every request without answering (until close). */
  hang(on: boolean): void;
  close(): Promise<void>;
}

type Handler = (req: Received, res: ServerResponse) => void;

async function serve(handle: Handler): Promise<TestServer> {
  const received: Received[] = [];
  let failures = 0;
  let failStatus = 502;
  let hanging = false;
  const held: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(r);
      if (hanging) return void held.push(res);
      if (failures > 0) {
        failures--;
        return json(res, failStatus, { message: 'Bad Gateway' });
      }
      handle(r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(n, status = 502) {
      failures = n;
      failStatus = status;
    },
    hang(on) {
      hanging = on;
    },
    async close() {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const GITHUB_STATES = ['error', 'failure', 'pending', 'success'];

/** POST /repos/{owner}/{repo}/statuses/{sha} (docs.github.com, REST "Create a commit status"). */
export function githubStatusServer(token: string): Promise<TestServer> {
  let id = 0;
  return serve((r, res) => {
    const m = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(r.path);
    if (r.method !== 'POST' || !m) return json(res, 404, { message: 'Not Found' });
    if (r.headers.authorization !== `Bearer ${token}`)
      return json(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    const body = JSON.parse(r.body) as {
      state?: string;
      target_url?: string;
      description?: string;
      context?: string;
    };
    if (!body.state || !GITHUB_STATES.includes(body.state))
      return json(res, 422, {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'Status',
            code: 'custom',
            field: 'state',
            message: 'state is not included in the list',
          },
        ],
        documentation_url: 'https://docs.github.com/rest/commits/statuses#create-a-commit-status',
        status: '422',
      });
    id++;
    json(res, 201, {
      url: `https://api.github.com/repos/${m[1]}/${m[2]}/statuses/${m[3]}`,
      avatar_url: 'https://github.com/images/error/hubot_happy.gif',
      id,
      node_id: `MDY6U3RhdHVz${id}`,
      state: body.state,
      description: body.description ?? null,
      target_url: body.target_url ?? null,
      context: body.context ?? 'default',
      created_at: '2026-12-07T10:00:00Z',
      updated_at: '2026-12-07T10:00:00Z',
      creator: { login: 'skiff-bot', id: 1, type: 'Bot' },
    });
  });
}

const GITLAB_STATES = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'];

/** POST /api/v4/projects/:id/statuses/:sha (docs.gitlab.com, Commits API "Set commit pipeline
 *  status"); `:id` is a number or the URL-encoded path. */
export function gitlabStatusServer(token: string): Promise<TestServer> {
  let id = 0;
  return serve((r, res) => {
    const m = /^\/api\/v4\/projects\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(r.path);
    if (r.method !== 'POST' || !m) return json(res, 404, { message: '404 Not Found' });
    if (r.headers['private-token'] !== token) return json(res, 401, { message: '401 Unauthorized' });
    const body = JSON.parse(r.body) as {
      state?: string;
      name?: string;
      target_url?: string;
      description?: string;
    };
    if (!body.state || !GITLAB_STATES.includes(body.state))
      return json(res, 400, { error: 'state does not have a valid value' });
    id++;
    json(res, 201, {
      id,
      sha: m[2],
      ref: 'main',
      status: body.state,
      name: body.name ?? 'default',
      target_url: body.target_url ?? null,
      description: body.description ?? null,
      created_at: '2026-12-07T10:00:00.000Z',
      started_at: null,
      finished_at: null,
      allow_failure: false,
      coverage: null,
      author: { id: 1, username: 'skiff-bot', name: 'skiff', state: 'active' },
    });
  });
}

/** A webhook or Slack receiver: 200 "ok" to anything. */
export function receiverServer(): Promise<TestServer> {
  return serve((_r, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
}
