import { describe, expect, it } from 'vitest';
import { redactUrlCredentials, renderStatus } from '../../../src/cli/views/status.js';
import type { AppStatus } from '../../../src/model/views.js';
import { NOW } from './fixtures.js';

const healthy: AppStatus = {
  name: 'b-app',
  repoURL: '/srv/repo',
  revision: 'main',
  path: '',
  liveCommit: 'aaaaaaa1111',
  headCommit: 'aaaaaaa1111',
  sync: 'Synced',
  health: 'Healthy',
  conditions: [],
  quarantined: [],
  lastSyncAt: NOW - 5000,
};

const broken: AppStatus = {
  name: 'a-app',
  repoURL: 'https://x-access-token:ghp_secret@github.com/acme/app.git',
  revision: 'main',
  path: 'k8s',
  liveCommit: 'a1b2c3d4e5',
  headCommit: 'e4f5a6b7c8',
  sync: 'OutOfSync',
  health: 'Degraded',
  conditions: [
    {
      type: 'Ready',
      status: 'False',
      reason: 'CommitRejected',
      message: 'e4f5a6b failed validation',
      lastTransitionTime: NOW - 30_000,
    },
  ],
  rejected: {
    commit: 'e4f5a6b7c8',
    diagnostics: [
      {
        file: 'deploy.yaml',
        line: 12,
        column: 7,
        document: 0,
        path: 'spec.template.spec.containers[0].image',
        severity: 'error',
        code: 'schema.required',
        message: 'image is required',
      },
    ],
  },
  quarantined: [
    {
      commit: 'c0ffee1234',
      reason: 'rollout of deployment/web failed: readiness never reached',
      at: NOW - 120_000,
    },
  ],
};

describe('renderStatus', () => {
  const out = renderStatus([healthy, broken], { now: NOW });
  const lines = out.split('\n');

  it('one line per app with live vs head commit', () => {
    expect(lines.slice(0, 3)).toEqual([
      'APP     SYNC        HEALTH     LIVE      HEAD      LAST SYNC',
      'a-app   OutOfSync   Degraded   a1b2c3d   e4f5a6b   <never>',
      'b-app   Synced      Healthy    aaaaaaa   aaaaaaa   5s ago',
    ]);
  });

  it.each([
    'a-app:',
    '  Repo:  https://***@github.com/acme/app.git @ main',
    '  Path:  k8s',
    '    Ready  False   CommitRejected  30s  e4f5a6b failed validation',
    '  Rejected commit e4f5a6b (nothing of it applied; a1b2c3d stays live):',
    '    error: deploy.yaml:12:7 spec.template.spec.containers[0].image: image is required [schema.required]',
    '  Quarantined commits (auto-sync skips them):',
    '    c0ffee1  2m ago  rollout of deployment/web failed: readiness never reached',
    '  Path:  .',
  ])('has line %s', (line) => {
    expect(lines).toContain(line);
  });

  it('never prints credentials from a repo URL', () => {
    expect(out).not.toContain('ghp_secret');
  });

  it.each([
    ['https://user:pw@host/x.git', 'https://***@host/x.git'],
    ['https://host/x.git', 'https://host/x.git'],
    ['/srv/repo', '/srv/repo'],
  ])('redactUrlCredentials %s', (url, out) => {
    expect(redactUrlCredentials(url)).toBe(out);
  });

  it('says who signed the live commit, and why an unsigned head was refused (apps[].verify)', () => {
    const signed: AppStatus = {
      ...healthy,
      liveSignedBy: 'alice@example.com (SSH key SHA256:abc)',
      headCommit: 'bbbbbbb2222',
      sync: 'OutOfSync',
      rejected: {
        commit: 'bbbbbbb2222',
        diagnostics: [
          {
            file: '',
            line: 0,
            column: 0,
            document: 0,
            path: '',
            severity: 'error',
            code: 'signature.missing',
            message: 'commit bbbbbbb is not signed; apps[].verify requires a signature by one of its keys',
          },
        ],
      },
    };
    const text = renderStatus([signed], { now: NOW });
    expect(text).toContain('  Signed by:  alice@example.com (SSH key SHA256:abc) (aaaaaaa)');
    expect(text).toContain('  Rejected commit bbbbbbb (nothing of it applied; aaaaaaa stays live):');
    expect(text).toMatch(/error: .*commit bbbbbbb is not signed.*\[signature\.missing\]/);
    expect(renderStatus([healthy], { now: NOW })).not.toContain('Signed by');
  });

  it('says when no app is configured', () => {
    expect(renderStatus([], { now: NOW })).toBe('No apps configured.\n');
  });
});
