// securityContext through the reconcile pass: a change is a new revision (the pods roll),
// runAsUser 0 with runAsNonRoot never creates the pod (CreateContainerConfigError), and a
// container the runtime held back (root image) shows the kubelet's status and is retried
// under the kubelet's backoff.
import { describe, expect, it } from 'vitest';
import { decideHeldBackRetry, INITIAL_BACKOFF_MS, MAX_BACKOFF_MS } from '../../../src/controllers/backoff.js';
import { podView } from '../../../src/controllers/pod-status.js';
import { LABELS } from '../../../src/model/labels.js';
import { type AppDesired, emptyPassMemory, type PassMemory } from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom, runPass } from './fake-world.js';

const deployment = (security: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      securityContext: ${security}
      containers:
        - name: web
          image: registry.local/web:1.0.0
`;

const app = (yaml: string): AppDesired => ({
  name: 'demo',
  commit: 'c1',
  objects: objectsFrom(yaml),
  prune: true,
});

function run(world: FakeWorld, yaml: string, memory: PassMemory) {
  return runPass(world, [app(yaml)], [host('h1')], memory);
}

const MESSAGE = 'container has runAsNonRoot and image will run as root (pod: "x_default", container: web)';

/** Mark the world's container the way the runtime leaves a held-back one. */
function holdBack(world: FakeWorld): void {
  for (const p of world.pods)
    p.containers = p.containers.map((c) => ({
      ...c,
      state: 'created',
      startedAt: undefined,
      labels: { [LABELS.waitingReason]: 'CreateContainerConfigError', [LABELS.waitingMessage]: MESSAGE },
    }));
}

describe('securityContext in the pass', () => {
  it('a securityContext change is a new template hash: the pod is replaced', () => {
    const world = new FakeWorld();
    const first = run(world, deployment('{ runAsUser: 1000 }'), emptyPassMemory());
    world.apply(first.actions);
    world.now += 1000;
    const second = run(world, deployment('{ runAsUser: 2000 }'), first.memory);
    const created = second.actions.filter((a) => a.type === 'createPod');
    expect(created).toHaveLength(1);
    expect(created[0]!.type === 'createPod' && created[0]!.pod.templateHash).not.toBe(
      world.pods[0]!.templateHash,
    );
  });

  it('runAsNonRoot with runAsUser 0 never creates the pod, and says why in the kubelet words', () => {
    const world = new FakeWorld();
    const r = run(world, deployment('{ runAsNonRoot: true, runAsUser: 0 }'), emptyPassMemory());
    expect(r.actions.filter((a) => a.type === 'createPod')).toEqual([]);
    const view = r.views.pods[0]!;
    expect(view.status).toBe('CreateContainerConfigError');
    expect(view.pendingReason).toMatch(
      /^CreateContainerConfigError: container's runAsUser breaks non-root policy \(pod: "web-[a-z0-9]+-[a-z0-9]+_default", container: web\)$/,
    );
  });

  it('a held-back container shows CreateContainerConfigError and is retried after 10 s, then 20 s', () => {
    const world = new FakeWorld();
    const yaml = deployment('{ runAsNonRoot: true }');
    const first = run(world, yaml, emptyPassMemory());
    world.apply(first.actions);
    holdBack(world);
    const restarts = (r: ReturnType<typeof run>) =>
      r.actions.filter((a) => a.type === 'restartContainer').length;
    let memory = first.memory;
    const at = (ms: number) => {
      world.now += ms;
      const r = run(world, yaml, memory);
      memory = r.memory;
      return r;
    };
    const seen = at(1000);
    expect(seen.views.pods[0]).toMatchObject({
      status: 'CreateContainerConfigError',
      phase: 'Pending',
      restarts: 0,
    });
    expect(seen.views.pods[0]!.containers[0]).toMatchObject({
      state: 'waiting',
      reason: 'CreateContainerConfigError',
    });
    expect(seen.events.find((e) => e.reason === 'Failed')?.message).toBe(`Error: ${MESSAGE}`);
    expect(restarts(seen)).toBe(0);
    expect(restarts(at(9_000))).toBe(0);
    expect(restarts(at(1_000))).toBe(1);
    expect(restarts(at(19_000))).toBe(0);
    expect(restarts(at(1_000))).toBe(1);
  });
});

describe('decideHeldBackRetry', () => {
  it.each<[string, { backoffMs: number; lastUpdate: number } | undefined, number, boolean, number]>([
    ['first sight arms 10 s', undefined, 0, false, INITIAL_BACKOFF_MS],
    ['inside the window waits', { backoffMs: 10_000, lastUpdate: 0 }, 5_000, false, 10_000],
    ['due: retry and double', { backoffMs: 10_000, lastUpdate: 0 }, 10_000, true, 20_000],
    ['capped at 5 min', { backoffMs: MAX_BACKOFF_MS, lastUpdate: 0 }, MAX_BACKOFF_MS, true, MAX_BACKOFF_MS],
    [
      'forgotten after 10 min: starts over',
      { backoffMs: 40_000, lastUpdate: 0 },
      700_000,
      false,
      INITIAL_BACKOFF_MS,
    ],
  ])('%s', (_name, memory, now, restart, backoffMs) => {
    const d = decideHeldBackRetry(memory, now);
    expect(d.restart).toBe(restart);
    expect(d.memory.backoffMs).toBe(backoffMs);
  });
});

describe('podView of a held-back container', () => {
  it('is waiting with the runtime reason, never ContainerCreating', () => {
    const world = new FakeWorld();
    world.apply(run(world, deployment('{}'), emptyPassMemory()).actions);
    holdBack(world);
    const v = podView(world.pods[0]!, {}, world.now);
    expect(v).toMatchObject({ status: 'CreateContainerConfigError', phase: 'Pending' });
  });
});
