import { describe, expect, it } from 'vitest';
import { backoffDelay, nextFireTime, parsePollSchedule } from '../../../src/git/poll-schedule.js';

describe('parsePollSchedule', () => {
  it.each([
    ['30s', { kind: 'interval', ms: 30_000 }],
    ['*/5 * * * *', { kind: 'cron', expression: '*/5 * * * *' }],
    ['*/10 * * * * *', { kind: 'cron', expression: '*/10 * * * * *' }],
  ])('%s', (text, schedule) => {
    expect(parsePollSchedule(text)).toEqual(schedule);
  });
  it.each(['500ms', 'often', '61 * * * *', '* * *'])('rejects %j', (text) => {
    expect(parsePollSchedule(text)).toHaveProperty('error');
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 5000],
    [2, 10_000],
    [3, 20_000],
    [6, 160_000],
    [7, 300_000],
    [100, 300_000],
  ])('after %d failures waits %d ms', (failures, ms) => {
    expect(backoffDelay(failures, 5000, 300_000)).toBe(ms);
  });
});

describe('nextFireTime', () => {
  const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) =>
    new Date(y, mo - 1, d, h, mi, s).getTime();
  const from = at(2026, 1, 1, 10, 7, 13); // a Thursday

  it('adds the interval', () => {
    expect(nextFireTime({ kind: 'interval', ms: 30_000 }, from)).toBe(from + 30_000);
  });

  it.each([
    ['*/5 * * * *', at(2026, 1, 1, 10, 10)],
    ['0 9 * * 1-5', at(2026, 1, 2, 9)],
    ['*/10 * * * * *', at(2026, 1, 1, 10, 7, 20)],
    ['0 0 L * *', at(2026, 1, 31)],
    ['0 0 29 2 *', at(2028, 2, 29)],
    ['7 10 1 1 *', at(2027, 1, 1, 10, 7)],
  ])('%s', (expression, next) => {
    expect(nextFireTime({ kind: 'cron', expression }, from)).toBe(next);
  });

  it('is strictly after the given time even on a match', () => {
    expect(nextFireTime({ kind: 'cron', expression: '* * * * *' }, at(2026, 1, 1, 10, 7))).toBe(
      at(2026, 1, 1, 10, 8),
    );
  });
});
