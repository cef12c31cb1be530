// With apps[].verify the daemon admits only signed commits and skiff cannot sign: scale, set
// image and rollout undo refuse to commit (the daemon would refuse the commit anyway), and
// still print the patch with --dry-run.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitWriter } from '../../../src/git/git-writer.js';
import { LocalGitSource } from '../../../src/git/local-source.js';
import { webWithService } from '../daemon/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'skiff-unsigned-write-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('GitWriter with signedCommitsOnly', () => {
  it('refuses to commit with a hint, and still prints the patch on a dry run', async () => {
    const dir = join(root, 'repo');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' }).toString();
    fs.mkdirSync(dir);
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'web.yaml'), webWithService(1));
    git('add', '-A');
    git('-c', 'user.name=A', '-c', 'user.email=a@x', 'commit', '-q', '--no-gpg-sign', '-m', 'init');
    const head = git('rev-parse', 'HEAD').trim();
    const source = new LocalGitSource(
      { app: 'web', repoURL: dir, revision: 'main', path: '.' },
      { fs, http: {} as never, stateDir: join(root, 'state') },
    );
    const writer = new GitWriter(source, { signedCommitsOnly: true });
    await expect(writer.setReplicas('deployment/web', 3)).rejects.toMatchObject({
      code: 'git.unsigned-write',
      message: 'app/web accepts only signed commits (apps[].verify) and skiff cannot sign',
      hint: expect.stringContaining('--dry-run'),
    });
    const dry = await writer.setReplicas('deployment/web', 3, { dryRun: true });
    expect(dry.patch).toContain('+  replicas: 3');
    expect(git('rev-parse', 'HEAD').trim()).toBe(head);
  });
});
