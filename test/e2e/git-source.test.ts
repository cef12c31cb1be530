// End to end: skiff's git source and git-writing operations against the REAL git smart-HTTP
// server (git-http-backend) on loopback, with real pushes by the real git CLI. Nothing is mocked;
// the only injected HTTP wrapper (the race test) forwards every request to the real client.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { join } from 'node:path';
import type { HttpClient } from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterEach, describe, expect, it } from 'vitest';
import { startGitHttpServer } from '../../scripts/git-http-server.js';
import { GitError } from '../../src/git/errors.js';
import type { GitSourceSpec } from '../../src/git/git-source.js';
import { GitWriter } from '../../src/git/git-writer.js';
import { openGitSource, type RepoGitSource } from '../../src/git/open-source.js';
import { Poller } from '../../src/git/poller.js';
import { verifyWebhook } from '../../src/git/webhook.js';
import { type GitFixture, git, makeGitFixture } from '../support/git-server.js';

const TOKEN = 's3cr3t-token-value';

const DEPLOY = `# The web tier. Comments and layout must survive skiff's edits.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}   # flow style kept
spec:
  replicas: 3   # three for HA

  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "registry.local/web:1.0.0"   # pinned
          ports:
            - containerPort: 80
---
# a second object in the same file
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  GREETING: hello
`;

const CONFIG = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  A: "1"\n';

let fixture: GitFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function setup(auth = true): Promise<{ f: GitFixture; source: RepoGitSource; spec: GitSourceSpec }> {
  const f = await makeGitFixture(auth ? { auth: { token: TOKEN } } : {});
  fixture = f;
  await f.commit(
    { 'apps/web/deploy.yaml': DEPLOY, 'apps/web/config/other.yml': CONFIG, 'README.md': '# repo\n' },
    'first',
  );
  await f.push();
  const spec: GitSourceSpec = {
    app: 'web',
    repoURL: f.repoURL,
    revision: 'main',
    path: 'apps/web',
    auth: auth ? { kind: 'token', token: { env: 'SKIFF_TEST_GIT_TOKEN' } } : undefined,
  };
  return { f, spec, source: newSource(f, spec) };
}

function newSource(
  f: GitFixture,
  spec: GitSourceSpec,
  token = TOKEN,
  httpClient: HttpClient = http,
): RepoGitSource {
  return openGitSource(spec, {
    fs,
    http: httpClient,
    stateDir: f.stateDir,
    secrets: { env: { SKIFF_TEST_GIT_TOKEN: token }, readFile: (p) => fs.promises.readFile(p, 'utf8') },
  });
}

/** The remote's view, fetched fresh by the git CLI. */
async function remoteLog(f: GitFixture, format: string, n = 1): Promise<string> {
  await git(f.work, 'fetch', '-q', 'origin');
  return git(f.work, 'log', `-${n}`, `--format=${format}`, 'origin/main');
}

describe('GitSource over the real git HTTP server', () => {
  it('fetches, reads manifests from the commit tree, and sees new commits incrementally', async () => {
    const { f, source } = await setup();
    const first = await source.resolveHead();
    expect(first).toEqual({ commit: await f.head(), previous: null, change: 'initial' });
    expect(fs.existsSync(join(f.stateDir, 'repos', 'web', 'HEAD'))).toBe(true);

    const set = await source.readManifestFiles(first.commit);
    expect(set.appPathFound).toBe(true);
    expect(set.diagnostics).toEqual([]);
    expect(set.files.map((x) => [x.path, x.repoPath])).toEqual([
      ['config/other.yml', 'apps/web/config/other.yml'],
      ['deploy.yaml', 'apps/web/deploy.yaml'],
    ]);
    expect(set.files[1]!.text).toBe(DEPLOY);
    expect(set.files[1]!.blobId).toBe((await git(f.work, 'rev-parse', 'HEAD:apps/web/deploy.yaml')).trim());

    expect(await source.resolveHead()).toMatchObject({ commit: first.commit, change: 'unchanged' });

    const second = await f.commit({ 'apps/web/config/other.yml': CONFIG.replace('"1"', '"2"') }, 'bump A');
    await f.push();
    expect(await source.resolveHead()).toEqual({
      commit: second,
      previous: first.commit,
      change: 'fast-forward',
    });
    const after = await source.readManifestFiles(second);
    // Unchanged files keep their blob id: validation results can be reused.
    expect(after.files[1]!.blobId).toBe(set.files[1]!.blobId);
    expect(after.files[0]!.blobId).not.toBe(set.files[0]!.blobId);

    const log = await source.log(5);
    expect(log.map((c) => c.subject)).toEqual(['bump A', 'first']);
    expect(log[0]).toMatchObject({
      sha: second,
      parents: [first.commit],
      author: { name: 'Ada Dev', email: 'ada@example.test' },
    });
    expect(await source.resolveCommit('HEAD~1')).toBe(first.commit);
    expect(await source.resolveCommit(second.slice(0, 8))).toBe(second);
  });

  it('follows a force-push and reports the branch as rewritten; the old commit stays readable', async () => {
    const { f, source } = await setup();
    const first = await source.resolveHead();
    const doomed = await f.commit({ 'apps/web/x.yaml': 'kind: ConfigMap\nmetadata: {name: x}\n' }, 'doomed');
    await f.push();
    expect((await source.resolveHead()).commit).toBe(doomed);
    await git(f.work, 'reset', '-q', '--hard', first.commit);
    const rewritten = await f.commit(
      { 'apps/web/y.yaml': 'kind: ConfigMap\nmetadata: {name: y}\n' },
      'rewritten',
    );
    await f.push('--force');
    expect(await source.resolveHead()).toEqual({ commit: rewritten, previous: doomed, change: 'rewritten' });
    expect((await source.readManifestFiles(rewritten)).files.map((x) => x.path)).toContain('y.yaml');
    expect((await source.readManifestFiles(doomed)).files.map((x) => x.path)).toContain('x.yaml');
    // Across a restart (a new GitSource on the same state dir), the previous head is remembered.
    expect(await newSource(f, source.spec).resolveHead()).toMatchObject({
      change: 'unchanged',
      commit: rewritten,
    });
  });

  it('reports symlinks escaping the app path and oversized files as diagnostics, and follows inner links', async () => {
    const { f, source } = await setup();
    fs.mkdirSync(join(f.work, 'apps/web'), { recursive: true });
    fs.writeFileSync(join(f.work, 'secret.yaml'), 'kind: Secret\n');
    fs.symlinkSync('../../secret.yaml', join(f.work, 'apps/web/escape.yaml'));
    fs.symlinkSync('/etc/passwd.yaml', join(f.work, 'apps/web/absolute.yaml'));
    fs.symlinkSync('config/other.yml', join(f.work, 'apps/web/alias.yaml'));
    const big = `# ${'x'.repeat(2 * 1024 * 1024)}\n`;
    const head = await f.commit({ 'apps/web/huge.yaml': big }, 'links and a big file');
    await f.push();
    await source.resolveHead();
    const set = await source.readManifestFiles(head);
    expect(set.diagnostics.map((d) => [d.file, d.code])).toEqual([
      ['absolute.yaml', 'source.symlink-escape'],
      ['escape.yaml', 'source.symlink-escape'],
      ['huge.yaml', 'source.file-too-large'],
    ]);
    expect(set.files.find((x) => x.path === 'alias.yaml')?.text).toBe(CONFIG);
    expect(set.files.some((x) => x.text.includes('kind: Secret'))).toBe(false);
  });

  it('fails with a typed, non-retryable auth error that never shows the credential', async () => {
    const { f, spec } = await setup();
    const wrong = newSource(f, spec, 'not-the-token');
    const err = await wrong.resolveHead().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect(err).toMatchObject({ code: 'git.auth', retryable: false, subject: 'app/web' });
    const text = `${(err as Error).message} ${(err as GitError).hint} ${String((err as Error).cause)}`;
    expect(text).not.toContain('not-the-token');
    expect(text).not.toContain(Buffer.from('x-access-token:not-the-token').toString('base64'));
    const noCredentials = newSource(f, { ...spec, auth: undefined });
    await expect(noCredentials.resolveHead()).rejects.toMatchObject({ code: 'git.auth' });
  });

  it('keeps the last good commit when the remote is unreachable (retryable error), then recovers', async () => {
    const { f, source } = await setup();
    const good = await source.resolveHead();
    await f.server.close();
    const err = await source.resolveHead().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'git.unreachable', retryable: true });
    expect(await source.cachedHead()).toBe(good.commit);
    expect((await source.readManifestFiles(good.commit)).files).toHaveLength(2);
    // The same repository served again (a new port): fetch works again, nothing was lost.
    const again = await startGitHttpServer({ root: join(f.base, 'root'), auth: { token: TOKEN } });
    try {
      const back = newSource(f, { ...source.spec, repoURL: `${again.url}/app.git` });
      expect(await back.resolveHead()).toMatchObject({ commit: good.commit, change: 'unchanged' });
    } finally {
      await again.close();
    }
  });

  it('reports a deleted branch as a typed error', async () => {
    const { f, source, spec } = await setup();
    await git(f.work, 'push', '-q', 'origin', 'main:feature');
    const feature = newSource(f, { ...spec, app: 'feature', revision: 'feature' });
    await feature.resolveHead();
    await git(f.work, 'push', '-q', 'origin', '--delete', 'feature');
    await expect(feature.resolveHead()).rejects.toMatchObject({
      code: 'git.ref-not-found',
      retryable: false,
    });
    await expect(newSource(f, { ...spec, revision: 'nope' }).resolveHead()).rejects.toMatchObject({
      code: 'git.ref-not-found',
    });
    expect(source.displayURL).not.toContain(TOKEN);
  });

  it('webhook: a verified delivery triggers an immediate fetch through the poller', async () => {
    const { f, source } = await setup();
    const seen: string[] = [];
    const poller = new Poller({
      source,
      schedule: { kind: 'interval', ms: 3_600_000 },
      onNewCommit: (k) => seen.push(k),
    });
    poller.start();
    await poller.trigger();
    const before = poller.status().head;
    const pushed = await f.commit(
      { 'apps/web/z.yaml': 'kind: ConfigMap\nmetadata: {name: z}\n' },
      'webhook me',
    );
    await f.push();
    const body = JSON.stringify({ ref: 'refs/heads/main', after: pushed });
    const signature = `sha256=${createHmac('sha256', 'hook-secret').update(body).digest('hex')}`;
    expect(verifyWebhook('hook-secret', { 'x-hub-signature-256': signature }, body)).toEqual({
      ok: true,
      provider: 'github',
    });
    await poller.trigger();
    expect(poller.status()).toMatchObject({ head: pushed, previousHead: before, lastChange: 'fast-forward' });
    expect(seen).toEqual(['web', 'web']);
    await poller.stop();
  });

  it('the server inflates gzip request bodies (git gzips large fetch negotiations)', async () => {
    const { f } = await setup(false);
    // git gzips a request body over 1 KiB. Forty new annotated tags upstream are forty distinct
    // `want` lines in the first fetch request (~2 KiB), whatever the negotiation does with haves.
    const other = join(f.base, 'other');
    await git(f.base, 'clone', '-q', f.cliURL, other);
    await f.commit({ 'apps/web/new.yaml': CONFIG }, 'new upstream');
    for (let i = 0; i < 40; i++) await git(f.work, 'tag', '-a', '-m', `release ${i}`, `release-${i}`);
    await f.push('--tags');
    const { stderr } = await import('node:child_process').then(
      ({ execFile }) =>
        new Promise<{ stderr: string }>((resolve, reject) =>
          execFile(
            'git',
            ['fetch', '--tags', 'origin'],
            { cwd: other, env: { ...process.env, GIT_TRACE_CURL: '1', GIT_TRACE_CURL_NO_DATA: '1' } },
            (e, _o, se) => (e ? reject(e) : resolve({ stderr: se })),
          ),
        ),
    );
    expect(stderr).toMatch(/Content-Encoding: gzip/i);
    expect((await git(other, 'log', '-1', '--format=%s', 'origin/main')).trim()).toBe('new upstream');
  });
});

describe('GitWriter: kubectl verbs as commits', () => {
  it('setReplicas makes one commit changing one line, keeping formatting; dry-run only shows the patch', async () => {
    const { f, source } = await setup();
    const writer = new GitWriter(source);
    const before = await f.head();

    const dry = await writer.setReplicas('deployment/web', 5, { dryRun: true });
    expect(dry).toMatchObject({ outcome: 'dry-run', parent: before, files: ['apps/web/deploy.yaml'] });
    expect(dry.patch).toContain('-  replicas: 3   # three for HA\n+  replicas: 5   # three for HA\n');
    expect((await remoteLog(f, '%H')).trim()).toBe(before);
    fs.writeFileSync(join(f.base, 'dry.patch'), dry.patch);
    await git(f.work, 'apply', '--check', join(f.base, 'dry.patch'));

    const res = await writer.setReplicas('deployment/web', 5);
    expect(res).toMatchObject({ outcome: 'committed', parent: before, attempts: 1 });
    expect((await remoteLog(f, '%H %P|%an <%ae>|%s')).trim()).toBe(
      `${res.commit} ${before}|skiff <skiff@localhost>|Scale deployment/web to 5 replicas`,
    );
    const show = await git(f.work, 'show', '--format=', '--unified=0', 'origin/main');
    expect(show).toBe(
      [
        'diff --git a/apps/web/deploy.yaml b/apps/web/deploy.yaml',
        `index ${(await git(f.work, 'rev-parse', '--short', `${before}:apps/web/deploy.yaml`)).trim()}..${(await git(f.work, 'rev-parse', '--short', 'origin/main:apps/web/deploy.yaml')).trim()} 100644`,
        '--- a/apps/web/deploy.yaml',
        '+++ b/apps/web/deploy.yaml',
        '@@ -8 +8 @@ spec:',
        '-  replicas: 3   # three for HA',
        '+  replicas: 5   # three for HA',
        '',
      ].join('\n'),
    );
    expect(await git(f.work, 'show', 'origin/main:apps/web/deploy.yaml')).toBe(
      DEPLOY.replace('replicas: 3   #', 'replicas: 5   #'),
    );
    await git(f.work, 'fsck', '--strict', '--no-progress');
    // Same again: nothing to commit.
    expect(await writer.setReplicas('deployment/web', 5)).toMatchObject({ outcome: 'unchanged', patch: '' });
    // The daemon's next poll sees skiff's own commit as a new head.
    expect(await source.resolveHead()).toMatchObject({ commit: res.commit });
  });

  it('setImage edits the container image in place, with a configurable author', async () => {
    const { f, source } = await setup();
    const writer = new GitWriter(source, { author: { name: 'Release Bot', email: 'bot@example.test' } });
    const res = await writer.setImage('deployment/web', 'web', 'registry.local/web:2.0.0');
    expect(res.outcome).toBe('committed');
    expect((await remoteLog(f, '%an <%ae>|%s')).trim()).toBe(
      'Release Bot <bot@example.test>|Set image of deployment/web: web=registry.local/web:2.0.0',
    );
    expect(await git(f.work, 'show', 'origin/main:apps/web/deploy.yaml')).toBe(
      DEPLOY.replace('"registry.local/web:1.0.0"', '"registry.local/web:2.0.0"'),
    );
    await expect(writer.setImage('deployment/web', 'nginx', 'x:1')).rejects.toMatchObject({
      code: 'git.edit-target',
      message: expect.stringContaining('no container named nginx'),
    });
    await expect(writer.setImage('deployment/nope', 'web', 'x:1')).rejects.toMatchObject({
      code: 'git.edit-target',
    });
  });

  it('refuses to scale a Deployment an HPA owns, unless forced', async () => {
    const { f, source } = await setup();
    await f.commit(
      {
        'apps/web/hpa.yaml':
          'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  minReplicas: 2\n  maxReplicas: 6\n',
      },
      'hpa',
    );
    await f.push();
    const writer = new GitWriter(source);
    await expect(writer.setReplicas('deployment/web', 4)).rejects.toMatchObject({
      code: 'git.edit-target',
      message: expect.stringContaining('horizontalpodautoscaler/web'),
    });
    expect(await writer.setReplicas('deployment/web', 4, { force: true })).toMatchObject({
      outcome: 'committed',
    });
  });

  it('revertCommit makes a real revert commit, merging with later changes elsewhere in the file', async () => {
    const { f, source } = await setup();
    const v1 = await f.head();
    const bad = await f.commit(
      {
        'apps/web/deploy.yaml': DEPLOY.replace('web:1.0.0', 'web:2.0.0-broken'),
        'apps/web/extra.yaml': CONFIG,
      },
      'Roll out 2.0.0',
    );
    // A later change in the same file, far from the reverted line.
    await f.commit(
      {
        'apps/web/deploy.yaml': DEPLOY.replace('web:1.0.0', 'web:2.0.0-broken').replace(
          'GREETING: hello',
          'GREETING: hi',
        ),
      },
      'greet',
    );
    await f.push();
    const writer = new GitWriter(source);
    const res = await writer.revertCommit(bad);
    expect(res.outcome).toBe('committed');
    expect(await remoteLog(f, '%B')).toBe(`Revert "Roll out 2.0.0"\n\nThis reverts commit ${bad}.\n\n`);
    expect(await git(f.work, 'show', 'origin/main:apps/web/deploy.yaml')).toBe(
      DEPLOY.replace('GREETING: hello', 'GREETING: hi'),
    );
    await expect(git(f.work, 'cat-file', '-e', 'origin/main:apps/web/extra.yaml')).rejects.toThrow();
    // git agrees: reverting again with git itself would be empty, and the tree matches v1 except the later change.
    expect(await git(f.work, 'diff', '--stat', v1, 'origin/main', '--', 'apps/web/config')).toBe('');
  });

  it('revertCommit refuses with a conflict error when the same lines changed since', async () => {
    const { f, source } = await setup();
    const bad = await f.commit({ 'apps/web/deploy.yaml': DEPLOY.replace('web:1.0.0', 'web:2.0.0') }, 'two');
    await f.commit({ 'apps/web/deploy.yaml': DEPLOY.replace('web:1.0.0', 'web:3.0.0') }, 'three');
    await f.push();
    const head = await f.head();
    await expect(new GitWriter(source).revertCommit(bad)).rejects.toMatchObject({
      code: 'git.revert-conflict',
      message: expect.stringContaining('apps/web/deploy.yaml'),
    });
    expect((await remoteLog(f, '%H')).trim()).toBe(head);
  });

  it('restoreFiles and restoreObject bring back an older revision as one new commit', async () => {
    const { f, source } = await setup();
    const v1 = await f.head();
    await f.commit(
      { 'apps/web/deploy.yaml': DEPLOY.replace('web:1.0.0', 'web:2.0.0'), 'apps/web/new.yaml': CONFIG },
      'v2',
    );
    await f.push();
    const writer = new GitWriter(source);
    const res = await writer.restoreFiles(v1, ['apps/web']);
    expect(res.files.sort()).toEqual(['apps/web/deploy.yaml', 'apps/web/new.yaml']);
    expect((await remoteLog(f, '%s')).trim()).toBe(
      `Restore apps/web/deploy.yaml, apps/web/new.yaml from ${v1.slice(0, 12)}`,
    );
    expect(await git(f.work, 'diff', v1, 'origin/main')).toBe('');

    // Object-level: only the Deployment's document goes back; the ConfigMap beside it keeps its new value.
    await f.pull();
    await f.commit(
      {
        'apps/web/deploy.yaml': DEPLOY.replace('web:1.0.0', 'web:3.0.0').replace(
          'GREETING: hello',
          'GREETING: hey',
        ),
      },
      'v3',
    );
    await f.push();
    const undo = await writer.restoreObject('deployment/web', v1);
    expect(undo).toMatchObject({ outcome: 'committed', files: ['apps/web/deploy.yaml'] });
    expect((await remoteLog(f, '%s')).trim()).toBe(`Roll back deployment/web to ${v1.slice(0, 12)}`);
    expect(await git(f.work, 'show', 'origin/main:apps/web/deploy.yaml')).toBe(
      DEPLOY.replace('GREETING: hello', 'GREETING: hey'),
    );
  });

  it('re-applies the edit on the new tip when the remote moved on between fetch and push', async () => {
    const { f, spec } = await setup();
    let raced = false;
    const racingHttp = {
      async request(req: Parameters<typeof http.request>[0]) {
        if (!raced && req.method === 'POST' && req.url.endsWith('git-receive-pack')) {
          raced = true;
          // Someone else pushes first: our push now carries a stale old-oid.
          await f.commit({ 'apps/web/config/other.yml': CONFIG.replace('"1"', '"9"') }, 'concurrent change');
          await f.push();
        }
        return http.request(req);
      },
    };
    const source = newSource(f, spec, TOKEN, racingHttp);
    const res = await new GitWriter(source).setReplicas('deployment/web', 7);
    expect(res).toMatchObject({ outcome: 'committed', attempts: 2 });
    expect((await remoteLog(f, '%s', 2)).trim().split('\n')).toEqual([
      'Scale deployment/web to 7 replicas',
      'concurrent change',
    ]);
    expect(await git(f.work, 'show', 'origin/main:apps/web/config/other.yml')).toContain('"9"');
    expect(await git(f.work, 'show', 'origin/main:apps/web/deploy.yaml')).toContain('replicas: 7   # three');
  });

  it('commits in a local repository: the checked-out files and the index follow, a dirty file is refused', async () => {
    const { f } = await setup(false);
    const local = join(f.base, 'local');
    await git(f.base, 'clone', '-q', f.cliURL, local);
    const source = openGitSource(
      { app: 'local', repoURL: local, revision: 'main', path: 'apps/web' },
      { fs, http, stateDir: f.stateDir },
    );
    const first = await source.resolveHead();
    const writer = new GitWriter(source);
    const res = await writer.setReplicas('deployment/web', 2);
    expect(res.outcome).toBe('committed');
    expect((await git(local, 'log', '-1', '--format=%H %P|%s')).trim()).toBe(
      `${res.commit} ${first.commit}|Scale deployment/web to 2 replicas`,
    );
    expect(await git(local, 'status', '--porcelain')).toBe('');
    expect(fs.readFileSync(join(local, 'apps/web/deploy.yaml'), 'utf8')).toContain(
      'replicas: 2   # three for HA',
    );
    expect(await source.resolveHead()).toMatchObject({ commit: res.commit, change: 'fast-forward' });

    fs.appendFileSync(join(local, 'apps/web/deploy.yaml'), '# local edit\n');
    await expect(writer.setImage('deployment/web', 'web', 'x:2')).rejects.toMatchObject({
      code: 'git.dirty-worktree',
    });
    expect((await git(local, 'rev-parse', 'HEAD')).trim()).toBe(res.commit);
  });
});
