#!/usr/bin/env node
// Posts `skiff plan -o markdown` as ONE comment per pull request (GitHub) or merge request
// (GitLab) and per app, and edits that comment on every later push instead of adding another.
// The comment is found again by a hidden marker on its first line (<!-- skiff-plan:APP -->),
// among the comments written by the token's own user only: someone quoting the marker is never
// edited. Node 20, no dependencies (global fetch), one file: copy it into your repository.
//
//   skiff plan --local . -o markdown --exit-code > plan.md
//   node plan-comment.mjs --github --app shop --author 'github-actions[bot]' --body-file plan.md
//   node plan-comment.mjs --gitlab --app shop < plan.md
//
// GitHub: GITHUB_TOKEN (needs pull-requests: write), GITHUB_REPOSITORY (owner/repo), the pull
//   request's number from GITHUB_EVENT_PATH (a pull_request event) or --pr, GITHUB_API_URL
//   (default https://api.github.com; GitHub Enterprise Server: https://HOST/api/v3).
//   Whose comments count: --author LOGIN, else GET /user. GET /user answers 403 to GITHUB_TOKEN
//   and to GitHub App tokens (they are not users): give --author 'github-actions[bot]' for
//   GITHUB_TOKEN, or --author 'APP-SLUG[bot]' for an App's token.
// GitLab: a project access token (role Reporter, scope api) in SKIFF_GITLAB_TOKEN (or the
//   variable --token-env names), sent as PRIVATE-TOKEN; CI_API_V4_URL, CI_PROJECT_ID,
//   CI_MERGE_REQUEST_IID (or --pr). CI_JOB_TOKEN cannot be used: the job token may call only a
//   short list of endpoints, and writing merge request notes is not among them.
//
// Requests are retried (at most 4 attempts) on 5xx, on 429 and on GitHub's rate limits (403 with
// Retry-After or x-ratelimit-remaining: 0), waiting as the server says (up to 2 minutes). A
// create (POST) that failed with 5xx is not blindly repeated: the comments are listed again first,
// so a create that did land is edited, never duplicated. A body over 65,536 characters (GitHub's
// limit for a comment) is cut with a note. Errors are one line with the HTTP status and the API's
// message, exit 1 (exit 2 for wrong usage); the token is never printed.
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MAX_BODY_CHARS = 65_536;
const MAX_ATTEMPTS = 4;
const MAX_WAIT_MS = 120_000;
const MAX_PAGES = 100; // 100 per page: 10,000 comments
const TIMEOUT_MS = 30_000;
const APP_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

class Failure extends Error {
  constructor(message, { exit = 1, retryable = false } = {}) {
    super(message);
    this.exit = exit;
    this.retryable = retryable;
  }
}
const usage = (message) => new Failure(message, { exit: 2 });

const HELP = `usage: plan-comment.mjs --github|--gitlab [--app NAME] [--body-file FILE] [--pr N]
                       [--author LOGIN] [--token-env VAR]
  --app NAME        the skiff app the plan is for: one comment per app (default "default")
  --body-file FILE  the comment's markdown (default: stdin)
  --pr N            the pull/merge request (default: from the CI environment)
  --author LOGIN    whose comments count (default: the token's user, GET /user)
  --token-env VAR   the variable holding the token (GITHUB_TOKEN | SKIFF_GITLAB_TOKEN)
`;

function readOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        github: { type: 'boolean' },
        gitlab: { type: 'boolean' },
        app: { type: 'string', default: 'default' },
        'body-file': { type: 'string' },
        pr: { type: 'string' },
        author: { type: 'string' },
        'token-env': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (err) {
    throw usage(`${err.message}; see --help`);
  }
  if (parsed.help) return { help: true };
  if (parsed.github === parsed.gitlab) throw usage('give exactly one of --github or --gitlab');
  if (!APP_NAME.test(parsed.app) || parsed.app.length > 63)
    throw usage(`--app "${oneLine(parsed.app)}" is not an app name (lowercase letters, digits, "-")`);
  if (parsed.pr !== undefined && !/^[1-9][0-9]{0,9}$/.test(parsed.pr))
    throw usage(`--pr "${oneLine(parsed.pr)}" is not a pull/merge request number`);
  return parsed;
}

// ---- the two forges: where the comments are, how to call, whose comment is ours ----------

function apiBase(url, variable) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw usage(`${variable} is not a URL: "${oneLine(url)}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw usage(`${variable} must be an http(s) URL, not ${parsed.protocol}`);
  return url.replace(/\/+$/, '');
}

function needEnv(env, name, hint) {
  const v = env[name];
  if (v === undefined || v === '') throw usage(`${name} is not set: ${hint}`);
  return v;
}

async function githubPullNumber(opts, env) {
  if (opts.pr) return opts.pr;
  const path = needEnv(env, 'GITHUB_EVENT_PATH', 'give the pull request with --pr N');
  let event;
  try {
    event = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw usage(`cannot read the event in GITHUB_EVENT_PATH (${err.code ?? err.message}): give --pr N`);
  }
  const n = event?.pull_request?.number;
  if (!Number.isInteger(n))
    throw usage('the workflow event is not a pull request (run on: pull_request), or give --pr N');
  return String(n);
}

async function github(opts, env) {
  const tokenVar = opts['token-env'] ?? 'GITHUB_TOKEN';
  const expression = ['$', '{{ github.token }}'].join(''); // shown as the workflow writes it
  const token = needEnv(env, tokenVar, `pass the token to the step: env: ${tokenVar}: ${expression}`);
  const repo = needEnv(env, 'GITHUB_REPOSITORY', 'set it to owner/repo');
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo))
    throw usage(`GITHUB_REPOSITORY "${oneLine(repo)}" is not owner/repo`);
  const base = apiBase(env.GITHUB_API_URL || 'https://api.github.com', 'GITHUB_API_URL');
  const pr = await githubPullNumber(opts, env);
  return {
    name: 'GitHub',
    token,
    base,
    what: `pull request #${pr}`,
    headers: {
      Accept: 'application/vnd.github+json',
      Authorization: `Bearer ${token}`,
      'X-GitHub-Api-Version': '2022-11-28',
    },
    firstPage: `${base}/repos/${repo}/issues/${pr}/comments?per_page=100`,
    // GitHub pages with the Link header (rel="next"), an absolute URL.
    nextPage: (res) => linkNext(res.headers.get('link')),
    createUrl: `${base}/repos/${repo}/issues/${pr}/comments`,
    updateUrl: (id) => `${base}/repos/${repo}/issues/comments/${id}`,
    updateMethod: 'PATCH',
    loginField: 'login',
    author: (c) => c.user?.login,
    isNote: () => true,
    whoAmIHint:
      "GET /user is refused to GITHUB_TOKEN and GitHub App tokens: give --author 'github-actions[bot]' " +
      "(GITHUB_TOKEN) or --author 'APP-SLUG[bot]' (an App's token)",
  };
}

function gitlab(opts, env) {
  const tokenVar = opts['token-env'] ?? 'SKIFF_GITLAB_TOKEN';
  const token = needEnv(
    env,
    tokenVar,
    'a project access token (Reporter, scope api) in a masked CI/CD variable; CI_JOB_TOKEN cannot write notes',
  );
  const base = apiBase(env.CI_API_V4_URL || 'https://gitlab.com/api/v4', 'CI_API_V4_URL');
  const project = encodeURIComponent(needEnv(env, 'CI_PROJECT_ID', 'run in a GitLab CI job'));
  const iid =
    opts.pr ??
    needEnv(
      env,
      'CI_MERGE_REQUEST_IID',
      'run in a merge request pipeline (merge_request_event), or give --pr N',
    );
  const notes = `${base}/projects/${project}/merge_requests/${iid}/notes`;
  return {
    name: 'GitLab',
    token,
    base,
    what: `merge request !${iid}`,
    headers: { Accept: 'application/json', 'PRIVATE-TOKEN': token },
    firstPage: `${notes}?sort=asc&order_by=created_at&per_page=100&page=1`,
    // GitLab pages with X-Next-Page (empty on the last page).
    nextPage: (res, url) => {
      const next = res.headers.get('x-next-page');
      if (!next) return undefined;
      const u = new URL(url);
      u.searchParams.set('page', next);
      return u.href;
    },
    createUrl: notes,
    updateUrl: (id) => `${notes}/${id}`,
    updateMethod: 'PUT',
    loginField: 'username',
    author: (n) => n.author?.username,
    isNote: (n) => n.system !== true,
    whoAmIHint: 'the token must belong to a user or a project/group bot (a project access token)',
  };
}

function linkNext(header) {
  if (!header) return undefined;
  for (const m of header.matchAll(/<([^>]+)>\s*;\s*rel="([^"]+)"/g))
    if (m[2].split(/\s+/).includes('next')) return m[1];
  return undefined;
}

// ---- HTTP: one request, retried where retrying is safe -------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const retryBaseMs = () => Number(process.env.PLAN_COMMENT_RETRY_MS ?? 1000);

/** How long to wait before trying again, or undefined when the status is final.
 *  `rateLimited`: the server refused the request unprocessed, so even a POST may be repeated. */
function retryAfter(res, attempt) {
  const header = res.headers.get('retry-after');
  const seconds = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
  const remaining = res.headers.get('x-ratelimit-remaining');
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const backoff = retryBaseMs() * 2 ** (attempt - 1);
  // GitHub: a secondary rate limit is 403 or 429 with Retry-After; the primary limit is 403/429
  // with x-ratelimit-remaining: 0 until x-ratelimit-reset (epoch seconds); otherwise wait a minute.
  const limited = res.status === 429 || (res.status === 403 && (seconds !== undefined || remaining === '0'));
  if (limited) {
    const ms =
      seconds !== undefined
        ? seconds * 1000
        : remaining === '0' && reset > 0
          ? reset * 1000 - Date.now() + 1000
          : 60_000;
    return { ms: Math.max(0, ms), rateLimited: true };
  }
  if (res.status >= 500) return { ms: seconds !== undefined ? seconds * 1000 : backoff, rateLimited: false };
  return undefined;
}

async function send(forge, method, url, body) {
  const idempotent = method !== 'POST';
  const where = `${method} ${new URL(url).pathname}`;
  for (let attempt = 1; ; attempt++) {
    let res;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...forge.headers,
          'User-Agent': 'skiff-plan-comment',
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const reason = err.cause?.code ?? err.name ?? 'network error';
      if (idempotent && attempt < MAX_ATTEMPTS) {
        await sleep(retryBaseMs() * 2 ** (attempt - 1));
        continue;
      }
      throw new Failure(`${forge.name} did not answer ${where}: ${reason}`, { retryable: !idempotent });
    }
    if (res.ok) return res;
    const wait = retryAfter(res, attempt);
    const mayRepeat = wait && (idempotent || wait.rateLimited);
    if (mayRepeat && attempt < MAX_ATTEMPTS && wait.ms <= MAX_WAIT_MS) {
      await res.arrayBuffer().catch(() => {});
      await sleep(wait.ms);
      continue;
    }
    const limitHint = wait?.rateLimited
      ? `rate limited: ${forge.name} asks to wait ${Math.ceil(wait.ms / 1000)} s; run the job again later`
      : undefined;
    const failure = await httpFailure(forge, where, res, limitHint);
    // A 5xx on a create may have created it: the caller lists again instead of repeating it.
    failure.retryable = !idempotent && res.status >= 500;
    throw failure;
  }
}

async function json(res) {
  try {
    return await res.json();
  } catch {
    throw new Failure(`the API answered ${res.status} with a body that is not JSON`);
  }
}

const HINTS = {
  401: 'the token was refused: is it set, unexpired and not revoked?',
  403: 'the token lacks permission: GitHub needs pull-requests: write; GitLab a Reporter token with scope api',
  404: 'check the repository/project and the request number; a token without access to a private repository also gets 404',
  422: 'the API refused the comment body',
};

async function httpFailure(forge, where, res, hintText = HINTS[res.status]) {
  const text = await res.text().catch(() => '');
  let message = text.slice(0, 300);
  try {
    const j = JSON.parse(text);
    const detail = (j.errors ?? [])
      .map((e) => (typeof e === 'string' ? e : (e.message ?? e.code)))
      .filter(Boolean);
    const m = j.message ?? j.error ?? j.error_description;
    message = [typeof m === 'string' ? m : JSON.stringify(m), ...detail].filter(Boolean).join(': ');
  } catch {
    // not JSON: the start of the text, as sent
  }
  const hint = hintText ? ` (hint: ${hintText})` : '';
  const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  return new Failure(
    `${forge.name} answered ${status} to ${where}: ${oneLine(message) || '(no message)'}${hint}`,
  );
}

// ---- the comment ---------------------------------------------------------------------------

/** Our comment: written by `me` (logins are case-insensitive), first line the marker. */
async function findComment(forge, me, marker) {
  const mine = (me ?? '').toLowerCase();
  let url = forge.firstPage;
  const origin = new URL(forge.base).origin;
  for (let page = 1; url && page <= MAX_PAGES; page++) {
    // The token goes only where the API is: a next link elsewhere is refused.
    if (new URL(url).origin !== origin)
      throw new Failure(`${forge.name} sent a next-page link to another origin (${new URL(url).origin})`);
    const res = await send(forge, 'GET', url);
    const items = await json(res);
    if (!Array.isArray(items)) throw new Failure(`${forge.name} answered a comment list that is not a list`);
    const found = items.find(
      (c) =>
        forge.isNote(c) &&
        (forge.author(c) ?? '').toLowerCase() === mine &&
        typeof c.body === 'string' &&
        c.body.trimStart().startsWith(marker),
    );
    if (found) return found;
    const next = forge.nextPage(res, url);
    url = next && next !== url ? next : undefined;
  }
  return undefined;
}

/** The body under GitHub's limit: cut at a line end, an open code fence closed, a note added. */
export function fitBody(body, limit = MAX_BODY_CHARS) {
  if (body.length <= limit) return body;
  const note = (left) =>
    `\n\n_Cut to fit a comment (${limit.toLocaleString('en-US')} characters): ${left.toLocaleString('en-US')} ` +
    'characters left out. The CI job log has the whole plan._\n';
  const room = limit - note(body.length).length - 4; // 4: a closing fence
  let cut = body.lastIndexOf('\n', room);
  if (cut < room / 2) cut = room;
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(body[cut - 1] ?? '')) cut -= 1;
  let kept = body.slice(0, cut);
  const fences = kept.split('\n').filter((l) => /^\s*(```|~~~)/.test(l)).length;
  if (fences % 2 === 1) kept += '\n```';
  return kept + note(body.length - cut);
}

async function readBody(opts) {
  if (opts['body-file'] && opts['body-file'] !== '-') {
    try {
      return await readFile(opts['body-file'], 'utf8');
    } catch (err) {
      throw usage(`cannot read --body-file ${oneLine(opts['body-file'])}: ${err.code ?? err.message}`);
    }
  }
  if (process.stdin.isTTY) throw usage('no body: give --body-file FILE or pipe the plan on stdin');
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function upsert(forge, me, marker, body) {
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await findComment(forge, me, marker);
      if (existing) {
        await send(forge, forge.updateMethod, forge.updateUrl(existing.id), { body });
        return `updated comment ${existing.id} on ${forge.what}`;
      }
      const created = await json(await send(forge, 'POST', forge.createUrl, { body }));
      return `created comment ${created.id} on ${forge.what}`;
    } catch (err) {
      if (!(err instanceof Failure) || !err.retryable || attempt >= MAX_ATTEMPTS) throw err;
      await sleep(retryBaseMs() * 2 ** (attempt - 1));
    }
  }
}

async function whoAmI(forge) {
  try {
    const me = (await json(await send(forge, 'GET', `${forge.base}/user`)))?.[forge.loginField];
    if (typeof me !== 'string' || me === '')
      throw new Failure(`${forge.name} answered GET /user without a login`);
    return me;
  } catch (err) {
    if (err instanceof Failure && /answered 40[13]/.test(err.message))
      throw new Failure(`${err.message.replace(/ \(hint: .*\)$/, '')} (hint: ${forge.whoAmIHint})`);
    throw err;
  }
}

/** One line, controls shown escaped (a server's message cannot forge a log line). */
function oneLine(s) {
  return String(s)
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) =>
      c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .slice(0, 600);
}

export async function main(argv, env = process.env) {
  let token;
  try {
    const opts = readOptions(argv);
    if (opts.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const forge = opts.github ? await github(opts, env) : gitlab(opts, env);
    token = forge.token;
    const marker = `<!-- skiff-plan:${opts.app} -->`;
    const body = fitBody(`${marker}\n${await readBody(opts)}`);
    const me = opts.author ?? (await whoAmI(forge));
    process.stdout.write(`plan-comment: ${await upsert(forge, me, marker, body)}\n`);
    return 0;
  } catch (err) {
    const known = err instanceof Failure;
    let text = known ? err.message : `unexpected failure: ${err?.message ?? String(err)}`;
    if (token) text = text.split(token).join('***');
    process.stderr.write(`plan-comment: error: ${oneLine(text)}\n`);
    return known ? err.exit : 1;
  }
}

// Run unless imported (tests import fitBody). Node gives a module its real path, so the script
// named through a symlink (a linked checkout) is compared by its real path too.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  process.exitCode = await main(process.argv.slice(2));
