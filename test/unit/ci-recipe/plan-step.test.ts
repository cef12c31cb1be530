// The GitHub workflow's Plan step, run as the runner runs it (bash -eo pipefail, the step's own
// text taken from github-actions.yml) with the real `skiff` linked onto PATH as the Install step
// links it: a pull request's checkout with an uncommitted change plans with exit code 2 ("changes",
// the job passes) and its comment is the markdown plan; a broken manifest exits 1 (the job fails)
// and the comment says the plan failed, naming file:line, so a stale plan is never left standing.
// No hosts: the one host's Docker socket does not exist, so it is observed NotReady.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type GitFixture, git, makeGitFixture } from '../../support/git-server.js';
import { FakeGitlab } from './fake-forges.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TOKEN = 'ci-read-token-0123456789';

const web = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: nginx:1.25 }]
`;

let fx: GitFixture;
let planStep: string;
let gitlabScript: string;
let bin: string;

beforeAll(async () => {
  fx = await makeGitFixture({ auth: { token: TOKEN } });
  const ciConfig = `hosts:
  - name: h1
    kind: local
    dockerSocket: /nonexistent/skiff-ci-test/docker.sock
apps:
  - name: shop
    repoURL: ${fx.repoURL}
    path: apps/shop
    auth: { tokenEnv: GITHUB_TOKEN }
daemon:
  stateDir: state
`;
  await fx.commit({ 'apps/shop/web.yaml': web(3), 'ci/skiff.yaml': ciConfig, 'ci/known_hosts': '' }, 'shop');
  await fx.push();
  const wf = parse(await readFile(path.join(ROOT, 'examples/ci/github-actions.yml'), 'utf8')) as {
    jobs: { plan: { steps: { name?: string; run?: string }[] } };
  };
  planStep = wf.jobs.plan.steps.find((s) => s.name === 'Plan')!.run!;
  const gl = parse(await readFile(path.join(ROOT, 'examples/ci/gitlab-ci.yml'), 'utf8')) as {
    'skiff-plan': { script: string[] };
  };
  // The runner runs the lines in one shell, stopping at the first failure; skiff's clone is here.
  gitlabScript = gl['skiff-plan'].script.join('\n').replaceAll('/opt/skiff', ROOT);
  bin = path.join(fx.base, 'bin');
  await mkdir(bin);
  await symlink(path.join(ROOT, 'bin/skiff.js'), path.join(bin, 'skiff'));
}, 60_000);

afterAll(() => fx?.close());

async function runInCheckout(name: string, edit: Record<string, string>, script: string, extra: object) {
  const checkout = path.join(fx.base, name);
  await git(fx.base, 'clone', '-q', fx.cliURL, checkout);
  for (const [file, text] of Object.entries(edit)) await writeFile(path.join(checkout, file), text);
  const temp = path.join(fx.base, `${name}-temp`);
  await mkdir(temp);
  const output = path.join(temp, 'github-output');
  await writeFile(output, '');
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: fx.base,
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: output,
    APP: 'shop',
    GITHUB_TOKEN: TOKEN,
    SKIFF_SSH_KEY: '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----',
    HEAD_SHA: 'c0ffee0',
    BASE_REF: 'main',
    RUN_URL: 'https://github.com/acme/deploy/actions/runs/1',
    ...extra,
  };
  let stderr = '';
  const code = await new Promise<number>((resolve) =>
    execFile(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script],
      { cwd: checkout, env },
      (err, _stdout, errText) => {
        stderr = String(errText);
        resolve(err ? Number(err.code ?? 1) : 0);
      },
    ),
  );
  const comment = existsSync(path.join(temp, 'comment.md'))
    ? path.join(temp, 'comment.md')
    : path.join(checkout, 'comment.md');
  return {
    code,
    stderr,
    output: await readFile(output, 'utf8'),
    comment: await readFile(comment, 'utf8').catch(() => ''),
    keyLeft: existsSync(path.join(temp, 'skiff-conf/ci_ed25519')),
  };
}

const runPlanStep = (name: string, edit: Record<string, string>) => runInCheckout(name, edit, planStep, {});

describe('the Plan step of github-actions.yml', () => {
  it('a change: exit code 2 is kept for the record, the step passes, the comment is the plan', {
    timeout: 120_000,
  }, async () => {
    const r = await runPlanStep('scale', { 'apps/shop/web.yaml': web(5) });
    expect(r.output).toBe('exit-code=2\n');
    expect(r.code).toBe(0);
    expect(r.comment).toMatch(/^### skiff plan for `shop`: .* → `local`\n/);
    expect(r.comment).toContain('deployment/web');
    expect(
      r.comment.endsWith(
        '<sub>Planned from c0ffee0 merged into main, [run](https://github.com/acme/deploy/actions/runs/1).</sub>\n',
      ),
    ).toBe(true);
    expect(r.keyLeft).toBe(false);
  });

  it('a broken manifest: exit 1 fails the step, and the comment says the plan failed and where', {
    timeout: 120_000,
  }, async () => {
    const r = await runPlanStep('broken', {
      'apps/shop/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: [1] }\n',
    });
    expect(r.output).toBe('exit-code=1\n');
    expect(r.code).toBe(1);
    expect(r.comment).toMatch(/^### skiff plan for `shop` failed\n\n {4}/);
    expect(r.comment).toMatch(/apps\/shop\/bad\.yaml:4:\d+/);
    expect(r.comment).not.toContain(TOKEN);
    expect(r.keyLeft).toBe(false);
  });
});

describe('the skiff-plan job of gitlab-ci.yml', () => {
  it('plans the merge request, posts the note, then edits it on the next push; exit 1 fails the job', {
    timeout: 180_000,
  }, async () => {
    const gl = await new FakeGitlab().start();
    try {
      gl.tokens.set('glpat-noteTOKEN', { id: 5, username: 'project_77_bot' });
      gl.notes.set(3, []);
      const keyFile = path.join(fx.base, 'gitlab-key');
      await writeFile(keyFile, 'not a real key\n');
      const vars = {
        CI_API_V4_URL: `${gl.base}/api/v4`,
        CI_PROJECT_ID: '77',
        CI_MERGE_REQUEST_IID: '3',
        SKIFF_GITLAB_TOKEN: 'glpat-noteTOKEN',
        SKIFF_SSH_KEY: keyFile, // a File variable: its value is the file's path
        CI_COMMIT_SHA: 'c0ffee0',
        CI_PIPELINE_URL: 'https://gitlab.example.com/acme/deploy/-/pipelines/1',
        PLAN_COMMENT_RETRY_MS: '10',
      };
      const first = await runInCheckout('gl-scale', { 'apps/shop/web.yaml': web(4) }, gitlabScript, vars);
      expect(first.code).toBe(0);
      const broken = await runInCheckout(
        'gl-broken',
        {
          'apps/shop/bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: [1] }\n',
        },
        gitlabScript,
        vars,
      );
      expect(broken.code).toBe(1);
      expect(gl.problems).toEqual([]);
      const notes = gl.notes.get(3)!;
      expect(notes).toHaveLength(1);
      expect(notes[0]!.body).toMatch(/^<!-- skiff-plan:shop -->\n### skiff plan for `shop` failed\n/);
      expect(gl.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST', 'GET', 'GET', 'PUT']);
    } finally {
      await gl.stop();
    }
  });
});
