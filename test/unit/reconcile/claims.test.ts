// PersistentVolumeClaims end to end through the pure pass and the in-memory runtime: the claim
// is Pending until its first pod is placed, its volume is made on that pod's host, and from then
// on every pod of the claim lands there, across rollouts and daemon restarts (the binding is
// read back from the volume's labels); a claim that leaves Git keeps its volume (Released).
import { describe, expect, it } from 'vitest';
import {
  REASON_READ_WRITE_ONCE_POD,
  REASON_VOLUME_NODE_CONFLICT,
} from '../../../src/controllers/scheduler.js';
import { unknownHostsReason } from '../../../src/controllers/scheduler-volumes.js';
import type { Action } from '../../../src/model/actions.js';
import { LABELS } from '../../../src/model/labels.js';
import { claimEvents, claimState, claimViews } from '../../../src/reconcile/claims.js';
import {
  type AppDesired,
  emptyPassInputs,
  emptyPassMemory,
  type PassMemory,
  type PassResult,
  reconcilePass,
} from '../../../src/reconcile/pass.js';
import { simulatePlan } from '../../../src/reconcile/simulate-plan.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { planPod } from '../../../src/runtime/pod-spec.js';
import { objectsFrom } from './fake-world.js';

const claim = (modes = 'ReadWriteOnce') => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  accessModes: [${modes}]
  resources: { requests: { storage: 2Gi } }
`;
const deployment = (replicas: number, image = 'busybox:1.36', cpu = '100m') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: db }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: db } }
  strategy: { type: Recreate }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers:
        - name: app
          image: ${image}
          resources: { requests: { cpu: ${cpu} } }
          volumeMounts: [{ name: d, mountPath: /data }]
      volumes:
        - name: d
          persistentVolumeClaim: { claimName: data }
`;

const fakeHost = (name: string, cpuMilli = 4000) => ({
  name,
  kind: 'local' as const,
  address: `10.0.0.${name.slice(1)}`,
  labels: {},
  taints: [],
  capacity: { cpuMilli, memoryBytes: 8 * 1024 ** 3 },
});

/** A deterministic varying source (pod names must differ; tie-breaks vary with the seed). */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

class Harness {
  now = 1_000_000;
  memory: PassMemory = emptyPassMemory();
  random = seeded(7);
  readonly runtime: FakeRuntime;
  constructor(
    public yaml: string,
    hosts = [fakeHost('h1'), fakeHost('h2'), fakeHost('h3')],
  ) {
    this.runtime = new FakeRuntime(hosts, { now: () => this.now });
  }

  /** One pass; `unread` names hosts this daemon has not read since it started. */
  async pass(unread: string[] = []): Promise<PassResult> {
    const app: AppDesired = { name: 'demo', commit: 'c1', objects: objectsFrom(this.yaml), prune: true };
    const seen = await this.runtime.observe();
    const r = reconcilePass({
      apps: [app],
      frozenApps: [],
      observed: {
        ...seen,
        hosts: seen.hosts.map((x) => (unread.includes(x.name) ? { ...x, claimVolumesUnknown: true } : x)),
      },
      memory: this.memory,
      now: this.now,
      random: this.random,
      options: { hostGracePeriodMs: 40_000 },
      inputs: emptyPassInputs(),
    });
    this.memory = r.memory;
    for (const a of r.actions) await this.execute(a);
    this.now += 1000;
    return r;
  }

  private async execute(a: Action): Promise<void> {
    if (a.type === 'createPod') await this.runtime.createPod(a.host, a.pod);
    else if (a.type === 'startContainer') await this.runtime.startContainer(a.pod, a.container);
    else if (a.type === 'restartContainer') await this.runtime.restartContainer(a.pod, a.container);
    else if (a.type === 'deletePod') await this.runtime.deletePod(a.pod, 0);
  }

  async podHosts(): Promise<string[]> {
    return (await this.runtime.observe()).pods.map((p) => p.host);
  }
}

const creates = (r: PassResult) => r.actions.filter((a) => a.type === 'createPod');

describe('PersistentVolumeClaim provisioning and pinning', () => {
  it('is Pending with no pod, then Bound to the host its first pod lands on; the pair of one pass shares it', async () => {
    const h = new Harness(claim() + '---' + deployment(0));
    const idle = await h.pass();
    expect(idle.views.claims).toEqual([
      expect.objectContaining({
        name: 'data',
        status: 'Pending',
        capacity: '2Gi',
        accessModes: ['ReadWriteOnce'],
      }),
    ]);
    h.yaml = claim() + '---' + deployment(2);
    const r = await h.pass();
    const hosts = creates(r).map((a) => (a.type === 'createPod' ? a.host : ''));
    expect(hosts).toHaveLength(2);
    expect(new Set(hosts).size).toBe(1); // spreading alone would split them
    expect(r.views.claims[0]).toMatchObject({
      status: 'Bound',
      host: hosts[0],
      volume: 'skiff-pvc_default_data',
    });
    const volumes = (await h.runtime.observe()).claimVolumes;
    expect(volumes).toEqual([
      expect.objectContaining({
        host: hosts[0],
        volume: 'skiff-pvc_default_data',
        app: 'demo',
        namespace: 'default',
        claim: 'data',
        storage: '2Gi',
        accessModes: ['ReadWriteOnce'],
      }),
    ]);
  });

  it('keeps every later pod on the claim host: rollouts, a daemon restart, no pod left at all', async () => {
    const h = new Harness(claim() + '---' + deployment(1));
    await h.pass();
    const [bound] = await h.podHosts();
    for (const [i, image] of ['busybox:1.37', 'busybox:1.38', 'busybox:1.39'].entries()) {
      h.memory = i === 1 ? emptyPassMemory() : h.memory; // a daemon restart forgets everything
      h.random = seeded(i * 31 + 1);
      h.yaml = claim() + '---' + deployment(1, image);
      for (let k = 0; k < 4; k++) await h.pass();
      expect(await h.podHosts()).toEqual([bound]);
    }
    h.yaml = claim() + '---' + deployment(0);
    await h.pass();
    await h.pass();
    expect(await h.podHosts()).toEqual([]);
    h.memory = emptyPassMemory();
    h.yaml = claim() + '---' + deployment(3);
    await h.pass();
    expect(await h.podHosts()).toEqual([bound, bound, bound]);
  });

  it('binds no claim while a host was never read since the daemon started (its volume may be there)', async () => {
    const h = new Harness(claim() + '---' + deployment(1));
    const waiting = await h.pass(['h2']);
    expect(creates(waiting)).toEqual([]);
    expect(waiting.views.pods.find((p) => p.phase === 'Pending')?.pendingReason).toBe(
      `0/3 hosts are available: 3 ${unknownHostsReason(['h2'])}.`,
    );
    expect(waiting.views.claims[0]?.status).toBe('Pending');
    const bound = await h.pass();
    expect(creates(bound)).toHaveLength(1);
    expect(bound.views.claims[0]?.status).toBe('Bound');
  });

  it('a pod that does not fit on the claim host stays Pending with the scheduler reason', async () => {
    const h = new Harness(claim() + '---' + deployment(1, 'busybox:1.36', '3'));
    await h.pass();
    const [bound] = await h.podHosts();
    h.yaml = claim() + '---' + deployment(2, 'busybox:1.36', '3');
    const r = await h.pass();
    const pending = r.views.pods.find((p) => p.phase === 'Pending');
    expect(pending?.pendingReason).toBe(
      `0/3 hosts are available: 1 Insufficient cpu, 2 ${REASON_VOLUME_NODE_CONFLICT}.`,
    );
    expect(await h.podHosts()).toEqual([bound]);
  });

  it('ReadWriteOncePod: one pod uses the claim, a second is Pending with upstream reason', async () => {
    const h = new Harness(claim('ReadWriteOncePod') + '---' + deployment(2));
    const r = await h.pass();
    expect(creates(r)).toHaveLength(1);
    const pending = r.views.pods.find((p) => p.phase === 'Pending');
    expect(pending?.pendingReason).toBe(`0/3 hosts are available: 3 ${REASON_READ_WRITE_ONCE_POD}.`);
  });

  it('a claim that leaves Git keeps its volume (Released): no pass ever removes it', async () => {
    const h = new Harness(claim() + '---' + deployment(1));
    await h.pass();
    h.yaml = deployment(0).replace('persistentVolumeClaim: { claimName: data }', 'emptyDir: {}');
    for (let k = 0; k < 3; k++) await h.pass();
    const r = await h.pass();
    expect(r.views.claims).toEqual([
      expect.objectContaining({
        name: 'data',
        status: 'Released',
        inGit: false,
        capacity: '2Gi',
        usedBy: [],
      }),
    ]);
    expect((await h.runtime.observe()).claimVolumes).toHaveLength(1);
  });

  it('mounts the claim by its volume, labelled with the binding and never with the pod label', async () => {
    const h = new Harness(claim() + '---' + deployment(1));
    const r = await h.pass();
    const create = creates(r)[0];
    if (create?.type !== 'createPod') throw new Error('no create');
    expect(create.pod.containers[0]?.claims).toEqual([
      { claim: 'data', volume: 'skiff-pvc_default_data', path: '/data' },
    ]);
    const plan = planPod(create.pod, { dataDir: '/d', pauseImage: 'pause', createdAt: 0 });
    const mount = plan.containers.at(-1)?.HostConfig.Mounts?.[0];
    expect(mount).toMatchObject({ Type: 'volume', Source: 'skiff-pvc_default_data', Target: '/data' });
    expect(mount?.VolumeOptions?.Labels).toEqual({
      [LABELS.managed]: 'true',
      [LABELS.app]: 'demo',
      [LABELS.namespace]: 'default',
      [LABELS.claim]: 'data',
      [LABELS.claimStorage]: '2Gi',
      [LABELS.claimAccessModes]: 'ReadWriteOnce',
    });
    expect(mount?.VolumeOptions?.Labels).not.toHaveProperty(LABELS.pod);
  });
});

describe('plan of a claim leaving Git', () => {
  it('says the volume is kept and how to delete it', () => {
    const live = objectsFrom(claim() + '---' + deployment(0));
    const next = objectsFrom(
      deployment(0).replace('persistentVolumeClaim: { claimName: data }', 'emptyDir: {}'),
    );
    const { plan } = simulatePlan({
      app: 'demo',
      prune: true,
      fromCommit: 'c1',
      toCommit: 'c2',
      liveObjects: live,
      nextObjects: next,
      observed: { at: 0, hosts: [], pods: [] },
      now: 0,
      random: seeded(3),
      hostGracePeriodMs: 40_000,
    });
    expect(plan.changes.find((c) => c.kind === 'PersistentVolumeClaim')?.change).toBe('delete');
    expect(plan.warnings).toContain(
      'persistentvolumeclaim/data: its volume and data are kept (Released); delete them with: skiff delete pvc data -n default',
    );
  });
});

describe('claim events', () => {
  it('reports the provisioning once, when the first pod binds the claim', async () => {
    const h = new Harness(`${claim()}---${deployment(1)}`);
    const first = await h.pass();
    const [bound] = await h.podHosts();
    expect(first.events.filter((e) => e.object === 'persistentvolumeclaim/data')).toEqual([
      expect.objectContaining({
        type: 'Normal',
        reason: 'ProvisioningSucceeded',
        message: expect.stringContaining(
          `Successfully provisioned volume skiff-pvc_default_data on host ${bound}`,
        ),
      }),
    ]);
    const next = await h.pass();
    expect(next.events.filter((e) => e.object === 'persistentvolumeclaim/data')).toEqual([]);
  });

  it('warns of a claim with volumes on two hosts; the oldest is the bound one', () => {
    const vol = (host: string, createdAt: number) => ({
      host,
      volume: 'skiff-pvc_default_data',
      app: 'demo',
      namespace: 'default',
      claim: 'data',
      storage: '1Gi',
      accessModes: ['ReadWriteOnce'],
      createdAt,
    });
    const volumes = [vol('h2', 20), vol('h1', 10)];
    const state = claimState(volumes, []);
    expect(state.bindings.hosts).toEqual({ 'default/data': 'h1' });
    expect(claimEvents(state, state, volumes)).toEqual([
      expect.objectContaining({
        type: 'Warning',
        reason: 'VolumeConflict',
        message: expect.stringMatching(/on h2 besides the bound one on h1/),
      }),
    ]);
  });
});

describe('claims of an app whose source failed', () => {
  it('are never shown Released (so never offered for deletion)', () => {
    const vol = {
      host: 'h1',
      volume: 'skiff-pvc_default_data',
      app: 'frozen',
      namespace: 'default',
      claim: 'data',
      storage: '1Gi',
      accessModes: ['ReadWriteOnce'],
      createdAt: 5,
    };
    const state = claimState([vol], []);
    expect(claimViews([], state, ['frozen'])).toEqual([
      expect.objectContaining({ name: 'data', status: 'Bound', inGit: true, host: 'h1' }),
    ]);
    expect(claimViews([], state, [])).toEqual([
      expect.objectContaining({ status: 'Released', inGit: false }),
    ]);
  });
});
