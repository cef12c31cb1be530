// One commit must never take down the daemon: a Deployment's work per pass is bounded by what
// the inventory could ever hold, however many replicas it declares.
import { describe, expect, it } from 'vitest';
import {
  emptyPassInputs,
  emptyPassMemory,
  type PassMemory,
  reconcilePass,
} from '../../../src/reconcile/pass.js';
import { MAX_PODS_PER_HOST } from '../../../src/reconcile/pod-budget.js';
import { FakeWorld, host, objectsFrom } from './fake-world.js';

const deployment = (replicas: number, name = 'web') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - { name: web, image: registry.local/web:1.0.0 }
`;

let s = 1;
const random = () => {
  s = (s * 1103515245 + 12345) % 2 ** 31;
  return s / 2 ** 31;
};

function pass(world: FakeWorld, yaml: string, hostCount: number, memory: PassMemory = emptyPassMemory()) {
  return reconcilePass({
    apps: [{ name: 'demo', commit: 'c1', objects: objectsFrom(yaml), prune: true }],
    frozenApps: [],
    observed: {
      at: world.now,
      hosts: Array.from({ length: hostCount }, (_, i) => host(`h${i + 1}`)),
      pods: world.pods,
    },
    memory,
    now: world.now,
    random,
    options: { hostGracePeriodMs: 40_000 },
    inputs: emptyPassInputs(),
  });
}

describe('bounded work per Deployment', () => {
  it('plans a 10^9-replica Deployment in bounded time and memory, summarizing the rest', () => {
    const world = new FakeWorld();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const r = pass(world, deployment(1_000_000_000), 3);
    const ms = performance.now() - started;
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const creates = r.actions.filter((a) => a.type === 'createPod');
    expect(creates).toHaveLength(3 * MAX_PODS_PER_HOST);
    expect(r.views.pods.length).toBeLessThanOrEqual(3 * MAX_PODS_PER_HOST);
    const view = r.views.deployments[0]!;
    expect(view.replicas).toBe(1_000_000_000);
    expect(view.unplannedReplicas).toBe(1_000_000_000 - 3 * MAX_PODS_PER_HOST);
    const event = r.events.find((e) => e.reason === 'FailedScheduling');
    expect(event?.message).toContain(`${1_000_000_000 - 3 * MAX_PODS_PER_HOST} more pods unschedulable`);
    expect(ms).toBeLessThan(5000);
    console.info(`1e9 replicas, 3 hosts: ${ms.toFixed(0)} ms, heap +${heapMb.toFixed(1)} MB`);

    // Once the inventory is full, a pass plans nothing more (one Pending pod shows why).
    world.apply(r.actions);
    world.now += 1000;
    const next = pass(world, deployment(1_000_000_000), 3, r.memory);
    expect(next.actions.filter((a) => a.type === 'createPod').length).toBeLessThanOrEqual(1);
    expect(next.views.deployments[0]!.unplannedReplicas).toBeGreaterThan(999_000_000);
  });

  it('shares the budget across Deployments and leaves Deployments that fit untouched', () => {
    const world = new FakeWorld();
    const r = pass(world, `${deployment(3, 'small')}---${deployment(1_000_000_000, 'huge')}`, 1);
    const small = r.views.deployments.find((d) => d.name === 'small')!;
    expect(small.unplannedReplicas).toBeUndefined();
    const creates = r.actions.filter((a) => a.type === 'createPod');
    expect(creates.filter((a) => a.type === 'createPod' && a.pod.owner.name === 'small')).toHaveLength(3);
    expect(creates).toHaveLength(MAX_PODS_PER_HOST);
  });

  it('with no Ready host, still shows one Pending pod with the scheduler reason', () => {
    const world = new FakeWorld();
    const r = pass(world, deployment(5), 0);
    expect(r.views.pods.filter((p) => p.phase === 'Pending')).toHaveLength(1);
    expect(r.views.deployments[0]!.unplannedReplicas).toBe(4);
  });
});
