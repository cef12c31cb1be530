import { describe, expect, it } from 'vitest';
import { tempHistoryStore } from './temp-state-dir.js';

const row = (i: number, outcome: 'sent' | 'failed' = 'sent') => ({
  at: 1000 + i,
  app: 'shop',
  service: 'github',
  trigger: 'on-sync-running',
  commit: `c${i}`,
  state: 'running',
  dedupeKey: `github|shop|c${i}|running`,
  outcome,
  attempts: 1,
  status: outcome === 'sent' ? 201 : 401,
  ...(outcome === 'failed' ? { lastError: 'HTTP 401: token-xyz Bad credentials' } : {}),
});

describe('notifications table', () => {
  it('lists the newest first per app, knows what was sent, scrubs errors, and stays capped', () => {
    const store = tempHistoryStore({
      scrub: (t) => t.replace('token-xyz', '***'),
      retention: { maxNotifications: 3 },
      pruneSlack: 1,
    });
    store.recordNotification(row(1));
    store.recordNotification(row(2, 'failed'));
    expect(store.notificationSent('github|shop|c1|running')).toBe(true);
    expect(store.notificationSent('github|shop|c2|running')).toBe(false);
    expect(store.listNotifications('shop', 10).map((r) => [r.commit, r.outcome, r.lastError])).toEqual([
      ['c2', 'failed', 'HTTP 401: *** Bad credentials'],
      ['c1', 'sent', undefined],
    ]);
    expect(store.listNotifications('other', 10)).toEqual([]);
    for (let i = 3; i <= 8; i++) store.recordNotification(row(i));
    expect(store.listNotifications(undefined, 100).length).toBeLessThanOrEqual(4);
    expect(store.listNotifications(undefined, 1)[0]?.commit).toBe('c8');
  });
});
