// CPU rates from cumulative counters as metrics-server makes them: the pair rule (same source,
// positive window, counter not going down), whole nanocores read as millicores rounded up, and
// pods left out until every container has a rate.
import { describe, expect, it } from 'vitest';
import type { UsageSource } from '../../../src/runtime/runtime.js';
import {
  cpuRate,
  pointKey,
  ratesFromUsage,
  type UsagePoint,
  type UsageRead,
} from '../../../src/runtime/usage-rates.js';

const SEC = 1e9; // ns of CPU time in one core-second

function point(cpuUsageNanos: number, counterClockMs: number, source: UsageSource = 'cgroup'): UsagePoint {
  return { cpuUsageNanos, counterClockMs, source };
}

function read(
  pod: string,
  container: string,
  cpuUsageNanos: number,
  counterClockMs: number,
  extra: Partial<UsageRead> = {},
): UsageRead {
  return {
    host: 'h1',
    containerId: `${pod}-${container}`,
    namespace: 'default',
    pod,
    container,
    cpuUsageNanos,
    memoryBytes: 1024,
    at: 1_700_000_000_000 + counterClockMs,
    source: 'cgroup',
    counterClockMs,
    ...extra,
  };
}

describe('cpuRate', () => {
  it.each([
    ['one core for 15 s', point(15 * SEC, 15_000), point(0, 0), { cpuMilli: 1000, windowMs: 15_000 }],
    ['a quarter core over 1 s', point(SEC / 4, 1000), point(0, 0), { cpuMilli: 250, windowMs: 1000 }],
    ['idle', point(5 * SEC, 30_000), point(5 * SEC, 15_000), { cpuMilli: 0, windowMs: 15_000 }],
    // 1 ns over 15 s is 0.066 nanocores: truncated to 0 nanocores, so 0m.
    ['below a nanocore', point(1, 15_000), point(0, 0), { cpuMilli: 0, windowMs: 15_000 }],
    // 1,000,001 nanocores is 1.000001 millicores: MilliValue rounds up to 2m.
    ['just over 1m rounds up', point(1_000_001, 1000), point(0, 0), { cpuMilli: 2, windowMs: 1000 }],
    ['two cores', point(30 * SEC + 123, 30_000), point(123, 15_000), { cpuMilli: 2000, windowMs: 15_000 }],
  ])('%s', (_name, last, prev, expected) => {
    expect(cpuRate(last, prev)).toEqual(expected);
  });

  it.each([
    ['the counter went down (restarted in place)', point(SEC, 20_000), point(2 * SEC, 10_000)],
    ['no time passed', point(2 * SEC, 10_000), point(SEC, 10_000)],
    ['time went back', point(2 * SEC, 9_000), point(SEC, 10_000)],
    ['points of different sources', point(2 * SEC, 20_000, 'cgroup'), point(SEC, 10_000, 'docker-api')],
  ])('gives no rate when %s', (_name, last, prev) => {
    expect(cpuRate(last, prev)).toBeUndefined();
  });
});

describe('ratesFromUsage', () => {
  it('gives no rate on first sight, and rates from the second read on', () => {
    const first = ratesFromUsage([read('a', 'web', 10 * SEC, 100_000)], new Map());
    expect(first.samples).toEqual([]);
    expect(first.podsWithoutRate).toEqual(['default/a']);
    expect(first.points.get('h1/a-web')).toEqual(point(10 * SEC, 100_000));

    const second = ratesFromUsage([read('a', 'web', 10 * SEC + 3 * SEC, 115_000)], first.points);
    expect(second.podsWithoutRate).toEqual([]);
    expect(second.samples).toEqual([
      {
        host: 'h1',
        containerId: 'a-web',
        namespace: 'default',
        pod: 'a',
        container: 'web',
        cpuMilli: 200,
        memoryBytes: 1024,
        at: 1_700_000_115_000,
        windowMs: 15_000,
      },
    ]);
  });

  it('leaves a pod out whole while one of its containers has no rate (a new sidecar)', () => {
    const prev = new Map([[pointKey({ host: 'h1', containerId: 'a-web' }), point(0, 0)]]);
    const r = ratesFromUsage(
      [read('a', 'web', SEC, 1000), read('a', 'side', SEC, 1000), read('b', 'web', SEC, 1000)],
      new Map([...prev, ['h1/b-web', point(0, 0)]]),
    );
    expect(r.samples.map((s) => `${s.pod}/${s.container}`)).toEqual(['b/web']);
    expect(r.podsWithoutRate).toEqual(['default/a']);
    // Next sweep every container of pod a has its previous point.
    expect([...r.points.keys()].sort()).toEqual(['h1/a-side', 'h1/a-web', 'h1/b-web']);
  });

  it('keys points by host: the same container id on two engines are two containers', () => {
    const prev = new Map([['h1/x', point(0, 0)]]);
    const r = ratesFromUsage(
      [
        read('a', 'web', SEC, 1000, { containerId: 'x' }),
        read('b', 'web', SEC, 1000, { containerId: 'x', host: 'h2' }),
      ],
      prev,
    );
    expect(r.samples.map((s) => `${s.host}/${s.pod}`)).toEqual(['h1/a']);
    expect(r.podsWithoutRate).toEqual(['default/b']);
  });

  it('starts over when a host switched to the Docker stats API (another clock)', () => {
    const prev = new Map([['h1/a-web', point(SEC, 10_000, 'cgroup')]]);
    const r = ratesFromUsage([read('a', 'web', 2 * SEC, 1_700_000_020_000, { source: 'docker-api' })], prev);
    expect(r.samples).toEqual([]);
    expect(r.points.get('h1/a-web')?.source).toBe('docker-api');
  });
});
