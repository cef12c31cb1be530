// ServiceDataPlane over a FakeRuntime whose hosts hold no rules at first: when it reads, when
// it writes, and when it trusts what it wrote (a pass must not cost a read per host).
import { describe, expect, it } from 'vitest';
import type { Observed } from '../../../src/model/observed.js';
import { type FakeHost, FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { ServiceDataPlane } from '../../../src/runtime/service-data-plane.js';
import { HOSTS, host, pod, service, sources } from '../controllers/services/fixtures.js';

const fakeHosts: FakeHost[] = HOSTS.map((h) => ({
  name: h.name,
  kind: 'ssh',
  address: h.address,
  labels: {},
  taints: [],
  capacity: h.capacity,
}));

function world(verifyIntervalMs = 10_000) {
  let now = 1_000_000;
  const runtime = new FakeRuntime(fakeHosts, { now: () => now });
  const plane = new ServiceDataPlane(runtime, {
    serviceCIDR: '10.96.0.0/24',
    clock: { now: () => now },
    verifyIntervalMs,
  });
  const observed = (hosts = HOSTS): Observed => ({
    at: now,
    hosts,
    pods: [pod('web-1', 'h1', { labels: { app: 'web' } }), pod('web-2', 'h2', { labels: { app: 'web' } })],
  });
  const commands = () => HOSTS.map((h) => runtime.hostCommands(h.name).length);
  return {
    plane,
    observed,
    commands,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const webSources = sources(service('web', { ports: [{ port: 80, targetPort: 8080 }] }));

describe('ServiceDataPlane', () => {
  it('reads and writes each host once, then trusts it while the planned rules stay the same', async () => {
    const w = world();
    const first = await w.plane.sync({ sources: webSources, observed: w.observed() });
    expect(first.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    const after = w.commands();
    w.advance(5_000);
    const second = await w.plane.sync({ sources: webSources, observed: w.observed() });
    expect(second.hosts.map((h) => h.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(w.commands()).toEqual(after);
  });

  it('reads a host again once the verify interval is over, and restores rules it lost', async () => {
    const w = world();
    await w.plane.sync({ sources: webSources, observed: w.observed() });
    const after = w.commands();
    w.advance(10_000);
    // The fake hosts answer every read with no rules: as a host whose rules were flushed.
    const later = await w.plane.sync({ sources: webSources, observed: w.observed() });
    expect(later.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    expect(w.commands().map((n, i) => n - after[i]!)).toEqual([2, 2, 2]);
  });

  it('writes at once when the planned rules change (a pod left the endpoints)', async () => {
    const w = world();
    await w.plane.sync({ sources: webSources, observed: w.observed() });
    const exclude = new Set(['h2/default/web-2']);
    const synced = await w.plane.sync({ sources: webSources, observed: w.observed(), exclude });
    expect(synced.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
  });

  it('reads a host back from NotReady before trusting it again', async () => {
    const w = world();
    await w.plane.sync({ sources: webSources, observed: w.observed() });
    // h3 runs no endpoint, so the others' rules do not change while it is away.
    const down = [HOSTS[0]!, HOSTS[1]!, host('h3', '10.213.0.13', false)];
    const skipped = await w.plane.sync({ sources: webSources, observed: w.observed(down) });
    expect(skipped.hosts.map((h) => h.outcome)).toEqual(['unchanged', 'unchanged', 'skipped']);
    const before = w.commands();
    const back = await w.plane.sync({ sources: webSources, observed: w.observed() });
    expect(back.hosts.map((h) => h.outcome)).toEqual(['unchanged', 'unchanged', 'applied']);
    expect(w.commands().map((n, i) => n - before[i]!)).toEqual([0, 0, 2]);
  });
});
