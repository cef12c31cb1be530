// examples/ci/plan-comment.mjs, run as CI runs it (a child `node` process), against local fakes
// of the GitHub and GitLab REST endpoints it calls (fake-forges.ts: real shapes, checked headers).
// One comment per pull request and app, found again by its marker among the token user's own
// comments; pagination; retries; one-line errors that never show the token; the size limit.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGithub, type FakeGithub as FakeGithubT, FakeGitlab, type FakeUser } from './fake-forges.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../../examples/ci/plan-comment.mjs');
const PAT = 'ghp_personalTOKENvalue0123456789';
const ACTIONS = 'ghs_installationTOKEN0123456789';
const GL_TOKEN = 'glpat-projectTOKEN0123456789';
const me: FakeUser = { login: 'plan-bot', id: 1, type: 'User' };
const actionsBot: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
const mallory: FakeUser = { login: 'mallory', id: 666, type: 'User' };
const PR = 7;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;

function runScript(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [SCRIPT, ...args],
      // Only what CI would set: no inherited GITHUB_*/CI_* from the machine running the tests.
      { env: { PATH: process.env.PATH ?? '', PLAN_COMMENT_RETRY_MS: '10', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end(stdin ?? '');
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plan-comment-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('plan-comment.mjs --github', () => {
  let gh: FakeGithubT;
  let eventPath: string;
  const env = (token = PAT): Record<string, string> => ({
    GITHUB_TOKEN: token,
    GITHUB_REPOSITORY: 'acme/deploy',
    GITHUB_API_URL: gh.base,
    GITHUB_EVENT_PATH: eventPath,
  });
  const post = (body: string, extra: string[] = [], token = PAT) =>
    runScript(['--github', '--app', 'shop', ...extra], env(token), body);
  const mine = () => (gh.comments.get(PR) ?? []).filter((c) => c.user.login === me.login);

  beforeEach(async () => {
    gh = await new FakeGithub().start();
    gh.tokens.set(PAT, { user: me, installation: false });
    gh.tokens.set(ACTIONS, { user: actionsBot, installation: true });
    gh.comments.set(PR, []);
    eventPath = path.join(dir, `event-${Math.random()}.json`);
    await writeFile(
      eventPath,
      JSON.stringify({ action: 'synchronize', number: PR, pull_request: { number: PR } }),
    );
  });
  afterEach(async () => {
    expect(gh.problems).toEqual([]);
    await gh.stop();
  });

  it('creates the comment on the first run and edits the same one on the next', async () => {
    const first = await post('### plan one\n');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^plan-comment: created comment \d+ on pull request #7\n$/);
    const second = await post('### plan two\n');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/updated comment \d+/);
    expect(gh.comments.get(PR)).toHaveLength(1);
    expect(gh.comments.get(PR)![0]!.body).toBe('<!-- skiff-plan:shop -->\n### plan two\n');
    // The user is asked once per run (GET /user), the PR number came from GITHUB_EVENT_PATH.
    const calls = gh.requests.map((r) => `${r.method} ${r.url}`);
    expect(calls).toEqual([
      'GET /user',
      'GET /repos/acme/deploy/issues/7/comments?per_page=100',
      'POST /repos/acme/deploy/issues/7/comments',
      'GET /user',
      'GET /repos/acme/deploy/issues/7/comments?per_page=100',
      `PATCH /repos/acme/deploy/issues/comments/${gh.comments.get(PR)![0]!.id}`,
    ]);
    for (const r of gh.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${PAT}`);
      expect(r.headers.accept).toBe('application/vnd.github+json');
      expect(r.headers['x-github-api-version']).toBe('2022-11-28');
    }
  });

  it("leaves another app's comment and someone else's comment with the marker alone", async () => {
    const other = gh.addComment(PR, me, '<!-- skiff-plan:billing -->\nbilling plan');
    const forged = gh.addComment(PR, mallory, '<!-- skiff-plan:shop -->\nlooks like a plan');
    const quoted = gh.addComment(PR, me, 'a note quoting <!-- skiff-plan:shop --> later in the text');
    const run = await post('### shop plan\n');
    expect(run.stdout).toMatch(/created comment/);
    const all = gh.comments.get(PR)!;
    expect(all).toHaveLength(4);
    expect(all.find((c) => c.id === other.id)!.body).toBe('<!-- skiff-plan:billing -->\nbilling plan');
    expect(all.find((c) => c.id === forged.id)!.body).toBe('<!-- skiff-plan:shop -->\nlooks like a plan');
    expect(all.find((c) => c.id === quoted.id)!.body).toMatch(/^a note quoting/);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
  });

  it('finds its comment on page 2 by following the Link header', async () => {
    for (let i = 0; i < 130; i++) gh.addComment(PR, mallory, `comment ${i}`);
    const ours = gh.addComment(PR, me, '<!-- skiff-plan:shop -->\nold plan');
    for (let i = 0; i < 20; i++) gh.addComment(PR, mallory, `later ${i}`);
    const run = await post('new plan');
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain(`updated comment ${ours.id}`);
    expect(ours.body).toBe('<!-- skiff-plan:shop -->\nnew plan');
    expect(gh.requests.map((r) => r.url)).toContain(
      '/repositories/4242/issues/7/comments?per_page=100&page=2',
    );
    expect(gh.comments.get(PR)).toHaveLength(151);
  });

  it('never follows a next-page link to another origin with the token', async () => {
    gh.faults.push({
      method: 'GET',
      path: '/repos/acme/deploy/issues/7/comments',
      status: 200,
      headers: { link: '<http://127.0.0.2:9/steal?page=2>; rel="next"' },
      body: [],
    });
    const run = await post('plan', ['--author', 'plan-bot']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'plan-comment: error: GitHub sent a next-page link to another origin (http://127.0.0.2:9)\n',
    );
    expect(gh.comments.get(PR)).toEqual([]);
  });

  it('with GITHUB_TOKEN: GET /user is refused, so --author names the bot', async () => {
    const refused = await post('plan', [], ACTIONS);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('403');
    expect(refused.stderr).toContain('Resource not accessible by integration');
    expect(refused.stderr).toContain("--author 'github-actions[bot]'");
    expect(refused.stderr).not.toContain(ACTIONS);

    gh.addComment(PR, actionsBot, '<!-- skiff-plan:shop -->\nold');
    const run = await post('new', ['--author', 'github-actions[bot]'], ACTIONS);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/updated comment/);
    expect(gh.comments.get(PR)!.map((c) => c.body)).toEqual(['<!-- skiff-plan:shop -->\nnew']);
    expect(gh.requests.filter((r) => r.url === '/user')).toHaveLength(1); // only the refused run
  });

  it('retries a 502 and a secondary rate limit (403 + Retry-After), then succeeds', async () => {
    gh.faults.push({ method: 'GET', path: '/repos/acme/deploy/issues/7/comments', status: 502 });
    gh.faults.push({
      method: 'POST',
      path: '/repos/acme/deploy/issues/7/comments',
      status: 403,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit.', documentation_url: 'x' },
    });
    const run = await post('plan');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(mine()).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('a rate limit longer than it will wait fails at once, saying so', async () => {
    gh.faults.push({
      method: 'GET',
      path: '/repos/acme/deploy/issues/7/comments',
      status: 403,
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      },
      body: { message: 'API rate limit exceeded for installation.', documentation_url: 'x' },
    });
    const run = await post('plan', ['--author', 'plan-bot']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^plan-comment: error: GitHub answered 403 Forbidden to GET .*: API rate limit exceeded for installation\. \(hint: rate limited: GitHub asks to wait 36\d\d s; run the job again later\)\n$/,
    );
    expect(gh.requests).toHaveLength(1);
  });

  it('a create answered 502 after it landed is not repeated: the list shows it, it is edited', async () => {
    gh.faults.push({
      method: 'POST',
      path: '/repos/acme/deploy/issues/7/comments',
      status: 502,
      thenApply: true,
    });
    const run = await post('plan');
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/updated comment/);
    expect(mine()).toHaveLength(1);
  });

  it('gives up after a bounded number of 5xx, in one line', async () => {
    for (let i = 0; i < 10; i++)
      gh.faults.push({
        method: 'GET',
        path: '/repos/',
        status: 503,
        body: { message: 'Service Unavailable' },
      });
    const run = await post('plan', ['--author', 'plan-bot']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'plan-comment: error: GitHub answered 503 Service Unavailable to GET /repos/acme/deploy/issues/7/comments: Service Unavailable\n',
    );
    expect(gh.requests).toHaveLength(4);
  });

  it.each([
    [
      '401: a token GitHub does not know',
      { token: 'ghp_revokedTOKEN000', repo: 'acme/deploy' },
      /401 Unauthorized .*Bad credentials/,
    ],
    [
      '404: a repository the token cannot see',
      { token: PAT, repo: 'acme/secret' },
      /404 Not Found .*Not Found/,
    ],
  ])('%s: one line, exit 1, no token', async (_name, c, message) => {
    const run = await runScript(
      ['--github', '--author', 'plan-bot'],
      { ...env(c.token), GITHUB_REPOSITORY: c.repo },
      'plan',
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.endsWith('\n')).toBe(true);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^plan-comment: error: GitHub answered /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('hint:');
    expect(run.stderr).not.toContain(c.token);
  });

  it('cuts a 70,000-character body to fit, with a note, and closes an open code fence', async () => {
    const body = `### plan\n\n\`\`\`diff\n${'+ a line of the field diff\n'.repeat(2_700)}\`\`\`\n`;
    expect(body.length).toBeGreaterThan(70_000);
    const run = await post(body);
    expect(run).toMatchObject({ code: 0 });
    const posted = gh.comments.get(PR)![0]!.body;
    expect(posted.length).toBeLessThanOrEqual(65_536);
    expect(posted.startsWith('<!-- skiff-plan:shop -->\n### plan')).toBe(true);
    expect(posted).toMatch(
      /\n```\n\n_Cut to fit a comment \(65,536 characters\): [\d,]+ characters left out/,
    );
  });

  it('reads the body from --body-file and the number from --pr; refuses bad usage with exit 2', async () => {
    gh.comments.set(9, []);
    const file = path.join(dir, 'plan.md');
    await writeFile(file, 'from a file');
    const run = await runScript(['--github', '--pr', '9', '--body-file', file, '--author', 'plan-bot'], {
      ...env(),
      GITHUB_EVENT_PATH: '',
    });
    expect(run).toMatchObject({ code: 0 });
    expect(gh.comments.get(9)![0]!.body).toBe('<!-- skiff-plan:default -->\nfrom a file');

    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--github', '--gitlab'], env(), /exactly one of --github or --gitlab/],
      [['--github', '--app', 'Shop -->'], env(), /not an app name/],
      [['--github', '--bogus'], env(), /Unknown option '--bogus'/],
      [['--github'], { ...env(), GITHUB_TOKEN: '' }, /GITHUB_TOKEN is not set/],
      [
        ['--github'],
        { ...env(), GITHUB_EVENT_PATH: '' },
        /GITHUB_EVENT_PATH is not set: give the pull request with --pr N/,
      ],
    ];
    for (const [args, e, msg] of cases) {
      const bad = await runScript(args, e, 'x');
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(msg);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

it('runs when named through a symlink (a linked checkout), and only then prints', async () => {
  const link = path.join(dir, 'linked-plan-comment.mjs');
  await symlink(SCRIPT, link);
  const r = await new Promise<string>((resolve) =>
    execFile(process.execPath, [link, '--help'], (_err, stdout) => resolve(String(stdout))),
  );
  expect(r).toMatch(/^usage: plan-comment\.mjs --github\|--gitlab/);
});

describe('plan-comment.mjs --gitlab', () => {
  let gl: FakeGitlab;
  const bot = { id: 5, username: 'project_77_bot_abc' };
  const dev = { id: 6, username: 'dev' };
  const env = (token = GL_TOKEN): Record<string, string> => ({
    SKIFF_GITLAB_TOKEN: token,
    CI_API_V4_URL: `${gl.base}/api/v4`,
    CI_PROJECT_ID: '77',
    CI_MERGE_REQUEST_IID: '3',
  });

  beforeEach(async () => {
    gl = await new FakeGitlab().start();
    gl.tokens.set(GL_TOKEN, bot);
    gl.notes.set(3, []);
  });
  afterEach(async () => {
    expect(gl.problems).toEqual([]);
    await gl.stop();
  });

  it('creates the note, then edits it; others and system notes are left alone', async () => {
    gl.addNote(3, dev, '<!-- skiff-plan:shop -->\nnot the bot');
    gl.addNote(3, bot, 'added 1 commit', true);
    const first = await runScript(['--gitlab', '--app', 'shop'], env(), 'plan one');
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/created comment \d+ on merge request !3/);
    const second = await runScript(['--gitlab', '--app', 'shop'], env(), 'plan two');
    expect(second.stdout).toMatch(/updated comment/);
    const bodies = gl.notes.get(3)!.map((n) => n.body);
    expect(bodies).toEqual([
      '<!-- skiff-plan:shop -->\nnot the bot',
      'added 1 commit',
      '<!-- skiff-plan:shop -->\nplan two',
    ]);
    for (const r of gl.requests) expect(r.headers['private-token']).toBe(GL_TOKEN);
    expect(gl.requests.map((r) => `${r.method} ${r.url.replace(/\d{4}$/, 'ID')}`)).toEqual([
      'GET /api/v4/user',
      'GET /api/v4/projects/77/merge_requests/3/notes?sort=asc&order_by=created_at&per_page=100&page=1',
      'POST /api/v4/projects/77/merge_requests/3/notes',
      'GET /api/v4/user',
      'GET /api/v4/projects/77/merge_requests/3/notes?sort=asc&order_by=created_at&per_page=100&page=1',
      'PUT /api/v4/projects/77/merge_requests/3/notes/ID',
    ]);
  });

  it('follows X-Next-Page to page 2 and retries a 502', async () => {
    for (let i = 0; i < 120; i++) gl.addNote(3, dev, `note ${i}`);
    const ours = gl.addNote(3, bot, '<!-- skiff-plan:shop -->\nold');
    gl.faults.push({ method: 'GET', path: '/api/v4/projects/77/merge_requests/3/notes', status: 502 });
    const run = await runScript(['--gitlab', '--app', 'shop'], env(), 'new');
    expect(run).toMatchObject({ code: 0 });
    expect(ours.body).toBe('<!-- skiff-plan:shop -->\nnew');
    expect(gl.requests.some((r) => r.url.endsWith('&page=2'))).toBe(true);
    expect(gl.notes.get(3)).toHaveLength(121);
  });

  it('401 and 404 give one line, exit 1, without the token', async () => {
    const unknown = await runScript(['--gitlab'], env('glpat-wrongTOKEN'), 'x');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^plan-comment: error: GitLab answered 401 Unauthorized to GET \/api\/v4\/user: 401 Unauthorized/,
    );
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).not.toContain('glpat-wrongTOKEN');
    const missing = await runScript(
      ['--gitlab', '--author', bot.username],
      { ...env(), CI_MERGE_REQUEST_IID: '99' },
      'x',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/GitLab answered 404 Not Found to GET .*: 404 Not found \(hint:/);
    expect(missing.stderr).not.toContain(GL_TOKEN);
  });
});
