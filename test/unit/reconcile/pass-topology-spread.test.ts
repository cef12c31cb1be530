// Topology spread through the reconcile pass (the wiring the scheduler's own tests do not see:
// the pods' labels and revisions reach it, and pods the pass deletes no longer count): the
// e2e case of scheduling-spread.test.ts on a fake world, every pass checked.
import { describe, expect, it } from 'vitest';
import type { ObservedPod } from '../../../src/model/observed.js';
import { emptyPassMemory, type PassMemory } from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom, runPass } from './fake-world.js';

const ZONE = 'topology.kubernetes.io/zone';
const deployment = (image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 4
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      topologySpreadConstraints:
        - { maxSkew: 1, topologyKey: ${ZONE}, whenUnsatisfiable: DoNotSchedule, labelSelector: { matchLabels: { app: web } } }
      containers:
        - { name: web, image: registry.local/web:${image} }
`;

const hosts = [
  host('h1', { labels: { [ZONE]: 'zone-a' } }),
  host('h2', { labels: { [ZONE]: 'zone-a' } }),
  host('h3', { labels: { [ZONE]: 'zone-b' } }),
];
const zoneOf: Record<string, string> = { h1: 'zone-a', h2: 'zone-a', h3: 'zone-b' };
const apps = (image: string) => [
  { name: 'demo', commit: image, objects: objectsFrom(deployment(image)), prune: true },
];

function perZone(pods: readonly ObservedPod[]): Record<string, number> {
  const counts: Record<string, number> = { 'zone-a': 0, 'zone-b': 0 };
  for (const p of pods) counts[zoneOf[p.host]!]! += 1;
  return counts;
}

/** Runs passes until nothing changes; returns the zone counts after each pass. */
function converge(world: FakeWorld, image: string, memory: PassMemory) {
  const seen: Record<string, number>[] = [];
  for (let i = 0; i < 30; i++) {
    const r = runPass(world, apps(image), hosts, memory);
    memory = r.memory;
    if (r.actions.every((a) => a.type !== 'createPod' && a.type !== 'deletePod')) return { seen, memory };
    world.apply(r.actions);
    seen.push(perZone(world.pods));
    world.now += 1000;
  }
  throw new Error('did not converge in 30 passes');
}

describe('topology spread in the reconcile pass', () => {
  it('places 2/2 across zones and keeps the skew within one removal during a rollout', {
    timeout: 60_000,
  }, () => {
    const world = new FakeWorld();
    const first = converge(world, '1', emptyPassMemory());
    expect(perZone(world.pods)).toEqual({ 'zone-a': 2, 'zone-b': 2 });
    const roll = converge(world, '2', first.memory);
    expect(roll.seen.length).toBeGreaterThan(1);
    for (const z of roll.seen)
      expect(Math.abs(z['zone-a']! - z['zone-b']!), JSON.stringify(z)).toBeLessThanOrEqual(2);
    expect(perZone(world.pods)).toEqual({ 'zone-a': 2, 'zone-b': 2 });
    expect(world.pods.every((p) => p.containers[0]!.image === 'registry.local/web:2')).toBe(true);
  });
});
