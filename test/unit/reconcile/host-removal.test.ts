// Removing a host from the inventory (reconcile/host-removal.ts): which drains a removal
// implies, where each removal stands (draining, blocked by a budget, unreachable, done), the
// forget rule, and the events said once per change. Then whole passes: a removed host is
// emptied one eviction at a time under its budget and forgotten.
import { describe, expect, it } from 'vitest';
import type { ObservedHost, ObservedPod } from '../../../src/model/observed.js';
import type { DrainView } from '../../../src/model/views.js';
import {
  evictingDrains,
  passDrains,
  planRemovals,
  REMOVED_HOST_FORGET_AFTER_MS,
} from '../../../src/reconcile/host-removal.js';
import {
  type AppDesired,
  emptyPassInputs,
  emptyPassMemory,
  type PassInput,
  type PassMemory,
  type PassResult,
  reconcilePass,
} from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom, seeded } from './fake-world.js';

const NOW = 10_000_000;

function input(over: {
  hosts?: ObservedHost[];
  pods?: Partial<ObservedPod>[];
  removals?: { host: string; since: number }[];
  drains?: { host: string; force: boolean; since: number }[];
  memory?: Partial<PassMemory>;
}): PassInput {
  return {
    apps: [],
    frozenApps: [],
    observed: {
      at: NOW,
      hosts: over.hosts ?? [],
      pods: (over.pods ?? []) as ObservedPod[],
    },
    inputs: { ...emptyPassInputs(), removals: over.removals ?? [], drains: over.drains ?? [] },
    memory: { ...emptyPassMemory(), ...over.memory },
    now: NOW,
    random: seeded(),
    options: { hostGracePeriodMs: 40_000 },
  };
}

describe('passDrains', () => {
  it('adds a forced automatic drain per removed host, replacing an admin drain of it', () => {
    const i = input({
      removals: [{ host: 'h1', since: 5 }],
      drains: [
        { host: 'h1', force: false, since: 1 },
        { host: 'h2', force: false, since: 2 },
      ],
    });
    expect(passDrains(i)).toEqual([
      { host: 'h2', force: false, since: 2 },
      { host: 'h1', force: true, since: 5, removal: true },
    ]);
  });

  it('evicts nothing on an unreachable removed host (its pods go as a failed host’s)', () => {
    const i = input({
      hosts: [host('h1', { ready: false, notReadySince: NOW - 1 }), host('h2')],
      removals: [
        { host: 'h1', since: 5 },
        { host: 'h2', since: 5 },
      ],
      drains: [{ host: 'h3', force: false, since: 1 }],
    });
    expect(evictingDrains(i, passDrains(i)).map((d) => d.host)).toEqual(['h3', 'h2']);
  });
});

const blockedView = (h: string, budget?: string): DrainView => ({
  host: h,
  force: true,
  since: 5,
  removal: true,
  pods: [
    { namespace: 'default', name: 'a', app: 'demo', status: 'Evicted' },
    {
      namespace: 'default',
      name: 'b',
      app: 'demo',
      status: 'Blocked',
      message: 'no',
      ...(budget ? { budget } : {}),
    },
  ],
});

describe('planRemovals', () => {
  const onH1 = [{ host: 'h1' }, { host: 'h1' }] as Partial<ObservedPod>[];
  const removal = [{ host: 'h1', since: 5 }];
  it.each([
    {
      name: 'ready with pods: draining',
      hosts: [host('h1')],
      pods: onH1,
      drains: [blockedView('h1')],
      status: { since: 5, state: 'Draining', podsLeft: 2 },
      forget: [],
    },
    {
      name: 'ready with pods, an eviction held by a budget: blocked by it',
      hosts: [host('h1')],
      pods: onH1,
      drains: [blockedView('h1', 'pdb/web')],
      status: { since: 5, state: 'Draining', podsLeft: 2, blockedBy: ['pdb/web'] },
      forget: [],
    },
    {
      name: 'ready and empty: forgotten',
      hosts: [host('h1')],
      pods: [],
      drains: [],
      status: undefined,
      forget: ['h1'],
    },
    {
      name: 'unreachable within the bound: its last seen pods left',
      hosts: [host('h1', { ready: false, notReadySince: NOW - 60_000 })],
      pods: [],
      drains: [],
      lastSeen: { h1: onH1 },
      status: { since: 5, state: 'Unreachable', podsLeft: 2 },
      forget: [],
    },
    {
      name: 'unreachable for the bound: forgotten',
      hosts: [host('h1', { ready: false, notReadySince: NOW - REMOVED_HOST_FORGET_AFTER_MS })],
      pods: [],
      drains: [],
      status: undefined,
      forget: ['h1'],
    },
    {
      name: 'no longer observed: forgotten',
      hosts: [host('h2')],
      pods: [],
      drains: [],
      status: undefined,
      forget: ['h1'],
    },
  ])('$name', ({ hosts, pods, drains, lastSeen, status, forget }) => {
    const i = input({ hosts, pods, removals: removal });
    const plan = planRemovals(i, hosts, drains, (lastSeen ?? {}) as Record<string, ObservedPod[]>);
    expect(plan.hosts.find((h) => h.name === 'h1')?.removing).toEqual(status);
    expect(plan.forget).toEqual(forget);
    // The other hosts are left as they are.
    for (const h of plan.hosts) if (h.name !== 'h1') expect(h.removing).toBeUndefined();
  });

  it('says each change once: started, then blocked, then nothing while it stays blocked, then removed', () => {
    const hosts = [host('h1')];
    const pods = [{ host: 'h1' }] as Partial<ObservedPod>[];
    const first = planRemovals(input({ hosts, pods, removals: removal }), hosts, [blockedView('h1')], {});
    expect(first.events.map((e) => e.reason)).toEqual(['HostRemovalStarted']);
    expect(first.events[0]!.object).toBe('host/h1');
    const memory = { removals: first.said };
    const blocked = planRemovals(
      input({ hosts, pods, removals: removal, memory }),
      hosts,
      [blockedView('h1', 'pdb/web')],
      {},
    );
    expect(blocked.events.map((e) => e.reason)).toEqual(['HostRemovalBlocked']);
    expect(blocked.events[0]!.message).toContain('pdb/web');
    const again = planRemovals(
      input({ hosts, pods, removals: removal, memory: { removals: blocked.said } }),
      hosts,
      [blockedView('h1', 'pdb/web')],
      {},
    );
    expect(again.events).toEqual([]);
    const done = planRemovals(
      input({ hosts, pods: [], removals: removal, memory: { removals: blocked.said } }),
      hosts,
      [],
      {},
    );
    expect(done.events.map((e) => e.reason)).toEqual(['HostRemoved']);
    expect(done.said).toEqual({});
  });

  it('an unreachable removed host says so once and asks to run again at the bound', () => {
    const hosts = [host('h1', { ready: false, notReadySince: NOW - 1000 })];
    const plan = planRemovals(input({ hosts, removals: removal }), hosts, [], {});
    expect(plan.events.map((e) => e.reason)).toEqual(['HostRemovalStarted', 'HostRemovalUnreachable']);
    expect(plan.requeueAfterMs).toBe(REMOVED_HOST_FORGET_AFTER_MS - 1000);
    const down = [host('h1', { ready: false, notReadySince: NOW - REMOVED_HOST_FORGET_AFTER_MS })];
    const gone = planRemovals(input({ hosts: down, removals: removal }), down, [], {});
    expect(gone.events[0]).toMatchObject({ type: 'Warning', reason: 'HostRemoved' });
    expect(gone.events[0]!.message).toContain('unmanaged');
  });
});

const DEPLOY = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: registry.local/web:1 }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec:
  minAvailable: 2
  selector: { matchLabels: { app: web } }
---
apiVersion: v1
kind: Pod
metadata: { name: solo }
spec:
  containers: [{ name: solo, image: registry.local/solo:1 }]
`;

describe('a removed host through whole passes', () => {
  const apps: AppDesired[] = [{ name: 'demo', commit: 'c1', objects: objectsFrom(DEPLOY), prune: true }];
  const pass = (
    world: FakeWorld,
    hosts: ObservedHost[],
    memory: PassMemory,
    removals: PassInput['inputs']['removals'],
  ): PassResult => {
    const r = reconcilePass({
      apps,
      frozenApps: [],
      observed: { at: world.now, hosts, pods: world.pods },
      memory,
      now: world.now,
      random: seeded(3),
      options: { hostGracePeriodMs: 40_000 },
      inputs: { ...emptyPassInputs(), removals },
    });
    world.apply(r.actions);
    world.now += 1000;
    return r;
  };

  it('evicts a Pod without a controller too, takes nothing new, and forgets the host once empty', () => {
    const world = new FakeWorld(NOW);
    let memory = emptyPassMemory();
    memory = pass(world, [host('h1')], memory, []).memory;
    expect(world.pods.filter((p) => p.host === 'h1')).toHaveLength(4);
    const hosts = [host('h1'), host('h2'), host('h3')];
    const removals = [{ host: 'h1', since: NOW }];
    let last: PassResult | undefined;
    for (let i = 0; i < 20 && !last?.forgetHosts; i++) {
      last = pass(world, hosts, memory, removals);
      memory = last.memory;
      for (const a of last.actions) if (a.type === 'createPod') expect(a.host).not.toBe('h1');
      const ready = world.pods.filter(
        (p) =>
          p.ownerName === 'web' &&
          !last!.actions.some((a) => a.type === 'deletePod' && a.pod.name === p.name),
      );
      expect(ready.length).toBeGreaterThanOrEqual(2);
    }
    expect(last?.forgetHosts).toEqual(['h1']);
    expect(world.pods.filter((p) => p.host === 'h1')).toEqual([]);
    expect(world.pods.map((p) => p.ownerName).sort()).toEqual(['solo', 'web', 'web', 'web']);
    expect(last?.events.some((e) => e.reason === 'HostRemoved')).toBe(true);
  });

  it('an unreachable removed host: its pods are replaced after the grace period, the host forgotten at the bound', () => {
    const world = new FakeWorld(NOW);
    let memory = pass(world, [host('h1')], emptyPassMemory(), []).memory;
    memory = pass(world, [host('h1')], memory, []).memory; // h1's pods seen (remembered)
    const onH1 = world.pods.filter((p) => p.host === 'h1').length;
    expect(onH1).toBe(4);
    const down = host('h1', { ready: false, notReadySince: world.now });
    const removals = [{ host: 'h1', since: world.now }];
    const first = pass(world, [down, host('h2')], memory, removals);
    memory = first.memory;
    expect(first.events.map((e) => e.reason)).toEqual(
      expect.arrayContaining(['HostRemovalStarted', 'HostRemovalUnreachable']),
    );
    expect(first.actions.filter((a) => a.type === 'deletePod')).toEqual([]);
    expect(first.views.hosts.find((h) => h.name === 'h1')?.removing).toMatchObject({
      state: 'Unreachable',
      podsLeft: 4,
    });
    world.now += 40_000; // the host grace period
    const lost = pass(world, [down, host('h2')], memory, removals);
    memory = lost.memory;
    expect(lost.events.filter((e) => e.reason === 'NodeNotReady').length).toBeGreaterThan(0);
    expect(lost.actions.filter((a) => a.type === 'createPod' && a.host === 'h2').length).toBeGreaterThan(0);
    expect(lost.forgetHosts).toBeUndefined();
    world.now = down.notReadySince! + REMOVED_HOST_FORGET_AFTER_MS;
    const gone = pass(world, [down, host('h2')], memory, removals);
    expect(gone.forgetHosts).toEqual(['h1']);
  });
});
