// InterPodAffinity through the exported scheduler API: upstream's test tables
// (kubernetes pkg/scheduler/framework/plugins/interpodaffinity filtering_test.go and
// scoring_test.go) ported case by case, then skiff's own: namespaces by selector, label keys,
// and batches charged placement by placement.
import { describe, expect, it } from 'vitest';
import {
  buildHostViews,
  explainSchedule,
  filterHosts,
  type PlacedPod,
  REASON_EXISTING_ANTI_AFFINITY,
  REASON_POD_AFFINITY,
  REASON_POD_ANTI_AFFINITY,
  type SchedulingPod,
  schedulePods,
  scoreHosts,
} from '../../../src/controllers/scheduler.js';
import type {
  Affinity,
  LabelSelectorRequirement,
  Labels,
  PodAffinityTerm,
  WeightedPodAffinityTerm,
} from '../../../src/model/k8s.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import { host, podSpec, schedPod } from './fixtures.js';

const A = REASON_POD_AFFINITY;
const N = REASON_POD_ANTI_AFFINITY;
const E = REASON_EXISTING_ANTI_AFFINITY;

type Op = LabelSelectorRequirement['operator'];
const ex = (key: string, operator: Op, values?: string[]): LabelSelectorRequirement => ({
  key,
  operator,
  ...(values ? { values } : {}),
});
const term = (
  exprs: LabelSelectorRequirement[],
  topologyKey: string,
  extra: Partial<PodAffinityTerm> = {},
): PodAffinityTerm => ({ labelSelector: { matchExpressions: exprs }, topologyKey, ...extra });
const weighted = (weight: number, t: PodAffinityTerm): WeightedPodAffinityTerm => ({
  weight,
  podAffinityTerm: t,
});

/** createPodWithAffinityTerms' affinity: required affinity and anti-affinity terms. */
function required(affinity?: PodAffinityTerm[], anti?: PodAffinityTerm[]): Affinity {
  return {
    ...(affinity ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: affinity } } : {}),
    ...(anti ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: anti } } : {}),
  };
}
function preferred(affinity?: WeightedPodAffinityTerm[], anti?: WeightedPodAffinityTerm[]): Affinity {
  return {
    ...(affinity ? { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: affinity } } : {}),
    ...(anti ? { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: anti } } : {}),
  };
}

function incoming(labels: Labels, affinity?: Affinity, namespace = 'default', name = 'p'): SchedulingPod {
  const spec = podSpec(affinity ? { affinity } : {});
  return { ...schedPod(name, { spec, namespace }), labels };
}
function existing(on: string, labels: Labels, affinity?: Affinity, namespace = 'default'): PlacedPod {
  return {
    host: on,
    namespace,
    owner: { kind: 'Pod', name: `e-${on}` },
    spec: podSpec(affinity ? { affinity } : {}),
    hostPorts: [],
    labels,
  };
}

/** Each host's first reason (the status upstream's Filter returns), null when it fits. */
function statuses(pod: SchedulingPod, hosts: ObservedHost[], pods: PlacedPod[]): (string | null)[] {
  return filterHosts(pod, buildHostViews(hosts, pods)).map((r) => r.reasons[0] ?? null);
}

const podLabel = { service: 'securityscan' };
const podLabel2 = { security: 'S1' };
const inScan = ex('service', 'In', ['securityscan', 'value2']);

// Upstream's expectations follow its current Filter order: the incoming pod's affinity, then
// its anti-affinity, then the existing pods' anti-affinity (the first failing rule is the status).
describe('TestRequiredAffinitySingleNode (filtering_test.go)', () => {
  const node1 = host('machine1', { labels: { region: 'r1', zone: 'z11' } });
  it.each<[string, SchedulingPod, PlacedPod[], string | null]>([
    ['a pod without required pod affinity schedules onto a node with no pods', incoming({}), [], null],
    [
      'satisfies required PodAffinity with In matching the existing pod',
      incoming(podLabel2, required([term([inScan], 'region')])),
      [existing('machine1', podLabel)],
      null,
    ],
    [
      'satisfies required PodAffinity with NotIn matching the existing pod',
      incoming(podLabel2, required([term([ex('service', 'NotIn', ['securityscan3', 'value3'])], 'region')])),
      [existing('machine1', podLabel)],
      null,
    ],
    [
      // upstream leaves topologyKey empty here; validation requires one, the outcome is the same
      'does not satisfy PodAffinity because of a different namespace',
      incoming(podLabel2, required([term([inScan], 'region', { namespaces: ['diffnamespace'] })])),
      [existing('machine1', podLabel, undefined, 'ns')],
      A,
    ],
    [
      "doesn't satisfy PodAffinity because the labelSelector does not match the existing pod",
      incoming(podLabel, required([term([ex('service', 'In', ['antivirusscan', 'value2'])], 'region')])),
      [existing('machine1', podLabel)],
      A,
    ],
    [
      'satisfies PodAffinity with different operators in multiple required terms',
      incoming(
        podLabel2,
        required([
          term([ex('service', 'Exists'), ex('wrongkey', 'DoesNotExist')], 'region'),
          term([ex('service', 'In', ['securityscan']), ex('service', 'NotIn', ['WrongValue'])], 'region'),
        ]),
      ),
      [existing('machine1', podLabel)],
      null,
    ],
    [
      'the requirements of a selector are ANDed: one does not match',
      incoming(
        podLabel2,
        required([
          term([ex('service', 'Exists'), ex('wrongkey', 'DoesNotExist')], 'region'),
          term([ex('service', 'In', ['securityscan2']), ex('service', 'NotIn', ['WrongValue'])], 'region'),
        ]),
      ),
      [existing('machine1', podLabel)],
      A,
    ],
    [
      'satisfies PodAffinity and PodAntiAffinity with the existing pod',
      incoming(
        podLabel2,
        required(
          [term([inScan], 'region')],
          [term([ex('service', 'In', ['antivirusscan', 'value2'])], 'node')],
        ),
      ),
      [existing('machine1', podLabel)],
      null,
    ],
    [
      'satisfies PodAffinity, PodAntiAffinity and the existing pod anti-affinity symmetry',
      incoming(
        podLabel2,
        required(
          [term([inScan], 'region')],
          [term([ex('service', 'In', ['antivirusscan', 'value2'])], 'node')],
        ),
      ),
      [
        existing(
          'machine1',
          podLabel,
          required(undefined, [term([ex('service', 'In', ['antivirusscan', 'value2'])], 'node')]),
        ),
      ],
      null,
    ],
    [
      "satisfies PodAffinity but doesn't satisfy PodAntiAffinity with the existing pod",
      incoming(podLabel2, required([term([inScan], 'region')], [term([inScan], 'zone')])),
      [existing('machine1', podLabel)],
      N,
    ],
    [
      "satisfies PodAffinity and PodAntiAffinity but doesn't satisfy the existing pod's anti-affinity",
      incoming(
        podLabel,
        required(
          [term([inScan], 'region')],
          [term([ex('service', 'In', ['antivirusscan', 'value2'])], 'node')],
        ),
      ),
      [existing('machine1', podLabel, required(undefined, [term([inScan], 'zone')]))],
      E,
    ],
    [
      'pod matches its own label in PodAffinity, and no existing pod matches',
      incoming(podLabel, required([term([ex('service', 'NotIn', ['securityscan', 'value2'])], 'region')])),
      [existing('machine2', podLabel)],
      A,
    ],
    [
      "the existing pod's anti-affinity is respected when the pod has none: not satisfied",
      incoming(podLabel),
      [existing('machine1', podLabel, required(undefined, [term([inScan], 'zone')]))],
      E,
    ],
    [
      "the existing pod's anti-affinity is respected when the pod has none: satisfied",
      incoming(podLabel),
      [
        existing(
          'machine1',
          podLabel,
          required(undefined, [term([ex('service', 'NotIn', ['securityscan', 'value2'])], 'zone')]),
        ),
      ],
      null,
    ],
    [
      "satisfies PodAntiAffinity with the existing pod but not the existing pod's symmetry",
      incoming(
        podLabel,
        required(undefined, [
          term([ex('service', 'Exists')], 'region'),
          term([ex('security', 'Exists')], 'region'),
        ]),
      ),
      [existing('machine1', podLabel2, required(undefined, [term([ex('security', 'Exists')], 'zone')]))],
      N,
    ],
    [
      'symmetry a1: the pods partially match each other',
      incoming(
        podLabel,
        required(undefined, [
          term([ex('service', 'Exists')], 'zone'),
          term([ex('security', 'Exists')], 'zone'),
        ]),
      ),
      [existing('machine1', podLabel2, required(undefined, [term([ex('security', 'Exists')], 'zone')]))],
      N,
    ],
    [
      'symmetry a2: the pods partially match each other',
      incoming(podLabel2, required(undefined, [term([ex('security', 'Exists')], 'zone')])),
      [
        existing(
          'machine1',
          podLabel,
          required(undefined, [
            term([ex('service', 'Exists')], 'zone'),
            term([ex('security', 'Exists')], 'zone'),
          ]),
        ),
      ],
      E,
    ],
    [
      'symmetry b1: the pods partially match each other',
      incoming(
        { abc: '', xyz: '' },
        required(undefined, [term([ex('abc', 'Exists')], 'zone'), term([ex('def', 'Exists')], 'zone')]),
      ),
      [
        existing(
          'machine1',
          { def: '', xyz: '' },
          required(undefined, [term([ex('abc', 'Exists')], 'zone'), term([ex('def', 'Exists')], 'zone')]),
        ),
      ],
      N,
    ],
  ])('%s', (_name, pod, pods, want) => {
    expect(statuses(pod, [node1], pods)).toEqual([want]);
  });
});

describe('TestRequiredAffinityMultipleNodes (filtering_test.go)', () => {
  const china = { region: 'China' };
  const chinaAz1 = { region: 'China', az: 'az1' };
  const india = { region: 'India' };
  it.each<[string, SchedulingPod, PlacedPod[], ObservedHost[], (string | null)[]]>([
    [
      'every node in the topology domain of a matching pod fits',
      incoming({}, required([term([ex('foo', 'In', ['bar'])], 'region')])),
      [existing('machine1', { foo: 'bar' })],
      [
        host('machine1', { labels: china }),
        host('machine2', { labels: chinaAz1 }),
        host('machine3', { labels: india }),
      ],
      [null, null, A],
    ],
    [
      'the first pod of a group with affinity to itself is not blocked when no pod matches anywhere',
      incoming(
        { foo: 'bar', service: 'securityscan' },
        required([
          term([ex('foo', 'In', ['bar'])], 'zone'),
          term([ex('service', 'In', ['securityscan'])], 'zone'),
        ]),
      ),
      [existing('nodeA', { foo: 'bar' })],
      [
        host('nodeA', { labels: { zone: 'az1', hostname: 'h1' } }),
        host('nodeB', { labels: { zone: 'az2' } }),
      ],
      [null, null],
    ],
    [
      'anti-affinity excludes every node of the domain of a matching pod',
      incoming({}, required(undefined, [term([ex('foo', 'In', ['abc'])], 'region')])),
      [existing('nodeA', { foo: 'abc' })],
      [host('nodeA', { labels: { region: 'r1' } }), host('nodeB', { labels: { region: 'r1' } })],
      [N, N],
    ],
    [
      'anti-affinity matches a pod when any of its terms matches',
      incoming(
        {},
        required(undefined, [
          term([ex('foo', 'In', ['abc'])], 'region'),
          term([ex('service', 'In', ['securityscan'])], 'zone'),
        ]),
      ),
      [existing('nodeA', { foo: 'abc', service: 'securityscan' })],
      [
        host('nodeA', { labels: { region: 'r1', zone: 'z1' } }),
        host('nodeB', { labels: { region: 'r1', zone: 'z2' } }),
      ],
      [N, N],
    ],
    [
      'a node outside the anti-affinity domain fits',
      incoming({}, required(undefined, [term([ex('foo', 'In', ['abc'])], 'region')])),
      [existing('nodeA', { foo: 'abc' })],
      [
        host('nodeA', { labels: china }),
        host('nodeB', { labels: chinaAz1 }),
        host('nodeC', { labels: india }),
      ],
      [N, N, null],
    ],
    [
      "a term without namespaces selects the pod's own namespace only",
      incoming({ foo: '123' }, required(undefined, [term([ex('foo', 'In', ['bar'])], 'region')]), 'ns1'),
      [
        existing('nodeA', { foo: 'bar' }, undefined, 'ns1'),
        existing('nodeC', {}, required(undefined, [term([ex('foo', 'In', ['123'])], 'region')]), 'ns2'),
      ],
      [
        host('nodeA', { labels: china }),
        host('nodeB', { labels: chinaAz1 }),
        host('nodeC', { labels: india }),
      ],
      [N, N, null],
    ],
    [
      'a node without the topology key fails required affinity',
      incoming({}, required([term([ex('foo', 'In', ['bar'])], 'zone')])),
      [existing('nodeA', { foo: 'bar' })],
      [host('nodeA', { labels: { zone: 'z1' } }), host('nodeB', { labels: {} })],
      [null, A],
    ],
    [
      'kubernetes.io/hostname is every host name',
      incoming({}, required(undefined, [term([ex('foo', 'In', ['bar'])], 'kubernetes.io/hostname')])),
      [existing('nodeA', { foo: 'bar' })],
      [host('nodeA'), host('nodeB')],
      [N, null],
    ],
  ])('%s', (_name, pod, pods, hosts, want) => {
    expect(statuses(pod, hosts, pods)).toEqual(want);
  });
});

describe('namespaces and namespaceSelector (skiff: namespaces are known by name only)', () => {
  const hosts = [host('h1', { labels: { zone: 'a' } }), host('h2', { labels: { zone: 'b' } })];
  const pods = [existing('h1', { app: 'db' }, undefined, 'team-a')];
  const anti = (extra: Partial<PodAffinityTerm>) =>
    incoming({}, required(undefined, [term([ex('app', 'In', ['db'])], 'zone', extra)]));
  it.each<[string, Partial<PodAffinityTerm>, (string | null)[]]>([
    ['no namespaces: the pod’s own namespace only', {}, [null, null]],
    ['listed namespaces', { namespaces: ['team-a'] }, [N, null]],
    ['namespaceSelector {} selects every namespace', { namespaceSelector: {} }, [N, null]],
    [
      'namespaceSelector on kubernetes.io/metadata.name',
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } },
      [N, null],
    ],
    [
      'namespaceSelector on another label selects nothing',
      { namespaceSelector: { matchLabels: { team: 'a' } } },
      [null, null],
    ],
    [
      'namespaces and namespaceSelector are ORed',
      {
        namespaces: ['other'],
        namespaceSelector: { matchExpressions: [ex('kubernetes.io/metadata.name', 'Exists')] },
      },
      [N, null],
    ],
  ])('%s', (_name, extra, want) => {
    expect(statuses(anti(extra), hosts, pods)).toEqual(want);
  });
});

describe('matchLabelKeys and mismatchLabelKeys are merged from the pod’s labels', () => {
  const hosts = [host('h1'), host('h2')];
  const web = (extra: Partial<PodAffinityTerm>) => ({
    labelSelector: { matchLabels: { app: 'web' } },
    topologyKey: 'kubernetes.io/hostname',
    ...extra,
  });
  it.each<[string, Partial<PodAffinityTerm>, Labels, (string | null)[]]>([
    [
      'matchLabelKeys: another version is not selected',
      { matchLabelKeys: ['version'] },
      { version: 'v1' },
      [null, null],
    ],
    [
      'matchLabelKeys: the same version is selected',
      { matchLabelKeys: ['version'] },
      { version: 'v2' },
      [N, null],
    ],
    [
      'mismatchLabelKeys: the same tenant is not selected',
      { mismatchLabelKeys: ['tenant'] },
      { tenant: 'a' },
      [null, null],
    ],
    [
      'mismatchLabelKeys: another tenant is selected',
      { mismatchLabelKeys: ['tenant'] },
      { tenant: 'b' },
      [N, null],
    ],
    ['a key the pod lacks adds nothing', { matchLabelKeys: ['missing'] }, { version: 'v1' }, [N, null]],
  ])('%s', (_name, extra, other, want) => {
    const pod = incoming({ app: 'web', version: 'v2', tenant: 'a' }, required(undefined, [web(extra)]));
    expect(statuses(pod, hosts, [existing('h1', { app: 'web', ...other })])).toEqual(want);
  });
});

describe('TestPreferredAffinity (scoring_test.go): normalized InterPodAffinity scores', () => {
  const S1 = { security: 'S1' };
  const hosts = [
    host('machine1', { labels: { region: 'China' } }),
    host('machine2', { labels: { region: 'India' } }),
    host('machine3', { labels: { az: 'az1' } }),
  ];
  const toS1 = term([ex('security', 'In', ['S1'])], 'region');
  it.each<[string, SchedulingPod, PlacedPod[], number[]]>([
    ['all hosts score 0 without affinity', incoming({}), [existing('machine1', S1)], [0, 0, 0]],
    [
      'preferred affinity: the host in the domain of a matching pod scores highest',
      incoming({}, preferred([weighted(5, toS1)])),
      [existing('machine1', S1), existing('machine3', S1)],
      [100, 0, 0],
    ],
    [
      'preferred anti-affinity: negative raw scores normalize from the minimum',
      incoming({}, preferred(undefined, [weighted(5, toS1)])),
      [existing('machine1', S1)],
      [0, 100, 100],
    ],
    [
      'affinity and anti-affinity together: raw 5, -5, 0',
      incoming({}, preferred([weighted(5, toS1)], [weighted(5, term([ex('app', 'In', ['x'])], 'region'))])),
      [existing('machine1', S1), existing('machine2', { app: 'x' })],
      [100, 0, 50],
    ],
    [
      'symmetry: an existing pod’s preferred affinity attracts the pod',
      incoming(S1),
      [existing('machine1', {}, preferred([weighted(5, toS1)]))],
      [100, 0, 0],
    ],
    [
      'symmetry: an existing pod’s preferred anti-affinity repels the pod',
      incoming(S1),
      [existing('machine2', {}, preferred(undefined, [weighted(5, toS1)]))],
      [100, 0, 100],
    ],
    [
      'symmetry: an existing pod’s required affinity counts at hardPodAffinityWeight 1',
      incoming(S1),
      [existing('machine1', {}, required([toS1])), existing('machine2', {}, preferred([weighted(3, toS1)]))],
      [33, 100, 0],
    ],
  ])('%s', (_name, pod, pods, want) => {
    const scores = scoreHosts(pod, buildHostViews(hosts, pods));
    expect(scores.map((s) => s.score.interPodAffinity)).toEqual(want);
  });

  it('weighs InterPodAffinity 2 in the total and explains it per host', () => {
    const pod = incoming({}, preferred([weighted(5, toS1)]));
    const e = explainSchedule(pod, buildHostViews(hosts, [existing('machine2', S1)]));
    expect(e.chosen).toBe('machine2');
    const [m1, m2] = e.hosts.map((h) => h.score!);
    expect(m2!.interPodAffinity).toBe(100);
    // the rest differs by the resource scores (machine2 holds the existing pod) and spreading
    expect(m2!.total - m1!.total).toBe(
      2 * 100 +
        (m2!.leastAllocated - m1!.leastAllocated) +
        (m2!.balancedAllocation - m1!.balancedAllocation) +
        2 * (m2!.spread - m1!.spread),
    );
  });
});

describe('a batch is charged placement by placement', () => {
  const three = [host('h1'), host('h2'), host('h3')];
  const selfAnti = required(undefined, [term([ex('app', 'In', ['web'])], 'kubernetes.io/hostname')]);
  const replica = (name: string, spec = podSpec({ affinity: selfAnti })): SchedulingPod => ({
    ...schedPod(name, { spec }),
    labels: { app: 'web' },
  });

  it('3 replicas with required anti-affinity on hostname land on 3 hosts; a 4th is unschedulable', () => {
    const spec = podSpec({ affinity: selfAnti });
    const r = schedulePods(
      ['a', 'b', 'c', 'd'].map((n) => replica(n, spec)),
      buildHostViews(three, []),
    );
    expect(new Set(r.placements.values())).toEqual(new Set(['h1', 'h2', 'h3']));
    expect(r.unschedulable.map((u) => u.message)).toEqual([
      "0/3 hosts are available: 3 node(s) didn't match pod anti-affinity rules.",
    ]);
    // The views carry the batch's pods: a next pass sees them.
    expect(r.hosts.map((h) => h.pods?.length)).toEqual([1, 1, 1]);
  });

  it('FitError counts each host by its first failing filter', () => {
    const hosts = [host('h1', { cpuMilli: 100 }), host('h2'), host('h3')];
    const pods = [existing('h2', { app: 'web' }), existing('h3', { app: 'web' })];
    const e = explainSchedule(replica('x'), buildHostViews(hosts, pods));
    expect(e.message).toBe(
      "0/3 hosts are available: 1 Insufficient cpu, 2 node(s) didn't match pod anti-affinity rules.",
    );
  });

  it('replicas with affinity to themselves follow the first one into its zone', () => {
    const zoned = [
      host('a1', { labels: { zone: 'a' } }),
      host('b1', { labels: { zone: 'b' } }),
      host('b2', { labels: { zone: 'b' } }),
    ];
    const spec = podSpec({ affinity: required([term([ex('app', 'In', ['web'])], 'zone')]) });
    const r = schedulePods(
      ['a', 'b', 'c'].map((n) => replica(n, spec)),
      buildHostViews(zoned, []),
    );
    const zones = [...r.placements.values()].map((h) => h[0]);
    expect(new Set(zones).size).toBe(1);
    expect(r.placements.size).toBe(3);
  });

  it('a spec that required a pod not yet placed fits once the pod is placed in the same batch', () => {
    const follow = podSpec({
      affinity: required([term([ex('app', 'In', ['db'])], 'kubernetes.io/hostname')]),
    });
    const f = (name: string): SchedulingPod => ({
      ...schedPod(name, { spec: follow }),
      labels: { app: 'web' },
    });
    const db: SchedulingPod = { ...schedPod('db', { owner: 'db' }), labels: { app: 'db' } };
    const r = schedulePods([f('f1'), db, f('f2')], buildHostViews(three, []));
    expect(r.unschedulable.map((u) => u.pod.name)).toEqual(['f1']);
    expect(r.placements.get('default/f2')).toBe(r.placements.get('default/db'));
  });

  it('an existing pod with anti-affinity repels a pod of the batch it selects', () => {
    const guard = existing(
      'h1',
      {},
      required(undefined, [term([ex('app', 'In', ['web'])], 'kubernetes.io/hostname')]),
    );
    const plain: SchedulingPod = { ...schedPod('p'), labels: { app: 'web' } };
    const r = schedulePods([plain], buildHostViews([host('h1'), host('h2')], [guard]));
    expect(r.placements.get('default/p')).toBe('h2');
  });
});
