// A promise bounded in time: it rejects with "<what> timed out after Ns" once `ms` pass, and
// the timer is cleared however it settles. The promise itself is not cancelled: a caller whose
// promise yields a resource (a stream, a socket) closes the one that arrives late. Shell.
import { MAX_TIMER_MS } from './clock.js';

/** `p`, or a rejection after `ms` (clamped to what a timer holds: timeoutSeconds is int32). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} timed out after ${ms / 1000}s`)),
      Math.min(ms, MAX_TIMER_MS),
    );
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
