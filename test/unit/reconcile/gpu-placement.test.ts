// GPUs from the pass's view: pods requesting nvidia.com/gpu land only where hosts declare GPUs,
// each index goes to one pod, the indices held are read back from the observed pods (their
// label) on the next pass, and a pod that fits nowhere is Pending with the FitError.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/model/actions.js';
import { type AppDesired, emptyPassMemory } from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom, runPass } from './fake-world.js';

const deployment = (replicas: number, gpus: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: train }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: train } }
  template:
    metadata: { labels: { app: train } }
    spec:
      containers:
        - name: trainer
          image: registry.local/train:1
          resources: { limits: { nvidia.com/gpu: ${gpus}, cpu: 100m, memory: 64Mi } }
        - name: logger
          image: registry.local/logger:1
`;

const app = (yaml: string): AppDesired => ({
  name: 'ml',
  commit: 'c1',
  objects: objectsFrom(yaml),
  prune: true,
});
type CreatePod = Extract<Action, { type: 'createPod' }>;
const creates = (actions: Action[]) => actions.filter((a): a is CreatePod => a.type === 'createPod');

describe('GPU placement in a pass', () => {
  const hosts = [host('h1', { extendedResources: { 'nvidia.com/gpu': 4 } }), host('h2'), host('h3')];

  it('gives each pod its own indices, on its containers that asked and in its label', () => {
    const world = new FakeWorld();
    const r = runPass(world, [app(deployment(2, 2))], hosts, emptyPassMemory());
    const made = creates(r.actions);
    expect(made.map((a) => a.host)).toEqual(['h1', 'h1']);
    expect(made.map((a) => a.pod.gpuDevices)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(made[0]!.pod.containers.map((c) => c.gpuDevices)).toEqual([[0, 1], undefined]);
  });

  it('reads the indices held back from the observed pods: a scale-up takes only free ones', () => {
    const world = new FakeWorld();
    const first = runPass(world, [app(deployment(1, 2))], hosts, emptyPassMemory());
    world.apply(first.actions);
    const second = runPass(world, [app(deployment(2, 2))], hosts, first.memory);
    expect(creates(second.actions).map((a) => a.pod.gpuDevices)).toEqual([[2, 3]]);
  });

  it('a pod no host has GPUs for is Pending with the FitError', () => {
    const world = new FakeWorld();
    const r = runPass(
      world,
      [app(deployment(1, 1))],
      [host('h1'), host('h2'), host('h3')],
      emptyPassMemory(),
    );
    expect(creates(r.actions)).toEqual([]);
    const pending = r.views.pods.find((p) => p.phase === 'Pending');
    expect(pending?.pendingReason).toBe('0/3 hosts are available: 3 Insufficient nvidia.com/gpu.');
    expect(r.events.map((e) => `${e.reason} ${e.message}`)).toContain(
      'FailedScheduling 0/3 hosts are available: 3 Insufficient nvidia.com/gpu.',
    );
  });
});
