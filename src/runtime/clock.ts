// The shell's clock: the time now in ms since the epoch, and timers on the same time line, so
// one fake drives both in tests. Shell only: the pure core never holds a clock, it gets `now`
// as a number from whoever called it.
//
// A component that only reads the time takes `Pick<Clock, 'now'>` (tests pass `{ now: () => t }`);
// one that also waits takes the whole Clock. Wiring passes systemClock.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** setTimeout holds at most 2^31-1 ms (~24.8 days); a longer delay fires at once. Delays that
 *  come from manifests (timeoutSeconds is int32, grace periods int64) are clamped to it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. Its timers are unref'd: a pending timer never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
