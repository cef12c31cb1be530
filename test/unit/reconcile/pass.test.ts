import { describe, expect, it } from 'vitest';
import {
  type AppDesired,
  emptyPassInputs,
  emptyPassMemory,
  reconcilePass,
} from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom, runPass as run } from './fake-world.js';

const APP = `
apiVersion: v1
kind: ConfigMap
metadata: { name: app-config }
data: { LOG_LEVEL: info }
---
apiVersion: v1
kind: Secret
metadata: { name: app-secrets }
data: { DATABASE_PASSWORD: cGFzc3dvcmQxMjM= }
---
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
        - name: web
          image: registry.local/web:1.0.0
          resources: { requests: { cpu: 250m, memory: 64Mi } }
          envFrom:
            - configMapRef: { name: app-config }
            - secretRef: { name: app-secrets }
`;

const app = (yaml: string, commit = 'c1', prune = true): AppDesired => ({
  name: 'demo',
  commit,
  objects: objectsFrom(yaml),
  prune,
});

describe('reconcilePass', () => {
  const hosts = [host('h1'), host('h2'), host('h3')];

  it('creates the replicas of a Deployment spread over the hosts, with resolved env', () => {
    const world = new FakeWorld();
    const r = run(world, [app(APP)], hosts, emptyPassMemory());
    const creates = r.actions.filter((a) => a.type === 'createPod');
    expect(creates).toHaveLength(3);
    expect(new Set(creates.map((a) => (a.type === 'createPod' ? a.host : '')))).toEqual(
      new Set(['h1', 'h2', 'h3']),
    );
    const pod = creates[0]!.type === 'createPod' ? creates[0]!.pod : undefined;
    expect(pod?.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const env = Object.fromEntries(pod!.containers[0]!.env.map((e) => [e.name, e]));
    expect(env.LOG_LEVEL).toMatchObject({ value: 'info', secret: false });
    expect(env.DATABASE_PASSWORD).toMatchObject({ value: 'password123', secret: true });
  });

  it('converges: a second pass over the created pods does nothing', () => {
    const world = new FakeWorld();
    let memory = emptyPassMemory();
    const first = run(world, [app(APP)], hosts, memory);
    world.apply(first.actions);
    memory = first.memory;
    world.now += 1000;
    const second = run(world, [app(APP)], hosts, memory);
    expect(second.actions).toEqual([]);
    expect(second.converged).toBe(true);
    expect(second.views.deployments[0]).toMatchObject({ name: 'web', replicas: 3, availableReplicas: 3 });
  });

  it('a ConfigMap change is a new revision: the template hash changes', () => {
    const world = new FakeWorld();
    const a = run(world, [app(APP)], hosts, emptyPassMemory());
    const b = run(world, [app(APP.replace('LOG_LEVEL: info', 'LOG_LEVEL: debug'))], hosts, emptyPassMemory());
    expect(a.views.deployments[0]!.templateHash).not.toBe(b.views.deployments[0]!.templateHash);
  });

  it('prunes pods of an object removed from Git, and only with prune on', () => {
    const world = new FakeWorld();
    world.apply(run(world, [app(APP)], hosts, emptyPassMemory()).actions);
    const withoutDeployment = APP.split('---').slice(0, 2).join('---');
    const pruned = run(world, [app(withoutDeployment, 'c2')], hosts, emptyPassMemory());
    expect(pruned.actions.filter((a) => a.type === 'deletePod')).toHaveLength(3);
    const kept = run(world, [app(withoutDeployment, 'c2', false)], hosts, emptyPassMemory());
    expect(kept.actions).toEqual([]);
    expect(kept.events.map((e) => e.reason)).toContain('Orphaned');
  });

  it('never touches pods of a frozen app (source error) nor of unknown apps', () => {
    const world = new FakeWorld();
    world.apply(run(world, [app(APP)], hosts, emptyPassMemory()).actions);
    expect(run(world, [], hosts, emptyPassMemory(), ['demo']).actions).toEqual([]);
    expect(run(world, [], hosts, emptyPassMemory(), []).actions).toEqual([]);
  });

  it('shows pods of apps it does not reconcile, unless told to leave their views out (a plan)', () => {
    const world = new FakeWorld();
    world.apply(run(world, [app(APP)], hosts, emptyPassMemory()).actions);
    expect(run(world, [], hosts, emptyPassMemory(), []).views.pods).toHaveLength(3);
    const plan = reconcilePass({
      apps: [],
      frozenApps: [],
      observed: { at: world.now, hosts, pods: world.pods },
      memory: emptyPassMemory(),
      now: world.now,
      random: () => 0.5,
      options: { hostGracePeriodMs: 40_000, foreignPodViews: false },
      inputs: emptyPassInputs(),
    });
    expect(plan.views.pods).toEqual([]);
    expect(plan.actions).toEqual([]);
  });

  it('restarts an exited container (restartPolicy Always), then backs off', () => {
    const world = new FakeWorld();
    let memory = emptyPassMemory();
    const r0 = run(world, [app(APP)], hosts, memory);
    world.apply(r0.actions);
    memory = r0.memory;
    const c = world.pods[0]!.containers[0]!;
    Object.assign(c, { state: 'exited', exitCode: 1, finishedAt: world.now });
    const r1 = run(world, [app(APP)], hosts, memory);
    expect(r1.actions).toEqual([expect.objectContaining({ type: 'restartContainer', container: 'web' })]);
    world.apply(r1.actions);
    const c2 = world.pods[0]!.containers[0]!;
    world.now += 1000;
    Object.assign(c2, { state: 'exited', exitCode: 1, finishedAt: world.now });
    const r2 = run(world, [app(APP)], hosts, r1.memory);
    expect(r2.actions).toEqual([]);
    expect(r2.views.pods.find((p) => p.name === world.pods[0]!.name)?.status).toBe('CrashLoopBackOff');
    expect(r2.requeueAfterMs).toBeGreaterThan(0);
  });

  it('starts a container left created and never started (its creator was killed mid-create), with backoff', () => {
    const world = new FakeWorld();
    const r0 = run(world, [app(APP)], hosts, emptyPassMemory());
    world.apply(r0.actions);
    const c = world.pods[0]!.containers[0]!;
    Object.assign(c, { state: 'created', startedAt: undefined });
    const r1 = run(world, [app(APP)], hosts, r0.memory);
    expect(r1.actions).toEqual([
      expect.objectContaining({
        type: 'restartContainer',
        container: 'web',
        reason: expect.stringContaining('never started'),
      }),
    ]);
    // Its start failed (the restart never happened): the next attempt waits for the backoff,
    // counted from the container's creation, then comes.
    const r2 = run(world, [app(APP)], hosts, r1.memory);
    expect(r2.actions).toEqual([]);
    expect(r2.requeueAfterMs).toBeGreaterThan(0);
    world.now += r2.requeueAfterMs!;
    const r3 = run(world, [app(APP)], hosts, r2.memory);
    expect(r3.actions).toEqual([expect.objectContaining({ type: 'restartContainer', container: 'web' })]);
  });

  it('keeps pods of a NotReady host until the grace period, then replaces them, then removes the stale copies', () => {
    const world = new FakeWorld();
    let memory = emptyPassMemory();
    const r0 = run(world, [app(APP)], hosts, memory);
    world.apply(r0.actions);
    memory = r0.memory;
    memory = run(world, [app(APP)], hosts, memory).memory; // remember the pods per host
    const onH2 = world.pods.filter((p) => p.host === 'h2');
    expect(onH2).toHaveLength(1);
    const down = [host('h1'), host('h2', { ready: false, notReadySince: world.now }), host('h3')];
    const visible = new FakeWorld(world.now);
    visible.pods = world.pods.filter((p) => p.host !== 'h2');
    const within = run(visible, [app(APP)], down, memory);
    expect(within.actions).toEqual([]);
    visible.now += 41_000;
    const past = run(visible, [app(APP)], down, within.memory);
    const creates = past.actions.filter((a) => a.type === 'createPod');
    expect(creates).toHaveLength(1);
    expect(creates[0]!.type === 'createPod' && creates[0]!.host).not.toBe('h2');
    visible.apply(past.actions);
    // h2 comes back with its old pod: the stale copy is deleted, nothing else.
    visible.pods.push(...onH2);
    const back = run(visible, [app(APP)], hosts, past.memory);
    expect(back.actions).toEqual([
      expect.objectContaining({
        type: 'deletePod',
        pod: expect.objectContaining({ host: 'h2', name: onH2[0]!.name }),
      }),
    ]);
  });

  it('a terminating pod holds its host resources: its replacement waits for room (as kube-scheduler)', () => {
    // Room for two pods of 250m on the one host; one of the two pods is terminating.
    const small = [host('h1', { capacity: { cpuMilli: 600, memoryBytes: 8 * 1024 ** 3 } })];
    const yaml = APP.replace('replicas: 3', 'replicas: 2');
    const world = new FakeWorld();
    const first = run(world, [app(yaml)], small, emptyPassMemory());
    world.apply(first.actions);
    expect(world.pods).toHaveLength(2);
    world.now += 1000;
    const dying = world.pods[0]!;
    world.pods[0] = { ...dying, terminating: true };
    // The Deployment replaces it at once (podReplacementPolicy's default), but the scheduler
    // still counts the dying pod's 250m: the replacement is Pending, not placed over capacity.
    const during = run(world, [app(yaml)], small, first.memory);
    expect(during.actions.filter((a) => a.type === 'createPod')).toEqual([]);
    const pending = during.views.pods.filter((p) => p.phase === 'Pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.pendingReason).toBe('0/1 hosts are available: 1 Insufficient cpu.');
    // Once it is gone, the replacement is placed.
    world.pods = world.pods.filter((p) => p.name !== dying.name);
    world.now += 1000;
    const after = run(world, [app(yaml)], small, during.memory);
    expect(after.actions.filter((a) => a.type === 'createPod')).toHaveLength(1);
  });

  it('reports unschedulable pods as Pending with the scheduler reason', () => {
    const world = new FakeWorld();
    const big = APP.replace('cpu: 250m', 'cpu: "64"');
    const r = run(world, [app(big)], hosts, emptyPassMemory());
    expect(r.actions).toEqual([]);
    const pending = r.views.pods.filter((p) => p.phase === 'Pending');
    expect(pending).toHaveLength(3);
    expect(pending[0]!.pendingReason).toBe('0/3 hosts are available: 3 Insufficient cpu.');
  });
});
