import { describe, expect, it } from 'vitest';
import {
  buildHostViews,
  explainSchedule,
  type HostView,
  numFeasibleHostsToFind,
  type PlacedPod,
  schedulePods,
} from '../../../src/controllers/scheduler.js';
import { seededRandom } from '../../../src/controllers/seeded-random.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import { GiB, host, podSpec, schedPod } from './fixtures.js';

const name = (i: number): string => `h${String(i).padStart(4, '0')}`;

function cluster(n: number, opts: (i: number) => Parameters<typeof host>[1] = () => ({})): ObservedHost[] {
  return Array.from({ length: n }, (_, i) =>
    host(name(i), { cpuMilli: 4000, memoryBytes: 16 * GiB, ...opts(i) }),
  );
}

const views = (hosts: ObservedHost[], placed: PlacedPod[] = []): HostView[] => buildHostViews(hosts, placed);
const pods = (count: number) =>
  Array.from({ length: count }, (_, k) => schedPod(`p${k}`, { owner: `app-${k}` }));
const hostsOf = (r: ReturnType<typeof schedulePods>, count: number): (string | undefined)[] =>
  Array.from({ length: count }, (_, k) => r.placements.get(`default/p${k}`));

describe('numFeasibleHostsToFind (upstream TestNumFeasibleNodesToFind)', () => {
  it.each([
    { name: 'not set, not more than 50 hosts', percentage: undefined, hosts: 10, want: 10 },
    { name: 'set, not more than 50 hosts', percentage: 40, hosts: 10, want: 10 },
    { name: 'not set, more than 50 hosts', percentage: undefined, hosts: 1000, want: 420 },
    { name: 'set, more than 50 hosts', percentage: 40, hosts: 1000, want: 400 },
    { name: 'not set, more than 50*125 hosts', percentage: undefined, hosts: 6000, want: 300 },
    { name: 'set, more than 50*125 hosts', percentage: 40, hosts: 6000, want: 2400 },
    // Beyond upstream's table: the bounds.
    { name: '0 is the adaptive default', percentage: 0, hosts: 5000, want: 500 },
    { name: '100 is every host', percentage: 100, hosts: 5000, want: 5000 },
    { name: 'below 100 hosts, all', percentage: 1, hosts: 99, want: 99 },
    { name: 'at least 100 hosts', percentage: 5, hosts: 200, want: 100 },
    { name: 'no hosts', percentage: undefined, hosts: 0, want: 0 },
  ])('$name', ({ percentage, hosts, want }) => {
    expect(numFeasibleHostsToFind(percentage, hosts)).toBe(want);
  });
});

describe('schedulePods samples hosts round-robin (percentageOfNodesToScore)', () => {
  it('each pod searches from where the previous search stopped, covering every host', () => {
    const hosts = cluster(1000);
    const r = schedulePods(pods(11), views(hosts), { percentageOfNodesToScore: 10 });
    // Each search finds 100 hosts from where the last stopped; the tie goes to the first name
    // in the sample; the 11th wraps around to the first window, where h0000 is now loaded.
    expect(hostsOf(r, 11)).toEqual([...Array.from({ length: 10 }, (_, k) => name(k * 100)), name(1)]);
  });

  it('the next search starts after the last host the previous one needed, skipping infeasible ones', () => {
    // 200 hosts: target 100; hosts 0..49 are not ready.
    const hosts = cluster(200, (i) => ({ ready: i >= 50 }));
    const r = schedulePods(pods(3), views(hosts));
    // 1st: hosts 0..149 judged (50..149 feasible). 2nd: 150..199, then 0..99. 3rd: from 100.
    expect(hostsOf(r, 3)).toEqual([name(50), name(51), name(100)]);
  });

  it('scores only the sample: 100 scores every host', () => {
    const hosts = cluster(200, (i) => (i === 199 ? { cpuMilli: 16_000 } : {}));
    const placed: PlacedPod[] = hosts.map((h) => ({
      host: h.name,
      namespace: 'default',
      owner: { kind: 'Pod', name: `busy-${h.name}` },
      spec: podSpec(),
      hostPorts: [],
    }));
    const one = [schedPod('p0', { owner: 'app-0' })];
    expect(
      schedulePods(one, views(hosts, placed), { percentageOfNodesToScore: 100 }).placements.get('default/p0'),
    ).toBe(name(199));
    expect(schedulePods(one, views(hosts, placed)).placements.get('default/p0')).toBe(name(0));
  });

  it('a pod that fits on one host of 1000 is placed there', () => {
    const hosts = cluster(1000, (i) => (i === 997 ? { labels: { disk: 'ssd' } } : {}));
    const pod = schedPod('p0', { spec: podSpec({ nodeSelector: { disk: 'ssd' } }) });
    const r = schedulePods([schedPod('warm', { owner: 'warm' }), pod], views(hosts));
    expect(r.placements.get('default/p0')).toBe(name(997));
  });

  it("an unschedulable pod's FitError counts every host", () => {
    const hosts = cluster(1000, (i) => (i % 2 ? { ready: false } : { cpuMilli: 100 }));
    const r = schedulePods(pods(1), views(hosts));
    expect(r.unschedulable[0]!.message).toBe(
      '0/1000 hosts are available: 500 Insufficient cpu, 500 node(s) were not ready.',
    );
  });

  it('explainSchedule still judges and scores every host', () => {
    const e = explainSchedule(schedPod('p0'), views(cluster(1000)));
    expect(e.hosts.filter((h) => h.score !== undefined)).toHaveLength(1000);
  });

  it('is deterministic for a given random source', () => {
    const hosts = cluster(500);
    const run = () => [...schedulePods(pods(300), views(hosts), { random: seededRandom(7) }).placements];
    expect(run()).toEqual(run());
    // Sampled, 300 pods still spread over many hosts: each search starts elsewhere.
    expect(new Set(run().map(([, h]) => h)).size).toBe(300);
  });
});
