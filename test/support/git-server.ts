// Test helper: a bare repository served by the real git smart-HTTP server (git-http-backend on
// loopback) and a working clone driven by the real git CLI, so tests push, force-push and
// inspect history exactly as a user would. Async child processes only: the server runs in the
// test's own process, and a synchronous git call would block it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type GitHttpAuth, type GitHttpServer, startGitHttpServer } from '../../scripts/git-http-server.js';

const exec = promisify(execFile);

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Ada Dev',
  GIT_AUTHOR_EMAIL: 'ada@example.test',
  GIT_COMMITTER_NAME: 'Ada Dev',
  GIT_COMMITTER_EMAIL: 'ada@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd,
    env: { ...process.env, ...GIT_ENV, HOME: cwd },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

export interface GitFixture {
  base: string;
  server: GitHttpServer;
  /** URL of the served repository (no credentials). */
  repoURL: string;
  /** URL with the credentials embedded, for the git CLI. */
  cliURL: string;
  /** The working clone the tests commit in. */
  work: string;
  stateDir: string;
  write(files: Record<string, string | null>): void;
  commit(files: Record<string, string | null>, message: string): Promise<string>;
  push(...extra: string[]): Promise<void>;
  /** Bring the working clone up to the remote (after skiff pushed). */
  pull(): Promise<void>;
  head(): Promise<string>;
  close(): Promise<void>;
}

export async function makeGitFixture(
  opts: { auth?: GitHttpAuth; branch?: string } = {},
): Promise<GitFixture> {
  const branch = opts.branch ?? 'main';
  const base = mkdtempSync(join(tmpdir(), 'skiff-git-'));
  const root = join(base, 'root');
  mkdirSync(root);
  await git(base, 'init', '-q', '--bare', '-b', branch, join(root, 'app.git'));
  const server = await startGitHttpServer({ root, auth: opts.auth });
  const repoURL = `${server.url}/app.git`;
  const cred = !opts.auth
    ? ''
    : 'token' in opts.auth
      ? `x:${opts.auth.token}@`
      : `${opts.auth.username}:${opts.auth.password}@`;
  const cliURL = repoURL.replace('http://', `http://${cred}`);
  const work = join(base, 'work');
  await git(base, 'clone', '-q', cliURL, work);
  await git(work, 'checkout', '-q', '-B', branch);
  const write = (files: Record<string, string | null>) => {
    for (const [path, content] of Object.entries(files)) {
      const file = join(work, path);
      if (content === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
  };
  const fixture: GitFixture = {
    base,
    server,
    repoURL,
    cliURL,
    work,
    stateDir: join(base, 'state'),
    write,
    async commit(files, message) {
      write(files);
      await git(work, 'add', '-A');
      await git(work, 'commit', '-q', '-m', message);
      return (await git(work, 'rev-parse', 'HEAD')).trim();
    },
    async push(...extra) {
      await git(work, 'push', '-q', ...extra, 'origin', branch);
    },
    async pull() {
      await git(work, 'pull', '-q', '--ff-only', 'origin', branch);
    },
    async head() {
      return (await git(work, 'rev-parse', 'HEAD')).trim();
    },
    async close() {
      await server.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
  return fixture;
}
