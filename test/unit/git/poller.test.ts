import { describe, expect, it } from 'vitest';
import { GitError } from '../../../src/git/errors.js';
import type { HeadResolution } from '../../../src/git/git-source.js';
import { Poller } from '../../../src/git/poller.js';
import type { Clock } from '../../../src/runtime/clock.js';

class FakeClock implements Clock {
  t = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown) {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  pending(): number[] {
    return this.timers.map((x) => x.at - this.t);
  }
  /** Advance time, firing due timers in order and letting their promises settle. */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (!due || due.at > end) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
  }
}

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A source answering from a script of heads and failures. */
function scriptedSource(script: (string | Error)[]) {
  let previous: string | null = null;
  const calls = { count: 0 };
  return {
    calls,
    source: {
      app: 'web',
      async resolveHead(): Promise<HeadResolution> {
        calls.count++;
        const next = script.length > 1 ? script.shift()! : script[0]!;
        if (next instanceof Error) throw next;
        const res: HeadResolution = {
          commit: next,
          previous,
          change:
            previous === null
              ? 'initial'
              : previous === next
                ? 'unchanged'
                : next.startsWith('x')
                  ? 'rewritten'
                  : 'fast-forward',
        };
        previous = next;
        return res;
      },
    },
  };
}

const unreachable = () => new GitError('git.unreachable', 'cannot reach', { retryable: true });

describe('Poller', () => {
  it('polls at once, then on the interval, and reports only changes, by key', async () => {
    const clock = new FakeClock();
    const { source, calls } = scriptedSource(['a', 'a', 'b', 'b']);
    const events: string[] = [];
    const poller = new Poller({
      source,
      schedule: { kind: 'interval', ms: 30_000 },
      clock,
      onNewCommit: (k) => events.push(k),
    });
    poller.start();
    await clock.advance(0);
    expect(events).toEqual(['web']);
    expect(poller.status()).toMatchObject({ head: 'a', lastChange: 'initial', nextPollAt: clock.t + 30_000 });
    await clock.advance(29_999);
    expect(calls.count).toBe(1);
    await clock.advance(1);
    expect(calls.count).toBe(2);
    expect(events).toEqual(['web']);
    await clock.advance(30_000);
    expect(events).toEqual(['web', 'web']);
    expect(poller.status()).toMatchObject({ head: 'b', previousHead: 'a', lastChange: 'fast-forward' });
    await poller.stop();
    expect(clock.pending()).toEqual([]);
  });

  it('backs off exponentially on failures, keeps the last good head, and recovers', async () => {
    const clock = new FakeClock();
    const { source } = scriptedSource(['a', unreachable(), unreachable(), unreachable(), 'a']);
    const failures: string[] = [];
    const poller = new Poller({
      source,
      schedule: { kind: 'interval', ms: 30_000 },
      clock,
      retryBaseMs: 5000,
      maxBackoffMs: 300_000,
      onNewCommit: () => undefined,
      onFailure: (k) => failures.push(k),
    });
    poller.start();
    await clock.advance(0);
    await clock.advance(30_000);
    expect(poller.status()).toMatchObject({ head: 'a', consecutiveFailures: 1 });
    expect(clock.pending()).toEqual([5000]);
    await clock.advance(5000);
    expect(clock.pending()).toEqual([10_000]);
    await clock.advance(10_000);
    expect(clock.pending()).toEqual([20_000]);
    expect(poller.status().lastError).toBeInstanceOf(GitError);
    expect(failures).toHaveLength(3);
    await clock.advance(20_000);
    expect(poller.status()).toMatchObject({ head: 'a', consecutiveFailures: 0, lastError: null });
    expect(clock.pending()).toEqual([30_000]);
    await poller.stop();
  });

  it('trigger() polls at once, even during backoff, and reschedules', async () => {
    const clock = new FakeClock();
    const { source, calls } = scriptedSource(['a', unreachable(), 'b']);
    const events: string[] = [];
    const poller = new Poller({
      source,
      schedule: { kind: 'interval', ms: 30_000 },
      clock,
      maxBackoffMs: 600_000,
      retryBaseMs: 60_000,
      onNewCommit: (k) => events.push(k),
    });
    poller.start();
    await clock.advance(0);
    await clock.advance(30_000);
    expect(clock.pending()).toEqual([60_000]);
    await poller.trigger();
    expect(calls.count).toBe(3);
    expect(poller.status().head).toBe('b');
    expect(events).toEqual(['web', 'web']);
    expect(clock.pending()).toEqual([30_000]);
    await poller.stop();
  });

  it('reports a rewritten branch as a new head with its change', async () => {
    const clock = new FakeClock();
    const { source } = scriptedSource(['a', 'x1']);
    const poller = new Poller({
      source,
      schedule: { kind: 'interval', ms: 1000 },
      clock,
      onNewCommit: () => undefined,
    });
    poller.start();
    await clock.advance(0);
    await clock.advance(1000);
    expect(poller.status()).toMatchObject({ head: 'x1', previousHead: 'a', lastChange: 'rewritten' });
    await poller.stop();
  });

  it('coalesces a trigger during a poll into one more poll, never two at once', async () => {
    const clock = new FakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    let release: () => void = () => undefined;
    let n = 0;
    const source = {
      app: 'web',
      async resolveHead(): Promise<HeadResolution> {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((r) => {
          release = r;
        });
        inFlight--;
        n++;
        return { commit: `c${n}`, previous: null, change: 'initial' };
      },
    };
    const poller = new Poller({
      source,
      schedule: { kind: 'interval', ms: 30_000 },
      clock,
      onNewCommit: () => undefined,
    });
    poller.start();
    await clock.advance(0);
    const t1 = poller.trigger();
    const t2 = poller.trigger();
    release();
    await settle();
    release();
    await t1;
    await t2;
    expect(maxInFlight).toBe(1);
    expect(n).toBe(2);
    await poller.stop();
  });
});
