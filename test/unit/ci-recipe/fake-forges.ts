// A local HTTP server speaking the few REST endpoints examples/ci/plan-comment.mjs calls, with
// their real request and response shapes, so the script is tested against what GitHub and
// GitLab answer, not against a mock of itself.
// GitHub (docs.github.com/rest/issues/comments, API version 2022-11-28):
//   GET   /repos/{owner}/{repo}/issues/{n}/comments?per_page&page  (Link: rel="next" to
//         /repositories/{id}/issues/{n}/comments?..., as GitHub writes it)
//   POST  /repos/{owner}/{repo}/issues/{n}/comments            {body} -> 201
//   PATCH /repos/{owner}/{repo}/issues/comments/{id}           {body} -> 200
//   GET   /user  (403 "Resource not accessible by integration" to an installation token)
// GitLab (docs.gitlab.com/api/notes, v4): PRIVATE-TOKEN auth;
//   GET  /api/v4/projects/:id/merge_requests/:iid/notes?sort&order_by&per_page&page
//        (X-Page, X-Per-Page, X-Next-Page, X-Total, X-Total-Pages)
//   POST /api/v4/projects/:id/merge_requests/:iid/notes         {body} -> 201
//   PUT  /api/v4/projects/:id/merge_requests/:iid/notes/:note_id {body} -> 200
//   GET  /api/v4/user
// Every request is checked (auth, Accept, API version, JSON body); a malformed one is answered
// 400 and recorded in `problems`, which every test expects empty.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface GithubComment {
  id: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
}

export interface GitlabNote {
  id: number;
  body: string;
  author: { id: number; username: string };
  system: boolean;
  created_at: string;
  updated_at: string;
}

export interface Fault {
  method: string;
  /** Matches when the request path starts with this. */
  path: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Do the request's work before answering with the fault (a 502 after the write landed). */
  thenApply?: boolean;
}

export interface Logged {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body?: unknown;
}

const GITHUB_CHAR_LIMIT = 65_536;
/** Where the answer of a request done before its fault goes. */
const DISCARD = { writeHead: () => DISCARD, end: () => DISCARD } as unknown as ServerResponse;
const TIME = '2026-12-07T05:00:00Z';

abstract class FakeForge {
  server!: Server;
  base = '';
  requests: Logged[] = [];
  problems: string[] = [];
  faults: Fault[] = [];
  nextId = 1000;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.serve(req, res).catch((err) => {
        this.problems.push(`server error: ${(err as Error).message}`);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (raw !== '') {
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return this.bad(res, `${req.method} ${req.url}: body without Content-Type: application/json`);
      try {
        body = JSON.parse(raw);
      } catch {
        return this.bad(res, `${req.method} ${req.url}: body is not JSON`);
      }
    }
    const url = new URL(req.url ?? '/', this.base);
    this.requests.push({
      method: req.method ?? '',
      url: url.pathname + url.search,
      headers: req.headers,
      body,
    });
    const fault = this.faults.findIndex((f) => f.method === req.method && url.pathname.startsWith(f.path));
    if (fault >= 0) {
      const [f] = this.faults.splice(fault, 1);
      if (f!.thenApply) await this.handle(req, url, body, DISCARD);
      res.writeHead(f!.status, { 'content-type': 'application/json', ...f!.headers });
      res.end(JSON.stringify(f!.body ?? { message: 'Server Error' }));
      return;
    }
    await this.handle(req, url, body, res);
  }

  protected bad(res: ServerResponse, problem: string): void {
    this.problems.push(problem);
    this.send(res, 400, { message: `fake forge: ${problem}` });
  }

  protected send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  protected abstract handle(
    req: IncomingMessage,
    url: URL,
    body: unknown,
    res: ServerResponse,
  ): Promise<void>;
}

export class FakeGithub extends FakeForge {
  readonly owner = 'acme';
  readonly repo = 'deploy';
  readonly repoId = 4242;
  /** token -> user; `installation` tokens (GITHUB_TOKEN, App tokens) have no GET /user. */
  tokens = new Map<string, { user: FakeUser; installation: boolean }>();
  comments = new Map<number, GithubComment[]>();

  addComment(pr: number, user: FakeUser, body: string): GithubComment {
    const c: GithubComment = { id: this.nextId++, body, user, created_at: TIME, updated_at: TIME };
    this.comments.set(pr, [...(this.comments.get(pr) ?? []), c]);
    return c;
  }

  /** The REST API's issue comment object. */
  private shape(pr: number, c: GithubComment): object {
    const repoUrl = `${this.base}/repos/${this.owner}/${this.repo}`;
    return {
      url: `${repoUrl}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${pr}#issuecomment-${c.id}`,
      issue_url: `${repoUrl}/issues/${pr}`,
      id: c.id,
      node_id: `IC_kwDO${c.id}`,
      user: {
        login: c.user.login,
        id: c.user.id,
        node_id: `U_${c.user.id}`,
        type: c.user.type,
        site_admin: false,
      },
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
      body: c.body,
      reactions: { url: `${repoUrl}/issues/comments/${c.id}/reactions`, total_count: 0 },
      performed_via_github_app: null,
    };
  }

  private error(res: ServerResponse, status: number, message: string, errors?: object[]): void {
    this.send(res, status, {
      message,
      ...(errors ? { errors } : {}),
      documentation_url: 'https://docs.github.com/rest',
      status: String(status),
    });
  }

  protected async handle(req: IncomingMessage, url: URL, body: unknown, res: ServerResponse): Promise<void> {
    const h = req.headers;
    if (h.accept !== 'application/vnd.github+json') return this.bad(res, `Accept is ${h.accept}`);
    if (h['x-github-api-version'] !== '2022-11-28')
      return this.bad(res, `X-GitHub-Api-Version is ${h['x-github-api-version']}`);
    // GitHub refuses requests without a User-Agent (403).
    if (!h['user-agent']) return this.error(res, 403, 'Request forbidden by administrative rules.');
    const auth = /^(?:Bearer|token) (.+)$/.exec(h.authorization ?? '')?.[1];
    const who = auth === undefined ? undefined : this.tokens.get(auth);
    if (!who) return this.error(res, 401, 'Bad credentials');

    const path = url.pathname;
    if (req.method === 'GET' && path === '/user') {
      if (who.installation) return this.error(res, 403, 'Resource not accessible by integration');
      return this.send(res, 200, { login: who.user.login, id: who.user.id, type: who.user.type });
    }
    const list =
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path) ??
      /^\/repositories\/(\d+)()\/issues\/(\d+)\/comments$/.exec(path);
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    const repoMatches = (m: RegExpExecArray) =>
      m[2] === '' ? Number(m[1]) === this.repoId : m[1] === this.owner && m[2] === this.repo;
    if (list && repoMatches(list)) {
      const pr = Number(list[3]);
      if (!this.comments.has(pr)) return this.error(res, 404, 'Not Found');
      if (req.method === 'GET') return this.listPage(res, url, pr);
      if (req.method === 'POST') {
        const text = this.bodyOf(res, body);
        if (text === undefined) return;
        const c = this.addComment(pr, who.user, text);
        return this.send(res, 201, this.shape(pr, c), { location: `${this.base}${path}/${c.id}` });
      }
    }
    if (one && repoMatches(one) && req.method === 'PATCH') {
      const id = Number(one[3]);
      for (const [pr, cs] of this.comments) {
        const c = cs.find((x) => x.id === id);
        if (!c) continue;
        const text = this.bodyOf(res, body);
        if (text === undefined) return;
        c.body = text;
        c.updated_at = '2026-12-07T05:30:00Z';
        return this.send(res, 200, this.shape(pr, c));
      }
    }
    return this.error(res, 404, 'Not Found');
  }

  private bodyOf(res: ServerResponse, body: unknown): string | undefined {
    const text = (body as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string') {
      this.bad(res, 'request body without a "body" string');
      return undefined;
    }
    if ([...text].length > GITHUB_CHAR_LIMIT) {
      this.error(res, 422, 'Validation Failed', [
        {
          resource: 'IssueComment',
          code: 'unprocessable',
          field: 'data',
          message: 'Body is too long (maximum is 65536 characters)',
        },
      ]);
      return undefined;
    }
    return text;
  }

  private listPage(res: ServerResponse, url: URL, pr: number): void {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Number(url.searchParams.get('page') ?? 1);
    const all = this.comments.get(pr)!;
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const at = (p: number) =>
      `<${this.base}/repositories/${this.repoId}/issues/${pr}/comments?per_page=${perPage}&page=${p}>`;
    const links: string[] = [];
    if (page > 1) links.push(`${at(page - 1)}; rel="prev"`);
    if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
    if (page > 1) links.push(`${at(1)}; rel="first"`);
    const items = all.slice((page - 1) * perPage, page * perPage).map((c) => this.shape(pr, c));
    this.send(res, 200, items, links.length > 0 ? { link: links.join(', ') } : {});
  }
}

export class FakeGitlab extends FakeForge {
  readonly projectId = 77;
  tokens = new Map<string, { id: number; username: string }>();
  notes = new Map<number, GitlabNote[]>();

  addNote(iid: number, author: { id: number; username: string }, body: string, system = false): GitlabNote {
    const n: GitlabNote = { id: this.nextId++, body, author, system, created_at: TIME, updated_at: TIME };
    this.notes.set(iid, [...(this.notes.get(iid) ?? []), n]);
    return n;
  }

  private shape(iid: number, n: GitlabNote): object {
    return {
      id: n.id,
      type: null,
      body: n.body,
      attachment: null,
      author: {
        id: n.author.id,
        username: n.author.username,
        name: n.author.username,
        state: 'active',
        avatar_url: null,
        web_url: `https://gitlab.example.com/${n.author.username}`,
      },
      created_at: n.created_at,
      updated_at: n.updated_at,
      system: n.system,
      noteable_id: 9000 + iid,
      noteable_type: 'MergeRequest',
      project_id: this.projectId,
      resolvable: false,
      confidential: false,
      internal: false,
      noteable_iid: iid,
      commands_changes: {},
    };
  }

  protected async handle(req: IncomingMessage, url: URL, body: unknown, res: ServerResponse): Promise<void> {
    const token = req.headers['private-token'];
    if (req.headers.authorization) return this.bad(res, 'GitLab is sent an Authorization header');
    const who = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (!who) return this.send(res, 401, { message: '401 Unauthorized' });
    const path = url.pathname;
    if (req.method === 'GET' && path === '/api/v4/user')
      return this.send(res, 200, { id: who.id, username: who.username, name: who.username, state: 'active' });
    const m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(path);
    if (!m || decodeURIComponent(m[1]!) !== String(this.projectId))
      return this.send(res, 404, { message: '404 Project Not Found' });
    const iid = Number(m[2]);
    const notes = this.notes.get(iid);
    if (!notes) return this.send(res, 404, { message: '404 Not found' });
    if (req.method === 'GET' && !m[3]) return this.listPage(res, url, iid, notes);
    const text = (body as { body?: unknown } | undefined)?.body;
    if ((req.method === 'POST' || req.method === 'PUT') && typeof text !== 'string')
      return this.send(res, 400, { error: 'body is missing' });
    if (req.method === 'POST' && !m[3])
      return this.send(res, 201, this.shape(iid, this.addNote(iid, who, text as string)));
    if (req.method === 'PUT' && m[3]) {
      const n = notes.find((x) => x.id === Number(m[3]));
      if (!n) return this.send(res, 404, { message: '404 Not found' });
      if (n.author.id !== who.id) return this.send(res, 403, { message: '403 Forbidden' });
      n.body = text as string;
      n.updated_at = '2026-12-07T05:30:00Z';
      return this.send(res, 200, this.shape(iid, n));
    }
    return this.send(res, 404, { error: '404 Not Found' });
  }

  private listPage(res: ServerResponse, url: URL, iid: number, notes: GitlabNote[]): void {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 20));
    const page = Number(url.searchParams.get('page') ?? 1);
    const pages = Math.max(1, Math.ceil(notes.length / perPage));
    const items = notes.slice((page - 1) * perPage, page * perPage).map((n) => this.shape(iid, n));
    this.send(res, 200, items, {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < pages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(notes.length),
      'x-total-pages': String(pages),
    });
  }
}
