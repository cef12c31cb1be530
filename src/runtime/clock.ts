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
