import { describe, expect, it } from 'vitest';
import type { RevisionInput } from '../../../src/history/history-types.js';
import { tempHistoryStore } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;
const web = { namespace: 'default', name: 'web' };

function rev(
  templateHash: string,
  commit: string,
  at: number,
  over: Partial<RevisionInput> = {},
): RevisionInput {
  return {
    app: 'shop',
    namespace: 'default',
    deployment: 'web',
    templateHash,
    commit,
    author: 'Ada <ada@example.com>',
    subject: `deploy ${templateHash}`,
    at,
    revisionHistoryLimit: 10,
    ...over,
  };
}

describe('revisions', () => {
  it('numbers new templates 1, 2, 3 and keeps the commit, author and subject', () => {
    const store = tempHistoryStore();
    expect(store.recordRevision(rev('h1', 'c1', T0))).toMatchObject({
      change: 'created',
      revision: { revision: 1 },
      pruned: [],
    });
    expect(store.recordRevision(rev('h2', 'c2', T0 + 1)).revision.revision).toBe(2);
    expect(store.recordRevision(rev('h3', 'c3', T0 + 2)).revision.revision).toBe(3);
    expect(store.revision(web, 2)).toEqual({
      app: 'shop',
      namespace: 'default',
      deployment: 'web',
      revision: 2,
      templateHash: 'h2',
      commit: 'c2',
      author: 'Ada <ada@example.com>',
      subject: 'deploy h2',
      createdAt: T0 + 1,
      previousRevisions: [],
    });
    expect(store.revision(web, 9)).toBeUndefined();
  });

  it('leaves the current revision unchanged when the same template is recorded again', () => {
    const store = tempHistoryStore();
    store.recordRevision(rev('h1', 'c1', T0));
    const again = store.recordRevision(rev('h1', 'c9', T0 + 5));
    expect(again.change).toBe('unchanged');
    expect(again.revision).toMatchObject({ revision: 1, commit: 'c1', createdAt: T0 });
  });

  it('renumbers an old template that comes back to the newest number, as a rollback does', () => {
    const store = tempHistoryStore();
    store.recordRevision(rev('h1', 'c1', T0));
    store.recordRevision(rev('h2', 'c2', T0 + 1));
    store.recordRevision(rev('h3', 'c3', T0 + 2));
    const back = store.recordRevision(rev('h1', 'revert', T0 + 3, { subject: 'Revert "deploy h2"' }));
    expect(back.change).toBe('reused');
    expect(back.revision).toMatchObject({
      revision: 4,
      templateHash: 'h1',
      commit: 'revert',
      subject: 'Revert "deploy h2"',
      createdAt: T0 + 3,
      previousRevisions: [1],
    });
    // Revision 1 is gone: that template now is revision 4.
    expect(store.listRevisions(web).map((r) => [r.revision, r.templateHash])).toEqual([
      [2, 'h2'],
      [3, 'h3'],
      [4, 'h1'],
    ]);
    // Rolled back twice: both old numbers are remembered.
    store.recordRevision(rev('h2', 'c5', T0 + 4));
    const again = store.recordRevision(rev('h1', 'c6', T0 + 5));
    expect(again.revision).toMatchObject({ revision: 6, previousRevisions: [1, 4] });
  });

  it('keeps revisionHistoryLimit old revisions besides the current one', () => {
    const store = tempHistoryStore();
    for (let i = 1; i <= 4; i++)
      store.recordRevision(rev(`h${i}`, `c${i}`, T0 + i, { revisionHistoryLimit: 2 }));
    expect(store.listRevisions(web).map((r) => r.revision)).toEqual([2, 3, 4]);
    const fifth = store.recordRevision(rev('h5', 'c5', T0 + 5, { revisionHistoryLimit: 2 }));
    expect(fifth.pruned).toEqual([2]);
    expect(store.listRevisions(web).map((r) => r.revision)).toEqual([3, 4, 5]);
  });

  it('keeps only the current revision with revisionHistoryLimit 0, numbering on from it', () => {
    const store = tempHistoryStore();
    store.recordRevision(rev('h1', 'c1', T0, { revisionHistoryLimit: 0 }));
    const second = store.recordRevision(rev('h2', 'c2', T0 + 1, { revisionHistoryLimit: 0 }));
    expect(second.pruned).toEqual([1]);
    // The old template was pruned, so coming back it is a new template with a new number.
    const third = store.recordRevision(rev('h1', 'c3', T0 + 2, { revisionHistoryLimit: 0 }));
    expect(third).toMatchObject({
      change: 'created',
      revision: { revision: 3, previousRevisions: [] },
      pruned: [2],
    });
  });

  it('numbers each Deployment on its own and forgets one on request', () => {
    const store = tempHistoryStore();
    store.recordRevision(rev('h1', 'c1', T0));
    store.recordRevision(rev('h2', 'c2', T0));
    expect(store.recordRevision(rev('h1', 'c1', T0, { deployment: 'api' })).revision.revision).toBe(1);
    expect(store.recordRevision(rev('h1', 'c1', T0, { namespace: 'shop' })).revision.revision).toBe(1);
    expect(store.forgetRevisions(web)).toBe(2);
    expect(store.listRevisions(web)).toEqual([]);
    expect(store.recordRevision(rev('h7', 'c7', T0)).revision.revision).toBe(1);
    expect(store.listRevisions({ namespace: 'default', name: 'api' })).toHaveLength(1);
  });

  it.each([[-1], [1.5]])('treats revisionHistoryLimit %s as a bug', (limit) => {
    const store = tempHistoryStore();
    expect(() => store.recordRevision(rev('h1', 'c1', T0, { revisionHistoryLimit: limit }))).toThrow(
      /^bug: /,
    );
  });
});
