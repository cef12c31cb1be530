// The dashboard's "Roll back" (POST /api/v1/rollback) against the real API server and a real git
// repository on disk: the daemon commits the revert of the Deployment's current revision's commit
// (what `skiff rollout undo` does) and fetches the app; admin only; one-line refusals otherwise.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/cluster-config.js';
import { webWithService } from '../daemon/fixtures.js';
import { type FakeDaemon, startFakeDaemon } from './fake-backend.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-dash-rollback-'));
const repo = join(root, 'repo');
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' }).toString().trim();
const commit = (replicas: number, message: string) => {
  writeFileSync(join(repo, 'web.yaml'), webWithService(replicas));
  git('add', '-A');
  git('-c', 'user.name=A', '-c', 'user.email=a@x', 'commit', '-q', '--no-gpg-sign', '-m', message);
  return git('rev-parse', 'HEAD');
};

let d: FakeDaemon;
beforeAll(async () => {
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  const shas = [commit(1, 'web at 1'), commit(2, 'web at 2')];
  const app = { name: 'shop', repoURL: repo, revision: 'main', path: '.' } as AppConfig;
  d = await startFakeDaemon({ apps: [app] });
  for (const [i, sha] of shas.entries())
    d.history.recordRevision({
      app: 'shop',
      namespace: 'default',
      deployment: 'web',
      templateHash: `hash${i}`,
      commit: sha,
      author: 'A <a@x>',
      subject: `web at ${i + 1}`,
      at: 1_000 + i,
      revisionHistoryLimit: 10,
    });
});
afterAll(() => {
  d?.close();
  rmSync(root, { recursive: true, force: true });
});

const rollback = (token: string, body: unknown) =>
  fetch(`${d.url}/api/v1/rollback`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /api/v1/rollback', () => {
  it.each([
    ['a read token', 'read', { deployment: 'web' }, 403],
    ['no deployment', 'admin', {}, 400],
    ['a Deployment without history', 'admin', { deployment: 'api' }, 409],
    ['an unknown field', 'admin', { deployment: 'web', force: true }, 400],
  ])('%s (%s, %j) -> %i, nothing committed', async (_what, who, body, status) => {
    const before = git('rev-parse', 'HEAD');
    const r = await rollback(who === 'read' ? d.read : d.admin, body);
    expect(r.status).toBe(status);
    expect(Object.keys((await r.json()) as object)).toContain('error');
    expect(git('rev-parse', 'HEAD')).toBe(before);
  });

  it("an admin's rollback commits the revert of the current revision's commit and fetches the app", async () => {
    const r = await rollback(d.admin, { deployment: 'web', namespace: 'default' });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { outcome: string; commit: string; message: string };
    expect(body.outcome).toBe('committed');
    expect(git('rev-parse', 'HEAD')).toBe(body.commit);
    expect(git('log', '-1', '--format=%an')).toBe('skiff dashboard');
    expect(readFileSync(join(repo, 'web.yaml'), 'utf8')).toBe(webWithService(1));
    expect(d.synced).toContain('shop');
    expect(
      d.history.listAudit(10).find((a) => a.route === 'POST /api/v1/rollback' && a.status === 200),
    ).toMatchObject({
      tokenId: 'local',
      result: 'committed',
    });
  });
});
