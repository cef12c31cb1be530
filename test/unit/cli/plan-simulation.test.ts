// `skiff plan`'s pure core: the diff plus a scheduler dry run of the whole rollout over a fake
// observed world (the real reconcile pass, actions applied in memory).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { renderPlanJson, renderPlanText } from '../../../src/cli/views/plan.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import { emptyPassInputs, emptyPassMemory, reconcilePass } from '../../../src/reconcile/pass.js';
import { simulatePlan } from '../../../src/reconcile/simulate-plan.js';
import { FakeWorld, host, objectsFrom } from '../reconcile/fake-world.js';

const web = (image: string, replicas = 3, cpu = '250m') => `
apiVersion: v1
kind: Secret
metadata: { name: app-secrets }
data: { DATABASE_PASSWORD: ${image.endsWith('2.0.0') ? 'bmV3LXBhc3N3b3Jk' : 'cGFzc3dvcmQxMjM='} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ${image}
          resources: { requests: { cpu: ${cpu}, memory: 64Mi } }
`;

const worker = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: worker }
spec:
  replicas: 2
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker } }
    spec:
      containers: [{ name: worker, image: registry.local/worker:1 }]
`;

function seeded(seed = 7) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** A world where `objects` of commit c1 already run (passes executed in the fake world). */
function liveWorld(objects: KubeObject[], hosts: ObservedHost[]): FakeWorld {
  const world = new FakeWorld();
  let memory = emptyPassMemory();
  for (let i = 0; i < 20; i++) {
    const r = reconcilePass({
      apps: [{ name: 'demo', commit: 'c1', objects, prune: true }],
      frozenApps: [],
      observed: { at: world.now, hosts, pods: world.pods },
      memory,
      now: world.now,
      random: seeded(i + 1),
      options: { hostGracePeriodMs: 40_000 },
      inputs: emptyPassInputs(),
    });
    memory = r.memory;
    world.apply(r.actions);
    world.now += 1000;
    if (r.converged) break;
  }
  return world;
}

function plan(live: KubeObject[], next: KubeObject[], world: FakeWorld, hosts: ObservedHost[], prune = true) {
  return simulatePlan({
    app: 'demo',
    prune,
    fromCommit: live.length > 0 ? 'c1' : undefined,
    toCommit: 'c2',
    liveObjects: live,
    nextObjects: next,
    observed: { at: world.now, hosts, pods: world.pods },
    now: world.now,
    random: seeded(),
    hostGracePeriodMs: 40_000,
  });
}

const total = (m: { before: number; after: number }[], k: 'before' | 'after') =>
  m.reduce((s, p) => s + p[k], 0);

describe('simulatePlan', () => {
  const hosts = [host('h1'), host('h2'), host('h3')];

  it('plans a first deployment: every object created, replicas spread over the hosts', () => {
    const next = objectsFrom(web('registry.local/web:1.0.0'));
    const { plan: p, settled } = plan([], next, new FakeWorld(), hosts);
    expect(settled).toBe(true);
    expect(p.fromCommit).toBeUndefined();
    expect(p.changes.map((c) => [c.kind, c.change])).toEqual([
      ['Secret', 'create'],
      ['Deployment', 'create'],
    ]);
    expect(p.placement).toEqual([
      { host: 'h1', before: 0, after: 1 },
      { host: 'h2', before: 0, after: 1 },
      { host: 'h3', before: 0, after: 1 },
    ]);
    expect(p.unschedulable).toEqual([]);
  });

  it('plans an image change as replace-pods of every live pod, ending with the same count', () => {
    const live = objectsFrom(web('registry.local/web:1.0.0'));
    const hostsWorld = liveWorld(live, hosts);
    expect(hostsWorld.pods).toHaveLength(3);
    const {
      plan: p,
      settled,
      passes,
    } = plan(live, objectsFrom(web('registry.local/web:2.0.0')), hostsWorld, hosts);
    expect(settled).toBe(true);
    expect(passes).toBeGreaterThan(3); // the whole rolling update, not its first surge step
    const dep = p.changes.find((c) => c.kind === 'Deployment')!;
    expect(dep.change).toBe('replace-pods');
    expect(dep.replacePods).toBe(3);
    expect(dep.forcedBy).toEqual(['spec.template.spec.containers[web].image']);
    expect(total(p.placement, 'before')).toBe(3);
    expect(total(p.placement, 'after')).toBe(3);
  });

  it('masks secret values (never the value, never a hash)', () => {
    const live = objectsFrom(web('registry.local/web:1.0.0'));
    const { plan: p } = plan(
      live,
      objectsFrom(web('registry.local/web:2.0.0')),
      liveWorld(live, hosts),
      hosts,
    );
    const secret = p.changes.find((c) => c.kind === 'Secret')!;
    expect(secret.fields).toEqual([
      { path: 'data.DATABASE_PASSWORD', before: '***', after: '***', redacted: true },
    ]);
    const text = renderPlanText(p);
    expect(text).not.toContain('cGFzc3dvcmQxMjM=');
    expect(text).not.toContain('bmV3LXBhc3N3b3Jk');
    expect(text).not.toContain('hash:');
  });

  it('reports pods no host can take, with the scheduler reason', () => {
    const small = [host('h1', { capacity: { cpuMilli: 1000, memoryBytes: 8 * 1024 ** 3 } })];
    const next = objectsFrom(web('registry.local/web:1.0.0', 2, '800m'));
    const { plan: p } = plan([], next, new FakeWorld(), small);
    expect(p.placement).toEqual([{ host: 'h1', before: 0, after: 1 }]);
    expect(p.unschedulable).toHaveLength(1);
    expect(p.unschedulable[0]).toMatchObject({ owner: 'deployment/web' });
    expect(p.unschedulable[0]!.reason).toContain('Insufficient cpu');
  });

  it('shows the FitError for GPU pods no host can take, and keeps cordoned hosts empty', () => {
    const hosts = [
      host('h1', { extendedResources: { 'nvidia.com/gpu': 1 } }),
      host('h2', { unschedulable: true, extendedResources: { 'nvidia.com/gpu': 4 } }),
      host('h3'),
    ];
    const next = objectsFrom(
      web('registry.local/web:1.0.0', 2).replace(
        'resources: { requests: { cpu: 250m, memory: 64Mi } }',
        'resources: { requests: { cpu: 250m, memory: 64Mi }, limits: { nvidia.com/gpu: 1 } }',
      ),
    );
    const { plan: p } = plan([], next, new FakeWorld(), hosts);
    expect(p.placement).toEqual([
      { host: 'h1', before: 0, after: 1 },
      { host: 'h2', before: 0, after: 0 },
      { host: 'h3', before: 0, after: 0 },
    ]);
    expect(p.unschedulable.map((u) => u.reason)).toEqual([
      '0/3 hosts are available: 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu.',
    ]);
    expect(renderPlanText(p)).toContain(
      ': 0/3 hosts are available: 1 node(s) were unschedulable, 2 Insufficient nvidia.com/gpu.',
    );
  });

  it.each([
    [true, [{ kind: 'Deployment', namespace: 'default', name: 'worker', pods: 2 }], []],
    [false, [], ['deployment/worker: prune is off, its 2 pod(s) would be left running']],
  ])(
    'with prune %s, a Deployment removed from Git is listed as a prune or left running',
    (prune, prunes, notes) => {
      const live = [...objectsFrom(web('registry.local/web:1.0.0')), ...objectsFrom(worker)];
      const world = liveWorld(live, hosts);
      const { plan: p } = plan(live, objectsFrom(web('registry.local/web:1.0.0')), world, hosts, prune);
      expect(p.prunes).toEqual(prunes);
      for (const n of notes) expect(p.warnings).toContain(n);
      expect(total(p.placement, 'before')).toBe(5);
      expect(total(p.placement, 'after')).toBe(prune ? 3 : 5);
    },
  );

  it('leaves other apps alone: their pods only take room', () => {
    const live = objectsFrom(web('registry.local/web:1.0.0'));
    const world = liveWorld(live, hosts);
    for (const p of world.pods) p.app = 'other';
    const { plan: p } = plan([], live, world, hosts);
    expect(p.prunes).toEqual([]);
    expect(total(p.placement, 'before')).toBe(0);
    expect(total(p.placement, 'after')).toBe(3);
  });
});

describe('simulatePlan with init containers', () => {
  it('settles a Deployment whose pods have an init container and a probed sidecar', () => {
    const yaml = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      initContainers:
        - { name: migrate, image: registry.local/api:1, resources: { requests: { cpu: '2' } } }
        - name: proxy
          image: registry.local/proxy:1
          restartPolicy: Always
          readinessProbe: { tcpSocket: { port: 9901 } }
      containers: [{ name: api, image: registry.local/api:1 }]
`;
    const hosts = [host('h1'), host('h2'), host('h3')];
    const { plan: p, settled } = plan([], objectsFrom(yaml), new FakeWorld(), hosts);
    expect(settled).toBe(true);
    expect(total(p.placement, 'after')).toBe(2);
    expect(p.unschedulable).toEqual([]);
  });
});

describe('plan -o json follows its documented schema (docs/plan.schema.json)', () => {
  const schema = JSON.parse(
    readFileSync(path.join(import.meta.dirname, '../../../docs/plan.schema.json'), 'utf8'),
  ) as object;
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  const hosts = [host('h1'), host('h2'), host('h3')];
  const live = [...objectsFrom(web('registry.local/web:1.0.0')), ...objectsFrom(worker)];
  const small = [host('h1', { capacity: { cpuMilli: 1000, memoryBytes: 8 * 1024 ** 3 } })];

  it.each([
    ['a first deployment', () => plan([], live, new FakeWorld(), hosts).plan],
    [
      'an image bump, a Secret change and a prune',
      () => plan(live, objectsFrom(web('registry.local/web:2.0.0')), liveWorld(live, hosts), hosts).plan,
    ],
    [
      'unschedulable pods, alerts',
      () => ({
        ...plan([], objectsFrom(web('registry.local/web:1.0.0', 2, '800m')), new FakeWorld(), small).plan,
        alerts: ['1 pod of deployment/web would not be scheduled'],
      }),
    ],
  ])('%s', (_what, make) => {
    const json = JSON.parse(renderPlanJson(make())) as Record<string, unknown>;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.schemaVersion).toBe(1);
  });
});
