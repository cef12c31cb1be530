import { describe, expect, it } from 'vitest';
import {
  type BackoffEntry,
  decideContainerRestart,
  formatGoDuration,
  pruneBackoffMemory,
} from '../../../src/controllers/backoff.js';
import type { ObservedContainer } from '../../../src/model/observed.js';
import { runningContainer } from './fixtures.js';

function exited(exitCode: number, finishedAt: number, startedAt = finishedAt - 1000): ObservedContainer {
  return { ...runningContainer('app', startedAt), state: 'exited', exitCode, finishedAt };
}

describe('restart policy', () => {
  it.each([
    { policy: 'Always', exitCode: 0, restart: true, reason: 'Completed' },
    { policy: 'Always', exitCode: 1, restart: true, reason: 'Error' },
    { policy: 'OnFailure', exitCode: 0, restart: false, reason: 'Completed' },
    { policy: 'OnFailure', exitCode: 2, restart: true, reason: 'Error' },
    { policy: 'Never', exitCode: 0, restart: false, reason: 'Completed' },
    { policy: 'Never', exitCode: 137, restart: false, reason: 'Error' },
  ] as const)(
    '$policy, exit $exitCode -> restart $restart ($reason)',
    ({ policy, exitCode, restart, reason }) => {
      const d = decideContainerRestart(exited(exitCode, 1000), policy, undefined, 1000);
      expect(d.restart).toBe(restart);
      expect(d.reason).toBe(reason);
    },
  );

  it.each([
    { state: 'running', reason: 'Running' },
    { state: 'restarting', reason: 'Running' },
    { state: 'paused', reason: 'Running' },
  ] as const)('a $state container is left alone', ({ state, reason }) => {
    const c = { ...runningContainer('app', 0), state };
    expect(decideContainerRestart(c, 'Always', undefined, 5000)).toMatchObject({ restart: false, reason });
  });

  it('a created, never started container is ContainerCreating, not a restart', () => {
    const c: ObservedContainer = { ...runningContainer('app', 0), state: 'created', startedAt: undefined };
    expect(decideContainerRestart(c, 'Always', undefined, 0)).toMatchObject({
      restart: false,
      reason: 'ContainerCreating',
    });
  });

  it('a dead container counts as failed', () => {
    const c: ObservedContainer = { ...exited(0, 1000), state: 'dead' };
    expect(decideContainerRestart(c, 'OnFailure', undefined, 1000)).toMatchObject({
      restart: true,
      reason: 'Error',
    });
  });
});

describe('CrashLoopBackOff', () => {
  // A container that crashes 1 s after each start: the delays between its restarts.
  function crashLoop(crashes: number, runMs = 1000): { delays: number[]; messages: string[] } {
    let memory: BackoffEntry | undefined;
    let now = 0;
    let finishedAt = 0;
    const delays: number[] = [];
    const messages: string[] = [];
    for (let i = 0; i < crashes; i++) {
      // Poll every second until the restart is allowed.
      for (;;) {
        const d = decideContainerRestart(exited(1, finishedAt), 'Always', memory, now);
        memory = d.memory;
        if (d.restart) break;
        expect(d.reason).toBe('CrashLoopBackOff');
        expect(d.waitMs).toBe(finishedAt + memory!.backoffMs - now);
        if (d.message && !messages.includes(d.message)) messages.push(d.message);
        now += 1000;
      }
      delays.push(now - finishedAt);
      now += runMs;
      finishedAt = now;
    }
    return { delays, messages };
  }

  it('restarts at once, then waits 10 s doubling to the 5 min cap', () => {
    const { delays, messages } = crashLoop(10);
    expect(delays).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000, 300_000]);
    expect(messages.slice(0, 3)).toEqual([
      'back-off 10s restarting failed container=app',
      'back-off 20s restarting failed container=app',
      'back-off 40s restarting failed container=app',
    ]);
    expect(messages.at(-1)).toBe('back-off 5m0s restarting failed container=app');
  });

  it('resets after the container ran for more than 10 minutes', () => {
    let memory: BackoffEntry | undefined = { backoffMs: 300_000, lastUpdate: 0 };
    // Ran 10 min + 1 ms after its last restart, then failed: restart at once, backoff back to 10 s.
    const d = decideContainerRestart(exited(1, 600_001), 'Always', memory, 600_001);
    expect(d).toMatchObject({ restart: true, memory: { backoffMs: 10_000, lastUpdate: 600_001 } });
    memory = { backoffMs: 300_000, lastUpdate: 0 };
    // Exactly 10 min: still in the sequence (upstream compares with >).
    expect(decideContainerRestart(exited(1, 600_000), 'Always', memory, 600_000).reason).toBe(
      'CrashLoopBackOff',
    );
  });

  it('pruning forgets entries untouched for 10 minutes', () => {
    const memory = { a: { backoffMs: 10_000, lastUpdate: 0 }, b: { backoffMs: 20_000, lastUpdate: 500_000 } };
    expect(Object.keys(pruneBackoffMemory(memory, 700_000))).toEqual(['b']);
  });

  it.each([
    [10_000, '10s'],
    [80_000, '1m20s'],
    [160_000, '2m40s'],
    [300_000, '5m0s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});
