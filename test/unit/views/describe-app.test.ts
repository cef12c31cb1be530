// `skiff describe app/NAME` and `skiff status`: the last notification deliveries and how they went.
import { describe, expect, it } from 'vitest';
import { describeApp, renderStatus } from '../../../src/cli/views/status.js';
import type { AppStatus } from '../../../src/model/views.js';
import { NOW } from './fixtures.js';

const app: AppStatus = {
  name: 'shop',
  repoURL: 'https://github.com/acme/shop.git',
  revision: 'main',
  path: '.',
  liveCommit: 'aaaaaaa1111',
  headCommit: 'aaaaaaa1111',
  sync: 'Synced',
  health: 'Healthy',
  conditions: [],
  quarantined: [],
  lastSyncAt: NOW - 5000,
  notifications: [
    {
      at: NOW - 2000,
      service: 'github',
      trigger: 'on-sync-succeeded',
      commit: 'aaaaaaa1111',
      state: 'success',
      outcome: 'sent',
      attempts: 1,
    },
    {
      at: NOW - 60_000,
      service: 'chat',
      trigger: 'on-sync-running',
      commit: 'aaaaaaa1111',
      state: 'running',
      outcome: 'failed',
      attempts: 5,
      error: 'HTTP 503: unavailable',
    },
  ],
};

describe('notification deliveries in describe app/NAME and status', () => {
  it('lists each delivery: age, service, trigger, commit, state, result', () => {
    const text = describeApp(app, NOW);
    expect(text).toMatch(/^Name:\s+shop$/m);
    expect(text).toMatch(/^Health:\s+Healthy$/m);
    expect(text).toMatch(/Notifications:\n\s+Age\s+Service\s+Trigger\s+Commit\s+State\s+Result\n/);
    expect(text).toMatch(/2s\s+github\s+on-sync-succeeded\s+aaaaaaa\s+success\s+sent \(1 attempt\)/);
    expect(text).toMatch(
      /60s\s+chat\s+on-sync-running\s+aaaaaaa\s+running\s+FAILED after 5 attempts: HTTP 503: unavailable/,
    );
    expect(renderStatus([app], { now: NOW })).toContain('FAILED after 5 attempts');
  });

  it('says <none> when nothing was sent', () => {
    const { notifications: _, ...quiet } = app;
    expect(describeApp(quiet, NOW)).toMatch(/Notifications:\s+<none>/);
    expect(renderStatus([quiet], { now: NOW })).not.toContain('Notifications');
  });
});

describe('live and head commits in describe app/NAME and status', () => {
  const info = { author: 'Ada <ada@example.com>', subject: 'web: 3 replicas', at: NOW - 300_000 };
  const behind: AppStatus = {
    ...app,
    headCommit: 'bbbbbbb2222',
    liveCommitInfo: info,
    headCommitInfo: { ...info, author: 'Bob <bob@example.com>', subject: 'web: nginx 1.28\u001b[2J' },
  };

  it('names each commit with its subject, author and age; the head only when it is not live', () => {
    const text = describeApp(behind, NOW);
    expect(text).toMatch(/^Live commit:\s+aaaaaaa web: 3 replicas \(Ada <ada@example.com>, 5m ago\)$/m);
    expect(text).toMatch(/^Head commit:\s+bbbbbbb web: nginx 1.28.*\(Bob <bob@example.com>, 5m ago\)$/m);
    expect(text).not.toContain('\u001b');
    const status = renderStatus([behind], { now: NOW });
    expect(status).toMatch(/^\s+Live:\s+aaaaaaa web: 3 replicas \(Ada/m);
    expect(status).toMatch(/^\s+Head:\s+bbbbbbb web: nginx/m);
    const synced = renderStatus([{ ...app, liveCommitInfo: info, headCommitInfo: info }], { now: NOW });
    expect(synced).toMatch(/^\s+Live:/m);
    expect(synced).not.toMatch(/^\s+Head:/m);
  });

  it('shows the sha alone when the source could not say', () => {
    expect(describeApp(app, NOW)).toMatch(/^Live commit:\s+aaaaaaa$/m);
  });
});
