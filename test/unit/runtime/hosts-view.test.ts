// `skiff hosts`: the rows and table built from one observation (FakeRuntime stands in).
import { describe, expect, it } from 'vitest';
import { hostRows, removalStatuses, renderHosts } from '../../../src/cli/commands/hosts.js';
import { renderRemovals } from '../../../src/cli/views/host-removal.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { sleeperPod } from './runtime-contract.js';

describe('skiff hosts view', () => {
  it('sums the requests of the pods on each host and shows NotReady hosts with the reason', async () => {
    const rt = new FakeRuntime(
      [
        {
          name: 'h1',
          kind: 'ssh',
          address: '10.0.0.1',
          labels: { zone: 'a' },
          taints: [],
          capacity: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3 },
          dockerVersion: '20.10.24',
        },
        {
          name: 'h2',
          kind: 'ssh',
          address: '10.0.0.2',
          labels: {},
          taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }],
          capacity: { cpuMilli: 1000, memoryBytes: 1024 ** 3 },
        },
      ],
      { now: () => 1000 },
    );
    await rt.createPod('h1', sleeperPod('a', { image: 'x', containers: ['one', 'two'] }));
    await rt.createPod('h1', sleeperPod('b', { image: 'x' }));
    rt.setHostReachable('h2', false);
    const rows = hostRows(await rt.observe());
    expect(rows).toEqual([
      {
        name: 'h1',
        address: '10.0.0.1',
        ready: true,
        reason: undefined,
        dockerVersion: '20.10.24',
        capacity: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3 },
        allocated: { cpuMilli: 300, memoryBytes: 96 * 1024 ** 2 },
        pods: 2,
        labels: { zone: 'a' },
        taints: [],
      },
      {
        name: 'h2',
        address: '10.0.0.2',
        ready: false,
        reason: 'host unreachable',
        dockerVersion: undefined,
        capacity: { cpuMilli: 1000, memoryBytes: 1024 ** 3 },
        allocated: { cpuMilli: 0, memoryBytes: 0 },
        pods: 0,
        labels: {},
        taints: ['gpu=yes:NoSchedule'],
      },
    ]);
    const table = renderHosts(rows).split('\n');
    expect(table[0]).toMatch(
      /^NAME\s+ADDRESS\s+STATUS\s+DOCKER\s+CPU\s+MEMORY\s+PODS\s+CPU REQUESTS\s+MEMORY REQUESTS\s+LABELS\s+TAINTS$/,
    );
    expect(table[1]).toMatch(
      /^h1\s+10\.0\.0\.1\s+Ready\s+20\.10\.24\s+2\s+4\.0Gi\s+2\s+300m \(15%\)\s+96Mi \(2%\)\s+zone=a\s+<none>$/,
    );
    expect(table[2]).toMatch(
      /^h2\s+10\.0\.0\.2\s+NotReady \(host unreachable\)\s+<unknown>\s+1\s+1\.0Gi\s+0\s+0 \(0%\)\s+0Mi \(0%\)\s+<none>\s+gpu=yes:NoSchedule$/,
    );
  });

  it('shows a cordoned host SchedulingDisabled, as kubectl get nodes', async () => {
    const rt = new FakeRuntime([
      {
        name: 'h3',
        kind: 'ssh',
        address: '10.0.0.3',
        labels: {},
        taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
        capacity: { cpuMilli: 1000, memoryBytes: 1024 ** 3 },
        unschedulable: true,
        extendedResources: { 'nvidia.com/gpu': 2 },
      },
    ]);
    const rows = hostRows(await rt.observe());
    expect(rows[0]).toMatchObject({ unschedulable: true, extendedResources: { 'nvidia.com/gpu': 2 } });
    expect(renderHosts(rows).split('\n')[1]).toMatch(
      /^h3\s+10\.0\.0\.3\s+Ready,SchedulingDisabled\s+.*node\.kubernetes\.io\/unschedulable:NoSchedule$/,
    );
  });

  it("shows a host gone from skiff.yaml as removing, with the daemon's budget when it answers", async () => {
    const rt = new FakeRuntime([
      {
        name: 'h4',
        kind: 'ssh',
        address: '10.0.0.4',
        labels: {},
        taints: [],
        capacity: { cpuMilli: 1000, memoryBytes: 1024 ** 3 },
      },
    ]);
    await rt.createPod('h4', sleeperPod('a', { image: 'x' }));
    await rt.createPod('h4', sleeperPod('b', { image: 'x' }));
    const observed = await rt.observe();
    const retiring = [{ host: 'h4', since: 5 }];
    const alone = renderHosts(hostRows(observed, removalStatuses(retiring, observed))).split('\n');
    expect(alone[1]).toMatch(/^h4\s+10\.0\.0\.4\s+Ready,removing \(draining, 2 pods left\)\s/);
    const fromDaemon = [
      {
        ...observed.hosts[0]!,
        removing: { since: 5, state: 'Draining' as const, podsLeft: 1, blockedBy: ['pdb/web'] },
      },
    ];
    const rows = hostRows(observed, removalStatuses(retiring, observed, fromDaemon));
    expect(renderHosts(rows).split('\n')[1]).toContain(
      'Ready,removing (draining, 1 pod left, blocked by budget pdb/web)',
    );
    expect(renderRemovals(fromDaemon)).toBe(
      'Host h4: removing (draining, 1 pod left, blocked by budget pdb/web)\n',
    );
    rt.setHostReachable('h4', false);
    const down = await rt.observe();
    expect(removalStatuses(retiring, down).get('h4')?.state).toBe('Unreachable');
  });
});
