import { describe, expect, it } from 'vitest';
import { mergeText, splitLines } from '../../../src/git/merge3.js';

const base = 'a\nb\nc\nd\ne\nf\n';

describe('mergeText', () => {
  it.each([
    ['identical sides', base, 'a\nB\nc\nd\ne\nf\n', 'a\nB\nc\nd\ne\nf\n', 'a\nB\nc\nd\ne\nf\n'],
    ['only ours changed', base, 'a\nB\nc\nd\ne\nf\n', base, 'a\nB\nc\nd\ne\nf\n'],
    ['only theirs changed', base, base, 'a\nb\nc\nd\nE\nf\n', 'a\nb\nc\nd\nE\nf\n'],
    ['changes far apart', base, 'A\nb\nc\nd\ne\nf\n', 'a\nb\nc\nd\ne\nF\n', 'A\nb\nc\nd\ne\nF\n'],
    [
      'insertion and distant deletion',
      base,
      'a\nx\nb\nc\nd\ne\nf\n',
      'a\nb\nc\nd\nf\n',
      'a\nx\nb\nc\nd\nf\n',
    ],
    ['the same change on both sides', base, 'a\nb\nC\nd\ne\nf\n', 'a\nb\nC\nd\ne\nf\n', 'a\nb\nC\nd\ne\nf\n'],
    [
      'same change plus a distinct one',
      base,
      'a\nb\nC\nd\ne\nF\n',
      'A\nb\nC\nd\ne\nf\n',
      'A\nb\nC\nd\ne\nF\n',
    ],
    ['no final newline kept', 'a\nb\nc\nd', 'A\nb\nc\nd', 'a\nb\nc\nD', 'A\nb\nc\nD'],
  ])('%s', (_name, b, ours, theirs, merged) => {
    expect(mergeText(b, ours, theirs)).toEqual({ ok: true, text: merged });
  });

  it.each([
    ['the same line changed differently', 'a\nb\nX\nd\ne\nf\n', 'a\nb\nY\nd\ne\nf\n', 3, 3],
    [
      'adjacent lines changed (git treats them as one region)',
      'a\nb\nX\nd\ne\nf\n',
      'a\nb\nc\nY\ne\nf\n',
      3,
      4,
    ],
  ])('conflicts on %s', (_name, ours, theirs, from, to) => {
    expect(mergeText(base, ours, theirs)).toEqual({
      ok: false,
      conflicts: [{ baseStartLine: from, baseEndLine: to }],
    });
  });
});

describe('splitLines', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a\n', ['a\n']],
    ['a\n\nb', ['a\n', '\n', 'b']],
  ])('%j', (text, lines) => {
    expect(splitLines(text)).toEqual(lines);
  });
});
