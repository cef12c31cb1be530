// PodTopologySpread through the exported scheduler API. The tables are upstream's
// (kubernetes pkg/scheduler/framework/plugins/podtopologyspread): each says which test function
// it comes from. Upstream runs the plugin alone; here every filter runs, so a host's verdict is
// read from its reasons (filterHosts lists every failing filter), which keeps upstream's "in a
// real cluster NodeAffinity would also refuse it" rows as they are. Upstream's failedNodes
// (hosts that fail another filter but whose pods still count) are hosts without CPU here.
import { describe, expect, it } from 'vitest';
import {
  buildHostViews,
  explainSchedule,
  filterHosts,
  type PlacedPod,
  REASON_SPREAD,
  REASON_SPREAD_LABEL,
  type SchedulingPod,
  schedulePods,
  scoreHosts,
} from '../../../src/controllers/scheduler.js';
import type { LabelSelector, PodSpec, TopologySpreadConstraint } from '../../../src/model/k8s.js';
import type { ObservedHost, Taint } from '../../../src/model/observed.js';
import { host, podSpec, schedPod } from './fixtures.js';

type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable';
const S: Code = 'Success';
const U: Code = 'Unschedulable';
const UU: Code = 'UnschedulableAndUnresolvable';

const foo: LabelSelector = { matchExpressions: [{ key: 'foo', operator: 'Exists' }] };
const bar: LabelSelector = { matchExpressions: [{ key: 'bar', operator: 'Exists' }] };
const HOSTNAME = 'kubernetes.io/hostname';
const unschedulable: Taint[] = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }];

/** One constraint: maxSkew, key, action, selector (null: none), then the optional fields. */
function c(
  maxSkew: number,
  topologyKey: string,
  when: 'DoNotSchedule' | 'ScheduleAnyway',
  labelSelector: LabelSelector | null,
  more: Partial<TopologySpreadConstraint> = {},
): TopologySpreadConstraint {
  return {
    maxSkew,
    topologyKey,
    whenUnsatisfiable: when,
    ...(labelSelector ? { labelSelector } : {}),
    ...more,
  };
}

/** A host: name, labels, and optionally failing (no CPU left: upstream's failedNodes) or tainted. */
function n(name: string, labels: Record<string, string>, opts: { failed?: boolean; taints?: Taint[] } = {}) {
  return host(name, {
    labels,
    ...(opts.failed ? { cpuMilli: 1 } : {}),
    ...(opts.taints ? { taints: opts.taints } : {}),
  });
}
const zoned = (...names: string[]) =>
  names.map((name) => n(name, { zone: name < 'node-m' ? 'zone1' : 'zone2', node: name }));

/** `count` existing pods with `labels` on `node` (namespace default unless given). */
function on(
  node: string,
  count: number,
  labels: Record<string, string>,
  more: Partial<PlacedPod> = {},
): PlacedPod[] {
  return Array.from({ length: count }, () => ({
    host: node,
    namespace: 'default',
    owner: { kind: 'Pod' as const, name: 'x' },
    hostPorts: [],
    labels,
    ...more,
  }));
}

function pod(
  labels: Record<string, string>,
  constraints: TopologySpreadConstraint[],
  spec: Partial<PodSpec> = {},
): SchedulingPod {
  return {
    ...schedPod('p', { spec: podSpec({ ...spec, topologySpreadConstraints: constraints }) }),
    owner: { kind: 'Pod', name: 'p' },
    labels,
  };
}

function verdicts(p: SchedulingPod, hosts: ObservedHost[], existing: PlacedPod[]): Record<string, Code> {
  const out: Record<string, Code> = {};
  for (const r of filterHosts(p, buildHostViews(hosts, existing)))
    out[r.host] = r.reasons.includes(REASON_SPREAD_LABEL) ? UU : r.reasons.includes(REASON_SPREAD) ? U : S;
  return out;
}

interface FilterCase {
  name: string;
  pod: SchedulingPod;
  hosts: ObservedHost[];
  existing?: PlacedPod[];
  want: Record<string, Code>;
}

const F = { foo: '' };
const B = { bar: '' };
const FB = { foo: '', bar: '' };
const nodeLabelled = (...names: string[]) => names.map((name) => n(name, { node: name }));

// TestSingleConstraint (filtering_test.go).
const singleConstraint: FilterCase[] = [
  {
    name: 'no existing pods',
    pod: pod(F, [c(1, 'zone', 'DoNotSchedule', foo)]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
  },
  {
    name: "no existing pods, incoming pod doesn't match itself",
    pod: pod(F, [c(1, 'zone', 'DoNotSchedule', bar)]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
  },
  {
    name: 'existing pods in a different namespace do not count',
    pod: pod(F, [c(1, 'zone', 'DoNotSchedule', foo)]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [
      ...on('node-a', 1, F, { namespace: 'ns1' }),
      ...on('node-a', 1, F, { namespace: 'ns2' }),
      ...on('node-x', 1, F),
      ...on('node-y', 1, F),
    ],
    want: { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
  },
  {
    name: 'pods spread across zones as 3/3, all nodes fit',
    pod: pod(F, [c(1, 'zone', 'DoNotSchedule', foo)]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-y', 3, F)],
    want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
  },
  {
    name: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
    pod: pod(F, [c(1, 'zone', 'DoNotSchedule', foo)]),
    hosts: [
      n('node-a', { zone: 'zone1', node: 'node-a' }),
      n('node-b', { zon: 'zone1', node: 'node-b' }),
      n('node-x', { zone: 'zone2', node: 'node-x' }),
      n('node-y', { zone: 'zone2', node: 'node-y' }),
    ],
    existing: [...on('node-a', 1, F), ...on('node-b', 1, F), ...on('node-x', 1, F), ...on('node-y', 1, F)],
    want: { 'node-a': S, 'node-b': UU, 'node-x': U, 'node-y': U },
  },
  {
    name: "pod cannot be scheduled as all nodes don't have label 'rack'",
    pod: pod(F, [c(1, 'rack', 'DoNotSchedule', foo)]),
    hosts: zoned('node-a', 'node-x'),
    want: { 'node-a': UU, 'node-x': UU },
  },
  {
    name: 'pods spread across nodes as 2/1/0/3, only node-x fits',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo)]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-y', 3, F)],
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
  },
  {
    name: 'pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit',
    pod: pod(F, [c(2, 'node', 'DoNotSchedule', foo)]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-y', 3, F)],
    want: { 'node-a': U, 'node-b': S, 'node-x': S, 'node-y': U },
  },
  {
    name: "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
    pod: pod(B, [c(1, 'node', 'DoNotSchedule', foo)]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-y', 3, F)],
    want: { 'node-a': U, 'node-b': S, 'node-x': S, 'node-y': U },
  },
  {
    name: 'incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo)], {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'node', operator: 'In', values: ['node-a', 'node-y'] }] },
            ],
          },
        },
      },
    }),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-y', 3, F)],
    want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': U },
  },
  {
    name: 'terminating Pods should be excluded',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo)]),
    hosts: nodeLabelled('node-a', 'node-b'),
    existing: [...on('node-a', 1, F, { terminating: true }), ...on('node-b', 1, F)],
    want: { 'node-a': S, 'node-b': U },
  },
  {
    name: 'incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits',
    pod: pod(F, [c(1, 'zone', 'DoNotSchedule', foo)], {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'node', operator: 'NotIn', values: ['node-b'] }] },
            ],
          },
        },
      },
    }),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-b', 2, F), ...on('node-y', 1, F)],
    want: { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
  },
  {
    name: 'pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits',
    pod: pod(F, [c(2, 'node', 'DoNotSchedule', foo, { minDomains: 4 })]),
    hosts: nodeLabelled('node-a', 'node-b', 'node-c'),
    existing: [...on('node-a', 2, F), ...on('node-b', 2, F), ...on('node-c', 1, F)],
    want: { 'node-a': U, 'node-b': U, 'node-c': S },
  },
  {
    name: 'pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit',
    pod: pod(F, [c(2, 'node', 'DoNotSchedule', foo, { minDomains: 2 })]),
    hosts: nodeLabelled('node-a', 'node-b', 'node-c'),
    existing: [...on('node-a', 2, F), ...on('node-b', 2, F), ...on('node-c', 1, F)],
    want: { 'node-a': S, 'node-b': S, 'node-c': S },
  },
  {
    name: 'pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit',
    pod: pod(F, [c(2, 'zone', 'DoNotSchedule', foo, { minDomains: 3 })]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 1, F), ...on('node-b', 1, F), ...on('node-y', 1, F)],
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
  },
  {
    name: 'pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit',
    pod: pod(F, [c(2, 'zone', 'DoNotSchedule', foo, { minDomains: 1 })]),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 1, F), ...on('node-b', 1, F), ...on('node-y', 1, F)],
    want: { 'node-a': S, 'node-b': S, 'node-x': S, 'node-y': S },
  },
];

const fooHosts = () => [
  n('node-a', { node: 'node-a', foo: '' }),
  n('node-b', { node: 'node-b', foo: '' }),
  n('node-x', { node: 'node-x', foo: '' }),
  n('node-y', { node: 'node-y' }),
];
const fooExisting = () => [...on('node-a', 1, F), ...on('node-b', 1, F), ...on('node-y', 1, F)];
const fooAffinity: Partial<PodSpec> = {
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'foo', operator: 'In', values: [''] }] }],
      },
    },
  },
};
const taintedHosts = () => [
  ...fooHosts().slice(0, 3),
  n('node-y', { node: 'node-y' }, { taints: unschedulable }),
];

// TestSingleConstraint (filtering_test.go), the node inclusion policy rows.
const inclusionPolicies: FilterCase[] = [
  {
    name: 'NodeAffinityPolicy honored with labelSelectors',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo)], { nodeSelector: { foo: '' } }),
    hosts: fooHosts(),
    existing: fooExisting(),
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
  },
  {
    name: 'NodeAffinityPolicy ignored with labelSelectors',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo, { nodeAffinityPolicy: 'Ignore' })], {
      nodeSelector: { foo: '' },
    }),
    hosts: fooHosts(),
    existing: fooExisting(),
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
  },
  {
    name: 'NodeAffinityPolicy honored with nodeAffinity',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo)], fooAffinity),
    hosts: fooHosts(),
    existing: fooExisting(),
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
  },
  {
    name: 'NodeAffinityPolicy ignored with nodeAffinity',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo, { nodeAffinityPolicy: 'Ignore' })], fooAffinity),
    hosts: fooHosts(),
    existing: fooExisting(),
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
  },
  {
    name: 'NodeTaintsPolicy honored',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo, { nodeTaintsPolicy: 'Honor' })]),
    hosts: taintedHosts(),
    existing: fooExisting(),
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': S },
  },
  {
    name: 'NodeTaintsPolicy ignored',
    pod: pod(F, [c(1, 'node', 'DoNotSchedule', foo)]),
    hosts: taintedHosts(),
    existing: fooExisting(),
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
  },
];

// TestMultipleConstraints (filtering_test.go).
const twoConstraints = (p: Record<string, string>, zoneSel = foo, nodeSel = foo) =>
  pod(p, [c(1, 'zone', 'DoNotSchedule', zoneSel), c(1, 'node', 'DoNotSchedule', nodeSel)]);
const multipleConstraints: FilterCase[] = [
  {
    name: 'two Constraints on zone and node, spreads = [3/3, 2/1/0/3]',
    pod: twoConstraints(F),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-y', 3, F)],
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
  },
  {
    name: 'two Constraints on zone and node, spreads = [3/4, 2/1/0/4]',
    pod: twoConstraints(F),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-y', 4, F)],
    want: { 'node-a': U, 'node-b': U, 'node-x': U, 'node-y': U },
  },
  {
    name: 'Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]',
    pod: twoConstraints(FB, foo, bar),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 1, F), ...on('node-y', 1, B)],
    want: { 'node-a': U, 'node-b': U, 'node-x': S, 'node-y': U },
  },
  {
    name: 'Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]',
    pod: twoConstraints(FB, foo, bar),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 1, F), ...on('node-x', 1, B), ...on('node-y', 1, B)],
    want: { 'node-a': U, 'node-b': U, 'node-x': U, 'node-y': U },
  },
  {
    name: 'Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]',
    pod: twoConstraints(FB, foo, bar),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 1, F), ...on('node-a', 1, FB), ...on('node-y', 2, F), ...on('node-y', 1, FB)],
    want: { 'node-a': U, 'node-b': S, 'node-x': U, 'node-y': U },
  },
  {
    name: "Constraints hold different labelSelectors but pod doesn't match itself on 'zone' constraint",
    pod: twoConstraints(B, foo, bar),
    hosts: zoned('node-a', 'node-b', 'node-x', 'node-y'),
    existing: [...on('node-a', 1, F), ...on('node-x', 1, B), ...on('node-y', 1, B)],
    want: { 'node-a': S, 'node-b': S, 'node-x': U, 'node-y': U },
  },
];

describe('PodTopologySpread filter (DoNotSchedule)', () => {
  it.each([...singleConstraint, ...inclusionPolicies, ...multipleConstraints])('$name', (t) => {
    expect(verdicts(t.pod, t.hosts, t.existing ?? [])).toEqual(t.want);
  });

  it("reads like kube-scheduler's FitError when no host is left", () => {
    const e = explainSchedule(
      pod(F, [c(1, 'zone', 'DoNotSchedule', foo)]),
      buildHostViews(
        [n('h1', { zone: 'a' }), host('h2', { labels: { zone: 'b' }, cpuMilli: 1 }), n('h3', {})],
        on('h1', 2, F),
      ),
    );
    expect(e.chosen).toBeUndefined();
    expect(e.message).toBe(
      "0/3 hosts are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label).",
    );
    expect(e.hosts.map((h) => h.failedFilter)).toEqual([
      'PodTopologySpread',
      'NodeResourcesFit',
      'PodTopologySpread',
    ]);
  });

  it('kubernetes.io/hostname is always the host name', () => {
    const p = pod(F, [c(1, HOSTNAME, 'DoNotSchedule', foo)]);
    const hosts = [n('h1', {}), n('h2', { [HOSTNAME]: 'other' })];
    expect(verdicts(p, hosts, on('h1', 1, F))).toEqual({ h1: U, h2: S });
  });

  it('matchLabelKeys narrows the selector to pods with the same values', () => {
    const p = pod({ foo: '', rev: 'b' }, [c(1, 'node', 'DoNotSchedule', foo, { matchLabelKeys: ['rev'] })]);
    const hosts = nodeLabelled('node-a', 'node-b');
    // Two pods of another revision on node-a do not count; one of this revision on node-b does.
    const existing = [...on('node-a', 2, { foo: '', rev: 'a' }), ...on('node-b', 1, { foo: '', rev: 'b' })];
    expect(verdicts(p, hosts, existing)).toEqual({ 'node-a': S, 'node-b': U });
  });
});

describe('PodTopologySpread filter in a batch', () => {
  it('charges each placement: 6 replicas over 2 zones, maxSkew 1, end 3/3 even when one zone is roomier', () => {
    const hosts = [
      host('h1', { labels: { zone: 'a' }, cpuMilli: 64000 }),
      host('h2', { labels: { zone: 'a' }, cpuMilli: 64000 }),
      host('h3', { labels: { zone: 'b' } }),
    ];
    const spec = podSpec({
      topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule', { matchLabels: { app: 'web' } })],
    });
    const pods = [1, 2, 3, 4, 5, 6].map((i) => ({
      ...schedPod(`web-${i}`, { spec }),
      labels: { app: 'web' },
    }));
    const r = schedulePods(pods, buildHostViews(hosts, []));
    const perZone = { a: 0, b: 0 };
    for (const h of r.placements.values()) perZone[h === 'h3' ? 'b' : 'a']++;
    expect(perZone).toEqual({ a: 3, b: 3 });
  });

  it('a replica that would break the skew stays Pending with the reason, later ones still place', () => {
    const hosts = [
      host('h1', { labels: { zone: 'a' } }),
      host('h2', { labels: { zone: 'b' }, cpuMilli: 300 }),
    ];
    const spec = podSpec({
      topologySpreadConstraints: [c(1, 'zone', 'DoNotSchedule', { matchLabels: { app: 'web' } })],
    });
    const pods = [1, 2, 3].map((i) => ({ ...schedPod(`web-${i}`, { spec }), labels: { app: 'web' } }));
    const r = schedulePods(pods, buildHostViews(hosts, []));
    // web-1 on h1 (emptier), web-2 on h2 (skew), web-3: zone a would be 2 vs 1 (ok), zone b full.
    expect([...r.placements.values()].sort()).toEqual(['h1', 'h1', 'h2']);
    const more = schedulePods([{ ...schedPod('web-4', { spec }), labels: { app: 'web' } }], r.hosts);
    expect(more.unschedulable[0]!.message).toBe(
      "0/2 hosts are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints.",
    );
  });
});

interface ScoreCase {
  name: string;
  pod: SchedulingPod;
  hosts: ObservedHost[];
  existing?: PlacedPod[];
  services?: { namespace: string; selector: Record<string, string> }[];
  want: Record<string, number>;
}

const hostnames = (...names: string[]) => names.map((name) => n(name, {}));
const soft = (maxSkew: number, key: string, sel: LabelSelector | null = foo) =>
  pod(F, [c(maxSkew, key, 'ScheduleAnyway', sel)]);
const spread4321 = () => [
  ...on('node-a', 4, F),
  ...on('node-b', 3, F),
  ...on('node-c', 2, F),
  ...on('node-d', 1, F),
];
const spread2103 = () => [...on('node-a', 2, F), ...on('node-b', 1, F), ...on('node-d', 3, F)];
const spread4213 = () => [
  ...on('node-a', 4, F),
  ...on('node-b', 2, F),
  ...on('node-x', 1, F),
  ...on('node-y', 3, F),
];

// TestPodTopologySpreadScore (scoring_test.go). kubernetes.io/hostname is the host's name here,
// so the row with a host missing that label uses a label `node` instead (the same arithmetic).
const scoreTable: ScoreCase[] = [
  {
    name: 'one constraint on node, no existing pods',
    pod: soft(1, HOSTNAME),
    hosts: hostnames('node-a', 'node-b'),
    want: { 'node-a': 100, 'node-b': 100 },
  },
  {
    name: 'one constraint on node, only one node is candidate',
    pod: soft(1, HOSTNAME),
    hosts: [n('node-a', {}), n('node-b', {}, { failed: true })],
    existing: [...on('node-a', 2, F), ...on('node-b', 1, F)],
    want: { 'node-a': 100 },
  },
  {
    name: 'one constraint on node, all nodes have the same number of matching pods',
    pod: soft(1, HOSTNAME),
    hosts: hostnames('node-a', 'node-b'),
    existing: [...on('node-a', 1, F), ...on('node-b', 1, F)],
    want: { 'node-a': 100, 'node-b': 100 },
  },
  {
    name: 'one constraint on node, all 4 nodes are candidates',
    pod: soft(1, HOSTNAME),
    hosts: hostnames('node-a', 'node-b', 'node-c', 'node-d'),
    existing: spread2103(),
    want: { 'node-a': 20, 'node-b': 60, 'node-c': 100, 'node-d': 0 },
  },
  {
    name: 'one constraint on node, null selector',
    pod: soft(1, HOSTNAME, null),
    hosts: hostnames('node-a', 'node-b', 'node-c', 'node-d'),
    existing: spread2103(),
    want: { 'node-a': 100, 'node-b': 100, 'node-c': 100, 'node-d': 100 },
  },
  {
    name: 'one constraint on node, all 4 nodes are candidates, maxSkew=2',
    pod: soft(2, HOSTNAME),
    hosts: hostnames('node-a', 'node-b', 'node-c', 'node-d'),
    existing: spread2103(),
    want: { 'node-a': 33, 'node-b': 66, 'node-c': 100, 'node-d': 16 },
  },
  {
    name: 'one constraint on node, all 4 nodes are candidates, maxSkew=3',
    pod: soft(3, HOSTNAME),
    hosts: hostnames('node-a', 'node-b', 'node-c', 'node-d'),
    existing: spread4321(),
    want: { 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 },
  },
  {
    name: "system defaulting, nodes don't have zone, pods match service",
    pod: pod(F, []),
    hosts: hostnames('node-a', 'node-b', 'node-c', 'node-d'),
    existing: spread4321(),
    services: [{ namespace: 'default', selector: F }],
    want: { 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 },
  },
  {
    name: 'one constraint on node, 3 out of 4 nodes are candidates',
    pod: soft(1, HOSTNAME),
    hosts: [...hostnames('node-a', 'node-b', 'node-x'), n('node-y', {}, { failed: true })],
    existing: spread4213(),
    want: { 'node-a': 33, 'node-b': 83, 'node-x': 100 },
  },
  {
    name: "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key",
    pod: soft(1, 'node'),
    hosts: [
      n('node-a', { node: 'node-a' }),
      n('node-b', { n: 'node-b' }),
      n('node-x', { node: 'node-x' }),
      n('node-y', { node: 'node-y' }, { failed: true }),
    ],
    existing: spread4213(),
    want: { 'node-a': 16, 'node-b': 0, 'node-x': 100 },
  },
  {
    name: 'one constraint on zone, 3 out of 4 nodes are candidates',
    pod: soft(1, 'zone'),
    hosts: [...zoned('node-a', 'node-b', 'node-x'), n('node-y', { zone: 'zone2' }, { failed: true })],
    existing: spread4213(),
    want: { 'node-a': 75, 'node-b': 75, 'node-x': 100 },
  },
];

describe('PodTopologySpread score (ScheduleAnyway)', () => {
  it.each(scoreTable)('$name', (t) => {
    const views = buildHostViews(t.hosts, t.existing ?? []);
    const scores = scoreHosts(t.pod, views, t.services ? { services: t.services } : {});
    expect(Object.fromEntries(scores.map((s) => [s.host, s.score.spread]))).toEqual(t.want);
  });

  it('a bare pod no Service selects gets no default spreading (upstream skips the plugin)', () => {
    const views = buildHostViews(hostnames('h1', 'h2'), on('h1', 3, F));
    expect(scoreHosts(pod(F, []), views).map((s) => s.score.spread)).toEqual([0, 0]);
  });
});

describe('system default constraints for a Deployment (its ReplicaSet)', () => {
  const web = (name: string, hash = 'v1'): SchedulingPod => ({
    ...schedPod(name),
    labels: { app: 'web' },
    templateHash: hash,
  });
  const placed = (h: string, count: number, hash = 'v1'): PlacedPod[] =>
    Array.from({ length: count }, () => ({
      host: h,
      namespace: 'default',
      owner: { kind: 'Deployment' as const, name: 'web' },
      hostPorts: [],
      labels: { app: 'web' },
      templateHash: hash,
    }));

  it("hostname maxSkew 3 over the revision's pods: 3/1/0 scores 28/71/100", () => {
    // raw = count * ln(3 + 2) + (3 - 1): 6.83 -> 7, 3.61 -> 4, 2; 100 * (7 + 2 - raw) / 7.
    const views = buildHostViews(hostnames('h1', 'h2', 'h3'), [...placed('h1', 3), ...placed('h2', 1)]);
    expect(scoreHosts(web('p'), views).map((s) => s.score.spread)).toEqual([28, 71, 100]);
  });

  it("another revision's pods are another ReplicaSet's (pod-template-hash in its selector)", () => {
    const views = buildHostViews(hostnames('h1', 'h2'), placed('h1', 3, 'v0'));
    expect(scoreHosts(web('p', 'v1'), views).map((s) => s.score.spread)).toEqual([100, 100]);
  });

  it('zone maxSkew 5 joins when hosts carry topology.kubernetes.io/zone; hosts without it still spread by hostname', () => {
    const zone = 'topology.kubernetes.io/zone';
    const hosts = [n('h1', { [zone]: 'a' }), n('h2', { [zone]: 'a' }), n('h3', { [zone]: 'b' }), n('h4', {})];
    const views = buildHostViews(hosts, [...placed('h1', 2), ...placed('h2', 2)]);
    // hostname: weight ln(4 + 2), offset 2; zone (domains a, b and the unlabelled h4's): ln(3 + 2),
    // offset 4, only on hosts with the label. h1 = 2*1.79 + 2 + 4*1.61 + 4 = 16, h3 = 6, h4 = 2;
    // 100 * (16 + 2 - raw) / 16. Upstream gives an unlabelled host no zone offset, so h4 wins.
    expect(scoreHosts(web('p'), views).map((s) => s.score.spread)).toEqual([12, 12, 75, 100]);
  });

  it('a batch of one Deployment spreads over the hosts, terminating pods not counted', () => {
    const views = buildHostViews(
      hostnames('h1', 'h2', 'h3'),
      placed('h3', 2).map((p) => ({ ...p, terminating: true })),
    );
    const r = schedulePods(
      [1, 2, 3, 4, 5, 6].map((i) => web(`web-${i}`)),
      views,
    );
    const perHost: Record<string, number> = {};
    for (const h of r.placements.values()) perHost[h] = (perHost[h] ?? 0) + 1;
    expect(perHost).toEqual({ h1: 2, h2: 2, h3: 2 });
  });
});
