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
