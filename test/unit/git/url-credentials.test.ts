// Credentials written in a repoURL never reach the cached repository's config on disk, the
// request URL or an error: they travel in the Authorization header.
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitHttpRequest, HttpClient } from 'isomorphic-git';
import { expect, it } from 'vitest';
import { RemoteGitSource } from '../../../src/git/remote-source.js';

it('keeps a repoURL token out of the cache config, the request URL and the error', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'skiff-url-cred-'));
  const requests: GitHttpRequest[] = [];
  const http: HttpClient = {
    request: async (req) => {
      requests.push(req);
      return {
        url: req.url,
        method: req.method,
        statusCode: 500,
        statusMessage: 'down',
        headers: {},
        body: (async function* () {})(),
      };
    },
  };
  const source = new RemoteGitSource(
    { app: 'web', repoURL: 'https://ci:s3cret-token@git.example.test/x.git', revision: 'main', path: '.' },
    { fs, http, stateDir },
  );
  const err = await source.resolveHead().catch((e: unknown) => e);
  expect(String((err as Error).message)).not.toContain('s3cret-token');
  expect(readFileSync(join(stateDir, 'repos', 'web', 'config'), 'utf8')).not.toContain('s3cret-token');
  expect(requests[0]?.url).not.toContain('s3cret-token');
  expect(requests[0]?.headers?.Authorization).toBe(
    `Basic ${Buffer.from('ci:s3cret-token').toString('base64')}`,
  );
  expect(source.displayURL).toBe('https://git.example.test/x.git');
});
