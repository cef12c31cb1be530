// Keeps one app's view of its branch fresh: resolves the head on a schedule (interval or cron),
// at once on trigger() (the webhook), and with exponential backoff after failures. Level-
// triggered, as controller-runtime's sources are: listeners get only the app's key, and read
// what happened (new head, rewrite, last error) from status(). Shell: owns timers through an
// injected Clock (runtime/clock.ts), so tests drive it with a fake one.
//
// Invariants: one resolution at a time per poller (a trigger during a poll runs one more poll
// right after it, never two in parallel); a failure never clears the last good head.
import { type Clock, systemClock } from '../runtime/clock.js';
import type { GitError } from './errors.js';
import type { GitSource, HeadChange } from './git-source.js';
import { backoffDelay, nextFireTime, type PollSchedule } from './poll-schedule.js';

/** The part of a GitSource the poller needs. */
export type HeadSource = Pick<GitSource, 'app' | 'resolveHead'>;

export interface PollerOptions {
  source: HeadSource;
  schedule: PollSchedule;
  /** Called with the app's key whenever the head differs from the one last reported. */
  onNewCommit?: (app: string) => void;
  /** Called with the app's key after a failed poll (details in status()). */
  onFailure?: (app: string) => void;
  /** Called with the app's key after every poll, failed or not (what happened is in status()):
   *  a listener that keeps its own copy of the status sees recoveries and fetch times too. */
  onPoll?: (app: string) => void;
  clock?: Clock;
  /** First retry delay after a failure (default 5 s), doubling up to maxBackoffMs (default 5 min). */
  retryBaseMs?: number;
  maxBackoffMs?: number;
}

export interface PollerStatus {
  app: string;
  /** Last head seen (kept through failures: it is the last good commit). */
  head: string | null;
  /** How the head moved on the last successful poll that changed it. */
  lastChange: HeadChange | null;
  /** Head before that change (set with lastChange). */
  previousHead: string | null;
  lastSuccessAt: number | null;
  lastError: GitError | Error | null;
  consecutiveFailures: number;
  nextPollAt: number | null;
  polling: boolean;
}

export class Poller {
  private readonly opts: PollerOptions;
  private readonly clock: Clock;
  private readonly retryBaseMs: number;
  private readonly maxBackoffMs: number;
  private timer: unknown = undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private state: PollerStatus;

  constructor(opts: PollerOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.retryBaseMs = opts.retryBaseMs ?? 5000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 300_000;
    this.state = {
      app: opts.source.app,
      head: null,
      lastChange: null,
      previousHead: null,
      lastSuccessAt: null,
      lastError: null,
      consecutiveFailures: 0,
      nextPollAt: null,
      polling: false,
    };
  }

  /** Starts polling with an immediate first poll. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.scheduleAt(this.clock.now());
  }

  /** Stops the timer and waits for a poll in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.running;
  }

  /** Poll now (the webhook). Coalesces with a poll in flight: it runs once more afterwards. */
  trigger(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.clearTimer();
    return this.poll();
  }

  status(): PollerStatus {
    return { ...this.state };
  }

  private poll(): Promise<void> {
    const run = (async () => {
      do {
        this.again = false;
        await this.pollOnce();
      } while (this.again && !this.stopped);
    })();
    this.running = run;
    void run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private async pollOnce(): Promise<void> {
    this.state.polling = true;
    const s = this.state;
    let notify: 'new' | 'failure' | undefined;
    try {
      const res = await this.opts.source.resolveHead();
      const now = this.clock.now();
      if (res.commit !== s.head) {
        s.previousHead = s.head ?? res.previous;
        s.lastChange = res.change;
        s.head = res.commit;
        notify = 'new';
      }
      s.lastSuccessAt = now;
      s.lastError = null;
      s.consecutiveFailures = 0;
      this.scheduleAt(nextFireTime(this.opts.schedule, now));
    } catch (err) {
      s.lastError = err as Error;
      s.consecutiveFailures++;
      notify = 'failure';
      const delay = backoffDelay(s.consecutiveFailures, this.retryBaseMs, this.maxBackoffMs);
      this.scheduleAt(this.clock.now() + delay);
    } finally {
      s.polling = false;
    }
    if (notify === 'new') this.opts.onNewCommit?.(s.app);
    if (notify === 'failure') this.opts.onFailure?.(s.app);
    this.opts.onPoll?.(s.app);
  }

  private scheduleAt(at: number): void {
    this.clearTimer();
    if (this.stopped) {
      this.state.nextPollAt = null;
      return;
    }
    this.state.nextPollAt = at;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        if (this.running) this.again = true;
        else void this.poll();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
