// Vectors in the style of apimachinery's labels/selector_test.go and
// apis/meta/v1/helpers_test.go (LabelSelectorAsSelector).
import { describe, expect, it } from 'vitest';
import {
  LabelSelectorError,
  labelSelectorMatches,
  labelsMatchSet,
  serviceSelectorMatches,
} from '../../../src/manifest/label-selector.js';
import type { LabelSelector, Labels } from '../../../src/model/k8s.js';

describe('labelSelectorMatches', () => {
  it.each<[string, LabelSelector | null, Labels, boolean]>([
    ['matchLabels equal', { matchLabels: { app: 'web' } }, { app: 'web', tier: 'fe' }, true],
    ['matchLabels different value', { matchLabels: { app: 'web' } }, { app: 'api' }, false],
    ['matchLabels missing key', { matchLabels: { app: 'web' } }, {}, false],
    ['matchLabels all pairs', { matchLabels: { app: 'web', tier: 'fe' } }, { app: 'web' }, false],
    [
      'In matches',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] },
      { env: 'staging' },
      true,
    ],
    [
      'In other value',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      { env: 'dev' },
      false,
    ],
    ['In missing key', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, {}, false],
    [
      'NotIn missing key matches',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
      {},
      true,
    ],
    [
      'NotIn other value',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
      { env: 'dev' },
      true,
    ],
    [
      'NotIn listed value',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
      { env: 'prod' },
      false,
    ],
    ['Exists', { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, { canary: '' }, true],
    ['Exists missing', { matchExpressions: [{ key: 'canary', operator: 'Exists' }] }, {}, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }, { app: 'x' }, true],
    [
      'DoesNotExist present',
      { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] },
      { canary: 'y' },
      false,
    ],
    [
      'labels and expressions are ANDed',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      { app: 'web', env: 'dev' },
      false,
    ],
    ['empty selector matches everything', {}, { anything: 'x' }, true],
    ['null selector matches nothing', null, { anything: 'x' }, false],
  ])('%s', (_name, selector, labels, want) => {
    expect(labelSelectorMatches(selector, labels)).toBe(want);
  });

  it.each<[string, LabelSelector, RegExp]>([
    [
      'In without values',
      { matchExpressions: [{ key: 'env', operator: 'In', values: [] }] },
      /values set can't be empty/,
    ],
    [
      'NotIn without values',
      { matchExpressions: [{ key: 'env', operator: 'NotIn' }] },
      /values set can't be empty/,
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['x'] }] },
      /must be empty for exists and does not exist/,
    ],
    [
      'unknown operator',
      { matchExpressions: [{ key: 'env', operator: 'Equals' as 'In', values: ['x'] }] },
      /"Equals" is not a valid label selector operator/,
    ],
    ['invalid key', { matchLabels: { 'bad key': 'x' } }, /key: Invalid value: "bad key"/],
    ['invalid value', { matchLabels: { app: 'not valid!' } }, /Invalid value: "not valid!"/],
  ])('rejects %s as Kubernetes does', (_name, selector, message) => {
    expect(() => labelSelectorMatches(selector, {})).toThrow(LabelSelectorError);
    expect(() => labelSelectorMatches(selector, {})).toThrow(message);
  });
});

describe('plain map selectors', () => {
  it('labelsMatchSet is SelectorFromSet: an empty set matches everything', () => {
    expect(labelsMatchSet({}, { a: 'b' })).toBe(true);
    expect(labelsMatchSet({ a: 'b' }, { a: 'b', c: 'd' })).toBe(true);
    expect(labelsMatchSet({ a: 'b' }, { a: 'c' })).toBe(false);
  });
  it('a Service without a selector selects no pods (endpoints controller semantics)', () => {
    expect(serviceSelectorMatches({}, { app: 'web' })).toBe(false);
    expect(serviceSelectorMatches({ app: 'web' }, { app: 'web', pod: 'x' })).toBe(true);
  });
});
