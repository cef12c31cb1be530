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
  bin = path.join(fx.base, 'bin');
  await mkdir(bin);
  await symlink(path.join(ROOT, 'bin/skiff.js'), path.join(bin, 'skiff'));
}, 60_000);

afterAll(() => fx?.close());

async function runPlanStep(name: string, edit: Record<string, string>) {
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
    RUN_URL: 'https://github.com/acme/deploy/actions/runs/1',
  };
  const code = await new Promise<number>((resolve) =>
    execFile(
      'bash',
      ['--noprofile', '--norc', '-eo', 'pipefail', '-c', planStep],
      { cwd: checkout, env },
      (err) => resolve(err ? Number(err.code ?? 1) : 0),
    ),
  );
  return {
    code,
    output: await readFile(output, 'utf8'),
    comment: await readFile(path.join(temp, 'comment.md'), 'utf8'),
    keyLeft: existsSync(path.join(temp, 'skiff-conf/ci_ed25519')),
  };
}

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
        '<sub>Planned from c0ffee0, [run](https://github.com/acme/deploy/actions/runs/1).</sub>\n',
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
