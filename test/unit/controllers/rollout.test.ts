import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PodReplacementPolicy, reconcileDeployment } from '../../../src/controllers/deployment.js';
import type { IntOrPercent } from '../../../src/model/k8s.js';
import { FakeWorld, type StepCheck } from './fake-world.js';
import { deployment, observedPod } from './fixtures.js';

interface Combo {
  replicas: number;
  maxSurge: IntOrPercent;
  maxUnavailable: IntOrPercent;
  minReadySeconds?: number;
}
const combos: Combo[] = [
  { replicas: 1, maxSurge: '25%', maxUnavailable: '25%' },
  { replicas: 1, maxSurge: 0, maxUnavailable: 1 },
  { replicas: 1, maxSurge: 1, maxUnavailable: 0 },
  { replicas: 3, maxSurge: '25%', maxUnavailable: '25%' },
  { replicas: 3, maxSurge: 0, maxUnavailable: 1 },
  { replicas: 4, maxSurge: 1, maxUnavailable: 0, minReadySeconds: 5 },
  { replicas: 4, maxSurge: '50%', maxUnavailable: '0%' },
  { replicas: 5, maxSurge: 2, maxUnavailable: 2 },
  { replicas: 10, maxSurge: '25%', maxUnavailable: '25%' },
  { replicas: 10, maxSurge: '30%', maxUnavailable: 0, minReadySeconds: 3 },
  { replicas: 10, maxSurge: '0%', maxUnavailable: '10%' },
];

const policies = [undefined, 'TerminationComplete'] as const;
const policyCombos = policies.flatMap((policy) => combos.map((c) => ({ ...c, policy })));

/** The pods the surge bound applies to: non-terminating ones by default (upstream's
 *  TerminationStarted), all of them under TerminationComplete. */
function counted(s: StepCheck, policy: PodReplacementPolicy | undefined): number {
  return policy === 'TerminationComplete' ? s.total : s.live;
}

describe('rolling update, step by step', () => {
  it.each(policyCombos)(
    'replicas $replicas, surge $maxSurge, unavailable $maxUnavailable, minReady $minReadySeconds, policy $policy',
    (c) => {
      const d = deployment({ ...c, minReadySeconds: c.minReadySeconds ?? 0 });
      const world = new FakeWorld(d, 'v1', {
        readyDelay: () => 2500,
        terminationDelay: () => 1500,
        shellFlagsTerminating: true,
        policy: c.policy,
      });
      world.seed('v1', c.replicas);
      expect(world.step().result.phase).toBe('Complete');
      world.templateHash = 'v2';
      const { maxTotal, minAvailable } = world.bounds();
      let steps = 0;
      let last = world.step();
      while (last.result.phase !== 'Complete') {
        expect(counted(last, c.policy), `pods at t=${last.now}`).toBeLessThanOrEqual(maxTotal);
        expect(last.available, `available at t=${last.now}`).toBeGreaterThanOrEqual(minAvailable);
        expect(++steps).toBeLessThan(200);
        last = world.step();
      }
      expect(world.podsOf('v2')).toHaveLength(c.replicas);
      expect(world.podsOf('v1')).toHaveLength(0);
      expect(last.result.status).toMatchObject({
        replicas: c.replicas,
        updatedReplicas: c.replicas,
        availableReplicas: c.replicas,
        unavailableReplicas: 0,
      });
      const progressing = last.result.status.conditions.find((x) => x.type === 'Progressing');
      expect(progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
      expect(progressing?.message).toBe('ReplicaSet "web-v2" has successfully progressed.');
    },
  );

  it('events read as on Kubernetes', () => {
    const world = new FakeWorld(deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0 }), 'v1', {
      readyDelay: () => 0,
    });
    world.seed('v1', 3);
    world.step();
    world.templateHash = 'v2';
    const messages: string[] = [];
    for (let i = 0; i < 12; i++) messages.push(...world.step().result.events.map((e) => e.message));
    expect(messages.slice(0, 3)).toEqual([
      'Scaled up replica set web-v2 from 0 to 1',
      'Scaled down replica set web-v1 from 3 to 2',
      'Scaled up replica set web-v2 from 1 to 2',
    ]);
    expect(messages.at(-1)).toBe('Scaled down replica set web-v1 from 1 to 0');
  });

  it('upstream example: 10 replicas, surge 3, unavailable 2, new pods crashloop: old kept at 8', () => {
    const world = new FakeWorld(deployment({ replicas: 10, maxSurge: 3, maxUnavailable: 2 }), 'v1', {
      readyDelay: (hash) => (hash === 'v2' ? undefined : 0),
    });
    world.seed('v1', 10);
    world.step();
    world.templateHash = 'v2';
    for (let i = 0; i < 20; i++) world.step();
    expect(world.podsOf('v1')).toHaveLength(8);
    expect(world.podsOf('v2')).toHaveLength(5);
  });
});

describe('two templates in flight', () => {
  it.each(
    policies.flatMap((policy) =>
      [
        { replicas: 4, maxSurge: 1, maxUnavailable: 1 },
        { replicas: 10, maxSurge: '25%', maxUnavailable: '25%' },
        { replicas: 3, maxSurge: 0, maxUnavailable: 1 },
      ].map((c) => ({ ...c, policy })),
    ),
  )(
    'v1 -> v2 interrupted by v3 ends on v3 within bounds ($replicas, $maxSurge, $maxUnavailable, $policy)',
    (c) => {
      const world = new FakeWorld(deployment(c), 'v1', {
        readyDelay: () => 3000,
        terminationDelay: () => 1000,
        shellFlagsTerminating: true,
        policy: c.policy,
      });
      world.seed('v1', c.replicas);
      world.step();
      world.templateHash = 'v2';
      const { maxTotal, minAvailable } = world.bounds();
      for (let i = 0; i < 4; i++) {
        const s = world.step();
        expect(counted(s, c.policy)).toBeLessThanOrEqual(maxTotal);
        expect(s.available).toBeGreaterThanOrEqual(minAvailable);
      }
      expect(world.podsOf('v2').length).toBeGreaterThan(0);
      world.templateHash = 'v3';
      let s = world.step();
      for (let i = 0; s.result.phase !== 'Complete'; i++) {
        expect(i).toBeLessThan(200);
        expect(counted(s, c.policy)).toBeLessThanOrEqual(maxTotal);
        expect(s.available).toBeGreaterThanOrEqual(minAvailable);
        s = world.step();
      }
      expect(world.podsOf('v3')).toHaveLength(c.replicas);
      expect(world.podsOf('v1').length + world.podsOf('v2').length).toBe(0);
      expect(Object.keys(world.memory!.revisions)).toEqual(['v3']);
    },
  );

  it('unhealthy pods of the interrupted revision are cleaned up first', () => {
    const world = new FakeWorld(deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 1 }), 'v1', {
      readyDelay: (hash) => (hash === 'v2' ? undefined : 1000),
    });
    world.seed('v1', 4);
    world.step();
    world.templateHash = 'v2';
    for (let i = 0; i < 5; i++) world.step();
    expect(world.podsOf('v2').length).toBeGreaterThan(0);
    world.templateHash = 'v3';
    world.step();
    world.step();
    expect(world.podsOf('v2')).toHaveLength(0);
  });
});

describe('property: safety of rollouts', () => {
  it('never more than replicas+maxSurge pods, never fewer than replicas-maxUnavailable available, only own pods deleted, always converges', () => {
    const intOrPercent = fc.oneof(
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
    );
    fc.assert(
      fc.property(
        fc.record({
          replicas: fc.integer({ min: 0, max: 8 }),
          maxSurge: intOrPercent,
          maxUnavailable: intOrPercent,
          minReadySeconds: fc.integer({ min: 0, max: 4 }),
          seed: fc.integer({ min: 1, max: 1e9 }),
          maxReadyDelay: fc.integer({ min: 0, max: 6000 }),
          maxTermination: fc.integer({ min: 0, max: 5000 }),
          shellFlags: fc.boolean(),
          policy: fc.constantFrom('TerminationComplete' as const, 'TerminationStarted' as const, undefined),
          secondTemplateAt: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
          loseMemoryAt: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        }),
        (c) => {
          const d = deployment({
            replicas: c.replicas,
            maxSurge: c.maxSurge,
            maxUnavailable: c.maxUnavailable,
            minReadySeconds: c.minReadySeconds,
          });
          const world = new FakeWorld(d, 'v1', {
            seed: c.seed,
            readyDelay: (_h, r) => Math.floor(r() * c.maxReadyDelay),
            terminationDelay: (r) => Math.floor(r() * c.maxTermination),
            shellFlagsTerminating: c.shellFlags,
            policy: c.policy,
          });
          world.seed('v1', c.replicas);
          world.foreign.push(
            observedPod('other-1', { owner: 'api', hash: 'v1' }),
            observedPod('other-2', { owner: 'web', namespace: 'prod', hash: 'v2' }),
            { ...observedPod('web', { hash: 'v2' }), ownerKind: 'Pod' as const },
          );
          world.step();
          world.templateHash = 'v2';
          const { maxTotal, minAvailable } = world.bounds();
          let s = world.step();
          let steps = 0;
          while (s.result.phase !== 'Complete') {
            // Upstream's default lets replacements start while old pods still terminate.
            expect(counted(s, c.policy)).toBeLessThanOrEqual(maxTotal);
            expect(s.available).toBeGreaterThanOrEqual(minAvailable);
            steps++;
            if (steps === c.secondTemplateAt) world.templateHash = 'v3';
            // Forgetting is safe only when the shell reports in-flight deletions itself
            // (ObservedPod.terminating); otherwise a dying pod looks alive to a fresh controller.
            if (steps === c.loseMemoryAt && c.shellFlags) world.memory = undefined;
            expect(steps).toBeLessThan(400);
            s = world.step();
          }
          expect(world.podsOf(world.templateHash)).toHaveLength(c.replicas);
          expect(world.deletedNames.filter((n) => n.startsWith('other') || n === 'web')).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('progress deadline', () => {
  it('a rollout whose readiness never passes fails with the reason, old pods kept', () => {
    const world = new FakeWorld(
      deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 1, progressDeadlineSeconds: 60 }),
      'v1',
      { readyDelay: (hash) => (hash === 'v2' ? undefined : 0), stepMs: 5000 },
    );
    world.seed('v1', 4);
    world.step();
    world.templateHash = 'v2';
    const phases: string[] = [];
    let failedAt: number | undefined;
    for (let i = 0; i < 30; i++) {
      const s = world.step();
      phases.push(s.result.phase);
      if (s.result.phase === 'Failed' && failedAt === undefined) {
        failedAt = s.now;
        expect(s.result.failure).toEqual({
          reason: 'ReadinessNeverPassed',
          message: '2 of 2 new pod(s): pod never became ready',
        });
        expect(s.result.events.map((e) => e.reason)).toContain('ProgressDeadlineExceeded');
        const p = s.result.status.conditions.find((c) => c.type === 'Progressing');
        expect(p).toMatchObject({
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-v2" has timed out progressing.',
        });
      }
      expect(s.available).toBeGreaterThanOrEqual(3);
    }
    expect(phases[0]).toBe('Progressing');
    expect(phases.at(-1)).toBe('Failed');
    // The deadline counts from the last progress: the second new pod created at ~10 s.
    expect(failedAt! - 1_000_000).toBeGreaterThan(60_000);
    expect(failedAt! - 1_000_000).toBeLessThanOrEqual(85_000);
    expect(world.podsOf('v1')).toHaveLength(3);
  });

  it('asks to be requeued when the deadline would pass', () => {
    const world = new FakeWorld(deployment({ replicas: 2, progressDeadlineSeconds: 30 }), 'v1', {
      readyDelay: (hash) => (hash === 'v2' ? undefined : 0),
    });
    world.seed('v1', 2);
    world.step();
    world.templateHash = 'v2';
    const s = world.step();
    expect(s.result.requeueAfterMs).toBe(31_000);
  });

  it('uses the readiness reason the shell reports (image pull, crash loop)', () => {
    const d = deployment({ replicas: 1, progressDeadlineSeconds: 10 });
    const pod = observedPod('web-v2-aaaaa', { hash: 'v2', createdAt: 0 });
    const memory = reconcileDeployment({
      deployment: d,
      templateHash: 'v2',
      pods: [pod],
      podReadiness: {},
      memory: undefined,
      now: 0,
    }).memory;
    const r = reconcileDeployment({
      deployment: d,
      templateHash: 'v2',
      pods: [pod],
      podReadiness: { [pod.name]: { ready: false, notReadyReason: 'ImagePullBackOff' } },
      memory,
      now: 60_000,
    });
    expect(r.phase).toBe('Failed');
    expect(r.failure).toEqual({ reason: 'ImagePullBackOff', message: '1 of 1 new pod(s): ImagePullBackOff' });
  });

  it('a crash-looping new pod is reported as CrashLoopBackOff', () => {
    const d = deployment({ replicas: 1, progressDeadlineSeconds: 10 });
    const pod = observedPod('web-v2-aaaaa', { hash: 'v2', restarts: 4 });
    pod.containers[0] = { ...pod.containers[0]!, state: 'exited', exitCode: 1 };
    const first = reconcileDeployment({
      deployment: d,
      templateHash: 'v2',
      pods: [pod],
      podReadiness: {},
      memory: undefined,
      now: 0,
    });
    const r = reconcileDeployment({
      deployment: d,
      templateHash: 'v2',
      pods: [pod],
      podReadiness: {},
      memory: first.memory,
      now: 20_000,
    });
    expect(r.failure?.reason).toBe('CrashLoopBackOff');
    expect(r.failure?.message).toBe('1 of 1 new pod(s): container app exited with code 1, restarted 4 times');
  });

  it('no deadline (MaxInt32): no Progressing condition, never Failed', () => {
    const world = new FakeWorld(deployment({ replicas: 2, progressDeadlineSeconds: 2147483647 }), 'v1', {
      readyDelay: (hash) => (hash === 'v2' ? undefined : 0),
      stepMs: 60_000,
    });
    world.seed('v1', 2);
    world.step();
    world.templateHash = 'v2';
    for (let i = 0; i < 30; i++) {
      const s = world.step();
      expect(s.result.phase).toBe('Progressing');
      expect(s.result.status.conditions.map((c) => c.type)).toEqual(['Available']);
    }
  });

  it('a fixed rollout (new template) after a failure progresses again', () => {
    const world = new FakeWorld(deployment({ replicas: 2, progressDeadlineSeconds: 20 }), 'v1', {
      readyDelay: (hash) => (hash === 'v2' ? undefined : 1000),
      stepMs: 5000,
    });
    world.seed('v1', 2);
    world.step();
    world.templateHash = 'v2';
    for (let i = 0; i < 10; i++) world.step();
    expect(world.step().result.phase).toBe('Failed');
    world.templateHash = 'v3';
    const s = world.step();
    expect(s.result.phase).toBe('Progressing');
    expect(s.result.status.conditions.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetCreated',
    );
    let last = s;
    for (let i = 0; i < 20 && last.result.phase !== 'Complete'; i++) last = world.step();
    expect(last.result.phase).toBe('Complete');
    expect(world.podsOf('v3')).toHaveLength(2);
  });
});

describe('old pods that ignore SIGTERM (30 s to terminate): KEP-3973 podReplacementPolicy', () => {
  /** 4 replicas, maxSurge 1, maxUnavailable 1; new pods ready 3 s after creation; a deleted
   *  pod runs its full 30 s grace period. Returns how long v1 -> v2 took and what was seen. */
  function rollout(policy: PodReplacementPolicy | undefined, progressDeadlineSeconds: number) {
    const d = deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 1, progressDeadlineSeconds });
    const world = new FakeWorld(d, 'v1', {
      readyDelay: () => 3000,
      terminationDelay: () => 30_000,
      shellFlagsTerminating: true,
      stepMs: 500,
      policy,
    });
    world.seed('v1', 4);
    world.step();
    world.templateHash = 'v2';
    const start = world.now;
    const seen = { maxLive: 0, maxTotal: 0, minAvailable: 4, phases: new Set<string>() };
    let s = world.step();
    for (let i = 0; s.result.phase !== 'Complete' && s.result.phase !== 'Failed'; i++) {
      expect(i).toBeLessThan(1000);
      seen.maxLive = Math.max(seen.maxLive, s.live);
      seen.maxTotal = Math.max(seen.maxTotal, s.total);
      seen.minAvailable = Math.min(seen.minAvailable, s.available);
      seen.phases.add(s.result.phase);
      s = world.step();
    }
    return { ms: s.now - start, phase: s.result.phase, seen, last: s, world };
  }

  it('default (TerminationStarted): done in about two readiness waves, never near the 25 s deadline', () => {
    const r = rollout(undefined, 25);
    expect(r.phase).toBe('Complete');
    // Two waves of 2 new pods, each ready 3 s after creation, at 500 ms per pass.
    expect(r.ms).toBeLessThanOrEqual(10_000);
    expect(r.seen.maxLive).toBeLessThanOrEqual(5);
    expect(r.seen.minAvailable).toBeGreaterThanOrEqual(3);
    expect(r.seen.phases).toEqual(new Set(['Progressing']));
    // Old pods are still terminating when the rollout is complete: they do not hold it.
    expect(r.last.result.status.terminatingReplicas).toBeGreaterThan(0);
    expect(r.last.result.status.conditions.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
    expect(r.world.podsOf('v2')).toHaveLength(4);
  });

  it('TerminationComplete: each wave waits out the grace period; never more than 5 pods in all', () => {
    const r = rollout('TerminationComplete', 600);
    expect(r.phase).toBe('Complete');
    expect(r.ms).toBeGreaterThanOrEqual(60_000);
    expect(r.seen.maxTotal).toBeLessThanOrEqual(5);
    expect(r.seen.minAvailable).toBeGreaterThanOrEqual(3);
    // Complete only once no old pod is left terminating.
    expect(r.last.result.status.terminatingReplicas).toBe(0);
  });

  it('TerminationComplete with a 25 s deadline: a 30 s termination with nothing else moving times out', () => {
    // The behaviour the opt-in keeps, and why it is not the default.
    expect(rollout('TerminationComplete', 25).phase).toBe('Failed');
  });

  it('TerminationComplete: each pod that finishes terminating counts as progress', () => {
    const d = deployment({ replicas: 1, maxSurge: 1, maxUnavailable: 0, progressDeadlineSeconds: 20 });
    d.spec.podReplacementPolicy = 'TerminationComplete';
    const [a, b, c] = ['web-v2-aaaaa', 'web-v1-bbbbb', 'web-v1-ccccc'];
    const pods = [
      observedPod(a, { hash: 'v2', createdAt: 0 }),
      { ...observedPod(b, { hash: 'v1' }), terminating: true },
      { ...observedPod(c, { hash: 'v1' }), terminating: true },
    ];
    const step = (
      ps: typeof pods,
      memory: ReturnType<typeof reconcileDeployment>['memory'] | undefined,
      now: number,
    ) =>
      reconcileDeployment({
        deployment: d,
        templateHash: 'v2',
        pods: ps,
        podReadiness: { [a]: { ready: true, readySince: 0 } },
        memory,
        now,
      });
    const first = step(pods, undefined, 1000);
    expect(first.phase).toBe('Progressing');
    const progressing = (r: ReturnType<typeof step>) =>
      r.status.conditions.find((x) => x.type === 'Progressing')!;
    // One of the two goes at 15 s: the deadline counts again from there.
    const second = step([pods[0]!, pods[2]!], first.memory, 15_000);
    expect(progressing(second).lastUpdateTime).toBe(15_000);
    const third = step([pods[0]!, pods[2]!], second.memory, 30_000);
    expect(third.phase).toBe('Progressing');
    const done = step([pods[0]!], third.memory, 34_000);
    expect(done.phase).toBe('Complete');
    expect(progressing(done).reason).toBe('NewReplicaSetAvailable');
  });
});
