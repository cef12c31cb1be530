import { describe, expect, it } from 'vitest';
import { classifyHeadChange } from '../../../src/git/git-source.js';
import {
  isInside,
  isManifestFileName,
  normalizeAppPath,
  relativeToApp,
  resolveSymlinkTarget,
} from '../../../src/git/repo-paths.js';

describe('normalizeAppPath', () => {
  it.each([
    ['', ''],
    ['.', ''],
    ['/', ''],
    ['./apps/web/', 'apps/web'],
    ['apps//web', 'apps/web'],
    ['apps/./web', 'apps/web'],
  ])('%j -> %j', (input, out) => {
    expect(normalizeAppPath(input)).toBe(out);
  });
  it.each(['../x', '../..', 'apps/../..', 'apps/..', '..\\x'])('refuses %j, never rewriting it', (input) => {
    expect(() => normalizeAppPath(input)).toThrow(/leaves the repository/);
  });
});

describe('resolveSymlinkTarget', () => {
  it.each([
    ['apps/web/a.yaml', 'b.yaml', 'apps/web/b.yaml'],
    ['apps/web/a.yaml', './sub/b.yaml', 'apps/web/sub/b.yaml'],
    ['apps/web/a.yaml', '../shared/b.yaml', 'apps/shared/b.yaml'],
    ['apps/web/a.yaml', '../../../etc/passwd', undefined],
    ['apps/web/a.yaml', '/etc/passwd', undefined],
    ['a.yaml', 'b.yaml', 'b.yaml'],
    ['a.yaml', '../b.yaml', undefined],
  ])('%s -> %s', (link, target, out) => {
    expect(resolveSymlinkTarget(link, target)).toBe(out);
  });
});

describe('paths inside an app', () => {
  it.each([
    ['apps/web', 'apps/web/a.yaml', true],
    ['apps/web', 'apps/web', true],
    ['apps/web', 'apps/webby/a.yaml', false],
    ['apps/web', 'apps/a.yaml', false],
    ['', 'anything', true],
  ])('isInside(%s, %s) = %s', (app, path, inside) => {
    expect(isInside(app, path)).toBe(inside);
  });
  it('names files relative to the app path', () => {
    expect(relativeToApp('apps/web', 'apps/web/sub/a.yaml')).toBe('sub/a.yaml');
    expect(relativeToApp('', 'a.yaml')).toBe('a.yaml');
  });
  it.each([
    ['a.yaml', true],
    ['a.YML', true],
    ['a.json', true],
    ['README.md', false],
    ['yaml', false],
  ])('isManifestFileName(%s) = %s', (name, yes) => {
    expect(isManifestFileName(name)).toBe(yes);
  });
});

describe('classifyHeadChange', () => {
  it.each([
    [null, 'b', false, 'initial'],
    ['a', 'a', false, 'unchanged'],
    ['a', 'b', true, 'fast-forward'],
    ['a', 'b', false, 'rewritten'],
  ] as const)('%s -> %s (descends: %s) = %s', (prev, next, descends, change) => {
    expect(classifyHeadChange(prev, next, descends)).toBe(change);
  });
});
