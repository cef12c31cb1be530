// Init containers and sidecars end to end through the pure pass and the in-memory runtime:
// each pass observes the FakeRuntime, the pass decides, its actions run on the runtime. The
// clock is a number the test advances; containers "exit" when the test says so.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/model/actions.js';
import type { ObservedPod } from '../../../src/model/observed.js';
import type { PodView } from '../../../src/model/views.js';
import {
  type AppDesired,
  emptyPassInputs,
  emptyPassMemory,
  type PassMemory,
  type PassResult,
  reconcilePass,
} from '../../../src/reconcile/pass.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { objectsFrom } from './fake-world.js';

function pod(restartPolicy: string, init: string): string {
  return `
apiVersion: v1
kind: Pod
metadata: { name: p, labels: { app: p } }
spec:
  restartPolicy: ${restartPolicy}
  initContainers:
${init}
  containers:
    - name: app
      image: busybox:1.36
`;
}
const TWO_INIT = pod(
  'Always',
  `    - { name: first, image: busybox:1.36 }
    - { name: second, image: busybox:1.36 }`,
);

class Harness {
  now = 1_000_000;
  memory: PassMemory = emptyPassMemory();
  readonly runtime = new FakeRuntime(
    [
      {
        name: 'h1',
        kind: 'local',
        address: '10.0.0.1',
        labels: {},
        taints: [],
        capacity: { cpuMilli: 4000, memoryBytes: 8 * 1024 ** 3 },
      },
    ],
    { now: () => this.now },
  );
  constructor(private readonly yaml: string) {}

  async pass(): Promise<PassResult> {
    const app: AppDesired = { name: 'demo', commit: 'c1', objects: objectsFrom(this.yaml), prune: true };
    const r = reconcilePass({
      apps: [app],
      frozenApps: [],
      observed: await this.runtime.observe(),
      memory: this.memory,
      now: this.now,
      random: () => 0.5,
      options: { hostGracePeriodMs: 40_000 },
      inputs: emptyPassInputs(),
    });
    this.memory = r.memory;
    for (const a of r.actions) await this.execute(a);
    return r;
  }

  private async execute(a: Action): Promise<void> {
    if (a.type === 'createPod') await this.runtime.createPod(a.host, a.pod);
    else if (a.type === 'startContainer') await this.runtime.startContainer(a.pod, a.container);
    else if (a.type === 'restartContainer') await this.runtime.restartContainer(a.pod, a.container);
    else if (a.type === 'deletePod') await this.runtime.deletePod(a.pod, a.gracePeriodSeconds);
  }

  async observed(): Promise<ObservedPod> {
    return (await this.runtime.observe()).pods[0]!;
  }

  exit(container: string, code: number): void {
    this.runtime.setContainerState(
      { host: 'h1', namespace: 'default', name: 'p' },
      container,
      'exited',
      code,
    );
  }

  static view(r: PassResult): PodView {
    return r.views.pods[0]!;
  }
}

const started = (r: PassResult) =>
  r.actions.filter((a) => a.type === 'startContainer').map((a) => (a as { container: string }).container);

describe('init containers', () => {
  it('run one at a time, in order, each to completion, then the app containers start', async () => {
    const h = new Harness(TWO_INIT);
    await h.pass(); // create: only `first` starts
    let p = await h.observed();
    expect(p.initContainers?.map((c) => c.state)).toEqual(['running', 'created']);
    expect(p.containers.map((c) => c.state)).toEqual(['created']);
    const waiting = await h.pass();
    expect(waiting.actions).toEqual([]);
    expect(waiting.requeueAfterMs).toBeLessThanOrEqual(1000);
    expect(Harness.view(waiting)).toMatchObject({
      status: 'Init:0/2',
      phase: 'Pending',
      ready: { total: 1 },
    });
    h.exit('first', 0);
    expect(started(await h.pass())).toEqual(['second']);
    const second = await h.pass();
    expect(Harness.view(second).status).toBe('Init:1/2');
    h.exit('second', 0);
    const apps = await h.pass();
    expect(started(apps)).toEqual(['app']);
    p = await h.observed();
    expect(p.containers.map((c) => c.state)).toEqual(['running']);
    const done = Harness.view(await h.pass());
    expect(done).toMatchObject({ status: 'Running', phase: 'Running', ready: { ready: 1, total: 1 } });
    expect(done.conditions.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it('holds back an init container runAsNonRoot refuses: never started, retried under backoff', async () => {
    const h = new Harness(
      pod(
        'Always',
        `    - { name: first, image: busybox:1.36, securityContext: { runAsNonRoot: true } }
    - { name: second, image: busybox:1.36 }`,
      ),
    );
    await h.pass(); // create: `first` is held back (the fake's images run as root), nothing runs
    let p = await h.observed();
    expect(p.initContainers?.map((c) => c.state)).toEqual(['created', 'created']);
    const held = await h.pass();
    expect(started(held)).toEqual([]);
    expect(held.actions).toEqual([]);
    expect(Harness.view(held).status).toBe('Init:CreateContainerConfigError');
    expect(held.events.map((e) => e.message).join('\n')).toContain('image will run as root');
    // The image now runs as a user: the retry (restartContainer) creates and starts it.
    h.runtime.imageUsers.set('busybox:1.36', '1000');
    h.now += 60_000;
    const retry = await h.pass();
    expect(retry.actions).toEqual([
      expect.objectContaining({ type: 'restartContainer', container: 'first' }),
    ]);
    p = await h.observed();
    expect(p.initContainers?.map((c) => c.state)).toEqual(['running', 'created']);
    h.exit('first', 0);
    expect(started(await h.pass())).toEqual(['second']);
  });

  it('shows PodInitializing once the init containers completed and the app is not started yet', async () => {
    const h = new Harness(TWO_INIT);
    await h.pass();
    h.exit('first', 0);
    await h.pass();
    h.exit('second', 0);
    // The pass that starts the app reports the pod as the kubelet does before the start lands.
    const r = await h.pass();
    expect(Harness.view(r).status).toBe('PodInitializing');
  });

  it('retries a failing one with CrashLoopBackOff (Init:Error, then Init:CrashLoopBackOff), then goes on', async () => {
    const h = new Harness(TWO_INIT);
    await h.pass();
    h.exit('first', 1);
    const first = await h.pass(); // first failure: restarted at once, 10 s backoff armed
    expect(first.actions).toEqual([
      expect.objectContaining({ type: 'restartContainer', container: 'first' }),
    ]);
    h.now += 1000;
    h.exit('first', 1);
    const backoff = await h.pass();
    expect(backoff.actions).toEqual([]);
    expect(Harness.view(backoff)).toMatchObject({
      status: 'Init:CrashLoopBackOff',
      phase: 'Pending',
      restarts: 1,
    });
    expect(backoff.requeueAfterMs).toBe(10_000);
    expect(backoff.events.map((e) => e.message)).toContain('back-off 10s restarting failed container=first');
    h.now += 10_000;
    const retry = await h.pass();
    expect(retry.actions).toEqual([
      expect.objectContaining({ type: 'restartContainer', container: 'first' }),
    ]);
    h.exit('first', 0);
    expect(started(await h.pass())).toEqual(['second']);
  });

  it('shows Init:Error for a failed init container before the pass looks at it', async () => {
    const h = new Harness(pod('Never', '    - { name: first, image: busybox:1.36 }'));
    await h.pass();
    h.exit('first', 3);
    const r = await h.pass();
    // restartPolicy Never: no retry, the pod fails.
    expect(r.actions).toEqual([]);
    expect(Harness.view(r)).toMatchObject({ status: 'Init:Error', phase: 'Failed' });
    const again = await h.pass();
    expect(again.actions).toEqual([]);
  });

  it('a sidecar (restartPolicy Always) starts in order, need not exit, keeps running, is restarted', async () => {
    const h = new Harness(
      pod(
        'Never',
        `    - { name: proxy, image: busybox:1.36, restartPolicy: Always }
    - { name: migrate, image: busybox:1.36 }`,
      ),
    );
    await h.pass();
    expect(started(await h.pass())).toEqual(['migrate']);
    expect(Harness.view(await h.pass()).status).toBe('Init:1/2');
    h.exit('migrate', 0);
    expect(started(await h.pass())).toEqual(['app']);
    const running = await h.pass();
    expect(Harness.view(running)).toMatchObject({ status: 'Running', ready: { ready: 2, total: 2 } });
    // A sidecar is restarted whatever the pod's restartPolicy (Never here), the app goes on.
    h.exit('proxy', 0);
    const r = await h.pass();
    expect(r.actions).toEqual([expect.objectContaining({ type: 'restartContainer', container: 'proxy' })]);
    const p = await h.observed();
    expect(p.initContainers?.find((c) => c.name === 'proxy')).toMatchObject({
      state: 'running',
      restartCount: 1,
    });
  });

  it('a sidecar with a startupProbe holds the next init container back until it passed', async () => {
    const h = new Harness(
      pod(
        'Always',
        `    - name: proxy
      image: busybox:1.36
      restartPolicy: Always
      startupProbe: { exec: { command: ['true'] } }
    - { name: migrate, image: busybox:1.36 }`,
      ),
    );
    await h.pass();
    const r = await h.pass();
    expect(started(r)).toEqual([]);
    expect(Harness.view(r).status).toBe('Init:0/2');
  });

  it('a daemon restart mid-init resumes from Docker state alone (no memory)', async () => {
    const h = new Harness(TWO_INIT);
    await h.pass();
    h.exit('first', 0);
    h.memory = emptyPassMemory();
    expect(started(await h.pass())).toEqual(['second']);
    h.memory = emptyPassMemory();
    h.exit('second', 0);
    expect(started(await h.pass())).toEqual(['app']);
  });

  it('replaces the pod when an init container was removed behind its back', async () => {
    const h = new Harness(TWO_INIT);
    await h.pass();
    h.exit('first', 0);
    const observed = await h.runtime.observe();
    // Observed pods are frozen (a runtime hands an unchanged pod to every pass): a copy changes.
    const p = observed.pods[0]!;
    observed.pods[0] = { ...p, initContainers: p.initContainers!.filter((c) => c.name !== 'second') };
    const r = reconcilePass({
      apps: [{ name: 'demo', commit: 'c1', objects: objectsFrom(TWO_INIT), prune: true }],
      frozenApps: [],
      observed,
      memory: h.memory,
      now: h.now,
      random: () => 0.5,
      options: { hostGracePeriodMs: 40_000 },
      inputs: emptyPassInputs(),
    });
    expect(r.actions).toEqual([
      expect.objectContaining({
        type: 'deletePod',
        reason: 'init container second was removed from the host',
      }),
    ]);
  });
});
