// Drains through the reconcile pass: the host is cordoned, its pods are evicted as their
// PodDisruptionBudget allows, replacements land elsewhere, and the next eviction waits for
// them to be Ready. The world here deletes gracefully (a deletion stays in flight for one
// pass) and makes pods Ready only when the test says so.
import { describe, expect, it } from 'vitest';
import { podReadiness } from '../../../src/controllers/pod-status.js';
import type { Action } from '../../../src/model/actions.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import {
  type AppDesired,
  type DrainRequest,
  emptyPassMemory,
  type PassMemory,
  type PassResult,
  reconcilePass,
} from '../../../src/reconcile/pass.js';
import { podKey } from '../../../src/reconcile/pass-context.js';
import { FakeWorld, host, objectsFrom, seeded } from './fake-world.js';

const deploymentYaml = (replicas: number, pdb: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: registry.local/web:1
          readinessProbe: { httpGet: { path: /, port: 80 } }
${pdb}`;

const PDB_MIN_2 = `---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec:
  minAvailable: 2
  selector: { matchLabels: { app: web } }
`;

const STANDALONE = `
apiVersion: v1
kind: Pod
metadata: { name: solo, labels: { app: solo } }
spec:
  containers: [{ name: solo, image: registry.local/solo:1 }]
`;

const app = (yaml: string, name = 'demo'): AppDesired => ({
  name,
  commit: 'c1',
  objects: objectsFrom(yaml),
  prune: true,
});

/** A world whose deletions take one pass, and whose pods turn Ready when asked. */
class GracefulWorld extends FakeWorld {
  inFlight: string[] = [];
  memory: PassMemory = emptyPassMemory();
  pass(
    apps: AppDesired[],
    hosts: ObservedHost[],
    drains: DrainRequest[] = [],
    frozen: string[] = [],
  ): PassResult {
    // Deletions asked last pass end now.
    this.pods = this.pods.filter((p) => !this.inFlight.includes(podKey(p)));
    this.inFlight = [];
    const r = reconcilePass({
      apps,
      frozenApps: frozen,
      observed: { at: this.now, hosts, pods: this.pods },
      memory: this.memory,
      now: this.now,
      random: seeded(7),
      options: { hostGracePeriodMs: 40_000 },
      inputs: { probes: {}, hpaReplicas: {}, deletionsInFlight: [...this.inFlight], drains },
    });
    this.memory = r.memory;
    this.apply(r.actions.filter((a) => a.type === 'createPod'));
    for (const a of r.actions) if (a.type === 'deletePod') this.inFlight.push(podKey(a.pod));
    this.now += 1000;
    return r;
  }
  readyAll(): void {
    for (const p of this.pods)
      p.probes = Object.fromEntries(
        p.containers.map((c) => [
          c.name,
          { startupPassed: true, ready: true, readySince: this.now, live: true },
        ]),
      );
  }
  /** Ready pods not being deleted, as a client of the Service would count them. */
  readyCount(): number {
    return this.pods.filter((p) => !this.inFlight.includes(podKey(p)) && podReadiness(p).ready).length;
  }
  on(h: string) {
    return this.pods.filter((p) => p.host === h);
  }
}

const evictions = (r: PassResult) =>
  r.actions.filter((a): a is Extract<Action, { type: 'deletePod' }> => a.type === 'deletePod');

describe('drain (reconcile pass)', () => {
  const h1Only = [host('h1')];
  const all = [host('h1'), host('h2'), host('h3')];
  const drainH1: DrainRequest[] = [{ host: 'h1', force: false, since: 1 }];

  it('evicts one pod at a time under minAvailable 2, replacements elsewhere, never below 2 Ready', () => {
    const world = new GracefulWorld();
    const apps = [app(deploymentYaml(3, PDB_MIN_2))];
    world.pass(apps, h1Only);
    world.readyAll();
    expect(world.on('h1')).toHaveLength(3);

    let minReady = world.readyCount();
    let passes = 0;
    const blockedMessages: string[] = [];
    while (world.on('h1').length > 0 && passes++ < 30) {
      const r = world.pass(apps, all, drainH1);
      minReady = Math.min(minReady, world.readyCount());
      expect(evictions(r).length).toBeLessThanOrEqual(1);
      // Nothing new lands on the cordoned host.
      for (const a of r.actions) if (a.type === 'createPod') expect(a.host).not.toBe('h1');
      blockedMessages.push(...r.views.drains.flatMap((d) => d.pods.flatMap((p) => p.message ?? [])));
      // Replacements become Ready a pass after they are created.
      if (evictions(r).length === 0) world.readyAll();
    }
    expect(world.on('h1')).toHaveLength(0);
    expect(minReady).toBeGreaterThanOrEqual(2);
    expect(world.pods).toHaveLength(3);
    expect(
      blockedMessages.some((m) =>
        m.startsWith("Cannot evict pod as it would violate the pod's disruption budget."),
      ),
    ).toBe(true);
    expect(blockedMessages.some((m) => m.includes('disruption budget web needs 2 healthy pods'))).toBe(true);
    const last = world.pass(apps, all, drainH1);
    expect(last.views.drains).toEqual([{ host: 'h1', force: false, since: 1, pods: [] }]);
    expect(last.views.hosts.find((h) => h.name === 'h1')?.unschedulable).toBe(true);
    // The first validation compiles the schemas: slow on a loaded machine.
  }, 30_000);

  it('says why an eviction waits once as an event, and in the view every pass', () => {
    const world = new GracefulWorld();
    const apps = [app(deploymentYaml(2, PDB_MIN_2))];
    world.pass(apps, h1Only);
    world.readyAll();
    const first = world.pass(apps, all, drainH1);
    expect(evictions(first)).toHaveLength(0);
    const warn = first.events.filter((e) => e.reason === 'EvictionBlocked');
    expect(warn).toHaveLength(2);
    expect(warn[0]!.message).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    const second = world.pass(apps, all, drainH1);
    expect(second.events.filter((e) => e.reason === 'EvictionBlocked')).toHaveLength(0);
    expect(second.views.drains[0]!.pods.every((p) => p.status === 'Blocked')).toBe(true);
  });

  it('evicts pods without a budget at once; a standalone Pod only with force (as kubectl)', () => {
    const world = new GracefulWorld();
    const apps = [app(`${deploymentYaml(2, '')}---${STANDALONE}`)];
    world.pass(apps, h1Only);
    world.readyAll();
    const r = world.pass(apps, all, drainH1);
    expect(
      evictions(r)
        .map((a) => a.pod.name)
        .every((n) => n.startsWith('web-')),
    ).toBe(true);
    expect(evictions(r)).toHaveLength(2);
    const solo = r.views.drains[0]!.pods.find((p) => p.name === 'solo');
    expect(solo).toMatchObject({
      status: 'Blocked',
      message: 'cannot delete Pods that declare no controller (use --force to override): default/solo',
    });
    const forced = world.pass(apps, all, [{ host: 'h1', force: true, since: 1 }]);
    expect(evictions(forced).map((a) => a.pod.name)).toEqual(['solo']);
    // Its replacement is scheduled on another host.
    const creates = forced.actions.filter((a) => a.type === 'createPod');
    for (const a of creates) if (a.type === 'createPod') expect(a.host).not.toBe('h1');
  });

  it("leaves a frozen app's pods alone and says so", () => {
    const world = new GracefulWorld();
    world.pass([app(deploymentYaml(1, ''))], h1Only);
    const r = world.pass([], all, drainH1, ['demo']);
    expect(evictions(r)).toHaveLength(0);
    expect(r.views.drains[0]!.pods[0]).toMatchObject({ status: 'Blocked' });
    expect(r.views.drains[0]!.pods[0]!.message).toContain('app demo has no admitted commit');
  });

  it('ignores a drain of a host not in the inventory', () => {
    const world = new GracefulWorld();
    const r = world.pass([app(deploymentYaml(1, ''))], all, [{ host: 'h9', force: false, since: 1 }]);
    expect(r.views.drains).toEqual([]);
  });
});
