// `skiff plan` on what a pull request review has at hand: any revision of the served repository
// (`--rev`: a branch, a pull request ref, a short SHA), a CI checkout with uncommitted edits
// (`--local DIR`), and `--exit-code` (0 no change, 2 changes, 1 error) for CI to gate on. The
// real CLI commands in one process (run-commands.ts) against a repository served over HTTP by
// git-http-backend; no hosts, the live commit from the history a daemon would have written.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistoryStore } from '../../../src/history/history-store.js';
import { type GitFixture, git, makeGitFixture } from '../../support/git-server.js';
import type { CommandResult } from './run-commands.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const RUNNER = path.join(import.meta.dirname, 'run-commands.ts');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

const web = (replicas: number, image = 'nginx:1.25') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: ${image} }]
`;

let fx: GitFixture;
const sha: Record<string, string> = {};

async function skiffAll(list: string[][]): Promise<CommandResult[]> {
  const listFile = path.join(fx.base, `commands-${Math.random()}.json`);
  await writeFile(listFile, JSON.stringify(list));
  await run(process.execPath, ['--import', TSX, RUNNER, listFile, `${listFile}.out`], {
    cwd: fx.base,
    env: { ...process.env, NO_COLOR: '1', SKIFF_LOG_LEVEL: 'silent' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(await readFile(`${listFile}.out`, 'utf8')) as CommandResult[];
}

beforeAll(async () => {
  fx = await makeGitFixture();
  sha.main = await fx.commit({ 'apps/web/web.yaml': web(3) }, 'web');
  await fx.push();
  // A pull request: only refs/pull/1/head on the server names it.
  await git(fx.work, 'checkout', '-q', '-b', 'review');
  sha.pull = await fx.commit({ 'apps/web/web.yaml': web(5, 'nginx:1.26') }, 'scale and bump');
  await git(fx.work, 'push', '-q', 'origin', `${sha.pull}:refs/pull/1/head`);
  await git(fx.work, 'checkout', '-q', 'main');
  // What is live: main, as the daemon's history records it.
  const h = openHistoryStore({ stateDir: path.join(fx.base, '.skiff') });
  h.recordSync({
    app: 'default',
    commit: sha.main,
    startedAt: 1,
    finishedAt: 2,
    result: 'Synced',
    actions: {},
  });
  h.close();
}, 60_000);

afterAll(() => fx?.close());

const R = () => ['--repo', fx.repoURL, '--path', 'apps/web'];

describe('skiff plan for a pull request', () => {
  it('plans a ref, a short SHA, a CI checkout, and answers --exit-code', { timeout: 120_000 }, async () => {
    const checkout = path.join(fx.base, 'ci');
    await git(fx.base, 'clone', '-q', fx.cliURL, checkout);
    await git(checkout, 'fetch', '-q', 'origin', 'refs/pull/1/head');
    await git(checkout, 'checkout', '-q', 'FETCH_HEAD');
    const edited = path.join(fx.base, 'edited');
    await git(fx.base, 'clone', '-q', fx.cliURL, edited);
    // Uncommitted: the plan reads the working tree, not HEAD.
    await writeFile(path.join(edited, 'apps/web/web.yaml'), web(4));
    const broken = path.join(fx.base, 'broken');
    await git(fx.base, 'clone', '-q', fx.cliURL, broken);
    await writeFile(
      path.join(broken, 'apps/web/bad.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { a: [1] }\n',
    );
    const out = await skiffAll([
      ['plan', ...R(), '--rev', 'pull/1/head', '-o', 'json'],
      ['plan', ...R(), '--rev', sha.pull!.slice(0, 7), '-o', 'json'],
      ['plan', ...R(), '--local', checkout, '-o', 'json'],
      ['plan', ...R(), '--local', edited, '-o', 'json'],
      ['plan', ...R(), '--local', broken],
      ['plan', ...R(), '--exit-code'],
      ['plan', ...R(), '--rev', 'refs/pull/1/head', '--exit-code'],
      ['plan', ...R(), '--rev', 'pull/2/head', '--exit-code'],
      ['plan', ...R(), '--rev', 'pull/2/head'],
      ['plan', ...R(), '--local', broken, '--exit-code'],
      ['plan', ...R(), '--rev', 'main', '--local', edited, '--exit-code'],
      ['plan', ...R(), '--rev', 'pull/1/head', '-o', 'markdown'],
      ['plan', ...R(), '--rev', 'pull/1/head', '-o', 'markdown'],
    ]);
    const [byRef, byShort, byCheckout, byEdit, bad, same, changed, missing, missingNoFlag, badFlag, both] =
      out;
    const [comment, again] = out.slice(11);
    for (const o of out) expect(o.stderr, o.args.join(' ')).not.toContain('this is a bug');
    const json = (o: CommandResult) =>
      JSON.parse(o.stdout) as {
        toCommit: string;
        changes: { name: string; change: string; fields: { path: string }[] }[];
      };
    expect(json(byRef!).toCommit).toBe(sha.pull);
    expect(json(byShort!).toCommit).toBe(sha.pull);
    expect(json(byRef!).changes.find((c) => c.name === 'web')?.change).toBe('replace-pods');
    // The CI checkout of the pull request plans as its ref does.
    expect(json(byCheckout!).changes).toEqual(json(byRef!).changes);
    // Deterministic: the simulation's seed comes from the revision's content, so pod names
    // (listed here as unschedulable: no hosts) and the comment are the same on every run,
    // and a checkout plans as the commit made of it.
    const pending = (o: CommandResult) =>
      (JSON.parse(o.stdout) as { unschedulable: unknown[] }).unschedulable;
    expect(pending(byRef!).length).toBeGreaterThan(0);
    expect(pending(byCheckout!)).toEqual(pending(byRef!));
    expect(comment!.stdout).toContain('would not be scheduled');
    expect(again!.stdout).toBe(comment!.stdout);
    const edit = json(byEdit!).changes.find((c) => c.name === 'web')!;
    expect(edit.fields.map((f) => f.path)).toEqual(['spec.replicas']);
    // A bad manifest in the working tree: file:line:column relative to DIR, exit 1.
    expect(bad!.code).toBe(1);
    expect(bad!.stderr).toMatch(/apps\/web\/bad\.yaml:4:\d+/);
    expect([same!.code, changed!.code, missing!.code, badFlag!.code, both!.code]).toEqual([0, 2, 1, 1, 1]);
    expect(missing!.stderr).toMatch(
      /^error: revision pull\/2\/head does not exist in .*\nhint: .*pull\/N\/head/,
    );
    // Without the flag, exit codes stay as they were (a failure is 1, a plan with changes 0).
    expect(missingNoFlag!.code).toBe(1);
    expect(byRef!.code).toBe(0);
    // The daemon's branch did not move: refs/skiff/last-fetched still names main.
    const cache = path.join(fx.base, '.skiff/repos/default');
    expect((await git(cache, 'rev-parse', 'refs/skiff/last-fetched')).trim()).toBe(sha.main);
    // Nor the head the daemon compares against to tell a fast-forward from a force-push.
    expect(existsSync(path.join(fx.base, '.skiff/repos/default.head'))).toBe(false);
  });

  it('with --exit-code, a flag commander refuses exits 1, not 2 ("changes")', {
    timeout: 60_000,
  }, async () => {
    const bin = (args: string[]) =>
      run(process.execPath, [path.join(ROOT, 'bin/skiff.js'), ...args], { cwd: fx.base }).then(
        () => 0,
        (e: { code?: number }) => e.code,
      );
    expect(await bin(['plan', '--exit-code', '--no-such-flag'])).toBe(1);
    expect(await bin(['plan', '--no-such-flag'])).toBe(2);
  });
});
