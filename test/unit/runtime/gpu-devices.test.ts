// GPUs through Docker's DeviceRequests: a pod given GPU indices creates its containers with
// driver nvidia and exactly those DeviceIDs, and records the indices in a label on every
// container, so decodePods gives the allocation back after a daemon restart. Checked on the
// create bodies (no host here has a GPU) and with the fake runtime.
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../../src/model/labels.js';
import { type ContainerSummary, decodePods } from '../../../src/runtime/decode-pods.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { type DockerCreateBody, planPod } from '../../../src/runtime/pod-spec.js';
import { sleeperPod } from './runtime-contract.js';

const CREATED = 1_700_000_000_000;

function gpuPod() {
  const pod = sleeperPod('train-0', { image: 'reg:5000/train:1', containers: ['trainer', 'logger'] });
  pod.gpuDevices = [1, 3];
  pod.containers[0]!.gpuDevices = [1, 3];
  return pod;
}

function listed(body: DockerCreateBody, i: number): ContainerSummary {
  return {
    Id: `id-${i}`,
    Names: [`/${body.name}`],
    Image: body.Image,
    Created: CREATED / 1000,
    State: 'running',
    Status: 'Up 1 second',
    Labels: body.Labels,
  };
}

describe('GPU device requests', () => {
  const plan = planPod(gpuPod(), {
    dataDir: '/var/lib/skiff',
    pauseImage: 'skiff/pause:1.0',
    createdAt: CREATED,
  });

  it('the container that asked gets DeviceRequests with its indices; the others none', () => {
    const [trainer, logger] = plan.containers;
    expect(trainer!.HostConfig.DeviceRequests).toEqual([
      { Driver: 'nvidia', DeviceIDs: ['1', '3'], Capabilities: [['gpu']] },
    ]);
    expect(logger!.HostConfig.DeviceRequests).toBeUndefined();
    expect(plan.infra.HostConfig.DeviceRequests).toBeUndefined();
  });

  it('every container carries the pod indices in a label, read back by decodePods', () => {
    for (const body of [plan.infra, ...plan.containers]) expect(body.Labels[LABELS.gpuDevices]).toBe('1,3');
    const [pod] = decodePods('h1', [plan.infra, ...plan.containers].map(listed));
    expect(pod!.gpuDevices).toEqual([1, 3]);
  });

  it('a pod without GPUs has neither the label nor device requests', () => {
    const plain = planPod(sleeperPod('web-0', { image: 'reg:5000/web:1' }), {
      dataDir: '/var/lib/skiff',
      pauseImage: 'skiff/pause:1.0',
      createdAt: CREATED,
    });
    expect(plain.containers[0]!.Labels[LABELS.gpuDevices]).toBeUndefined();
    expect(plain.containers[0]!.HostConfig.DeviceRequests).toBeUndefined();
    expect(decodePods('h1', [plain.infra, ...plain.containers].map(listed))[0]!.gpuDevices).toBeUndefined();
  });

  it.each(['', 'x', '1,,2', '-1'])('an unreadable label (%j) holds no index', (value) => {
    const bodies = [plan.infra, ...plan.containers].map((b) => ({
      ...b,
      Labels: { ...b.Labels, [LABELS.gpuDevices]: value },
    }));
    expect(decodePods('h1', bodies.map(listed))[0]!.gpuDevices).toBeUndefined();
  });

  it('the fake runtime reports the indices as Docker would', async () => {
    const rt = new FakeRuntime([
      {
        name: 'h1',
        kind: 'ssh',
        address: '10.213.0.11',
        labels: {},
        taints: [],
        capacity: { cpuMilli: 4000, memoryBytes: 8e9 },
        extendedResources: { 'nvidia.com/gpu': 4 },
      },
    ]);
    await rt.createPod('h1', gpuPod());
    const o = await rt.observe();
    expect(o.pods[0]!.gpuDevices).toEqual([1, 3]);
    expect(o.hosts[0]!.extendedResources).toEqual({ 'nvidia.com/gpu': 4 });
  });
});
