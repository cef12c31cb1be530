// What `skiff plan --exit-code` answers 2 for: any object that changes, or a prune.
import { describe, expect, it } from 'vitest';
import { planHasChanges } from '../../../src/diff/plan.js';
import type { ChangeClass, ObjectChange } from '../../../src/model/plan.js';

const change = (c: ChangeClass): ObjectChange => ({
  kind: 'Deployment',
  namespace: 'default',
  name: 'web',
  app: 'a',
  change: c,
  fields: [],
  forcedBy: [],
});
const prune = { kind: 'Deployment', namespace: 'default', name: 'old', pods: 2 };

describe('planHasChanges', () => {
  it.each([
    ['nothing at all', [], [], false],
    ['only unchanged objects', ['unchanged'], [], false],
    ['a create', ['unchanged', 'create'], [], true],
    ['an update in place', ['update-in-place'], [], true],
    ['a replacement of pods', ['replace-pods'], [], true],
    ['a delete', ['delete'], [], true],
    ['a prune alone', [], [prune], true],
  ] as const)('%s: %s', (_what, classes, prunes, expected) => {
    expect(planHasChanges({ changes: classes.map(change), prunes: [...prunes] })).toBe(expected);
  });
});
