// planPod (DesiredPod -> Docker create bodies) and decodePods (Docker list -> ObservedPod) are
// inverses on everything observe() reports: checked as a round trip, plus the edge cases.
import { describe, expect, it } from 'vitest';
import { deletionDeadlineOf, LABELS, markedForDeletion } from '../../../src/model/labels.js';
import {
  type ContainerSummary,
  decodeDockerTime,
  decodePods,
  exitCodeFromStatus,
} from '../../../src/runtime/decode-pods.js';
import { type DockerCreateBody, entrypointAndCmd, planPod } from '../../../src/runtime/pod-spec.js';
import { sleeperPod } from './runtime-contract.js';

const CREATED = 1_700_000_000_000;

/** What Docker's list would show for a created body (the parts decodePods reads). */
function listed(body: DockerCreateBody, i: number, extra: Partial<ContainerSummary> = {}): ContainerSummary {
  return {
    Id: `id-${i}`,
    Names: [`/${body.name}`],
    Image: body.Image,
    Created: CREATED / 1000,
    State: 'running',
    Status: 'Up 3 seconds',
    Labels: body.Labels,
    ...extra,
  };
}

describe('planPod', () => {
  const pod = sleeperPod('web-7d9c5b6f4-x2x9k', {
    image: 'reg:5000/web:1.0',
    containers: ['app', 'sidecar'],
    hostPort: 30080,
  });
  pod.containers[0]!.files = [
    { path: '/etc/config/app.conf', contentBase64: 'YQ==', mode: 0o644, secret: false },
    { path: '/etc/secret/token', contentBase64: 'Yg==', mode: 0o644, secret: true },
  ];
  pod.containers[0]!.emptyDirs = [{ name: 'cache', path: '/cache' }];
  pod.containers[1]!.emptyDirs = [{ name: 'cache', path: '/data' }];
  pod.extraHosts = [{ hostname: 'web-service', ip: '10.96.0.10' }];
  const plan = planPod(pod, {
    dataDir: '/var/lib/skiff/',
    pauseImage: 'skiff/pause:1.0',
    createdAt: CREATED,
  });

  it('puts the network, ports and extra hosts on the infra container only', () => {
    expect(plan.infra).toMatchObject({
      name: 'skiff_default_web-7d9c5b6f4-x2x9k_POD_0',
      Image: 'skiff/pause:1.0',
      Hostname: 'web-7d9c5b6f4-x2x9k',
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '30080' }] },
        ExtraHosts: ['web-service:10.96.0.10'],
      },
    });
    for (const c of plan.containers) {
      expect(c.HostConfig.NetworkMode).toBe(`container:${plan.infra.name}`);
      expect(c.HostConfig.PortBindings).toBeUndefined();
      expect(c.Hostname).toBeUndefined();
    }
  });

  it('lets Docker pick the host port when the manifest gives none', () => {
    const p = planPod(sleeperPod('a', { image: 'x' }), { dataDir: '/d', pauseImage: 'p', createdAt: 0 });
    expect(p.infra.HostConfig.PortBindings).toEqual({ '8080/tcp': [{ HostIp: '', HostPort: '' }] });
  });

  it('maps limits to NanoCpus and Memory, env to KEY=value', () => {
    expect(plan.containers[0]!.HostConfig).toMatchObject({ NanoCpus: 100_000_000, Memory: 32 * 1024 * 1024 });
    expect(plan.containers[0]!.Env).toEqual(['POD_NAME=web-7d9c5b6f4-x2x9k']);
  });

  it('writes files under the pod folder with their modes, secrets in a separate tree, shared emptyDirs once', () => {
    const dir = '/var/lib/skiff/pods/default/web-7d9c5b6f4-x2x9k';
    expect(plan.podDir).toBe(dir);
    expect(plan.paths).toEqual([
      {
        kind: 'file',
        hostPath: `${dir}/files/app/etc/config/app.conf`,
        contentBase64: 'YQ==',
        mode: 0o644,
        secret: false,
      },
      {
        kind: 'file',
        hostPath: `${dir}/secrets/app/etc/secret/token`,
        contentBase64: 'Yg==',
        mode: 0o644,
        secret: true,
      },
      { kind: 'dir', hostPath: `${dir}/empty/cache`, mode: 0o777 },
    ]);
    expect(plan.containers[0]!.HostConfig.Binds).toEqual([
      `${dir}/files/app/etc/config/app.conf:/etc/config/app.conf:ro`,
      `${dir}/secrets/app/etc/secret/token:/etc/secret/token:ro`,
      `${dir}/empty/cache:/cache`,
    ]);
    expect(plan.containers[1]!.HostConfig.Binds).toEqual([`${dir}/empty/cache:/data`]);
  });

  it('never puts resolved env values in labels', () => {
    const p = sleeperPod('s', { image: 'x' });
    p.containers[0]!.env = [{ name: 'TOKEN', value: 'hunter2', secret: true }];
    const bodies = planPod(p, { dataDir: '/d', pauseImage: 'p', createdAt: 0 });
    for (const b of [bodies.infra, ...bodies.containers])
      expect(JSON.stringify(b.Labels)).not.toContain('hunter2');
  });

  it.each([
    [{}, {}],
    [{ command: ['/bin/app'] }, { Entrypoint: ['/bin/app'], Cmd: [] }],
    [{ args: ['--port', '80'] }, { Cmd: ['--port', '80'] }],
    [
      { command: ['sh', '-c'], args: ['echo hi'] },
      { Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] },
    ],
  ])('follows Kubernetes command/args semantics: %j -> %j', (input, expected) => {
    expect(entrypointAndCmd(input)).toEqual(expected);
  });

  it('round-trips through decodePods', () => {
    const all = [plan.infra, ...plan.containers].map((b, i) =>
      listed(
        b,
        i,
        i === 0
          ? {
              Ports: [
                { IP: '0.0.0.0', PrivatePort: 8080, PublicPort: 30080, Type: 'tcp' },
                { IP: '::', PrivatePort: 8080, PublicPort: 30080, Type: 'tcp' },
              ],
              NetworkSettings: { Networks: { bridge: { IPAddress: '172.30.1.5' } } },
            }
          : {},
      ),
    );
    const [seen] = decodePods('h1', all);
    expect(seen).toMatchObject({
      host: 'h1',
      name: pod.name,
      namespace: 'default',
      app: pod.app,
      ownerKind: 'Deployment',
      ownerName: 'sleeper',
      templateHash: pod.templateHash,
      commit: pod.commit,
      labels: pod.labels,
      spec: pod.spec,
      createdAt: CREATED,
      ip: '172.30.1.5',
      publishedPorts: [{ containerPort: 8080, protocol: 'TCP', hostPort: 30080 }],
      infra: { id: 'id-0', state: 'running' },
    });
    expect(seen?.containers.map((c) => [c.name, c.id, c.restartCount])).toEqual([
      ['app', 'id-1', 0],
      ['sidecar', 'id-2', 0],
    ]);
    expect(seen?.terminating).toBeUndefined();
  });

  it('reads the deletion mark on the infra container as terminating, with its deadline', () => {
    const deadline = CREATED + 30_000;
    const all = [plan.infra, ...plan.containers].map((b, i) =>
      listed(b, i, i === 0 ? { Names: [`/${markedForDeletion(b.name, deadline)}`] } : {}),
    );
    const [seen] = decodePods('h1', all);
    expect(seen).toMatchObject({ terminating: true, deletionDeadline: deadline });
    // Marking again keeps one suffix; an app container's name never marks the pod.
    const again = markedForDeletion(markedForDeletion(plan.infra.name, deadline), deadline + 5000);
    expect(deletionDeadlineOf(again)).toBe(deadline + 5000);
    expect(again.match(/\.del-/g)).toHaveLength(1);
    const byApp = [plan.infra, ...plan.containers].map((b, i) =>
      listed(b, i, i === 1 ? { Names: [`/${markedForDeletion(b.name, deadline)}`] } : {}),
    );
    expect(decodePods('h1', byApp)[0]?.terminating).toBeUndefined();
  });
});

describe('decodePods', () => {
  const plan = planPod(sleeperPod('p', { image: 'x', containers: ['a', 'b'] }), {
    dataDir: '/d',
    pauseImage: 'pause',
    createdAt: CREATED,
  });
  const base = [plan.infra, ...plan.containers].map((b, i) => listed(b, i));

  it('ignores containers not managed by skiff or with incomplete labels', () => {
    const foreign = listed({ ...plan.containers[0]!, Labels: { app: 'p' } }, 10);
    const spoofed = listed(
      { ...plan.containers[0]!, Labels: { ...plan.containers[0]!.Labels, [LABELS.managed]: 'yes' } },
      11,
    );
    const noPod = listed(
      { ...plan.containers[0]!, Labels: { ...plan.containers[0]!.Labels, [LABELS.pod]: '' } },
      12,
    );
    const badOwner = base.map((c) => ({ ...c, Labels: { ...c.Labels, [LABELS.ownerKind]: 'ReplicaSet' } }));
    expect(decodePods('h', [foreign, spoofed, noPod])).toEqual([]);
    expect(decodePods('h', badOwner)).toEqual([]);
  });

  it('takes the highest restart count as the current container', () => {
    const restarted = listed(
      {
        ...plan.containers[1]!,
        name: 'skiff_default_p_b_1',
        Labels: { ...plan.containers[1]!.Labels, [LABELS.restartCount]: '1' },
      },
      9,
      { State: 'running' },
    );
    const old = { ...base[2]!, State: 'exited', Status: 'Exited (137) 2 seconds ago' };
    const [pod] = decodePods('h', [base[0]!, base[1]!, old, restarted]);
    expect(pod?.containers.map((c) => [c.name, c.id, c.restartCount, c.state])).toEqual([
      ['a', 'id-1', 0, 'running'],
      ['b', 'id-9', 1, 'running'],
    ]);
  });

  it('uses inspect details when given, else the exit code from the status text', () => {
    const exited = { ...base[1]!, State: 'exited', Status: 'Exited (3) 1 second ago' };
    const fromStatus = decodePods('h', [base[0]!, exited, base[2]!])[0]?.containers[0];
    expect(fromStatus).toMatchObject({ exitCode: 3, startedAt: undefined });
    const details = new Map([['id-1', { exitCode: 42, startedAt: 5, finishedAt: 6 }]]);
    expect(decodePods('h', [base[0]!, exited, base[2]!], details)[0]?.containers[0]).toMatchObject({
      exitCode: 42,
      startedAt: 5,
      finishedAt: 6,
    });
  });

  it('still reports a pod whose infra container is gone (so it can be repaired)', () => {
    const [pod] = decodePods('h', base.slice(1));
    expect(pod).toMatchObject({ name: 'p', infra: undefined, ip: undefined, publishedPorts: [] });
    expect(pod?.spec).toBeUndefined();
    expect(pod?.containers).toHaveLength(2);
  });

  it.each([
    ['Exited (0) 5 minutes ago', 0],
    ['Exited (137) 1 second ago', 137],
    ['Up 3 hours', 0],
    ['Created', 0],
  ])('exit code of status %j is %i', (status, code) => {
    expect(exitCodeFromStatus(status)).toBe(code);
  });

  it.each([
    ['0001-01-01T00:00:00Z', undefined],
    ['', undefined],
    ['2024-05-01T10:00:00.123456789Z', Date.parse('2024-05-01T10:00:00.123Z')],
  ])('Docker time %j decodes to %j', (s, t) => {
    expect(decodeDockerTime(s)).toBe(t);
  });
});
