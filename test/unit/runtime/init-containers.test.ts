// Init containers on Docker, from the labels alone: planPod writes them with role=init (created
// with the pod, the first one started), decodePods gives them back in spec order with their
// current (highest restart) container, so a restarted daemon knows where initialization stands.
import { describe, expect, it } from 'vitest';
import type { DesiredPod } from '../../../src/model/desired.js';
import { LABELS } from '../../../src/model/labels.js';
import { type ContainerSummary, decodePods } from '../../../src/runtime/decode-pods.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { type DockerCreateBody, planPod } from '../../../src/runtime/pod-spec.js';
import { sleeperPod } from './runtime-contract.js';

function withInit(names: string[]): DesiredPod {
  const p = sleeperPod('p', { image: 'x', containers: ['app'] });
  const app = p.containers[0]!;
  p.initContainers = names.map((name) => ({ ...app, name, ports: [] }));
  p.spec = {
    ...p.spec,
    initContainers: names.map((name) => ({ ...p.spec.containers[0]!, name, ports: [] })),
  };
  return p;
}

function listed(body: DockerCreateBody, i: number, extra: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    Id: `id-${i}`,
    Names: [`/${body.name}`],
    Image: body.Image,
    Created: 1,
    State: 'created',
    Status: 'Created',
    Labels: body.Labels,
    ...extra,
  };
}

describe('init containers on Docker', () => {
  const plan = planPod(withInit(['second', 'first']), {
    dataDir: '/d',
    pauseImage: 'pause',
    createdAt: 1000,
  });

  it('plans them with role=init, apart from the app containers', () => {
    expect(
      plan.initContainers.map((b) => [b.name, b.Labels[LABELS.role], b.Labels[LABELS.container]]),
    ).toEqual([
      ['skiff_default_p_second_0', 'init', 'second'],
      ['skiff_default_p_first_0', 'init', 'first'],
    ]);
    expect(plan.containers.map((b) => b.Labels[LABELS.role])).toEqual(['app']);
  });

  it('decodes them in spec order, the highest restart count current', () => {
    const restarted = listed(
      {
        ...plan.initContainers[0]!,
        Labels: { ...plan.initContainers[0]!.Labels, [LABELS.restartCount]: '2' },
      },
      9,
      { State: 'running' },
    );
    const list = [
      listed(plan.infra, 0, { State: 'running' }),
      listed(plan.initContainers[1]!, 2),
      listed(plan.initContainers[0]!, 1, { State: 'exited', Status: 'Exited (1) 3 seconds ago' }),
      restarted,
      listed(plan.containers[0]!, 3),
    ];
    const [pod] = decodePods('h', list);
    expect(pod?.initContainers?.map((c) => [c.name, c.id, c.restartCount, c.state])).toEqual([
      ['second', 'id-9', 2, 'running'],
      ['first', 'id-2', 0, 'created'],
    ]);
    expect(pod?.containers.map((c) => [c.name, c.state])).toEqual([['app', 'created']]);
  });

  it('the fake runtime, as Docker: only the first init container starts with the pod', async () => {
    const rt = new FakeRuntime(
      [
        {
          name: 'h',
          kind: 'local',
          address: 'a',
          labels: {},
          taints: [],
          capacity: { cpuMilli: 1000, memoryBytes: 1e9 },
        },
      ],
      { now: () => 5 },
    );
    await rt.createPod('h', withInit(['a', 'b']));
    const ref = { host: 'h', namespace: 'default', name: 'p' };
    let [pod] = (await rt.observe()).pods;
    expect(pod?.initContainers?.map((c) => c.state)).toEqual(['running', 'created']);
    await rt.startContainer(ref, 'b');
    await rt.startContainer(ref, 'b'); // idempotent
    [pod] = (await rt.observe()).pods;
    expect(pod?.initContainers?.map((c) => [c.state, c.restartCount])).toEqual([
      ['running', 0],
      ['running', 0],
    ]);
    await expect(rt.startContainer(ref, 'nope')).rejects.toThrow(/has no container nope/);
  });
});
