// A rolling update sends each wave's pods in one pass: the pass steps the Deployment controller
// again after a scale-down (as upstream's controller syncs again at once after its own writes),
// so the surge the deletions free is used in the same pass, not one pod start later.
import { describe, expect, it } from 'vitest';
import { emptyPassMemory, type PassMemory } from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom, runPass } from './fake-world.js';

const deployment = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 10
  strategy: { rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: web, image: registry.local/web:${image} }
`;

const hosts = [host('h1'), host('h2'), host('h3')];
const apps = (image: string) => [
  { name: 'demo', commit: image, objects: objectsFrom(deployment(image)), prune: true },
];

function converge(world: FakeWorld, image: string, memory: PassMemory) {
  const waves: { created: number; deleted: number; live: number }[] = [];
  for (let i = 0; i < 20; i++) {
    const r = runPass(world, apps(image), hosts, memory);
    memory = r.memory;
    const created = r.actions.filter((a) => a.type === 'createPod').length;
    const deleted = r.actions.filter((a) => a.type === 'deletePod').length;
    if (created + deleted === 0) return { waves, memory };
    waves.push({ created, deleted, live: world.pods.length - deleted + created });
    world.apply(r.actions);
    world.now += 1000;
  }
  throw new Error('did not converge in 20 passes');
}

describe('rolling update waves', () => {
  it('creates the surge and the replacements of the pods it deletes in the same pass', () => {
    const world = new FakeWorld();
    const first = converge(world, '1.0.0', emptyPassMemory());
    expect(world.pods).toHaveLength(10);

    const { waves } = converge(world, '2.0.0', first.memory);
    // Wave 1: 3 surge + 2 replacing the 2 old pods maxUnavailable lets go, in one pass.
    expect(waves[0]).toEqual({ created: 5, deleted: 2, live: 13 });
    // Never more than replicas + maxSurge pods not terminating (deletions here are instant).
    for (const w of waves) expect(w.live).toBeLessThanOrEqual(13);
    expect(waves.reduce((n, w) => n + w.created, 0)).toBe(10);
    expect(world.pods.every((p) => p.containers[0]?.image === 'registry.local/web:2.0.0')).toBe(true);
    expect(world.pods).toHaveLength(10);
  });
});
