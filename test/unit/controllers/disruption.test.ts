// The disruption controller's status and the Eviction API's decision, through
// src/controllers/disruption.ts. Tables ported from upstream:
// - pkg/controller/disruption/disruption_test.go: TestNoSelector, TestUnavailable,
//   TestIntegerMaxUnavailable, TestIntegerMaxUnavailableWithScaling,
//   TestPercentageMaxUnavailableWithScaling, TestNakedPod, TestReplicaSet,
//   TestReplicationController (its percent rounding and the rogue pod), TestTwoControllers
//   (its final steps), TestUpdateDisruptedPods (a terminating pod is not healthy).
// - pkg/registry/core/pod/storage/eviction_test.go: TestEviction (the budget cases),
//   TestEvictionIgnorePDB (terminal, pending, terminating pods; the unhealthy-pod rule),
//   TestEvictionPDBStatus (decrement), TestPDBProtection /
//   TestEvictionWithUnhealthyPodEvictionPolicy (IfHealthyBudget vs AlwaysAllow).
import { describe, expect, it } from 'vitest';
import {
  type BudgetPod,
  computePdbStatus,
  decideEviction,
  type PdbStatus,
  VIOLATES_BUDGET,
} from '../../../src/controllers/disruption.js';
import type { IntOrPercent, PodDisruptionBudget } from '../../../src/model/k8s.js';

const FOO_BAR = { foo: 'bar' };

function pdb(
  spec: { minAvailable?: IntOrPercent; maxUnavailable?: IntOrPercent },
  over: Partial<PodDisruptionBudget['spec']> = {},
): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'foobar', namespace: 'default', labels: {}, annotations: {} },
    spec: { selector: { matchLabels: FOO_BAR }, ...spec, ...over },
  } as PodDisruptionBudget;
}

function pod(name: string, over: Partial<BudgetPod> = {}): BudgetPod {
  return {
    namespace: 'default',
    name,
    labels: FOO_BAR,
    ready: true,
    terminating: false,
    phase: 'Running',
    ...over,
  };
}

const ownedBy = (c: string) => ({ controller: { kind: 'Deployment', name: c } });
const pods = (n: number, over: Partial<BudgetPod> = {}) =>
  Array.from({ length: n }, (_, i) => pod(`p${i}`, over));
const scales =
  (s: Record<string, number>) =>
  (_ns: string, c: { kind: string; name: string }): number | undefined =>
    s[c.name];

/** [disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods], as VerifyPdbStatus. */
const statusOf = (s: PdbStatus) => [s.disruptionsAllowed, s.currentHealthy, s.desiredHealthy, s.expectedPods];

describe('computePdbStatus (disruption_test.go)', () => {
  it.each([
    // TestNoSelector: an empty selector matches every pod of the namespace
    ['TestNoSelector, no pods', pdb({ minAvailable: 3 }, { selector: {} }), [], {}, [0, 0, 3, 0]],
    [
      'TestNoSelector, one pod',
      pdb({ minAvailable: 3 }, { selector: {} }),
      [pod('yo', { labels: {} })],
      {},
      [0, 1, 3, 1],
    ],
    // TestUnavailable
    ['TestUnavailable, 3 pods', pdb({ minAvailable: 3 }), pods(3), {}, [0, 3, 3, 3]],
    ['TestUnavailable, 4 pods', pdb({ minAvailable: 3 }), pods(4), {}, [1, 4, 3, 4]],
    [
      'TestUnavailable, one unready',
      pdb({ minAvailable: 3 }),
      [...pods(3), pod('unready', { ready: false })],
      {},
      [0, 3, 3, 4],
    ],
    // TestIntegerMaxUnavailable: no pods, then a naked pod: no disruption
    ['TestIntegerMaxUnavailable, no pods', pdb({ maxUnavailable: 1 }), [], {}, [0, 0, 0, 0]],
    ['TestIntegerMaxUnavailable, naked pod', pdb({ maxUnavailable: 1 }), [pod('naked')], {}, [0, 1, 0, 0]],
    // TestIntegerMaxUnavailableWithScaling: scale 7 then 5
    [
      'TestIntegerMaxUnavailableWithScaling, scale 7',
      pdb({ maxUnavailable: 2 }),
      [pod('pod', ownedBy('rs'))],
      { rs: 7 },
      [0, 1, 5, 7],
    ],
    [
      'TestIntegerMaxUnavailableWithScaling, scale 5',
      pdb({ maxUnavailable: 2 }),
      [pod('pod', ownedBy('rs'))],
      { rs: 5 },
      [0, 1, 3, 5],
    ],
    // TestPercentageMaxUnavailableWithScaling: 30% of 7 rounds up to 3, of 3 to 1
    [
      'TestPercentageMaxUnavailableWithScaling, scale 7',
      pdb({ maxUnavailable: '30%' }),
      [pod('pod', ownedBy('rs'))],
      { rs: 7 },
      [0, 1, 4, 7],
    ],
    [
      'TestPercentageMaxUnavailableWithScaling, scale 3',
      pdb({ maxUnavailable: '30%' }),
      [pod('pod', ownedBy('rs'))],
      { rs: 3 },
      [0, 1, 2, 3],
    ],
    // TestNakedPod: a percent budget over a pod without a controller allows nothing
    ['TestNakedPod', pdb({ minAvailable: '28%' }), [pod('naked')], {}, [0, 1, 0, 0]],
    // TestReplicaSet: 20% of 10
    ['TestReplicaSet', pdb({ minAvailable: '20%' }), [pod('pod', ownedBy('rs'))], { rs: 10 }, [0, 1, 2, 10]],
    // TestReplicationController: 34% of 3 rounds up to 2
    ...[1, 2].map(
      (n) =>
        [
          `TestReplicationController, ${n} of 3 pods`,
          pdb({ minAvailable: '34%' }),
          pods(n, ownedBy('rc')),
          { rc: 3 },
          [0, n, 2, 3],
        ] as const,
    ),
    [
      'TestReplicationController, 3 of 3 pods',
      pdb({ minAvailable: '34%' }),
      pods(3, ownedBy('rc')),
      { rc: 3 },
      [1, 3, 2, 3],
    ],
    [
      'TestReplicationController, and a rogue pod (healthy, not expected)',
      pdb({ minAvailable: '34%' }),
      [...pods(3, ownedBy('rc')), pod('rogue')],
      { rc: 3 },
      [2, 4, 2, 3],
    ],
    // TestTwoControllers: 28% of 22 rounds up to 7; 9 ready -> 2, one down -> 1, two down -> 0
    ...[
      [9, 2],
      [8, 1],
      [7, 0],
    ].map(
      ([ready, allowed]) =>
        [
          `TestTwoControllers, ${ready} of 22 ready`,
          pdb({ minAvailable: '28%' }),
          [
            ...Array.from({ length: 11 }, (_, i) => pod(`quux-${i}`, { ...ownedBy('rc'), ready: i < 5 })),
            ...Array.from({ length: 11 }, (_, i) =>
              pod(`quuux-${i}`, { ...ownedBy('d'), ready: i < ready! - 5 }),
            ),
          ],
          { rc: 11, d: 11 },
          [allowed, ready, 7, 22],
        ] as const,
    ),
    // TestUpdateDisruptedPods: a pod whose deletion started is not healthy
    [
      'TestUpdateDisruptedPods, a terminating pod',
      pdb({ minAvailable: 1 }),
      [pod('p1', { terminating: true }), pod('p2'), pod('p3')],
      {},
      [1, 2, 1, 3],
    ],
    // Neither minAvailable nor maxUnavailable: getExpectedPodCount takes neither branch, so
    // nothing is expected and updatePdbStatus allows no disruption
    ['neither field set', pdb({}), pods(2), {}, [0, 2, 0, 0]],
    // Other namespaces and other labels are not selected
    [
      'pods of another namespace or labels',
      pdb({ minAvailable: 1 }),
      [pod('a', { namespace: 'other' }), pod('b', { labels: { foo: 'baz' } }), pod('c')],
      {},
      [0, 1, 1, 1],
    ],
  ] as const)('%s', (_name, budget, ps, s, want) => {
    expect(statusOf(computePdbStatus(budget, ps as BudgetPod[], scales(s)))).toEqual(want);
  });
});

const status = (over: Partial<PdbStatus>): PdbStatus => ({
  name: 'pdb/foobar',
  namespace: 'default',
  currentHealthy: 2,
  desiredHealthy: 2,
  expectedPods: 2,
  disruptionsAllowed: 0,
  unmanagedPods: [],
  ...over,
});

describe('decideEviction (eviction_test.go)', () => {
  const guarded = (s: Partial<PdbStatus>, over: Partial<PodDisruptionBudget['spec']> = {}) => [
    { pdb: pdb({ minAvailable: 2 }, over), status: status(s) },
  ];
  it.each([
    // TestEviction
    ['matching pdbs with no disruptions allowed', pod('foo'), guarded({}), 429],
    ['matching pdbs with disruptions allowed', pod('foo'), guarded({ disruptionsAllowed: 1 }), 'consumes'],
    ['non-matching pdbs', pod('foo', { labels: { a: 'false' } }), guarded({}), 'free'],
    ['no pdbs', pod('foo'), [], 'free'],
    // TestEvictionIgnorePDB: terminal, pending and terminating pods ignore the budget
    ['pdbs No disruptions allowed, pod pending', pod('t1', { phase: 'Pending' }), guarded({}), 'free'],
    ['pdbs No disruptions allowed, pod succeeded', pod('t2', { phase: 'Succeeded' }), guarded({}), 'free'],
    ['pdbs No disruptions allowed, pod failed', pod('t3', { phase: 'Failed' }), guarded({}), 'free'],
    ['pdbs disruptions allowed, pod running', pod('t4'), guarded({ disruptionsAllowed: 1 }), 'consumes'],
    ['pdbs No disruptions allowed, pod being deleted', pod('t5', { terminating: true }), guarded({}), 'free'],
    // an unready pod: free while the budget is met, guarded otherwise (IfHealthyBudget)
    [
      'pod not ready, currentHealthy >= desiredHealthy',
      pod('t7', { ready: false }),
      guarded({ currentHealthy: 2, desiredHealthy: 2 }),
      'free',
    ],
    [
      'pod not ready, currentHealthy < desiredHealthy',
      pod('t8', { ready: false }),
      guarded({ currentHealthy: 1, desiredHealthy: 2 }),
      429,
    ],
    [
      'pod not ready, desiredHealthy 0 and no disruption allowed',
      pod('t9', { ready: false }),
      guarded({ currentHealthy: 0, desiredHealthy: 0 }),
      429,
    ],
    // unhealthyPodEvictionPolicy
    [
      'IfHealthyBudget, unready pod, budget not met',
      pod('u1', { ready: false }),
      guarded({ currentHealthy: 1 }, { unhealthyPodEvictionPolicy: 'IfHealthyBudget' }),
      429,
    ],
    [
      'AlwaysAllow, unready pod, budget not met',
      pod('u2', { ready: false }),
      guarded({ currentHealthy: 1 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' }),
      'free',
    ],
    [
      'AlwaysAllow, ready pod, no disruption allowed',
      pod('u3'),
      guarded({}, { unhealthyPodEvictionPolicy: 'AlwaysAllow' }),
      429,
    ],
    // an empty selector guards nothing at eviction ("it should match nothing, not everything")
    ['an empty selector', pod('e'), guarded({}, { selector: {} }), 'free'],
    // more than one budget
    ['two matching pdbs', pod('two'), [...guarded({ disruptionsAllowed: 1 }), ...guarded({})], 500],
  ] as const)('%s', (_name, p, budgets, want) => {
    const d = decideEviction(p, budgets);
    if (want === 'free') expect(d).toEqual({ allowed: true });
    else if (want === 'consumes') expect(d).toEqual({ allowed: true, budget: 'pdb/foobar' });
    else expect(d).toMatchObject({ allowed: false, code: want });
  });

  it("says the budget's name and counts, upstream's words first", () => {
    const d = decideEviction(pod('foo'), [{ pdb: pdb({ minAvailable: 2 }), status: status({}) }]);
    expect(d.allowed).toBe(false);
    if (!d.allowed) {
      expect(d.message.startsWith(VIOLATES_BUDGET)).toBe(true);
      expect(d.message).toContain('The disruption budget foobar needs 2 healthy pods and has 2 currently');
      expect(d.budget).toBe('pdb/foobar');
    }
  });
});
