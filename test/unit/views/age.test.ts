import { describe, expect, it } from 'vitest';
import { formatRfc1123Z, humanDuration, since } from '../../../src/cli/views/age.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

// The cases of TestHumanDuration and TestHumanDurationBoundaries in
// k8s.io/apimachinery/pkg/util/duration/duration_test.go (Go's 1ns is below our 1 ms
// resolution, so `X - time.Millisecond` stays as is and `-2s + 1ns` becomes `-2s + 1ms`).
describe('humanDuration matches kubectl', () => {
  it.each([
    [s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [70 * m, '70m'],
    [47 * h, '47h'],
    [49 * h, '2d1h'],
    [(8 * 24 + 2) * h, '8d'],
    [367 * 24 * h, '367d'],
    [(365 * 2 * 24 + 25) * h, '2y1d'],
    [(365 * 8 * 24 + 2) * h, '8y'],
    [-2 * s, '<invalid>'],
    [-2 * s + 1, '0s'],
    [0, '0s'],
    [s - 1, '0s'],
    [2 * m - 1, '119s'],
    [2 * m, '2m'],
    [2 * m + s, '2m1s'],
    [10 * m - 1, '9m59s'],
    [10 * m, '10m'],
    [10 * m + s, '10m'],
    [3 * h - 1, '179m'],
    [3 * h, '3h'],
    [3 * h + m, '3h1m'],
    [8 * h - 1, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [2 * d - 1, '47h'],
    [2 * d, '2d'],
    [2 * d + h, '2d1h'],
    [8 * d - 1, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 23 * h, '8d'],
    [2 * y - 1, '729d'],
    [2 * y, '2y'],
    [2 * y + 23 * h, '2y'],
    [2 * y + 23 * h + 59 * m, '2y'],
    [2 * y + d - 1, '2y'],
    [2 * y + d, '2y1d'],
    [3 * y, '3y'],
    [4 * y, '4y'],
    [5 * y, '5y'],
    [6 * y, '6y'],
    [7 * y, '7y'],
    [8 * y - 1, '7y364d'],
    [8 * y, '8y'],
    [8 * y + 364 * d, '8y'],
    [9 * y, '9y'],
  ])('%d ms -> %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('since', () => {
  it.each([
    [undefined, 1_000_000, '<unknown>'],
    [0, 1_000_000, '<unknown>'],
    [1_000_000, 1_005_000, '5s'],
    [1_000_000, 1_000_000 + 3 * m + 2 * s, '3m2s'],
  ])('%s at %d -> %s', (ts, now, want) => {
    expect(since(ts, now)).toBe(want);
  });
});

describe('formatRfc1123Z', () => {
  it.each([
    [Date.UTC(2006, 0, 2, 15, 4, 5), 'Mon, 02 Jan 2006 15:04:05 +0000'],
    [Date.UTC(2024, 1, 29, 0, 0, 9), 'Thu, 29 Feb 2024 00:00:09 +0000'],
  ])('%d -> %s', (ms, want) => {
    expect(formatRfc1123Z(ms)).toBe(want);
  });
});
