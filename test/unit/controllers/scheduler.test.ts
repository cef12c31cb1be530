import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildHostViews,
  explainSchedule,
  filterHosts,
  formatUnschedulable,
  type HostView,
  ownerKey,
  placedFromObserved,
  schedulePods,
  scoreHosts,
} from '../../../src/controllers/scheduler.js';
import type { PodSpec } from '../../../src/model/k8s.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import { container, GiB, host, MiB, observedPod, podSpec, schedPod } from './fixtures.js';

const views = (hosts: ObservedHost[]): HostView[] => buildHostViews(hosts, []);

describe('explainSchedule filters', () => {
  it.each([
    {
      name: 'not ready',
      host: host('h1', { ready: false }),
      spec: podSpec(),
      reasons: ['node(s) were not ready'],
    },
    {
      name: 'insufficient cpu',
      host: host('h1', { cpuMilli: 200 }),
      spec: podSpec(),
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'insufficient cpu and memory',
      host: host('h1', { cpuMilli: 200, memoryBytes: 32 * MiB }),
      spec: podSpec(),
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    {
      name: 'nodeSelector mismatch',
      host: host('h1', { labels: { disk: 'hdd' } }),
      spec: podSpec({ nodeSelector: { disk: 'ssd' } }),
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
    },
    {
      name: 'untolerated NoSchedule taint',
      host: host('h1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      spec: podSpec(),
      reasons: ['node(s) had untolerated taint {dedicated: gpu}'],
    },
    {
      name: 'untolerated NoExecute taint without value',
      host: host('h1', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] }),
      spec: podSpec(),
      reasons: ['node(s) had untolerated taint {maintenance: }'],
    },
    {
      name: 'PreferNoSchedule does not filter',
      host: host('h1', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
      spec: podSpec(),
      reasons: [],
    },
    {
      name: 'tolerated by Equal',
      host: host('h1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      spec: podSpec({
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      }),
      reasons: [],
    },
    {
      name: 'Equal with another value does not tolerate',
      host: host('h1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      spec: podSpec({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] }),
      reasons: ['node(s) had untolerated taint {dedicated: gpu}'],
    },
    {
      name: 'Exists with empty key tolerates everything',
      host: host('h1', { taints: [{ key: 'a', value: 'b', effect: 'NoExecute' }] }),
      spec: podSpec({ tolerations: [{ operator: 'Exists' }] }),
      reasons: [],
    },
    {
      name: 'effect must match when set',
      host: host('h1', { taints: [{ key: 'a', value: 'b', effect: 'NoExecute' }] }),
      spec: podSpec({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }] }),
      reasons: ['node(s) had untolerated taint {a: b}'],
    },
    {
      name: 'every failing filter is listed',
      host: host('h1', {
        ready: false,
        cpuMilli: 100,
        labels: {},
        taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      }),
      spec: podSpec({ nodeSelector: { disk: 'ssd' } }),
      reasons: [
        'node(s) were not ready',
        'node(s) had untolerated taint {dedicated: gpu}',
        "node(s) didn't match Pod's node affinity/selector",
        'Insufficient cpu',
      ],
    },
  ])('$name', ({ host: h, spec, reasons }) => {
    const e = explainSchedule(schedPod('web-1', { spec }), views([h]));
    expect(e.hosts[0]!.reasons).toEqual(reasons);
    expect(e.hosts[0]!.fits).toBe(reasons.length === 0);
    expect(e.chosen).toBe(reasons.length === 0 ? 'h1' : undefined);
  });

  it('charges what is already placed on the host', () => {
    const placed = [observedPod('a', { host: 'h1' }), observedPod('b', { host: 'h1' })].map(
      placedFromObserved,
    );
    const hv = buildHostViews([host('h1', { cpuMilli: 700 })], placed);
    expect(hv[0]!.requested).toEqual({ cpuMilli: 500, memoryBytes: 128 * MiB });
    expect(explainSchedule(schedPod('c'), hv).hosts[0]!.reasons).toEqual(['Insufficient cpu']);
    expect(explainSchedule(schedPod('c', { cpuMilli: 200 }), hv).chosen).toBe('h1');
  });

  it('a pod requesting nothing fits an overcommitted host (as upstream)', () => {
    const hv = views([host('h1', { cpuMilli: 100 })]);
    hv[0] = { ...hv[0]!, requested: { cpuMilli: 500, memoryBytes: 0 } };
    expect(explainSchedule(schedPod('c', { cpuMilli: 0, memoryBytes: 0 }), hv).chosen).toBe('h1');
  });

  it('host port conflicts filter, per protocol and port', () => {
    const placed = observedPod('a', { host: 'h1' });
    placed.publishedPorts = [{ containerPort: 80, protocol: 'TCP', hostPort: 8080 }];
    const hv = buildHostViews([host('h1'), host('h2')], [placedFromObserved(placed)]);
    const e = explainSchedule(schedPod('b', { hostPorts: [8080] }), hv);
    expect(e.hosts[0]!.reasons).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
    expect(e.chosen).toBe('h2');
    expect(explainSchedule(schedPod('c', { hostPorts: [8081] }), hv).hosts[0]!.fits).toBe(true);
    const udp = { ...schedPod('d'), hostPorts: [{ port: 8080, protocol: 'UDP' as const }] };
    expect(explainSchedule(udp, hv).hosts[0]!.fits).toBe(true);
  });
});

describe('node affinity', () => {
  const withRequired = (op: string, values?: string[]): PodSpec =>
    podSpec({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              // biome-ignore lint/suspicious/noExplicitAny: table of operators
              { matchExpressions: [{ key: 'k', operator: op as any, ...(values ? { values } : {}) }] },
            ],
          },
        },
      },
    });
  it.each([
    { op: 'In', values: ['a', 'b'], labels: { k: 'a' }, fits: true },
    { op: 'In', values: ['a', 'b'], labels: { k: 'c' }, fits: false },
    { op: 'In', values: ['a'], labels: {}, fits: false },
    { op: 'NotIn', values: ['a'], labels: { k: 'b' }, fits: true },
    { op: 'NotIn', values: ['a'], labels: {}, fits: true },
    { op: 'NotIn', values: ['a'], labels: { k: 'a' }, fits: false },
    { op: 'Exists', values: undefined, labels: { k: '' }, fits: true },
    { op: 'Exists', values: undefined, labels: {}, fits: false },
    { op: 'DoesNotExist', values: undefined, labels: {}, fits: true },
    { op: 'DoesNotExist', values: undefined, labels: { k: 'x' }, fits: false },
    { op: 'Gt', values: ['4'], labels: { k: '8' }, fits: true },
    { op: 'Gt', values: ['4'], labels: { k: '4' }, fits: false },
    { op: 'Gt', values: ['4'], labels: { k: 'eight' }, fits: false },
    { op: 'Lt', values: ['4'], labels: { k: '-1' }, fits: true },
    { op: 'Lt', values: ['4'], labels: { k: '9' }, fits: false },
    { op: 'Lt', values: ['4'], labels: {}, fits: false },
  ])('$op $values on $labels -> $fits', ({ op, values, labels, fits }) => {
    const e = explainSchedule(
      schedPod('p', { spec: withRequired(op, values) }),
      views([host('h1', { labels: labels as Record<string, string> })]),
    );
    expect(e.hosts[0]!.fits).toBe(fits);
  });

  it('terms are ORed, expressions inside a term ANDed; an empty term matches nothing', () => {
    const spec = podSpec({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [] },
              {
                matchExpressions: [
                  { key: 'zone', operator: 'In', values: ['a'] },
                  { key: 'disk', operator: 'Exists' },
                ],
              },
              { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] },
            ],
          },
        },
      },
    });
    const hv = views([
      host('h1', { labels: { zone: 'a' } }),
      host('h2', { labels: { zone: 'a', disk: 'ssd' } }),
      host('h3', { labels: { gpu: '1' } }),
      host('h4', {}),
    ]);
    expect(explainSchedule(schedPod('p', { spec }), hv).hosts.map((h) => h.fits)).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('preferred node affinity steers the choice by weight', () => {
    const spec = podSpec({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
            },
            {
              weight: 50,
              preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
            },
          ],
        },
      },
    });
    const hv = views([
      host('a1', { labels: { disk: 'ssd' } }),
      host('b1', { labels: { zone: 'b' } }),
      host('c1'),
    ]);
    const e = explainSchedule(schedPod('p', { spec }), hv);
    expect(e.hosts.map((h) => h.score?.nodeAffinity)).toEqual([20, 100, 0]);
    expect(e.chosen).toBe('b1');
  });
});

describe('scores', () => {
  it('least allocated uses the upstream formula over non-zero requests', () => {
    // cpu: (2000-250-500)*100/2000 = 62.5 -> 62; memory: (4Gi-64Mi-0)*100/4Gi = 98.4 -> 98; (62+98)/2 = 80
    const hv = views([host('h1')]);
    hv[0] = { ...hv[0]!, nonZeroRequested: { cpuMilli: 500, memoryBytes: 0 } };
    expect(explainSchedule(schedPod('p'), hv).hosts[0]!.score?.leastAllocated).toBe(80);
  });

  it('a pod without requests is scored as 100m/200Mi per container', () => {
    const spec = podSpec({ containers: [container('a'), container('b')] });
    // cpu: (1000-200)*100/1000 = 80; memory: (1Gi-400Mi)*100/1Gi = 60.9 -> 60; (80+60)/2 = 70
    const e = explainSchedule(
      schedPod('p', { spec, cpuMilli: 0, memoryBytes: 0 }),
      views([host('h1', { cpuMilli: 1000, memoryBytes: GiB })]),
    );
    expect(e.hosts[0]!.score?.leastAllocated).toBe(70);
  });

  it('prefers the emptier host', () => {
    const hv = views([host('big', { cpuMilli: 8000, memoryBytes: 16 * GiB }), host('small')]);
    expect(explainSchedule(schedPod('p'), hv).chosen).toBe('big');
  });

  // PodTopologySpread's system defaults replaced the SelectorSpread-style owner score: the
  // counted pods come from the hosts' pods (their ReplicaSet: owner and revision), not from
  // podsByOwner, and the score is upstream's: raw = count * ln(hosts + 2) + maxSkew(3) - 1.
  it('spreads one owner across hosts (PodTopologySpread system defaults)', () => {
    const placed = (h: string, owner: string) => observedPod(`${owner}-${h}`, { host: h, owner, hash: 'v1' });
    const hv = buildHostViews(
      [host('h1'), host('h2'), host('h3')],
      [...['h1', 'h1', 'h1', 'h2'].map((h) => placed(h, 'web'))].map(placedFromObserved),
    );
    const pod = { ...schedPod('p'), templateHash: 'v1' };
    const e = explainSchedule(pod, hv);
    // raw 3 -> 7, 1 -> 4, 0 -> 2; 100 * (7 + 2 - raw) / 7 = 28, 71, 100.
    expect(e.hosts.map((h) => h.score?.spread)).toEqual([28, 71, 100]);
    expect(e.chosen).toBe('h3');
    // Another owner is not affected by web's pods.
    const api = { ...schedPod('q', { owner: 'api' }), templateHash: 'v1' };
    expect(explainSchedule(api, hv).hosts.map((h) => h.score?.spread)).toEqual([100, 100, 100]);
  });

  it('PreferNoSchedule taints push pods away, reversed normalization', () => {
    const hv = views([
      host('h1', {
        taints: [
          { key: 'a', effect: 'PreferNoSchedule' },
          { key: 'b', effect: 'PreferNoSchedule' },
        ],
      }),
      host('h2', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
      host('h3'),
    ]);
    const e = explainSchedule(schedPod('p'), hv);
    expect(e.hosts.map((h) => h.score?.taintToleration)).toEqual([0, 50, 100]);
    expect(e.chosen).toBe('h3');
    const tolerant = podSpec({ tolerations: [{ key: 'a', operator: 'Exists' }] });
    const t = explainSchedule(schedPod('q', { spec: tolerant }), hv);
    expect(t.hosts.map((h) => h.score?.taintToleration)).toEqual([0, 100, 100]);
  });

  it('breaks ties by host name, or at random with a random source', () => {
    const hv = views([host('h3'), host('h1'), host('h2')]);
    expect(explainSchedule(schedPod('p'), hv).chosen).toBe('h1');
    const seen = new Set<string>();
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 60; i++) seen.add(explainSchedule(schedPod('p'), hv, { random }).chosen!);
    expect([...seen].sort()).toEqual(['h1', 'h2', 'h3']);
  });
});

describe('unschedulable messages', () => {
  it('counts the first failing filter of each host, sorted as upstream', () => {
    const hv = views([
      host('h1', { cpuMilli: 100 }),
      host('h2', { cpuMilli: 100 }),
      host('h3', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], cpuMilli: 100 }),
    ]);
    const e = explainSchedule(schedPod('web-1'), hv);
    expect(e.chosen).toBeUndefined();
    expect(e.message).toBe(
      '0/3 hosts are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.',
    );
    expect(e.hosts[2]!.reasons).toEqual([
      'node(s) had untolerated taint {dedicated: gpu}',
      'Insufficient cpu',
    ]);
    expect(e.hosts[2]!.failedFilter).toBe('TaintToleration');
  });

  it('both resource reasons of one host are counted', () => {
    const e = explainSchedule(
      schedPod('p'),
      views([host('h1', { cpuMilli: 1, memoryBytes: 1 }), host('h2', { ready: false })]),
    );
    expect(e.message).toBe(
      '0/2 hosts are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were not ready.',
    );
  });

  it.each([
    { hosts: 0, reasons: [], message: 'no hosts available to schedule pods' },
    { hosts: 1, reasons: [['Insufficient cpu']], message: '0/1 hosts are available: 1 Insufficient cpu.' },
  ])('formatUnschedulable($hosts)', ({ hosts, reasons, message }) => {
    expect(formatUnschedulable(hosts, reasons)).toBe(message);
  });

  it('says where the pod went when it fits', () => {
    expect(explainSchedule(schedPod('web-1'), views([host('h1')])).message).toBe(
      'Successfully assigned default/web-1 to h1',
    );
  });
});

describe('schedulePods', () => {
  it('spreads a Deployment over hosts, one by one with accounting', () => {
    const pods = [1, 2, 3, 4, 5, 6].map((i) => schedPod(`web-${i}`));
    const r = schedulePods(pods, views([host('h1'), host('h2'), host('h3')]));
    const perHost = new Map<string, number>();
    for (const h of r.placements.values()) perHost.set(h, (perHost.get(h) ?? 0) + 1);
    expect(Object.fromEntries(perHost)).toEqual({ h1: 2, h2: 2, h3: 2 });
    expect(r.hosts.map((h) => h.podsByOwner[ownerKey('default', 'Deployment', 'web')])).toEqual([2, 2, 2]);
    expect(r.hosts.map((h) => h.requested.cpuMilli)).toEqual([500, 500, 500]);
  });

  it('stops placing when capacity runs out and says why', () => {
    const pods = [1, 2, 3, 4, 5].map((i) => schedPod(`web-${i}`, { cpuMilli: 1000 }));
    const r = schedulePods(pods, views([host('h1'), host('h2')]));
    expect(r.placements.size).toBe(4);
    expect(r.unschedulable.map((u) => [u.pod.name, u.message])).toEqual([
      ['web-5', '0/2 hosts are available: 2 Insufficient cpu.'],
    ]);
  });

  it('host ports are charged within the batch', () => {
    const pods = [1, 2, 3].map((i) => schedPod(`web-${i}`, { hostPorts: [80] }));
    const r = schedulePods(pods, views([host('h1'), host('h2')]));
    expect(new Set(r.placements.values())).toEqual(new Set(['h1', 'h2']));
    expect(r.unschedulable[0]!.message).toBe(
      "0/2 hosts are available: 2 node(s) didn't have free ports for the requested pod ports.",
    );
  });

  it('agrees with explainSchedule pod by pod', () => {
    const hosts = [
      host('h1', { cpuMilli: 3000 }),
      host('h2', { cpuMilli: 1000 }),
      host('h3', { cpuMilli: 2000 }),
    ];
    const pods = Array.from({ length: 12 }, (_, i) =>
      schedPod(`p${i}`, { owner: i % 2 ? 'a' : 'b', cpuMilli: 250 }),
    );
    const batch = schedulePods(pods, views(hosts));
    let hv = views(hosts);
    for (const p of pods) {
      const e = explainSchedule(p, hv);
      expect(batch.placements.get(`default/${p.name}`)).toBe(e.chosen);
      if (e.chosen) hv = schedulePods([p], hv).hosts;
    }
  });

  it('property: never overcommits requests nor double-books a host port', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cpu: fc.integer({ min: 500, max: 4000 }), mem: fc.integer({ min: 1, max: 8 }) }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.array(
          fc.record({
            cpu: fc.integer({ min: 0, max: 1500 }),
            mem: fc.integer({ min: 0, max: 3000 }),
            port: fc.option(fc.constantFrom(80, 443), { nil: undefined }),
            owner: fc.constantFrom('a', 'b', 'c'),
          }),
          { maxLength: 40 },
        ),
        (hostSpecs, podSpecs) => {
          const hosts = hostSpecs.map((h, i) => host(`h${i}`, { cpuMilli: h.cpu, memoryBytes: h.mem * GiB }));
          const pods = podSpecs.map((p, i) =>
            schedPod(`p${i}`, {
              cpuMilli: p.cpu,
              memoryBytes: p.mem * MiB,
              owner: p.owner,
              hostPorts: p.port ? [p.port] : [],
            }),
          );
          const r = schedulePods(pods, views(hosts));
          expect(r.placements.size + r.unschedulable.length).toBe(pods.length);
          for (const h of hosts) {
            const mine = pods.filter((p) => r.placements.get(`default/${p.name}`) === h.name);
            const cpu = mine.reduce((s, p) => s + p.requests.cpuMilli, 0);
            const mem = mine.reduce((s, p) => s + p.requests.memoryBytes, 0);
            expect(cpu).toBeLessThanOrEqual(h.capacity.cpuMilli);
            expect(mem).toBeLessThanOrEqual(h.capacity.memoryBytes);
            const ports = mine.flatMap((p) => p.hostPorts.map((x) => x.port));
            expect(new Set(ports).size).toBe(ports.length);
          }
          // An unschedulable pod really fits nowhere given the final accounting.
          for (const u of r.unschedulable) {
            expect(explainSchedule(u.pod, r.hosts).chosen).toBeUndefined();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('filterHosts and scoreHosts: the per-host reasons and scores, as explainSchedule shows them', () => {
  it('agree with explainSchedule host by host', () => {
    const hosts = views([
      host('h1', { ready: false }),
      host('h2', { cpuMilli: 200 }),
      host('h3', { labels: { disk: 'ssd' } }),
      host('h4', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
      host('h5', { cpuMilli: 8000 }),
    ]);
    const pod = schedPod('web-1', { spec: podSpec() });
    const e = explainSchedule(pod, hosts);
    const filters = filterHosts(pod, hosts);
    expect(filters.map((f) => f.host)).toEqual(['h1', 'h2', 'h3', 'h4', 'h5']);
    expect(filters.map((f) => f.reasons)).toEqual(e.hosts.map((h) => h.reasons));
    expect(filters.map((f) => f.failedFilter)).toEqual([
      'NodeReady',
      'NodeResourcesFit',
      undefined,
      undefined,
      undefined,
    ]);
    const scores = scoreHosts(pod, hosts);
    expect(scores.map((s) => s.host)).toEqual(['h3', 'h4', 'h5']);
    for (const s of scores) expect(e.hosts.find((h) => h.host === s.host)!.score).toEqual(s.score);
    const best = scores.reduce((a, b) => (b.score.total > a.score.total ? b : a));
    expect(e.chosen).toBe(best.host);
  });
});
