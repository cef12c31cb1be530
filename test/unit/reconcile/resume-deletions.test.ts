// A deletion outlives the daemon that began it: a pod whose host carries the deletion mark is
// terminating, and when no deletion of it is in flight here the pass starts one again with the
// grace period left (a daemon killed mid-deletion is repaired by the next pass).
import { describe, expect, it } from 'vitest';
import { emptyPassInputs, emptyPassMemory, reconcilePass } from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom, runPass, seeded } from './fake-world.js';

const YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - { name: web, image: registry.local/web:1.0.0 }
`;
const hosts = [host('h1'), host('h2'), host('h3')];
const apps = [{ name: 'demo', commit: 'c1', objects: objectsFrom(YAML), prune: true }];

function converged() {
  const world = new FakeWorld();
  const r = runPass(world, apps, hosts, emptyPassMemory());
  world.apply(r.actions);
  world.now += 1000;
  return world;
}

/** A fresh daemon's pass (no memory) with `inFlight` deletions of its own. */
function freshPass(world: FakeWorld, inFlight: string[] = []) {
  return reconcilePass({
    apps,
    frozenApps: [],
    observed: { at: world.now, hosts, pods: world.pods },
    memory: emptyPassMemory(),
    now: world.now,
    random: seeded(),
    options: { hostGracePeriodMs: 40_000 },
    inputs: { ...emptyPassInputs(), deletionsInFlight: inFlight },
  });
}

describe('deletions begun by an earlier daemon', () => {
  it('are finished with the grace period left, and their pod is replaced, not counted live', () => {
    const world = converged();
    const marked = world.pods[0]!;
    marked.terminating = true;
    marked.deletionDeadline = world.now + 12_400;
    const r = freshPass(world);
    const deletes = r.actions.filter((a) => a.type === 'deletePod');
    expect(deletes).toEqual([
      expect.objectContaining({
        pod: { host: marked.host, namespace: marked.namespace, name: marked.name },
        gracePeriodSeconds: 13,
      }),
    ]);
    expect(deletes[0]?.reason).toContain('finishing a deletion begun earlier');
    // Terminating pods do not count against replicas: one replacement.
    expect(r.actions.filter((a) => a.type === 'createPod')).toHaveLength(1);
  });

  it('are not started twice while this daemon has one in flight; a past deadline means no grace', () => {
    const world = converged();
    const marked = world.pods[1]!;
    marked.terminating = true;
    marked.deletionDeadline = world.now - 5000;
    const key = `${marked.host}/${marked.namespace}/${marked.name}`;
    expect(freshPass(world, [key]).actions.filter((a) => a.type === 'deletePod')).toEqual([]);
    const r = freshPass(world);
    expect(r.actions.find((a) => a.type === 'deletePod')).toMatchObject({ gracePeriodSeconds: 0 });
  });
});
