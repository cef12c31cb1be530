import { describe, expect, it } from 'vitest';
import { EVENT_AGGREGATION_WINDOW_MS, MAX_EVENT_MESSAGE_LENGTH } from '../../../src/history/event-log.js';
import type { EventInput } from '../../../src/history/history-types.js';
import { tempHistoryStore } from './temp-state-dir.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function ev(over: Partial<EventInput> = {}): EventInput {
  return {
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    object: 'deployment/web',
    namespace: 'default',
    message: 'Scaled up replica set web-7d9c5b6f4 to 3',
    source: 'deployment-controller',
    at: T0,
    ...over,
  };
}

describe('events', () => {
  it('records an event with count 1 and equal first/last timestamps', () => {
    const store = tempHistoryStore();
    expect(store.recordEvent(ev())).toMatchObject({
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      object: 'deployment/web',
      namespace: 'default',
      source: 'deployment-controller',
      count: 1,
      firstTimestamp: T0,
      lastTimestamp: T0,
    });
  });

  it('defaults the source to skiff', () => {
    const store = tempHistoryStore();
    const { source: _omit, ...noSource } = ev();
    expect(store.recordEvent(noSource).source).toBe('skiff');
  });

  it('aggregates a repeat within 10 minutes of the last occurrence, as kubectl shows "x3 over 12m"', () => {
    const store = tempHistoryStore();
    const first = store.recordEvent(
      ev({
        type: 'Warning',
        reason: 'BackOff',
        object: 'pod/web-abc',
        message: 'Back-off restarting failed container',
      }),
    );
    const repeat = (at: number) =>
      store.recordEvent(
        ev({
          type: 'Warning',
          reason: 'BackOff',
          object: 'pod/web-abc',
          message: 'Back-off restarting failed container',
          at,
        }),
      );
    repeat(T0 + 6 * MIN);
    // 12 minutes after the first but only 6 after the last: still the same row.
    const third = repeat(T0 + 12 * MIN);
    expect(third.id).toBe(first.id);
    expect(third).toMatchObject({ count: 3, firstTimestamp: T0, lastTimestamp: T0 + 12 * MIN });
    expect(store.listEvents({ limit: 10 })).toHaveLength(1);
  });

  it('starts a new row once the window since the last occurrence has passed', () => {
    const store = tempHistoryStore();
    store.recordEvent(ev());
    const later = store.recordEvent(ev({ at: T0 + EVENT_AGGREGATION_WINDOW_MS + 1 }));
    expect(later.count).toBe(1);
    const edge = store.recordEvent(ev({ at: T0 + 2 * EVENT_AGGREGATION_WINDOW_MS + 1 }));
    expect(edge.id).toBe(later.id);
    expect(store.listEvents({ limit: 10 }).map((e) => e.count)).toEqual([2, 1]);
  });

  it.each([
    ['object', { object: 'deployment/api' }],
    ['namespace', { namespace: 'shop' }],
    ['reason', { reason: 'ScalingDown' }],
    ['message', { message: 'Scaled up replica set web-7d9c5b6f4 to 4' }],
    ['type', { type: 'Warning' as const }],
    ['source', { source: 'scheduler' }],
  ])('does not aggregate events that differ in %s', (_field, change) => {
    const store = tempHistoryStore();
    store.recordEvent(ev());
    store.recordEvent(ev({ ...change, at: T0 + MIN }));
    expect(store.listEvents({ limit: 10 }).map((e) => e.count)).toEqual([1, 1]);
  });

  it('lists newest first by last occurrence, filtered by object, namespace, type and since', () => {
    const store = tempHistoryStore();
    store.recordEvent(ev({ object: 'deployment/web', at: T0 }));
    store.recordEvent(ev({ object: 'deployment/api', message: 'm2', at: T0 + MIN }));
    store.recordEvent(
      ev({
        object: 'host/h1',
        namespace: '',
        reason: 'NodeNotReady',
        type: 'Warning',
        message: 'host h1 unreachable',
        at: T0 + 2 * MIN,
      }),
    );
    // An old event seen again moves to the front.
    store.recordEvent(ev({ object: 'deployment/web', at: T0 + 3 * MIN }));
    expect(store.listEvents({ limit: 10 }).map((e) => e.object)).toEqual([
      'deployment/web',
      'host/h1',
      'deployment/api',
    ]);
    expect(store.listEvents({ limit: 10, object: 'deployment/api' }).map((e) => e.message)).toEqual(['m2']);
    expect(store.listEvents({ limit: 10, namespace: '' }).map((e) => e.object)).toEqual(['host/h1']);
    expect(store.listEvents({ limit: 10, type: 'Warning' }).map((e) => e.reason)).toEqual(['NodeNotReady']);
    expect(store.listEvents({ limit: 10, since: T0 + 2 * MIN }).map((e) => e.object)).toEqual([
      'deployment/web',
      'host/h1',
    ]);
    expect(store.listEvents({ limit: 1 })).toHaveLength(1);
  });

  it('cuts long messages', () => {
    const store = tempHistoryStore();
    expect(store.recordEvent(ev({ message: 'm'.repeat(5000) })).message).toHaveLength(
      MAX_EVENT_MESSAGE_LENGTH,
    );
  });

  it.each([
    ['reason not PascalCase', { reason: 'scaling replica set' }],
    ['reason with a dot', { reason: 'Back.Off' }],
    ['object without a kind', { object: 'web' }],
    ['object with an upper-case kind', { object: 'Deployment/web' }],
  ])('treats a %s as a bug', (_name, change) => {
    const store = tempHistoryStore();
    expect(() => store.recordEvent(ev(change))).toThrow(/^bug: /);
  });

  it('keeps only the newest events beyond the cap, newest by last occurrence', () => {
    const store = tempHistoryStore({ retention: { maxEvents: 5 }, pruneSlack: 1 });
    // The first event is repeated last, so it is among the newest and must survive.
    for (let i = 0; i < 10; i++) store.recordEvent(ev({ message: `m${i}`, at: T0 + i * 1000 }));
    store.recordEvent(ev({ message: 'm0', at: T0 + 20_000 }));
    const kept = store.listEvents({ limit: 100 }).map((e) => e.message);
    expect(kept).toEqual(['m0', 'm9', 'm8', 'm7', 'm6']);
  });
});
