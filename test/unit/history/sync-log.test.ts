import { describe, expect, it } from 'vitest';
import { type SyncInput, summarizeActions } from '../../../src/history/history-types.js';
import { MAX_SYNC_ERROR_LENGTH } from '../../../src/history/sync-log.js';
import type { ActionResult } from '../../../src/model/actions.js';
import { tempHistoryStore } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;

function sync(over: Partial<SyncInput> = {}): SyncInput {
  return {
    app: 'shop',
    commit: 'aaaa111',
    startedAt: T0,
    finishedAt: T0 + 1500,
    result: 'Synced',
    actions: { createPod: { done: 3 } },
    ...over,
  };
}

describe('summarizeActions', () => {
  it('counts outcomes per action type', () => {
    const r = (action: ActionResult['action'], outcome: ActionResult['outcome']): ActionResult => ({
      key: 'k',
      action,
      outcome,
      durationMs: 1,
    });
    expect(
      summarizeActions([
        r('createPod', 'done'),
        r('createPod', 'done'),
        r('createPod', 'failed'),
        r('deletePod', 'skipped'),
      ]),
    ).toEqual({ createPod: { done: 2, failed: 1 }, deletePod: { skipped: 1 } });
    expect(summarizeActions([])).toEqual({});
  });
});

describe('syncs', () => {
  it('records a sync with its duration and reads it back', () => {
    const store = tempHistoryStore();
    const rec = store.recordSync(sync({ error: undefined }));
    expect(rec).toMatchObject({
      app: 'shop',
      commit: 'aaaa111',
      startedAt: T0,
      finishedAt: T0 + 1500,
      lastFinishedAt: T0 + 1500,
      durationMs: 1500,
      result: 'Synced',
      actions: { createPod: { done: 3 } },
      passes: 1,
    });
    expect(rec.error).toBeUndefined();
    expect(store.lastSync('shop')).toEqual(rec);
    expect(store.lastSync('other')).toBeUndefined();
  });

  it('keeps the error message, cut to a bounded length', () => {
    const store = tempHistoryStore();
    const rec = store.recordSync(sync({ result: 'Failed', error: 'x'.repeat(MAX_SYNC_ERROR_LENGTH + 50) }));
    expect(rec.error).toHaveLength(MAX_SYNC_ERROR_LENGTH);
    const rejected = store.recordSync(sync({ result: 'Rejected', error: 'web.yaml:3:5 bad image' }));
    expect(store.lastSync('shop')?.error).toBe('web.yaml:3:5 bad image');
    expect(rejected.result).toBe('Rejected');
  });

  it('lists newest first, per app or all, limited, filtered by result', () => {
    const store = tempHistoryStore();
    store.recordSync(sync({ app: 'a', commit: 'c1', startedAt: T0, finishedAt: T0 + 1 }));
    store.recordSync(
      sync({ app: 'b', commit: 'c2', startedAt: T0 + 10, finishedAt: T0 + 11, result: 'Failed' }),
    );
    store.recordSync(
      sync({ app: 'a', commit: 'c3', startedAt: T0 + 20, finishedAt: T0 + 21, result: 'Rejected' }),
    );
    expect(store.listSyncs({ limit: 10 }).map((s) => s.commit)).toEqual(['c3', 'c2', 'c1']);
    expect(store.listSyncs({ limit: 2 }).map((s) => s.commit)).toEqual(['c3', 'c2']);
    expect(store.listSyncs({ app: 'a', limit: 10 }).map((s) => s.commit)).toEqual(['c3', 'c1']);
    expect(store.listSyncs({ limit: 10, results: ['Synced', 'Failed'] }).map((s) => s.commit)).toEqual([
      'c2',
      'c1',
    ]);
    expect(store.listSyncs({ app: 'a', limit: 10, results: ['Rejected'] }).map((s) => s.commit)).toEqual([
      'c3',
    ]);
    expect(store.listSyncs({ limit: 0 })).toEqual([]);
    expect(store.lastSync('a', ['Synced'])?.commit).toBe('c1');
    expect(store.lastSync('a')?.commit).toBe('c3');
  });

  it('folds consecutive NoOp passes of one commit into one row', () => {
    const store = tempHistoryStore();
    store.recordSync(sync({ commit: 'c1' }));
    const noop = (i: number) =>
      store.recordSync(
        sync({
          commit: 'c1',
          result: 'NoOp',
          actions: {},
          startedAt: T0 + i * 10_000,
          finishedAt: T0 + i * 10_000 + 40,
        }),
      );
    const first = noop(1);
    noop(2);
    const third = noop(3);
    expect(third.id).toBe(first.id);
    expect(third).toMatchObject({
      passes: 3,
      startedAt: T0 + 10_000,
      durationMs: 40,
      lastFinishedAt: T0 + 30_040,
    });
    expect(store.listSyncs({ app: 'shop', limit: 10 }).map((s) => s.result)).toEqual(['NoOp', 'Synced']);
  });

  it.each([
    ['a different commit', { commit: 'c2' }],
    ['a different app', { app: 'other' }],
    ['a different actions summary', { actions: { deletePod: { skipped: 1 } } }],
  ])('starts a new NoOp row for %s', (_name, change) => {
    const store = tempHistoryStore();
    const base = sync({ result: 'NoOp', actions: {} });
    store.recordSync(base);
    store.recordSync({ ...base, ...change });
    expect(store.listSyncs({ limit: 10 })).toHaveLength(2);
  });

  it('does not fold a NoOp into an earlier NoOp once another result came between', () => {
    const store = tempHistoryStore();
    const noop = sync({ result: 'NoOp', actions: {} });
    store.recordSync(noop);
    store.recordSync(sync({ result: 'Failed', error: 'ssh: host h2 unreachable' }));
    store.recordSync(noop);
    expect(store.listSyncs({ limit: 10 }).map((s) => [s.result, s.passes])).toEqual([
      ['NoOp', 1],
      ['Failed', 1],
      ['NoOp', 1],
    ]);
  });

  it('treats equal action summaries written in another key order as equal', () => {
    const store = tempHistoryStore();
    store.recordSync(
      sync({ result: 'NoOp', actions: { deletePod: { skipped: 1 }, createPod: { skipped: 2 } } }),
    );
    const again = store.recordSync(
      sync({ result: 'NoOp', actions: { createPod: { skipped: 2 }, deletePod: { skipped: 1 } } }),
    );
    expect(again.passes).toBe(2);
  });
});
