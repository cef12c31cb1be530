// The triggers: pure decisions from (facts, memory, now), each event once, re-armed on recovery.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/model/diagnostics.js';
import type { DeploymentView, PodView } from '../../../src/model/views.js';
import {
  type AppFacts,
  decideNotifications,
  emptyNotifyMemory,
  type NotifyFacts,
  type NotifyMemory,
} from '../../../src/notify/triggers.js';

const C1 = 'c1'.padEnd(40, '1');
const C2 = 'c2'.padEnd(40, '2');
const T0 = 1_700_000_000_000;

function dep(over: Partial<DeploymentView> = {}): DeploymentView {
  return {
    namespace: 'default',
    name: 'web',
    app: 'shop',
    commit: C1,
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 2,
    templateHash: 'h1',
    images: ['nginx'],
    phase: 'Complete',
    conditions: [],
    ...over,
  };
}

function pod(over: Partial<PodView> = {}): PodView {
  return {
    namespace: 'default',
    name: 'web-1',
    app: 'shop',
    owner: { kind: 'Deployment', name: 'web' },
    phase: 'Running',
    status: 'Running',
    ready: { ready: 1, total: 1 },
    restarts: 0,
    templateHash: 'h1',
    commit: C1,
    labels: {},
    conditions: [],
    containers: [],
    ...over,
  };
}

function app(over: Partial<AppFacts> = {}): AppFacts {
  return {
    app: 'shop',
    admitted: C1,
    quarantined: [],
    views: { deployments: [dep()], pods: [pod()] },
    ...over,
  };
}

const facts = (a: AppFacts, hosts: NotifyFacts['hosts'] = []): NotifyFacts => ({
  apps: [a],
  hosts,
  hpas: [],
});

/** Runs the facts through the triggers in order, returning each step's trigger names. */
function run(steps: { facts: NotifyFacts; at: number }[], memory: NotifyMemory = emptyNotifyMemory()) {
  const out: string[][] = [];
  let m = memory;
  for (const s of steps) {
    const d = decideNotifications(s.facts, m, s.at, 60_000);
    m = d.memory;
    out.push(d.events.map((e) => `${e.trigger}${e.commit ? `@${e.commit.slice(0, 2)}` : ''}`));
  }
  return out;
}

const error: Diagnostic = {
  file: 'apps/web.yaml',
  line: 7,
  column: 9,
  document: 0,
  path: 'spec.replicas',
  severity: 'error',
  code: 'schema.type',
  message: 'must be integer',
};

describe('notification triggers', () => {
  it.each([
    {
      name: 'a new commit: running, then succeeded once every pod is Ready at it',
      steps: [
        facts(
          app({
            views: { deployments: [dep({ phase: 'Progressing', availableReplicas: 1 })], pods: [pod()] },
          }),
        ),
        facts(app()),
        facts(app()),
      ],
      want: [['on-sync-running@c1'], ['on-sync-succeeded@c1'], []],
    },
    {
      name: 'not succeeded while a pod is not Ready, nor while the Deployment shows an older commit',
      steps: [
        facts(app({ views: { deployments: [dep()], pods: [pod({ ready: { ready: 0, total: 1 } })] } })),
        facts(app({ admitted: C2 })),
        facts(app({ admitted: C2, views: { deployments: [dep({ commit: C2 })], pods: [pod()] } })),
      ],
      want: [['on-sync-running@c1'], ['on-sync-running@c2'], ['on-sync-succeeded@c2']],
    },
    {
      name: 'a rejected head: one failure on it, with its first errors',
      steps: [
        facts(app({ rejected: { commit: C2, diagnostics: [error] } })),
        facts(app({ rejected: { commit: C2, diagnostics: [error] } })),
      ],
      want: [['on-commit-rejected@c2', 'on-sync-running@c1', 'on-sync-succeeded@c1'], []],
    },
    {
      name: 'a quarantined commit: failure on it naming the restored one; the restored commit syncs',
      steps: [
        facts(
          app({
            admitted: C2,
            views: { deployments: [dep({ commit: C2, phase: 'Progressing' })], pods: [] },
          }),
        ),
        facts(app({ quarantined: [{ commit: C2, reason: 'deployment/web: ReadinessNeverPassed' }] })),
      ],
      want: [['on-sync-running@c2'], ['on-rollout-failed@c2', 'on-sync-running@c1', 'on-sync-succeeded@c1']],
    },
    {
      name: 'a Failed Deployment without a restore (autoRestore off): one failure, no success after',
      steps: [
        facts(app({ views: { deployments: [dep({ phase: 'Failed', availableReplicas: 0 })], pods: [] } })),
        facts(app({ views: { deployments: [dep({ phase: 'Failed', availableReplicas: 0 })], pods: [] } })),
      ],
      want: [['on-rollout-failed@c1'], []],
    },
  ])('$name', ({ steps, want }) => {
    expect(run(steps.map((f, i) => ({ facts: f, at: T0 + i * 1000 })))).toEqual(want);
  });

  it('says which commit was restored, and the rejected commit errors at file:line:column', () => {
    const q = decideNotifications(
      facts(app({ quarantined: [{ commit: C2, reason: 'deployment/web: ReadinessNeverPassed' }] })),
      emptyNotifyMemory(),
      T0,
    ).events[0]!;
    expect(q).toMatchObject({
      trigger: 'on-rollout-failed',
      commit: C2,
      state: 'failure',
      restoredCommit: C1,
    });
    expect(q.message).toMatch(/rollout of c222222 failed; restored c111111/);
    const r = decideNotifications(
      facts(app({ rejected: { commit: C2, diagnostics: [error, { ...error, severity: 'warning' }] } })),
      emptyNotifyMemory(),
      T0,
    ).events[0]!;
    expect(r.errors).toEqual(['apps/web.yaml:7:9 spec.replicas: must be integer [schema.type]']);
    expect(r.message).toMatch(/rejected with 1 error\(s\), nothing applied: apps\/web\.yaml:7:9/);
  });

  it('an unsigned commit (signed-commit verification) is rejected like an invalid one, with who signed', () => {
    const unsigned: Diagnostic = {
      ...error,
      file: '',
      line: 0,
      column: 0,
      path: '',
      code: 'signature.missing',
      message: 'commit c222222 is not signed; apps[].verify requires a signature by one of its keys',
    };
    const e = decideNotifications(
      facts(app({ rejected: { commit: C2, diagnostics: [unsigned] } })),
      emptyNotifyMemory(),
      T0,
    ).events[0]!;
    expect(e.trigger).toBe('on-commit-rejected');
    expect(e.message).toContain('rejected (signature)');
    expect(e.errors).toEqual([unsigned.message]);
  });

  it('health degraded only after the threshold, once, and re-armed after recovery', () => {
    const below = facts(app({ views: { deployments: [dep({ availableReplicas: 1 })], pods: [pod()] } }));
    const ok = facts(app());
    const steps = [
      { facts: below, at: T0 },
      { facts: below, at: T0 + 59_999 },
      { facts: below, at: T0 + 60_000 },
      { facts: below, at: T0 + 120_000 },
      { facts: ok, at: T0 + 130_000 },
      { facts: below, at: T0 + 140_000 },
      { facts: below, at: T0 + 200_000 },
    ];
    const got = run(steps).map((s) => s.filter((t) => t.startsWith('on-health')));
    expect(got).toEqual([[], [], ['on-health-degraded@c1'], [], [], [], ['on-health-degraded@c1']]);
  });

  it('a host NotReady fires once until it is Ready again; absent hosts keep what was signalled', () => {
    const down = [{ name: 'h1', ready: false, reason: 'SSH connection lost' }];
    const up = [{ name: 'h1', ready: true }];
    const noHosts: NotifyFacts = { apps: [] };
    const steps = [down, down, undefined, up, down].map((hosts, i) => ({
      facts: hosts ? { apps: [], hosts } : noHosts,
      at: T0 + i,
    }));
    expect(run(steps)).toEqual([['on-host-not-ready'], [], [], [], ['on-host-not-ready']]);
  });

  it('an HPA scaling fires when its last scale time moves (the first sighting is a baseline)', () => {
    const hpa = (lastScaleTime: number) => ({
      apps: [],
      hpas: [{ namespace: 'default', name: 'web', app: 'shop', currentReplicas: 3, lastScaleTime }],
    });
    expect(run([hpa(1), hpa(1), hpa(2)].map((f, i) => ({ facts: f, at: T0 + i })))).toEqual([
      [],
      [],
      ['on-hpa-scaled'],
    ]);
  });
});
