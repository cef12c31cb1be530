import { describe, expect, it } from 'vitest';
import { tempHistoryStore } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;

describe('app status', () => {
  it('keeps the last status per app, replaced on each write', () => {
    const store = tempHistoryStore();
    expect(store.appStatus('shop')).toBeUndefined();
    store.setAppStatus('shop', { sync: 'Synced', commit: 'c1' }, T0);
    store.setAppStatus('blog', { sync: 'Failed' }, T0 + 1);
    store.setAppStatus('shop', { sync: 'OutOfSync', commit: 'c2' }, T0 + 2);
    expect(store.appStatus('shop')).toEqual({
      app: 'shop',
      status: { sync: 'OutOfSync', commit: 'c2' },
      at: T0 + 2,
    });
    expect(store.listAppStatuses().map((s) => s.app)).toEqual(['blog', 'shop']);
    expect(store.forgetAppStatus('blog')).toBe(true);
    expect(store.forgetAppStatus('blog')).toBe(false);
    expect(store.listAppStatuses().map((s) => s.app)).toEqual(['shop']);
  });

  it('treats a status that is not JSON as a bug', () => {
    const store = tempHistoryStore();
    expect(() => store.setAppStatus('shop', undefined, T0)).toThrow(/^bug: /);
  });
});
