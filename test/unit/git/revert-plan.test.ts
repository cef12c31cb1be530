import { describe, expect, it } from 'vitest';
import { planRevert } from '../../../src/git/revert-plan.js';

const v1 = 'replicas: 3\nimage: web:1\n# tail\n\n\n\nlabels: a\n';
const v2 = 'replicas: 3\nimage: web:2\n# tail\n\n\n\nlabels: a\n';

describe('planRevert', () => {
  it.each([
    ['untouched since: back to the parent', { parent: v1, commit: v2, head: v2 }, { before: v2, after: v1 }],
    [
      'the commit added the file: delete it',
      { parent: null, commit: v1, head: v1 },
      { before: v1, after: null },
    ],
    [
      'the commit deleted the file: re-add it',
      { parent: v1, commit: null, head: null },
      { before: null, after: v1 },
    ],
    [
      'changed elsewhere since: 3-way merge keeps the later change',
      { parent: v1, commit: v2, head: v2.replace('labels: a', 'labels: b') },
      { before: v2.replace('labels: a', 'labels: b'), after: v1.replace('labels: a', 'labels: b') },
    ],
  ])('%s', (_name, versions, change) => {
    expect(planRevert([{ path: 'd.yaml', ...versions }])).toEqual({
      changes: [{ path: 'd.yaml', ...change }],
      conflicts: [],
    });
  });

  it('does nothing for a file already back at the parent version', () => {
    expect(planRevert([{ path: 'd.yaml', parent: v1, commit: v2, head: v1 }])).toEqual({
      changes: [],
      conflicts: [],
    });
  });

  it.each([
    [
      'the same line changed again',
      { parent: v1, commit: v2, head: v2.replace('web:2', 'web:3') },
      /same place \(lines 2-2\)/,
    ],
    ['deleted since', { parent: v1, commit: v2, head: null }, /deleted since/],
    ['changed since it was added', { parent: null, commit: v1, head: v2 }, /which added it/],
    ['re-added since it was deleted', { parent: v1, commit: null, head: v2 }, /re-added/],
  ])('conflicts when %s', (_name, versions, reason) => {
    const plan = planRevert([{ path: 'd.yaml', ...versions }]);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toHaveLength(1);
    expect(plan.conflicts[0]!.reason).toMatch(reason);
  });
});
