// The metrics sampler over FakeRuntime's cumulative counters and a fake clock: the priming
// read of a sampler with no points, rates from consecutive sweeps, a new pod's first sweep
// without a rate, and a host that fails one sweep keeping its points for the next.
import { describe, expect, it } from 'vitest';
import type { DesiredPod } from '../../../src/model/desired.js';
import { type FakeHost, FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MetricsSampler } from '../../../src/runtime/metrics-sampler.js';
import { sleeperPod } from './runtime-contract.js';

const T0 = 1_700_000_000_000;
const INTERVAL = 15_000;
const MiB = 1024 ** 2;

const hosts: FakeHost[] = ['h1', 'h2'].map((name, i) => ({
  name,
  kind: 'ssh',
  address: `10.213.0.${11 + i}`,
  labels: {},
  taints: [],
  capacity: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3 },
}));

function world(primeMs?: number) {
  let now = T0;
  const sleeps: number[] = [];
  const runtime = new FakeRuntime(hosts, { now: () => now });
  const sampler = new MetricsSampler({
    runtime,
    clock: { now: () => now },
    windowMs: INTERVAL,
    primeMs,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  const create = async (host: string, name: string, containers = ['main']): Promise<DesiredPod> => {
    const pod = sleeperPod(name, { image: 'busybox', namespace: 'default', containers });
    await runtime.createPod(host, pod);
    return pod;
  };
  const ref = (host: string, name: string) => ({ host, namespace: 'default', name });
  return {
    runtime,
    sampler,
    sleeps,
    create,
    ref,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('MetricsSampler', () => {
  it('reads twice, primeMs apart, when it holds no point; once a period after that', async () => {
    const w = world();
    await w.create('h1', 'a');
    w.runtime.setUsage(w.ref('h1', 'a'), 'main', { cpuMilli: 250, memoryBytes: 64 * MiB });
    w.advance(60_000);
    const first = await w.sampler.sweep(['h1', 'h2']);
    expect(w.sleeps).toEqual([1000]);
    expect(first.pods).toEqual([
      {
        namespace: 'default',
        pod: 'a',
        cpuMilli: 250,
        memoryBytes: 64 * MiB,
        timestamp: T0 + 61_000,
        windowMs: 1000,
        containers: 1,
      },
    ]);
    expect(first.durationMs).toBe(1000);

    w.runtime.setUsage(w.ref('h1', 'a'), 'main', { cpuMilli: 500, memoryBytes: 64 * MiB });
    w.advance(INTERVAL);
    const second = await w.sampler.sweep(['h1', 'h2']);
    expect(w.sleeps).toEqual([1000]);
    expect(second.pods[0]).toMatchObject({ cpuMilli: 500, windowMs: INTERVAL });
  });

  it('averages a rate change over the window, as a cumulative counter does', async () => {
    const w = world(0);
    await w.create('h1', 'a');
    await w.sampler.sweep(['h1']);
    w.runtime.setUsage(w.ref('h1', 'a'), 'main', { cpuMilli: 900, memoryBytes: 0 });
    w.advance(5_000);
    w.runtime.setUsage(w.ref('h1', 'a'), 'main', { cpuMilli: 0, memoryBytes: 0 });
    w.advance(10_000);
    // 900m for 5 s of 15 s.
    expect((await w.sampler.sweep(['h1'])).pods[0]?.cpuMilli).toBe(300);
  });

  it('leaves a new pod out of its first sweep and reports it; it has metrics from the next', async () => {
    const w = world(0);
    await w.create('h1', 'old');
    await w.sampler.sweep(['h1', 'h2']);
    await w.create('h2', 'new', ['main', 'side']);
    w.advance(INTERVAL);
    const first = await w.sampler.sweep(['h1', 'h2']);
    expect(first.pods.map((p) => p.pod)).toEqual(['old']);
    expect(first.podsWithoutRate).toEqual(['default/new']);
    w.advance(INTERVAL);
    const next = await w.sampler.sweep(['h1', 'h2']);
    expect(next.pods.map((p) => `${p.pod}:${p.containers}`)).toEqual(['old:1', 'new:2']);
    expect(next.podsWithoutRate).toEqual([]);
  });

  it('reports a host that fails, and rates its pods over the longer window once it answers', async () => {
    const w = world(0);
    await w.create('h2', 'b');
    w.runtime.setUsage(w.ref('h2', 'b'), 'main', { cpuMilli: 100, memoryBytes: 0 });
    await w.sampler.sweep(['h1', 'h2']);
    w.runtime.setHostReachable('h2', false);
    w.advance(INTERVAL);
    const down = await w.sampler.sweep(['h1', 'h2']);
    expect(down.pods).toEqual([]);
    expect(down.failures).toEqual([{ host: 'h2', message: expect.stringContaining('unreachable') }]);
    w.runtime.setHostReachable('h2', true);
    w.advance(INTERVAL);
    const back = await w.sampler.sweep(['h1', 'h2']);
    expect(back.failures).toEqual([]);
    expect(back.pods[0]).toMatchObject({ pod: 'b', cpuMilli: 100, windowMs: 2 * INTERVAL });
  });

  it('forgets a removed container, so a pod recreated under the same name starts over', async () => {
    const w = world(0);
    await w.create('h1', 'a');
    await w.sampler.sweep(['h1']);
    await w.runtime.deletePod(w.ref('h1', 'a'), 0);
    w.advance(INTERVAL);
    expect((await w.sampler.sweep(['h1'])).pods).toEqual([]);
    await w.create('h1', 'a');
    w.advance(INTERVAL);
    const again = await w.sampler.sweep(['h1']);
    expect(again.pods).toEqual([]);
    expect(again.podsWithoutRate).toEqual(['default/a']);
  });
});
