// Vectors ported from kubernetes/kubernetes pkg/controller/podautoscaler/horizontal_test.go
// (TestNormalizeDesiredReplicas, TestScalingWithRules, TestStoreScaleEvents,
// TestNormalizeDesiredReplicasWithBehavior), with upstream's helpers generateScalingRules and
// generateEventsUniformDistribution rebuilt over a fixed clock.
import { describe, expect, it } from 'vitest';
import {
  calculateScaleUpLimit,
  convertDesiredReplicasWithBehaviorRate,
  convertDesiredReplicasWithRules,
  getReplicasChangePerPeriod,
  type HpaRecommendation,
  type HpaScaleEvent,
  resolveScaleDownRules,
  resolveScaleUpRules,
  stabilizeRecommendation,
  stabilizeRecommendationWithBehaviors,
  storeScaleEvent,
} from '../../../src/controllers/hpa-behavior.js';
import type { HPAScalingRules } from '../../../src/model/k8s.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const min = 60_000;
const rec = (replicas: number, agoMs: number): HpaRecommendation => ({ replicas, at: NOW - agoMs });

/** generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow). */
function rules(
  pods: number,
  podsPeriod: number,
  percent: number,
  percentPeriod: number,
  window: number,
): HPAScalingRules {
  const r: HPAScalingRules = { stabilizationWindowSeconds: window, selectPolicy: 'Max', policies: [] };
  if (pods !== 0) r.policies!.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) r.policies!.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  return r;
}

/** generateEventsUniformDistribution: events spread over the last `periodSeconds`, each in the
 *  middle of its segment (Go truncates the float seconds to an integer Duration). */
function uniformEvents(changes: number[], periodSeconds: number): HpaScaleEvent[] {
  const segment = periodSeconds / changes.length;
  return changes.map((change, idx) => {
    const boundary = Math.trunc(periodSeconds - segment * (idx + 1) + segment / 2);
    return { change, at: NOW - boundary * 1000, outdated: false };
  });
}

describe('stabilizeRecommendation (legacy, TestNormalizeDesiredReplicas)', () => {
  it.each([
    { name: 'empty log', recs: [], desired: 5, stabilized: 5, length: 1 },
    { name: 'stabilize', recs: [rec(4, 2 * min), rec(5, min)], desired: 3, stabilized: 5, length: 3 },
    { name: 'no stabilize', recs: [rec(1, 2 * min), rec(2, min)], desired: 3, stabilized: 3, length: 3 },
    {
      name: 'no stabilize - old recommendations',
      recs: [rec(10, 10 * min), rec(9, 9 * min)],
      desired: 3,
      stabilized: 3,
      length: 2,
    },
    {
      name: 'stabilize - old recommendations',
      recs: [rec(10, 10 * min), rec(4, min), rec(5, 2 * min), rec(9, 9 * min)],
      desired: 3,
      stabilized: 5,
      length: 4,
    },
  ])('$name', ({ recs, desired, stabilized, length }) => {
    const r = stabilizeRecommendation(recs, desired, NOW, 5 * min);
    expect(r.recommendation).toBe(stabilized);
    expect(r.recommendations).toHaveLength(length);
    expect(r.recommendations).toContainEqual({ replicas: desired, at: NOW });
  });

  it('does not mutate the history it is given', () => {
    const recs = [rec(10, 10 * min)];
    stabilizeRecommendation(recs, 3, NOW, 5 * min);
    expect(recs).toEqual([rec(10, 10 * min)]);
  });
});

describe('convertDesiredReplicasWithRules (legacy limits)', () => {
  it.each([
    { current: 5, desired: 7, minR: 3, maxR: 8, replicas: 7, reason: 'DesiredWithinRange' },
    { current: 3, desired: 1, minR: 2, maxR: 8, replicas: 2, reason: 'TooFewReplicas' },
    { current: 20, desired: 1000, minR: 1, maxR: 10, replicas: 10, reason: 'TooManyReplicas' },
    // scaleUpLimit = max(2 x current, 4): 3 -> 6, 1 -> 4.
    { current: 3, desired: 1000, minR: 1, maxR: 2000, replicas: 6, reason: 'ScaleUpLimit' },
    { current: 1, desired: 10, minR: 1, maxR: 2000, replicas: 4, reason: 'ScaleUpLimit' },
    { current: 100, desired: 1000, minR: 100, maxR: 150, replicas: 150, reason: 'TooManyReplicas' },
  ])('current $current desired $desired in [$minR, $maxR] -> $replicas ($reason)', (tc) => {
    const r = convertDesiredReplicasWithRules(tc.current, tc.desired, tc.minR, tc.maxR);
    expect([r.replicas, r.reason]).toEqual([tc.replicas, tc.reason]);
  });

  it('caps legacy scale up at max(2 x current, 4)', () => {
    expect([0, 1, 2, 3, 10].map(calculateScaleUpLimit)).toEqual([4, 4, 4, 6, 20]);
  });
});

interface RulesCase {
  name: string;
  up?: HPAScalingRules;
  down?: HPAScalingRules;
  upEvents?: HpaScaleEvent[];
  downEvents?: HpaScaleEvent[];
  minR: number;
  maxR: number;
  current: number;
  desired: number;
  replicas: number;
  condition: string;
}

const scalingWithRules: RulesCase[] = [
  {
    name: 'prenormalized desired replicas within range',
    minR: 3,
    maxR: 8,
    current: 5,
    desired: 7,
    replicas: 7,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'prenormalized desired replicas < minReplicas',
    minR: 2,
    maxR: 8,
    current: 3,
    desired: 1,
    replicas: 2,
    condition: 'TooFewReplicas',
  },
  {
    name: 'prenormalized desired replicas within range when minReplicas is 0',
    minR: 0,
    maxR: 10,
    current: 1,
    desired: 0,
    replicas: 0,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'maxReplicas is the limit because maxReplicas < scaleUpLimit',
    minR: 1,
    maxR: 10,
    current: 20,
    desired: 1000,
    replicas: 10,
    condition: 'TooManyReplicas',
  },
  {
    name: 'desired replica count is more than the maximum replica count',
    minR: 100,
    maxR: 150,
    current: 100,
    desired: 1000,
    replicas: 150,
    condition: 'TooManyReplicas',
  },
  {
    name: 'scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies',
    up: rules(0, 0, 1, 60, 0),
    minR: 1,
    maxR: 2000,
    current: 3,
    desired: 1000,
    replicas: 4,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with default behavior',
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 50,
    replicas: 20,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with pods policy larger than percent policy',
    up: rules(100, 60, 100, 60, 0),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 500,
    replicas: 110,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy larger than pods policy',
    up: rules(2, 60, 100, 60, 0),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 500,
    replicas: 20,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with spec MaxReplicas limitation with large pod policy',
    up: rules(100, 60, 0, 0, 0),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 50,
    replicas: 50,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'scaleUp with spec MaxReplicas limitation with large percent policy',
    up: rules(10000, 60, 0, 0, 0),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 50,
    replicas: 50,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'scaleUp with pod policy limitation',
    up: rules(30, 60, 0, 0, 0),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 50,
    replicas: 40,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy limitation',
    up: rules(0, 0, 200, 60, 0),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 50,
    replicas: 30,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleDown with percent policy larger than pod policy',
    down: rules(20, 60, 1, 60, 300),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 2,
    replicas: 80,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with pod policy larger than percent policy',
    down: rules(2, 60, 1, 60, 300),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 2,
    replicas: 98,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with spec MinReplicas limitation with large pod policy',
    down: rules(100, 60, 0, 0, 300),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 0,
    replicas: 1,
    condition: 'TooFewReplicas',
  },
  {
    name: 'scaleDown with spec MinReplicas limitation with large percent policy',
    down: rules(0, 0, 100, 60, 300),
    minR: 5,
    maxR: 1000,
    current: 10,
    desired: 2,
    replicas: 5,
    condition: 'TooFewReplicas',
  },
  {
    name: 'scaleDown with pod policy limitation',
    down: rules(5, 60, 0, 0, 300),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 2,
    replicas: 5,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with percent policy limitation',
    down: rules(0, 0, 50, 60, 300),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 5,
    replicas: 5,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'scaleUp with spec MaxReplicas limitation with large pod policy and events',
    upEvents: uniformEvents([1, 5, 9], 120),
    up: rules(300, 60, 0, 0, 0),
    minR: 1,
    maxR: 200,
    current: 100,
    desired: 500,
    replicas: 200,
    condition: 'TooManyReplicas',
  },
  {
    name: 'scaleUp with spec MaxReplicas limitation with large percent policy and events',
    upEvents: uniformEvents([1, 5, 9], 120),
    up: rules(0, 0, 10000, 60, 0),
    minR: 1,
    maxR: 200,
    current: 100,
    desired: 500,
    replicas: 200,
    condition: 'TooManyReplicas',
  },
  {
    name: 'scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events',
    upEvents: uniformEvents([1, 5, 9], 120),
    up: rules(5, 120, 0, 0, 0),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 500,
    replicas: 100,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with pod policy and previous scale up events',
    upEvents: uniformEvents([1, 5, 9], 120),
    up: rules(150, 120, 0, 0, 0),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 500,
    replicas: 235,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy and previous scale up events',
    upEvents: uniformEvents([1, 5, 9], 120),
    up: rules(0, 0, 200, 120, 0),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 500,
    replicas: 255,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleUp with percent policy and previous scale up and down events',
    upEvents: uniformEvents([4], 120),
    downEvents: uniformEvents([2], 120),
    up: rules(0, 0, 300, 300, 0),
    minR: 1,
    maxR: 1000,
    current: 6,
    desired: 24,
    replicas: 16,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'scaleDown with default policy and previous events',
    downEvents: uniformEvents([1, 5, 9], 120),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 5,
    replicas: 5,
    condition: 'DesiredWithinRange',
  },
  {
    name: 'scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events',
    downEvents: uniformEvents([1, 5, 9], 120),
    down: rules(115, 120, 0, 0, 300),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 0,
    replicas: 1,
    condition: 'TooFewReplicas',
  },
  {
    name: 'scaleDown with spec MinReplicas limitation with large pod policy and previous events',
    downEvents: uniformEvents([1, 5, 9], 120),
    down: rules(130, 120, 0, 0, 300),
    minR: 5,
    maxR: 1000,
    current: 100,
    desired: 0,
    replicas: 5,
    condition: 'TooFewReplicas',
  },
  {
    name: 'scaleDown with spec MinReplicas limitation with large percent policy and previous events',
    downEvents: uniformEvents([1, 5, 9], 120),
    down: rules(0, 0, 100, 120, 300),
    minR: 5,
    maxR: 1000,
    current: 100,
    desired: 2,
    replicas: 5,
    condition: 'TooFewReplicas',
  },
  {
    name: 'scaleDown with pod policy limitation and previous events',
    downEvents: uniformEvents([1, 5, 9], 120),
    down: rules(5, 120, 0, 0, 300),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 2,
    replicas: 100,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with percent policy limitation and previous events',
    downEvents: uniformEvents([2, 4, 6], 120),
    down: rules(0, 0, 50, 120, 300),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 0,
    replicas: 56,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with percent policy and previous scale up and down events',
    upEvents: uniformEvents([2], 120),
    downEvents: uniformEvents([4], 120),
    down: rules(0, 0, 50, 180, 0),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 1,
    replicas: 6,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with previous events preventing further scale down',
    downEvents: uniformEvents([10, 10, 10], 120),
    down: rules(0, 0, 10, 120, 300),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 0,
    replicas: 100,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'scaleDown with with previous events still allowing more scale down',
    downEvents: uniformEvents([10, 10, 10], 120),
    down: rules(0, 0, 1000, 120, 300),
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 5,
    replicas: 5,
    condition: 'DesiredWithinRange',
  },
  {
    name: "check 'outdated' flag for events for one behavior for up",
    upEvents: uniformEvents([8, 12, 9, 11], 120),
    up: rules(1000, 60, 0, 0, 0),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 200,
    replicas: 200,
    condition: 'DesiredWithinRange',
  },
  {
    name: "check that events were marked 'outdated' for two different policies in the behavior for down",
    downEvents: uniformEvents([8, 12, 9, 11], 120),
    down: rules(1000, 30, 100, 60, 300),
    minR: 1,
    maxR: 1000,
    current: 100,
    desired: 5,
    replicas: 5,
    condition: 'DesiredWithinRange',
  },
  // selectPolicy variants (not in upstream's table; the same formulas).
  {
    name: 'selectPolicy Min picks the smaller scale-up proposal',
    up: { ...rules(4, 60, 100, 60, 0), selectPolicy: 'Min' },
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 50,
    replicas: 14,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'selectPolicy Disabled forbids scaling up',
    up: { ...rules(4, 60, 100, 60, 0), selectPolicy: 'Disabled' },
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 50,
    replicas: 10,
    condition: 'ScaleUpLimit',
  },
  {
    name: 'selectPolicy Min picks the smaller scale-down change',
    down: { ...rules(2, 60, 50, 60, 300), selectPolicy: 'Min' },
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 1,
    replicas: 8,
    condition: 'ScaleDownLimit',
  },
  {
    name: 'selectPolicy Disabled forbids scaling down',
    down: { ...rules(2, 60, 50, 60, 300), selectPolicy: 'Disabled' },
    minR: 1,
    maxR: 1000,
    current: 10,
    desired: 1,
    replicas: 10,
    condition: 'ScaleDownLimit',
  },
];

describe('convertDesiredReplicasWithBehaviorRate (TestScalingWithRules)', () => {
  it.each(scalingWithRules)('$name', (tc) => {
    const r = convertDesiredReplicasWithBehaviorRate(
      {
        currentReplicas: tc.current,
        desiredReplicas: tc.desired,
        minReplicas: tc.minR,
        maxReplicas: tc.maxR,
        scaleUp: resolveScaleUpRules(tc.up),
        scaleDown: resolveScaleDownRules(tc.down, 300),
        scaleUpEvents: tc.upEvents ?? [],
        scaleDownEvents: tc.downEvents ?? [],
      },
      NOW,
    );
    expect([r.replicas, r.reason]).toEqual([tc.replicas, tc.condition]);
  });
});

describe('resolve*Rules (defaults.go)', () => {
  it('fills scale-up defaults: no window, Max of 4 pods / 100% per 15 s', () => {
    expect(resolveScaleUpRules(undefined)).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    });
  });
  it('fills scale-down defaults: the controller window, Max of 100% per 15 s', () => {
    expect(resolveScaleDownRules({ selectPolicy: 'Min' }, 300)).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Min',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
  });
});

describe('storeScaleEvent (TestStoreScaleEvents)', () => {
  const ev = (change: number, agoSeconds: number, outdated = false): HpaScaleEvent => ({
    change,
    at: NOW - agoSeconds * 1000,
    outdated,
  });
  it.each([
    {
      name: 'empty entries with two-policy-behavior',
      prev: [],
      rules: rules(10, 60, 100, 60, 0),
      next: [[5, false]],
      change60: 0,
    },
    {
      name: 'one outdated entry to be replaced with behavior',
      prev: [ev(7, 61)],
      rules: rules(10, 60, 100, 60, 0),
      next: [[5, false]],
      change60: 0,
    },
    {
      name: 'one actual entry to be not touched with behavior',
      prev: [ev(7, 58)],
      rules: rules(10, 60, 100, 60, 0),
      next: [
        [7, false],
        [5, false],
      ],
      change60: 7,
    },
    {
      name: 'two entries, one of them to be replaced',
      prev: [ev(7, 61), ev(6, 59)],
      rules: rules(10, 60, 0, 0, 0),
      next: [
        [5, false],
        [6, false],
      ],
      change60: 6,
    },
    {
      name: 'replace one entry, use policies with different periods',
      prev: [ev(8, 29), ev(6, 59), ev(7, 61), ev(9, 61)],
      rules: rules(10, 60, 100, 30, 0),
      next: [
        [8, false],
        [6, false],
        [7, true],
        [5, false],
      ],
      change60: 14,
    },
    {
      name: 'two entries, both actual',
      prev: [ev(7, 58), ev(6, 59)],
      rules: rules(10, 120, 100, 30, 0),
      next: [
        [7, false],
        [6, false],
        [5, false],
      ],
      change60: 13,
    },
  ])('$name', ({ prev, rules: r, next, change60 }) => {
    expect(getReplicasChangePerPeriod(60, prev, NOW)).toBe(change60);
    const stored = storeScaleEvent(prev, resolveScaleUpRules(r), 5, NOW);
    expect(stored.map((e) => [e.change, e.outdated])).toEqual(next);
  });
});

describe('stabilizeRecommendationWithBehaviors (TestNormalizeDesiredReplicasWithBehavior)', () => {
  it.each([
    {
      name: 'empty recommendations for scaling down',
      recs: [],
      current: 100,
      desired: 5,
      stabilized: 5,
      stored: [5],
      up: 0,
      down: 0,
    },
    {
      name: 'simple scale down stabilization',
      recs: [rec(4, 2 * min), rec(5, min)],
      current: 100,
      desired: 3,
      stabilized: 5,
      stored: [4, 5, 3],
      up: 0,
      down: 180,
    },
    {
      name: 'simple scale up stabilization',
      recs: [rec(4, 2 * min), rec(5, min)],
      current: 1,
      desired: 7,
      stabilized: 4,
      stored: [4, 5, 7],
      up: 300,
      down: 0,
    },
    {
      name: 'no scale down stabilization',
      recs: [rec(1, 2 * min), rec(2, min)],
      current: 100,
      desired: 3,
      stabilized: 3,
      stored: [1, 2, 3],
      up: 300,
      down: 0,
    },
    {
      name: 'no scale up stabilization',
      recs: [rec(4, 2 * min), rec(5, min)],
      current: 1,
      desired: 3,
      stabilized: 3,
      stored: [4, 5, 3],
      up: 0,
      down: 300,
    },
    {
      name: 'no scale down stabilization, reuse recommendation element',
      recs: [rec(10, 10 * min), rec(9, 9 * min)],
      current: 100,
      desired: 3,
      stabilized: 3,
      stored: [10, 3],
      up: 0,
      down: 0,
    },
    {
      name: 'no scale up stabilization, reuse recommendation element',
      recs: [rec(10, 10 * min), rec(9, 9 * min)],
      current: 1,
      desired: 100,
      stabilized: 100,
      stored: [10, 100],
      up: 0,
      down: 0,
    },
    {
      name: 'scale down stabilization, reuse one of obsolete recommendation element',
      recs: [rec(10, 10 * min), rec(4, min), rec(5, 2 * min), rec(9, 9 * min)],
      current: 100,
      desired: 3,
      stabilized: 5,
      stored: [10, 4, 5, 3],
      up: 0,
      down: 180,
    },
    {
      name: 'scale up stabilization, reuse one of obsolete recommendation element',
      recs: [rec(10, 100 * min), rec(6, min), rec(5, 2 * min), rec(9, 3 * min)],
      current: 1,
      desired: 100,
      stabilized: 5,
      stored: [100, 6, 5, 9],
      up: 300,
      down: 0,
    },
    {
      name: 'scale up and down stabilization, do not scale up when prenormalized rec goes down',
      recs: [rec(2, 100 * min), rec(3, 3 * min)],
      current: 2,
      desired: 1,
      stabilized: 2,
      stored: [1, 3],
      up: 300,
      down: 300,
    },
    {
      name: 'scale up and down stabilization, do not scale down when prenormalized rec goes up',
      recs: [rec(2, 100 * min), rec(1, 3 * min)],
      current: 2,
      desired: 3,
      stabilized: 2,
      stored: [3, 1],
      up: 300,
      down: 300,
    },
  ])('$name', ({ recs, current, desired, stabilized, stored, up, down }) => {
    const r = stabilizeRecommendationWithBehaviors(
      recs,
      {
        currentReplicas: current,
        desiredReplicas: desired,
        scaleUpWindowSeconds: up,
        scaleDownWindowSeconds: down,
      },
      NOW,
    );
    expect(r.recommendation).toBe(stabilized);
    expect(r.recommendations.map((x) => x.replicas)).toEqual(stored);
  });
});
