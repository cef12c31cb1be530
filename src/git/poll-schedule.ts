// When the git source is polled: a fixed interval ("30s", "5m", "1h30m") or a cron expression
// (node-cron syntax, 5 or 6 fields, local time), and how long to back off after failures.
// Pure apart from node-cron's parser/matcher (no timers are started here). node-cron is loaded
// when a schedule is a cron expression: most are intervals, and it costs about 0.8 MB of heap.
import { createRequire } from 'node:module';
import { parseDuration } from '../manifest/duration.js';

const cron = () => createRequire(import.meta.url)('node-cron') as typeof import('node-cron');

export type PollSchedule = { kind: 'interval'; ms: number } | { kind: 'cron'; expression: string };

export const DEFAULT_POLL_INTERVAL_MS = 30_000;

/** A duration becomes an interval (at least 1 s); anything else must be a valid cron expression. */
export function parsePollSchedule(text: string): PollSchedule | { error: string } {
  const ms = parseDuration(text);
  if (ms !== undefined) {
    return ms >= 1000 ? { kind: 'interval', ms } : { error: `poll interval ${text} is shorter than 1s` };
  }
  const fields = text.trim().split(/\s+/).length;
  if ((fields === 5 || fields === 6) && cron().validate(text.trim()))
    return { kind: 'cron', expression: text.trim() };
  return { error: `${JSON.stringify(text)} is neither a duration (30s, 5m, 1h) nor a cron expression` };
}

/** Delay before retry number `failures` (1-based): base doubling per failure, capped. */
export function backoffDelay(failures: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(baseMs * 2 ** exp, maxMs);
}

/** The first time strictly after `after` (ms) at which the schedule fires. */
export function nextFireTime(schedule: PollSchedule, after: number): number {
  if (schedule.kind === 'interval') return after + schedule.ms;
  return nextCronTime(schedule.expression, after);
}

/**
 * Next match of a cron expression after `after`, searched field by field (month, day, hour,
 * minute, second), with node-cron's own matcher deciding days (so `L`, `W`, `#` and the
 * day-of-month/day-of-week rules mean exactly what they mean to node-cron).
 */
export function nextCronTime(expression: string, after: number): number {
  const lib = cron();
  const fields = lib.parse(expression);
  const task = lib.createTask(expression, () => undefined);
  try {
    const h0 = fields.hour[0]!;
    const m0 = fields.minute[0]!;
    const s0 = fields.second[0]!;
    let t = new Date(Math.floor(after / 1000) * 1000 + 1000);
    // Five years of days is the longest any valid expression waits (Feb 29 on a given weekday).
    for (let guard = 0; guard < 5 * 366 + 24 * 60 + 3600 + 200; guard++) {
      const [y, mo, d, h, mi, s] = [
        t.getFullYear(),
        t.getMonth(),
        t.getDate(),
        t.getHours(),
        t.getMinutes(),
        t.getSeconds(),
      ];
      if (!fields.month.includes(mo + 1)) t = new Date(y, mo + 1, 1, 0, 0, 0);
      else if (!task.match(new Date(y, mo, d, h0, m0, s0))) t = new Date(y, mo, d + 1, 0, 0, 0);
      else if (!fields.hour.includes(h)) t = new Date(y, mo, d, h + 1, 0, 0);
      else if (!fields.minute.includes(mi)) t = new Date(y, mo, d, h, mi + 1, 0);
      else if (!fields.second.includes(s)) t = new Date(y, mo, d, h, mi, s + 1);
      else return t.getTime();
    }
    throw new Error(`cron expression ${expression} never fires`);
  } finally {
    void task.destroy();
  }
}
