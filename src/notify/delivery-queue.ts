// The delivery queue: sends notification requests in the background, so a slow or failing
// receiver never slows a pass. Shell (timers, the HTTP sender), with its clock, sleep and
// randomness injected so tests run it on a fake clock.
// - Bounded: at most `concurrency` requests in flight, at most `maxQueued` waiting (the oldest
//   waiting one is dropped, and counted as failed, past that).
// - Each attempt has its own timeout; a network error, a timeout, a 429 or a 5xx is retried
//   with exponential backoff and full jitter up to `maxAttempts`; any other 4xx is final (a bad
//   token or a bad state will not get better).
// - Deduplicated: a job whose key was delivered (or is queued) is dropped (`seen` asks the
//   history, so a restarted daemon does not post the same status again).
// - Every body and error text passes through `scrub` (the daemon's SecretScrubber) before it
//   leaves or is recorded. A failure is logged and recorded, never thrown.
import type { NotifyRequest } from './notify-types.js';

export interface SendResult {
  status: number;
  body: string;
}

/** Sends one request; rejects on a network error or when `timeoutMs` passes. */
export type Sender = (req: NotifyRequest, timeoutMs: number) => Promise<SendResult>;

export interface DeliveryJob {
  key: string;
  service: string;
  trigger: string;
  app?: string;
  commit?: string;
  state?: string;
  request: NotifyRequest;
}

export interface DeliveryOutcome {
  job: DeliveryJob;
  outcome: 'sent' | 'failed';
  attempts: number;
  status?: number;
  error?: string;
  at: number;
}

export interface DeliveryOptions {
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  /** First retry's delay ceiling; doubles each attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  maxQueued: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  concurrency: 4,
  timeoutMs: 10_000,
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxQueued: 1000,
};

export interface DeliveryDeps {
  send: Sender;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  scrub: (text: string) => string;
  /** Whether this key was delivered before (the history). */
  seen?: (key: string) => boolean;
  /** Told each job's final outcome (history, metrics, log). */
  onOutcome?: (o: DeliveryOutcome) => void;
}

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform delay up
 *  to the exponential ceiling, so retries of many senders spread out. */
export function retryDelay(attempt: number, opts: DeliveryOptions, random: () => number): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling * random());
}

/** Whether an answer (or its absence) is worth another attempt. */
export function retryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

export class DeliveryQueue {
  private readonly waiting: DeliveryJob[] = [];
  private readonly pending = new Set<string>();
  private running = 0;
  private readonly idlers: (() => void)[] = [];
  private stopped = false;
  readonly opts: DeliveryOptions;

  constructor(
    private readonly deps: DeliveryDeps,
    opts: Partial<DeliveryOptions> = {},
  ) {
    this.opts = { ...DEFAULT_DELIVERY, ...opts };
  }

  /** Queue a job; returns at once. False when it was a duplicate (or the queue stopped). */
  enqueue(job: DeliveryJob): boolean {
    if (this.stopped || this.pending.has(job.key) || this.deps.seen?.(job.key)) return false;
    this.pending.add(job.key);
    this.waiting.push(job);
    if (this.waiting.length > this.opts.maxQueued) {
      const dropped = this.waiting.shift()!;
      this.pending.delete(dropped.key);
      this.report({
        job: dropped,
        outcome: 'failed',
        attempts: 0,
        error: 'dropped: too many notifications queued',
        at: this.deps.now(),
      });
    }
    this.pump();
    return true;
  }

  /** Jobs queued or in flight. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((r) => this.idlers.push(r));
  }

  /** Stop taking jobs; jobs waiting are dropped, those in flight end on their own. */
  stop(): void {
    this.stopped = true;
    for (const job of this.waiting.splice(0)) this.pending.delete(job.key);
    this.settle();
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      void this.deliver(job).finally(() => {
        this.running--;
        this.pending.delete(job.key);
        this.pump();
        this.settle();
      });
    }
  }

  private settle(): void {
    if (this.pending.size > 0) return;
    for (const r of this.idlers.splice(0)) r();
  }

  private async deliver(job: DeliveryJob): Promise<void> {
    const { deps, opts } = this;
    const request = { ...job.request, body: deps.scrub(job.request.body) };
    let status: number | undefined;
    let error = '';
    for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
      if (attempt > 1) await deps.sleep(retryDelay(attempt - 1, opts, deps.random));
      try {
        const answer = await deps.send(request, opts.timeoutMs);
        status = answer.status;
        if (status >= 200 && status < 300) {
          this.report({ job, outcome: 'sent', attempts: attempt, status, at: deps.now() });
          return;
        }
        error = `HTTP ${status}${answer.body ? `: ${answer.body.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`;
      } catch (err) {
        status = undefined;
        error = (err as Error).message;
      }
      if (!retryable(status) || this.stopped) {
        this.report({
          job,
          outcome: 'failed',
          attempts: attempt,
          status,
          error: deps.scrub(error),
          at: deps.now(),
        });
        return;
      }
    }
    this.report({
      job,
      outcome: 'failed',
      attempts: opts.maxAttempts,
      status,
      error: deps.scrub(error),
      at: deps.now(),
    });
  }

  private report(o: DeliveryOutcome): void {
    try {
      this.deps.onOutcome?.(o);
    } catch {
      // Recording a delivery must never break the queue (a closed history at shutdown).
    }
  }
}
