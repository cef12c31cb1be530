import { describe, expect, it } from 'vitest';
import { tempHistoryStore } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;

describe('quarantine lifecycle', () => {
  it('quarantines a failed commit, keeps it through a restore of the older good commit, and lifts it when a newer commit arrives', () => {
    const store = tempHistoryStore();
    // v3 fails its rollout: skiff restores v2 and quarantines v3.
    const entry = store.quarantine(
      'shop',
      'v3',
      'deployment/web: readiness never reached (ProgressDeadlineExceeded)',
      T0,
    );
    expect(entry).toEqual({
      app: 'shop',
      commit: 'v3',
      reason: 'deployment/web: readiness never reached (ProgressDeadlineExceeded)',
      at: T0,
    });
    expect(store.isQuarantined('shop', 'v3')).toBe(true);
    expect(store.isQuarantined('shop', 'v2')).toBe(false);
    expect(store.isQuarantined('other-app', 'v3')).toBe(false);
    expect(store.quarantineOf('shop', 'v3')?.reason).toMatch(/readiness/);
    expect(store.listQuarantined('shop').map((q) => q.commit)).toEqual(['v3']);

    // v4 is pushed: it supersedes v3, auto-sync resumes.
    expect(store.clearQuarantineSupersededBy('shop', 'v4', T0 + 60_000)).toBe(1);
    expect(store.isQuarantined('shop', 'v3')).toBe(false);
    expect(store.quarantineOf('shop', 'v3')).toBeUndefined();
    expect(store.listQuarantined('shop')).toEqual([]);
    expect(store.listQuarantined('shop', { includeCleared: true })).toEqual([
      { ...entry, clearedAt: T0 + 60_000, clearedBy: 'v4' },
    ]);
  });

  it('does not lift a quarantine of the commit said to supersede it, nor those of other apps', () => {
    const store = tempHistoryStore();
    store.quarantine('shop', 'v3', 'crash loop', T0);
    store.quarantine('blog', 'b7', 'image pull error', T0 + 1);
    expect(store.clearQuarantineSupersededBy('shop', 'v3', T0 + 2)).toBe(0);
    expect(store.isQuarantined('shop', 'v3')).toBe(true);
    expect(store.clearQuarantineSupersededBy('shop', 'v4', T0 + 3)).toBe(1);
    expect(store.isQuarantined('blog', 'b7')).toBe(true);
    expect(store.listQuarantined().map((q) => q.commit)).toEqual(['b7']);
  });

  it('lifts several quarantines of an app at once and leaves already-lifted ones as they were', () => {
    const store = tempHistoryStore();
    store.quarantine('shop', 'v3', 'crash loop', T0);
    store.clearQuarantineSupersededBy('shop', 'v4', T0 + 1);
    store.quarantine('shop', 'v5', 'crash loop', T0 + 2);
    store.quarantine('shop', 'v6', 'crash loop', T0 + 3);
    expect(store.listQuarantined('shop').map((q) => q.commit)).toEqual(['v6', 'v5']);
    expect(store.clearQuarantineSupersededBy('shop', 'v7', T0 + 4)).toBe(2);
    const all = store.listQuarantined('shop', { includeCleared: true });
    expect(all.map((q) => [q.commit, q.clearedBy])).toEqual([
      ['v6', 'v7'],
      ['v5', 'v7'],
      ['v3', 'v4'],
    ]);
  });

  it('lifts one quarantine by hand, and re-quarantining re-activates it with the new reason', () => {
    const store = tempHistoryStore();
    store.quarantine('shop', 'v3', 'crash loop', T0);
    expect(store.unquarantine('shop', 'v3', T0 + 1)).toBe(true);
    expect(store.unquarantine('shop', 'v3', T0 + 2)).toBe(false);
    expect(store.listQuarantined('shop', { includeCleared: true })[0]).toMatchObject({
      clearedBy: 'manual',
      clearedAt: T0 + 1,
    });
    // A forced sync of v3 fails again.
    const again = store.quarantine('shop', 'v3', 'readiness never reached', T0 + 10);
    expect(again).toEqual({ app: 'shop', commit: 'v3', reason: 'readiness never reached', at: T0 + 10 });
    expect(store.isQuarantined('shop', 'v3')).toBe(true);
  });
});
