import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/manifest/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['2m30s', 150_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each(['', '30', 's', '5 m', '-1s', '1d', '0s'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
