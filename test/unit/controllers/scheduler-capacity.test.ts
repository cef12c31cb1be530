// Capacity beyond cpu and memory, cordoning and the balanced-allocation score, through the
// exported scheduler API. The tables are ported from kube-scheduler's own plugin tests
// (kubernetes pkg/scheduler/framework/plugins); each says which test function it comes from.
import { describe, expect, it } from 'vitest';
import { podRequests } from '../../../src/controllers/pod-requests.js';
import {
  buildHostViews,
  explainSchedule,
  filterHosts,
  type PlacedPod,
  type SchedulingPod,
  schedulePods,
  scoreHosts,
} from '../../../src/controllers/scheduler.js';
import type { Container, PodSpec, Toleration } from '../../../src/model/k8s.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import { container, host, podSpec } from './fixtures.js';

const A = 'example.com/aaa';
const B = 'example.com/bbb';

/** framework.Resource{MilliCPU, Memory, ScalarResources} as one container's requests. */
function res(cpuMilli: number, memoryBytes: number, scalar: Record<string, number> = {}): Container {
  const requests: Record<string, string> = {};
  if (cpuMilli > 0) requests.cpu = `${cpuMilli}m`;
  if (memoryBytes > 0) requests.memory = String(memoryBytes);
  for (const [k, v] of Object.entries(scalar)) requests[k] = String(v);
  return container('c', requests);
}

/** newResourcePod / newResourceInitPod. */
function spec(containers: Container[], init: Container[] = [], tolerations: Toleration[] = []): PodSpec {
  return podSpec({
    containers: containers.length > 0 ? containers : [container('c')],
    ...(init.length > 0 ? { initContainers: init } : {}),
    tolerations,
  });
}

function pod(s: PodSpec, name = 'p'): SchedulingPod {
  return {
    name,
    namespace: 'default',
    owner: { kind: 'Deployment', name: 'web' },
    spec: s,
    requests: podRequests(s),
    hostPorts: [],
  };
}

function placed(hostName: string, s: PodSpec): PlacedPod {
  return {
    host: hostName,
    namespace: 'default',
    owner: { kind: 'Pod', name: 'existing' },
    spec: s,
    hostPorts: [],
  };
}

function node(
  name: string,
  cpuMilli: number,
  memoryBytes: number,
  extra: Partial<ObservedHost> = {},
): ObservedHost {
  return { ...host(name, { cpuMilli, memoryBytes }), ...extra };
}

// makeAllocatableResources(10, 20, 32, 5, 20, 5): cpu 10m, memory 20, pods 32, example.com/aaa 5.
const fitNode = node('node', 10, 20, { maxPods: 32, extendedResources: { [A]: 5 } });

describe('NodeResourcesFit (noderesources/fit_test.go TestEnoughRequests)', () => {
  it.each<[string, PodSpec, PodSpec, string[]]>([
    ['no resources requested always fits', spec([]), spec([res(10, 20)]), []],
    [
      'too many resources fails',
      spec([res(1, 1)]),
      spec([res(10, 20)]),
      ['Insufficient cpu', 'Insufficient memory'],
    ],
    [
      'too many resources fails due to init container cpu',
      spec([res(1, 1)], [res(3, 1)]),
      spec([res(8, 19)]),
      ['Insufficient cpu'],
    ],
    [
      'too many resources fails due to highest init container cpu',
      spec([res(1, 1)], [res(3, 1), res(2, 1)]),
      spec([res(8, 19)]),
      ['Insufficient cpu'],
    ],
    [
      'too many resources fails due to init container memory',
      spec([res(1, 1)], [res(1, 3)]),
      spec([res(9, 19)]),
      ['Insufficient memory'],
    ],
    [
      "init container fits because it's the max, not sum, of containers and init containers",
      spec([res(1, 1)], [res(1, 1)]),
      spec([res(9, 19)]),
      [],
    ],
    ['both resources fit', spec([res(1, 1)]), spec([res(5, 5)]), []],
    ['one resource memory fits', spec([res(2, 1)]), spec([res(9, 5)]), ['Insufficient cpu']],
    ['one resource cpu fits', spec([res(1, 2)]), spec([res(5, 19)]), ['Insufficient memory']],
    ['equal edge case', spec([res(5, 1)]), spec([res(5, 19)]), []],
    ['equal edge case for init container', spec([res(4, 1)], [res(5, 1)]), spec([res(5, 19)]), []],
    ['extended resource fits', spec([res(0, 0, { [A]: 1 })]), spec([]), []],
    ['extended resource fits for init container', spec([], [res(0, 0, { [A]: 1 })]), spec([]), []],
    [
      'extended resource capacity enforced',
      spec([res(1, 1, { [A]: 10 })]),
      spec([res(0, 0, { [A]: 0 })]),
      [`Insufficient ${A}`],
    ],
    [
      'extended resource capacity enforced for init container',
      spec([], [res(1, 1, { [A]: 10 })]),
      spec([res(0, 0, { [A]: 0 })]),
      [`Insufficient ${A}`],
    ],
    [
      'extended resource allocatable enforced',
      spec([res(1, 1, { [A]: 1 })]),
      spec([res(0, 0, { [A]: 5 })]),
      [`Insufficient ${A}`],
    ],
    [
      'extended resource allocatable enforced for multiple containers',
      spec([res(1, 1, { [A]: 3 }), res(1, 1, { [A]: 3 })]),
      spec([res(0, 0, { [A]: 2 })]),
      [`Insufficient ${A}`],
    ],
    [
      'extended resource allocatable admits multiple init containers',
      spec([], [res(1, 1, { [A]: 3 }), res(1, 1, { [A]: 3 })]),
      spec([res(0, 0, { [A]: 2 })]),
      [],
    ],
    [
      'extended resource allocatable enforced for multiple init containers',
      spec([], [res(1, 1, { [A]: 6 }), res(1, 1, { [A]: 3 })]),
      spec([res(0, 0, { [A]: 2 })]),
      [`Insufficient ${A}`],
    ],
    [
      'extended resource allocatable enforced for unknown resource',
      spec([res(1, 1, { [B]: 1 })]),
      spec([]),
      [`Insufficient ${B}`],
    ],
    [
      'extended resource allocatable enforced for unknown resource for init container',
      spec([], [res(1, 1, { [B]: 1 })]),
      spec([]),
      [`Insufficient ${B}`],
    ],
  ])('%s', (_name, podSpecOf, existing, reasons) => {
    const views = buildHostViews([fitNode], [placed('node', existing)]);
    const [result] = filterHosts(pod(podSpecOf), views);
    expect(result!.reasons).toEqual(reasons);
    expect(result!.fits).toBe(reasons.length === 0);
    if (reasons.length > 0) expect(result!.failedFilter).toBe('NodeResourcesFit');
  });
});

describe('NodeResourcesFit pod count (noderesources/fit_test.go TestNotEnoughRequests)', () => {
  // makeAllocatableResources(10, 20, 1, 0, 0, 0): room for one pod, taken by the existing one.
  const full = node('node', 10, 20, { maxPods: 1 });
  it.each<[string, PodSpec, PodSpec]>([
    [
      "even without specified resources, predicate fails when there's no space for additional pod",
      spec([]),
      spec([res(10, 20)]),
    ],
    [
      "even if both resources fit, predicate fails when there's no space for additional pod",
      spec([res(1, 1)]),
      spec([res(5, 5)]),
    ],
    [
      "even for equal edge case, predicate fails when there's no space for additional pod",
      spec([res(5, 1)]),
      spec([res(5, 19)]),
    ],
    [
      "even for equal edge case, predicate fails when there's no space for additional pod due to init container",
      spec([res(5, 1)], [res(5, 1)]),
      spec([res(5, 19)]),
    ],
  ])('%s', (_name, podSpecOf, existing) => {
    const views = buildHostViews([full], [placed('node', existing)]);
    const e = explainSchedule(pod(podSpecOf), views);
    expect(e.hosts[0]!.reasons).toEqual(['Too many pods']);
    expect(e.message).toBe('0/1 hosts are available: 1 Too many pods.');
  });

  it('a host without maxPods takes 110 pods, as the kubelet', () => {
    const h = node('h1', 100_000, 1e12);
    const pods = Array.from({ length: 111 }, (_, i) => pod(spec([res(1, 1)]), `p${i}`));
    const r = schedulePods(pods, buildHostViews([h], []));
    expect(r.placements.size).toBe(110);
    expect(r.unschedulable.map((u) => u.message)).toEqual(['0/1 hosts are available: 1 Too many pods.']);
  });
});

describe('NodeUnschedulable (nodeunschedulable/node_unschedulable_test.go TestNodeUnschedulable)', () => {
  const tolerating: Toleration[] = [
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  it.each<[string, Toleration[], boolean | undefined, string[]]>([
    [
      'Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)',
      [],
      true,
      ['node(s) were unschedulable'],
    ],
    ['Schedule pod to normal node', [], false, []],
    [
      'Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)',
      tolerating,
      true,
      [],
    ],
    ['Schedule pod to a node without the field', [], undefined, []],
  ])('%s', (_name, tolerations, unschedulable, reasons) => {
    const h = node('node', 2000, 4e9, unschedulable === undefined ? {} : { unschedulable });
    const [result] = filterHosts(pod(spec([res(1, 1)], [], tolerations)), buildHostViews([h], []));
    // A cordoned host also carries the unschedulable taint (as upstream's node lifecycle
    // controller adds it): TaintToleration lists it too, after NodeUnschedulable.
    expect(result!.reasons.filter((r) => !r.includes('untolerated taint'))).toEqual(reasons);
    if (reasons.length > 0) expect(result!.failedFilter).toBe('NodeUnschedulable');
  });

  it('a cordoned host gets no new pods of a Deployment; the others share them', () => {
    const hosts = [
      node('h1', 4000, 8e9),
      node('h2', 4000, 8e9, { unschedulable: true }),
      node('h3', 4000, 8e9),
    ];
    const pods = [0, 1, 2].map((i) => pod(spec([res(100, 1000)]), `web-${i}`));
    const r = schedulePods(pods, buildHostViews(hosts, []));
    expect(new Set(r.placements.values())).toEqual(new Set(['h1', 'h3']));
  });
});

describe('NodeResourcesBalancedAllocation (noderesources/balanced_allocation_test.go TestNodeResourcesBalancedAllocation)', () => {
  const cpuAndMemory = spec([res(1000, 2000), res(2000, 3000)]);
  const cpuOnly = spec([res(1000, 0), res(2000, 0)]);
  it.each<[string, PodSpec, ObservedHost[], PlacedPod[], number[]]>([
    [
      'nothing scheduled, nothing requested, skip in PreScore',
      spec([]),
      [node('node1', 4000, 10000), node('node2', 4000, 10000)],
      [],
      [0, 0],
    ],
    [
      'nothing scheduled, resources requested, differently sized nodes',
      cpuAndMemory,
      [node('node1', 4000, 10000), node('node2', 6000, 10000)],
      [],
      [87, 100],
    ],
    [
      'resources requested, pods scheduled with resources',
      cpuAndMemory,
      [node('node1', 10000, 20000), node('node2', 10000, 20000)],
      [placed('node1', cpuOnly), placed('node2', cpuAndMemory)],
      [82, 95],
    ],
    [
      'resources requested, pods scheduled with resources, differently sized nodes',
      cpuAndMemory,
      [node('node1', 10000, 20000), node('node2', 10000, 50000)],
      [placed('node1', cpuOnly), placed('node2', cpuAndMemory)],
      [82, 80],
    ],
    [
      'requested resources at node capacity',
      cpuOnly,
      [node('node1', 6000, 10000), node('node2', 6000, 10000)],
      [placed('node1', cpuOnly), placed('node2', cpuAndMemory)],
      [50, 75],
    ],
    [
      'node without the scalar resource should skip the scalar resource (default profile: cpu and memory)',
      cpuAndMemory,
      [
        node('node1', 3500, 40000, { extendedResources: { 'nvidia.com/gpu': 8 } }),
        node('node2', 3500, 40000),
      ],
      [],
      [63, 63],
    ],
  ])('%s', (_name, podSpecOf, hosts, existing, want) => {
    const scores = scoreHosts(pod(podSpecOf), buildHostViews(hosts, existing));
    expect(scores.map((s) => s.score.balancedAllocation)).toEqual(want);
  });

  it('counts in the total at weight 1, and explainSchedule shows it per host', () => {
    const hosts = [node('node1', 4000, 10000), node('node2', 6000, 10000)];
    const e = explainSchedule(pod(cpuAndMemory), buildHostViews(hosts, []));
    for (const h of e.hosts) {
      const s = h.score!;
      expect(s.total).toBe(
        s.leastAllocated + s.balancedAllocation + 2 * s.spread + 2 * s.nodeAffinity + 3 * s.taintToleration,
      );
    }
    expect(e.hosts.map((h) => h.score!.balancedAllocation)).toEqual([87, 100]);
  });
});

describe('extended resources across a batch and the FitError', () => {
  const GPU = 'nvidia.com/gpu';
  const gpuSpec = podSpec({ containers: [container('train', {}, { [GPU]: '1', cpu: '100m' })] });

  it('each GPU goes to one pod: a host with 2 takes 2, the third pod stays Pending', () => {
    const hosts = [node('h1', 4000, 8e9, { extendedResources: { [GPU]: 2 } }), node('h2', 4000, 8e9)];
    const pods = [0, 1, 2].map((i) => pod(gpuSpec, `train-${i}`));
    const r = schedulePods(pods, buildHostViews(hosts, []));
    expect([...r.placements.values()]).toEqual(['h1', 'h1']);
    expect(r.unschedulable.map((u) => u.message)).toEqual([
      '0/2 hosts are available: 2 Insufficient nvidia.com/gpu.',
    ]);
    expect(r.hosts[0]!.extendedRequested).toEqual({ [GPU]: 2 });
    // The charged views carry the GPUs already given: the next batch sees them taken.
    const next = schedulePods([pod(gpuSpec, 'train-3')], r.hosts);
    expect(next.placements.size).toBe(0);
  });

  it('no host declares the resource: every host is counted', () => {
    const hosts = ['h1', 'h2', 'h3'].map((n) => node(n, 4000, 8e9));
    expect(explainSchedule(pod(gpuSpec), buildHostViews(hosts, [])).message).toBe(
      '0/3 hosts are available: 3 Insufficient nvidia.com/gpu.',
    );
  });

  it('mixed reasons, first failing filter per host, counted and sorted as upstream', () => {
    const hosts = [
      node('h1', 50, 8e9, { extendedResources: { [GPU]: 1 } }),
      node('h2', 4000, 8e9, { unschedulable: true, extendedResources: { [GPU]: 1 } }),
      node('h3', 4000, 8e9),
    ];
    expect(explainSchedule(pod(gpuSpec), buildHostViews(hosts, [])).message).toBe(
      '0/3 hosts are available: 1 Insufficient cpu, 1 Insufficient nvidia.com/gpu, 1 node(s) were unschedulable.',
    );
  });
});
