import { describe, expect, it } from 'vitest';
import { replacementRules } from '../../../src/controllers/deployment/replacement-policy.js';
import {
  DELETE_RETRY_SLACK_MS,
  type DeploymentInput,
  type PodReadinessState,
  reconcileDeployment,
} from '../../../src/controllers/deployment.js';
import type { ObservedPod } from '../../../src/model/observed.js';
import { FakeWorld, withTemplate } from './fake-world.js';
import { deployment, observedPod } from './fixtures.js';

const readyAll = (pods: readonly ObservedPod[], since = 0): Record<string, PodReadinessState> =>
  Object.fromEntries(pods.map((p) => [p.name, { ready: true, readySince: since }]));

function input(partial: Partial<DeploymentInput> & Pick<DeploymentInput, 'pods'>): DeploymentInput {
  return {
    deployment: deployment(),
    templateHash: 'v1',
    podReadiness: readyAll(partial.pods),
    memory: undefined,
    now: 100_000,
    ...partial,
  };
}

describe('Recreate', () => {
  it('deletes every old pod, waits until none remains, then creates the new ones', () => {
    const world = new FakeWorld(deployment({ replicas: 3, recreate: true }), 'v1', {
      readyDelay: () => 1000,
      terminationDelay: () => 3000,
      shellFlagsTerminating: true,
    });
    world.seed('v1', 3);
    expect(world.step().result.phase).toBe('Complete');
    world.templateHash = 'v2';
    const first = world.step();
    expect(first.result.delete).toHaveLength(3);
    expect(first.result.create).toBe(0);
    expect(first.result.events.map((e) => e.message)).toEqual(['Scaled down replica set web-v1 from 3 to 0']);
    // Old pods still terminating: nothing new yet.
    const waiting = world.step();
    expect(waiting.result.create).toBe(0);
    expect(waiting.result.delete).toHaveLength(0);
    let s = waiting;
    while (s.result.create === 0) {
      expect(world.podsOf('v2')).toHaveLength(0);
      s = world.step();
    }
    expect(s.result.create).toBe(3);
    expect(world.podsOf('v1')).toHaveLength(0);
    for (let i = 0; i < 5 && s.result.phase !== 'Complete'; i++) s = world.step();
    expect(s.result.phase).toBe('Complete');
    expect(world.podsOf('v2')).toHaveLength(3);
  });

  it.each([
    { policy: undefined, waits: true },
    { policy: 'TerminationComplete' as const, waits: true },
    { policy: 'TerminationStarted' as const, waits: false },
  ])('podReplacementPolicy $policy: new pods wait for old ones to be gone: $waits', (c) => {
    const world = new FakeWorld(deployment({ replicas: 3, recreate: true }), 'v1', {
      readyDelay: () => 1000,
      terminationDelay: () => 30_000,
      shellFlagsTerminating: true,
      policy: c.policy,
    });
    world.seed('v1', 3);
    world.step();
    world.templateHash = 'v2';
    const start = world.now;
    expect(world.step().result.delete).toHaveLength(3);
    let s = world.step();
    while (s.result.create === 0) s = world.step();
    expect(s.result.create).toBe(3);
    // Under TerminationStarted the old pods are all terminating: the new ones start now.
    if (c.waits) expect(s.now - start).toBeGreaterThanOrEqual(30_000);
    else expect(s.now - start).toBe(2000);
  });

  it('Available needs every replica (maxUnavailable is 0 for Recreate)', () => {
    const pods = [observedPod('a'), observedPod('b')];
    const r = reconcileDeployment(input({ deployment: deployment({ replicas: 3, recreate: true }), pods }));
    expect(r.status.conditions.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
    });
    expect(r.create).toBe(1);
  });
});

describe('paused', () => {
  it('a template change while paused creates nothing; resuming rolls out', () => {
    const world = new FakeWorld(deployment({ replicas: 3 }), 'v1', { readyDelay: () => 0 });
    world.seed('v1', 3);
    world.step();
    world.deployment = withTemplate(world.deployment, { paused: true });
    world.templateHash = 'v2';
    for (let i = 0; i < 5; i++) {
      const s = world.step();
      expect(s.result.phase).toBe('Paused');
      expect(s.result.create).toBe(0);
      expect(s.result.delete).toHaveLength(0);
      expect(s.result.status.conditions.find((c) => c.type === 'Progressing')).toMatchObject({
        status: 'Unknown',
        reason: 'DeploymentPaused',
        message: 'Deployment is paused',
      });
    }
    world.deployment = withTemplate(world.deployment, { paused: false });
    let s = world.step();
    expect(s.result.create).toBeGreaterThan(0);
    for (let i = 0; i < 30 && s.result.phase !== 'Complete'; i++) s = world.step();
    expect(s.result.phase).toBe('Complete');
    expect(world.podsOf('v2')).toHaveLength(3);
  });

  it('a paused Deployment still scales: the old revision grows (createOfRevision)', () => {
    const world = new FakeWorld(deployment({ replicas: 2 }), 'v1', { readyDelay: () => 0 });
    world.seed('v1', 2);
    world.step();
    world.deployment = withTemplate(world.deployment, { paused: true, replicas: 4 });
    world.templateHash = 'v2';
    const s = world.step();
    expect(s.result.create).toBe(0);
    expect(s.result.createOfRevision).toEqual([{ templateHash: 'v1', count: 2 }]);
    expect(world.podsOf('v1')).toHaveLength(4);
  });

  it('the time spent paused does not count against the progress deadline', () => {
    const world = new FakeWorld(deployment({ replicas: 2, progressDeadlineSeconds: 30 }), 'v1', {
      readyDelay: (h) => (h === 'v2' ? 20_000 : 0),
      stepMs: 5000,
    });
    world.seed('v1', 2);
    world.step();
    world.templateHash = 'v2';
    world.step();
    world.deployment = withTemplate(world.deployment, { paused: true });
    for (let i = 0; i < 20; i++) world.step();
    world.deployment = withTemplate(world.deployment, { paused: false });
    const resumed = world.step();
    expect(resumed.result.status.conditions.find((c) => c.type === 'Progressing')?.reason).not.toBe(
      'ProgressDeadlineExceeded',
    );
    let s = resumed;
    for (let i = 0; i < 30 && s.result.phase !== 'Complete'; i++) s = world.step();
    expect(s.result.phase).toBe('Complete');
  });
});

describe('scaling without a template change', () => {
  it.each([
    { from: 3, to: 5, create: 2, deletes: 0 },
    { from: 5, to: 2, create: 0, deletes: 3 },
    { from: 2, to: 0, create: 0, deletes: 2 },
    { from: 0, to: 2, create: 2, deletes: 0 },
  ])('$from -> $to', ({ from, to, create, deletes }) => {
    const world = new FakeWorld(deployment({ replicas: from }), 'v1', { readyDelay: () => 0 });
    world.seed('v1', from);
    world.step();
    world.deployment = withTemplate(world.deployment, { replicas: to });
    const s = world.step();
    expect(s.result.create).toBe(create);
    expect(s.result.delete).toHaveLength(deletes);
    expect(world.step().result.phase).toBe('Complete');
    expect(world.podsOf('v1')).toHaveLength(to);
  });

  it('victims: pending before not ready before ready; newest ready and most restarted first', () => {
    const now = 10_000_000;
    const pending = observedPod('pending', { createdAt: now - 50_000, started: false, host: 'h1' });
    const notReady = observedPod('not-ready', { createdAt: now - 900_000, host: 'h2' });
    const readyLong = observedPod('ready-long', { createdAt: now - 900_000, host: 'h3' });
    const readyShort = observedPod('ready-short', { createdAt: now - 900_000, host: 'h4' });
    const restarted = observedPod('restarted', { createdAt: now - 900_000, restarts: 5, host: 'h5' });
    const oldest = observedPod('oldest', { createdAt: now - 9_000_000, host: 'h6' });
    const pods = [readyLong, oldest, restarted, readyShort, notReady, pending];
    const readiness: Record<string, PodReadinessState> = {
      pending: { ready: false },
      'not-ready': { ready: false },
      'ready-long': { ready: true, readySince: now - 800_000 },
      'ready-short': { ready: true, readySince: now - 1_000 },
      restarted: { ready: true, readySince: now - 800_000 },
      oldest: { ready: true, readySince: now - 800_000 },
    };
    const order: string[] = [];
    for (let keep = 5; keep >= 1; keep--) {
      const remaining = pods.filter((p) => !order.includes(p.name));
      const r = reconcileDeployment(
        input({
          deployment: deployment({ replicas: keep }),
          pods: remaining,
          podReadiness: readiness,
          memory: {
            revisions: {
              v1: { createdAt: 0, replicas: remaining.length, desiredReplicas: remaining.length },
            },
            terminating: {},
          },
          now,
        }),
      );
      expect(r.delete).toHaveLength(1);
      order.push(r.delete[0]!.pod.name);
    }
    expect(order).toEqual(['pending', 'not-ready', 'ready-short', 'restarted', 'ready-long']);
  });

  it('victims: pods doubled up on a host go before lone ones', () => {
    const pods = [
      observedPod('alone', { host: 'h1', createdAt: 5 }),
      observedPod('pair-a', { host: 'h2', createdAt: 1 }),
      observedPod('pair-b', { host: 'h2', createdAt: 1 }),
    ];
    const r = reconcileDeployment(input({ deployment: deployment({ replicas: 2 }), pods }));
    expect(r.delete.map((d) => d.pod.host)).toEqual(['h2']);
  });

  it('scaling during a rollout is proportional (upstream sync.go example 10 -> 15)', () => {
    // Mid-rollout: old revision 8, new revision 5, replicas 10, surge 3 (sized for 10).
    const d = deployment({ replicas: 15, maxSurge: 3, maxUnavailable: 2 });
    const old = Array.from({ length: 8 }, (_, i) => observedPod(`old-${i}`, { hash: 'v1', createdAt: 1 }));
    const fresh = Array.from({ length: 5 }, (_, i) => observedPod(`new-${i}`, { hash: 'v2', createdAt: 2 }));
    const r = reconcileDeployment(
      input({
        deployment: d,
        templateHash: 'v2',
        pods: [...old, ...fresh],
        podReadiness: readyAll(old),
        memory: {
          revisions: {
            v1: { createdAt: 1, replicas: 8, desiredReplicas: 10, maxReplicas: 13 },
            v2: { createdAt: 2, replicas: 5, desiredReplicas: 10, maxReplicas: 13 },
          },
          terminating: {},
        },
      }),
    );
    // allowed 18, 13 now: 5 to add, 8*18/13 = 11.08 -> 11 (+3), 5*18/13 = 6.9 -> 7 (+2).
    expect(r.createOfRevision).toEqual([{ templateHash: 'v1', count: 3 }]);
    expect(r.create).toBe(2);
    expect(r.memory.revisions.v1).toMatchObject({ replicas: 11, desiredReplicas: 15, maxReplicas: 18 });
    expect(r.memory.revisions.v2).toMatchObject({ replicas: 7, desiredReplicas: 15, maxReplicas: 18 });
  });
});

describe('deletions in flight', () => {
  it('a deleted pod still observed is not deleted again until its grace period (+30 s) has passed', () => {
    // b is the newer by a power of two (upstream ranks ages logarithmically).
    const pods = [observedPod('a', { createdAt: 1 }), observedPod('b', { createdAt: 900 })];
    const d = deployment({ replicas: 1 });
    const first = reconcileDeployment(input({ deployment: d, pods, now: 1000 }));
    expect(first.delete.map((x) => [x.pod.name, x.gracePeriodSeconds])).toEqual([['b', 30]]);
    expect(first.memory.terminating).toEqual({ b: { since: 1000, gracePeriodSeconds: 30 } });
    const again = reconcileDeployment(input({ deployment: d, pods, memory: first.memory, now: 20_000 }));
    expect(again.delete).toEqual([]);
    expect(again.create).toBe(0);
    expect(again.status).toMatchObject({ replicas: 1, terminatingReplicas: 1 });
    expect(again.requeueAfterMs).toBe(1000 + 30_000 + DELETE_RETRY_SLACK_MS - 20_000);
    const late = reconcileDeployment(
      input({ deployment: d, pods, memory: again.memory, now: 1000 + 30_000 + DELETE_RETRY_SLACK_MS }),
    );
    expect(late.delete.map((x) => x.pod.name)).toEqual(['b']);
    expect(late.delete[0]!.reason).toMatch(/^retrying deletion/);
    const gone = reconcileDeployment(
      input({ deployment: d, pods: [pods[0]!], memory: late.memory, now: 70_000 }),
    );
    expect(gone.memory.terminating).toEqual({});
    expect(gone.phase).toBe('Complete');
  });

  it('a pod the shell flags as terminating is not counted, nor deleted, nor retried', () => {
    const pods = [observedPod('a'), { ...observedPod('b'), terminating: true }];
    const r = reconcileDeployment(input({ deployment: deployment({ replicas: 2 }), pods }));
    expect(r.delete).toEqual([]);
    expect(r.status).toMatchObject({ replicas: 1, terminatingReplicas: 1 });
  });

  it.each([
    { policy: undefined, create: 1 },
    { policy: 'TerminationStarted' as const, create: 1 },
    { policy: 'TerminationComplete' as const, create: 0 },
  ])('a terminating pod is replaced at once unless the policy is TerminationComplete ($policy)', (c) => {
    const pods = [observedPod('a'), observedPod('b'), { ...observedPod('c'), terminating: true }];
    const d = deployment({ replicas: 3, maxSurge: 0, maxUnavailable: 1 });
    if (c.policy) d.spec.podReplacementPolicy = c.policy;
    expect(reconcileDeployment(input({ deployment: d, pods })).create).toBe(c.create);
  });
});

describe('ownership, memory, status', () => {
  it('ignores pods of other Deployments, namespaces and standalone Pods', () => {
    const mine = [observedPod('a')];
    const others = [
      observedPod('x', { owner: 'api' }),
      observedPod('y', { namespace: 'prod' }),
      { ...observedPod('z'), ownerKind: 'Pod' as const },
    ];
    const r = reconcileDeployment(
      input({ deployment: deployment({ replicas: 0 }), pods: [...mine, ...others], podReadiness: {} }),
    );
    expect(r.delete.map((d) => d.pod.name)).toEqual(['a']);
  });

  it('rebuilds revisions from the pods when memory is lost mid-rollout', () => {
    const old = [
      observedPod('o1', { hash: 'v1', createdAt: 1 }),
      observedPod('o2', { hash: 'v1', createdAt: 1 }),
    ];
    const fresh = [observedPod('n1', { hash: 'v2', createdAt: 5 })];
    const r = reconcileDeployment(
      input({
        deployment: deployment({ replicas: 2, maxSurge: 1, maxUnavailable: 0 }),
        templateHash: 'v2',
        pods: [...old, ...fresh],
        podReadiness: readyAll([...old, ...fresh]),
      }),
    );
    // Found the new revision, scaled the old one down by the available surplus.
    expect(r.status.conditions.find((c) => c.type === 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    expect(r.delete).toHaveLength(1);
    expect(r.delete[0]!.pod.templateHash).toBe('v1');
    expect(r.memory.revisions).toMatchObject({ v1: { replicas: 1 }, v2: { replicas: 1 } });
  });

  it('minReadySeconds: a ready pod becomes available only after it, and a requeue is asked for', () => {
    const pods = [observedPod('a')];
    const d = deployment({ replicas: 1, minReadySeconds: 10 });
    const r = reconcileDeployment(
      input({ deployment: d, pods, podReadiness: { a: { ready: true, readySince: 95_000 } }, now: 100_000 }),
    );
    expect(r.status).toMatchObject({ readyReplicas: 1, availableReplicas: 0, unavailableReplicas: 1 });
    expect(r.requeueAfterMs).toBe(5001);
    const later = reconcileDeployment(
      input({ deployment: d, pods, podReadiness: { a: { ready: true, readySince: 95_000 } }, now: 105_001 }),
    );
    expect(later.status.availableReplicas).toBe(1);
  });

  it('an unknown-phase pod (unreachable host) is deleted before healthy ones', () => {
    const pods = [
      observedPod('a', { createdAt: 9 }),
      { ...observedPod('b', { createdAt: 1 }), unreachable: true },
    ];
    const r = reconcileDeployment(
      input({
        deployment: deployment({ replicas: 1 }),
        pods,
        podReadiness: { a: { ready: true, readySince: 0 } },
      }),
    );
    expect(r.delete.map((d) => d.pod.name)).toEqual(['b']);
  });

  it('memory is plain JSON', () => {
    const r = reconcileDeployment(input({ pods: [observedPod('a')] }));
    expect(JSON.parse(JSON.stringify(r.memory))).toEqual(r.memory);
  });
});

describe('podReplacementPolicy defaults (KEP-3973 API comment)', () => {
  it.each([
    { recreate: false, policy: undefined, want: [false, false, false] },
    { recreate: true, policy: undefined, want: [false, true, false] },
    { recreate: false, policy: 'TerminationStarted' as const, want: [false, false, false] },
    { recreate: true, policy: 'TerminationStarted' as const, want: [false, false, false] },
    { recreate: false, policy: 'TerminationComplete' as const, want: [true, true, true] },
    { recreate: true, policy: 'TerminationComplete' as const, want: [true, true, true] },
  ])('recreate $recreate, policy $policy', (c) => {
    const d = deployment({ recreate: c.recreate });
    if (c.policy) d.spec.podReplacementPolicy = c.policy;
    const r = replacementRules(d.spec);
    expect([r.countTerminating, r.recreateWaitsForTermination, r.completeAfterTermination]).toEqual(c.want);
  });
});
