import { describe, expect, it } from 'vitest';
import {
  ACTIONS_FOLLOW_UP_MS,
  FAILED_PASS_RETRY_MS,
  MIN_REQUEUE_MS,
  nextPassDelay,
  type PassOutcome,
} from '../../../src/daemon/pass-schedule.js';
import type { ActionResult, ActionType, Outcome } from '../../../src/model/actions.js';

const result = (type: ActionType, outcome: Outcome): ActionResult => ({
  key: `pod/default/web-abc12@h1`,
  action: type,
  outcome,
  durationMs: 1,
});

/** A pass that ran these actions with these outcomes. */
const pass = (done: [ActionType, Outcome][], extra: Partial<PassOutcome> = {}): PassOutcome => ({
  actions: done.map(([type]) => ({ type })),
  results: done.map(([t, o]) => result(t, o)),
  deletionsInFlight: 0,
  ...extra,
});

const INTERVAL = 10_000;

describe('nextPassDelay', () => {
  it.each<[string, PassOutcome | undefined, number]>([
    ['a quiet pass waits for the interval', pass([]), INTERVAL],
    ['a pass that threw retries soon, not at once', undefined, FAILED_PASS_RETRY_MS],
    ['created pods: at once, so their probes start now', pass([['createPod', 'done']]), 0],
    ['a restarted container: at once', pass([['restartContainer', 'done']]), 0],
    [
      'a creation that failed: not hammered',
      pass([
        ['createPod', 'done'],
        ['createPod', 'failed'],
      ]),
      ACTIONS_FOLLOW_UP_MS,
    ],
    ['deletions started: within a second', pass([['deletePod', 'started']]), ACTIONS_FOLLOW_UP_MS],
    ['deletions still running: within a second', pass([], { deletionsInFlight: 2 }), ACTIONS_FOLLOW_UP_MS],
    ['a controller requeue is honoured', pass([], { requeueAfterMs: 4000 }), 4000],
    ['a requeue is never a busy loop', pass([], { requeueAfterMs: 0 }), MIN_REQUEUE_MS],
    [
      'creations beat a later requeue',
      pass([['createPod', 'done']], { requeueAfterMs: 15_000, deletionsInFlight: 1 }),
      0,
    ],
  ])('%s', (_, outcome, expected) => {
    expect(nextPassDelay(INTERVAL, outcome)).toBe(expected);
  });

  it('never waits longer than the interval', () => {
    expect(nextPassDelay(500, pass([['deletePod', 'started']], { requeueAfterMs: 60_000 }))).toBe(500);
    expect(nextPassDelay(500, undefined)).toBe(500);
  });
});
