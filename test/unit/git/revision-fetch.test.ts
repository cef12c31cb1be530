// `skiff plan --rev` reads any revision the server has: branches, tags, full and short SHAs, pull
// and merge request refs, fetched on demand into its own ref, never moving what the daemon follows.
// A real bare repository served by git-http-backend; refs created with the git CLI.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/errors.js';
import { LocalGitSource } from '../../../src/git/local-source.js';
import { RemoteGitSource } from '../../../src/git/remote-source.js';
import { PLAN_REF } from '../../../src/git/revision-fetch.js';
import { type GitFixture, git as gitCli, makeGitFixture } from '../../support/git-server.js';

const exec = promisify(execFile);

let fx: GitFixture;
let served: string;
const shas: Record<string, string> = {};

function source(): RemoteGitSource {
  return new RemoteGitSource(
    { app: 'a', repoURL: fx.repoURL, revision: 'main', path: '.' },
    { fs, http, stateDir: fx.stateDir },
  );
}

async function errorOf(p: Promise<unknown>): Promise<GitError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitError);
  return err as GitError;
}

beforeAll(async () => {
  fx = await makeGitFixture();
  served = join(fx.base, 'root', 'app.git');
  shas.main = await fx.commit({ 'a.yaml': 'kind: ConfigMap\n' }, 'main');
  await fx.push();
  await gitCli(fx.work, 'checkout', '-q', '-b', 'pr-1');
  shas.branch = await fx.commit({ 'a.yaml': 'kind: ConfigMap # pr-1\n' }, 'a review branch');
  await gitCli(fx.work, 'push', '-q', 'origin', 'pr-1');
  await gitCli(fx.work, 'tag', 'v1', shas.main);
  await gitCli(fx.work, 'push', '-q', 'origin', 'v1');
  // A pull request's head lives only under refs/pull on the server: no branch holds it.
  await gitCli(fx.work, 'checkout', '-q', '--detach', shas.main);
  shas.pull = await fx.commit({ 'a.yaml': 'kind: ConfigMap # pull 1\n' }, 'pull request 1');
  shas.mr = await fx.commit({ 'a.yaml': 'kind: ConfigMap # mr 7\n' }, 'merge request 7');
  await gitCli(fx.work, 'push', '-q', 'origin', `${shas.pull}:refs/pull/1/head`);
  await gitCli(fx.work, 'push', '-q', 'origin', `${shas.mr}:refs/merge-requests/7/head`);
  await gitCli(fx.work, 'checkout', '-q', 'main');
}, 60_000);

afterAll(() => fx?.close());

describe('fetchRevision: any revision the server has', () => {
  it.each([
    ['a branch', 'pr-1', 'branch'],
    ['a tag', 'v1', 'main'],
    ['a full pull request ref', 'refs/pull/1/head', 'pull'],
    ['a short pull request ref', 'pull/1/head', 'pull'],
    ['a merge request ref', 'refs/merge-requests/7/head', 'mr'],
    ['a parent of a pull request', 'pull/1/head~1', 'main'],
  ])('%s (%s)', async (_what, rev, expected) => {
    const s = source();
    const head = await s.resolveHead();
    const commit = await s.fetchRevision(rev);
    expect(commit).toBe(shas[expected]);
    // What the daemon follows did not move.
    expect(await s.cachedHead()).toBe(head.commit);
    expect(await git.resolveRef({ fs, gitdir: s.gitdir, ref: 'refs/skiff/last-fetched' })).toBe(shas.main);
    // Its manifests are readable.
    expect((await s.readManifestFiles(commit)).files.map((f) => f.path)).toEqual(['a.yaml']);
  });

  it('a full and a short SHA of a pull request head, fetched on demand', async () => {
    for (const rev of [shas.pull!, shas.pull!.slice(0, 8)]) {
      fs.rmSync(fx.stateDir, { recursive: true, force: true });
      const s = source();
      await s.resolveHead();
      expect(await s.fetchRevision(rev)).toBe(shas.pull);
      expect(await git.resolveRef({ fs, gitdir: s.gitdir, ref: PLAN_REF })).toBe(shas.pull);
      expect(await s.cachedHead()).toBe(shas.main);
    }
  });

  it('a short SHA the cache already holds needs no fetch', async () => {
    const s = source();
    await s.resolveHead();
    expect(await s.fetchRevision(shas.main!.slice(0, 7))).toBe(shas.main);
  });

  it.each([
    ['a branch the server does not have', 'no-such-branch'],
    ['a pull request that does not exist', 'pull/99/head'],
    ['a SHA no ref leads to', 'deadbeefdeadbeef'],
  ])('%s is a one-line error with a hint', async (_what, rev) => {
    const s = source();
    await s.resolveHead();
    const err = await errorOf(s.fetchRevision(rev));
    expect(err.code).toBe('git.ref-not-found');
    expect(err.message).toContain(rev);
    expect(err.message).not.toContain('\n');
    expect(err.hint).toMatch(/pull\/N\/head/);
  });
});

describe('fetchRevision on a repository on disk: read in place, the same names', () => {
  it.each([
    ['pr-1', 'branch'],
    ['v1', 'main'],
    ['refs/pull/1/head', 'pull'],
    ['pull/1/head', 'pull'],
    ['merge-requests/7/head', 'mr'],
  ])('%s', async (rev, expected) => {
    const s = new LocalGitSource(
      { app: 'l', repoURL: served, revision: 'main', path: '.' },
      { fs, http, stateDir: fx.stateDir },
    );
    expect(await s.fetchRevision(rev)).toBe(shas[expected]);
    expect(await s.fetchRevision(shas[expected]!.slice(0, 9))).toBe(shas[expected]);
  });
});

describe('a short SHA that names two commits', () => {
  it('is an error naming both candidates', async () => {
    // Commits with fixed dates, authors, tree and root have fixed SHAs: among these 600 two
    // share a 4-digit prefix, on every run (chained from the fixture's HEAD, whose SHA carries
    // the time of the run, a collision happened in only ~94% of runs).
    const script = `
      export GIT_AUTHOR_DATE='2020-01-01T00:00:00Z' GIT_COMMITTER_DATE='2020-01-01T00:00:00Z'
      tree=$(git hash-object -t tree /dev/null); parent=$(echo root | git commit-tree "$tree")
      for i in $(seq 1 600); do parent=$(echo "c$i" | git commit-tree "$tree" -p "$parent"); done
      git update-ref refs/heads/many "$parent"`;
    await exec('bash', ['-c', script], {
      cwd: fx.work,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'a',
        GIT_AUTHOR_EMAIL: 'a@x',
        GIT_COMMITTER_NAME: 'a',
        GIT_COMMITTER_EMAIL: 'a@x',
      },
    });
    await gitCli(fx.work, 'push', '-q', 'origin', 'many');
    const all = (await gitCli(fx.work, 'rev-list', 'many')).trim().split('\n');
    const byPrefix = new Map<string, string[]>();
    for (const c of all) byPrefix.set(c.slice(0, 4), [...(byPrefix.get(c.slice(0, 4)) ?? []), c]);
    const pair = [...byPrefix.values()].find((v) => v.length > 1)!;
    expect(pair).toBeDefined();
    const s = source();
    await s.resolveHead();
    await s.fetchRevision('many');
    const err = await errorOf(s.fetchRevision(pair[0]!.slice(0, 4)));
    expect(err.code).toBe('git.ambiguous-revision');
    for (const c of pair) expect(err.message).toContain(c);
    expect(err.hint).toMatch(/more digits/);
    // Enough digits resolve it.
    expect(await s.fetchRevision(pair[0]!.slice(0, 12))).toBe(pair[0]);
  }, 60_000);
});
