import { describe, expect, it } from 'vitest';
import { type FakeHost, FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { runtimeContract, sleeperPod } from './runtime-contract.js';

const HOSTS: FakeHost[] = ['h1', 'h2', 'h3'].map((name, i) => ({
  name,
  kind: 'ssh',
  address: `10.213.0.${11 + i}`,
  labels: { zone: `zone-${i}` },
  taints: [],
  capacity: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3 },
}));

function fakeClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

runtimeContract('FakeRuntime', async () => ({
  runtime: new FakeRuntime(HOSTS, fakeClock()),
  hosts: ['h1', 'h2', 'h3'],
  image: 'busybox:1.36',
  namespace: 'contract',
  cleanup: async () => {},
}));

describe('FakeRuntime test controls', () => {
  it('reports a cut host NotReady since the cut, keeps its pods, and refuses calls to it', async () => {
    const clock = fakeClock();
    const rt = new FakeRuntime(HOSTS, clock);
    await rt.createPod('h2', sleeperPod('p', { image: 'x' }));
    clock.advance(1000);
    rt.setHostReachable('h2', false);
    const cutAt = clock.now();
    clock.advance(5000);
    const o = await rt.observe();
    expect(o.hosts.find((h) => h.name === 'h2')).toMatchObject({ ready: false, notReadySince: cutAt });
    expect(o.hosts.filter((h) => h.ready).map((h) => h.name)).toEqual(['h1', 'h3']);
    expect(o.pods.map((p) => p.name)).toEqual(['p']);
    await expect(rt.stats('h2')).rejects.toMatchObject({ code: 'host.unreachable', retryable: true });
    rt.setHostReachable('h2', true);
    expect((await rt.observe()).hosts.every((h) => h.ready && h.notReadySince === undefined)).toBe(true);
  });

  it.each([
    ['exited', 137],
    ['exited', 0],
    ['dead', 1],
  ] as const)('shows a container set to %s (exit %i) until it is restarted', async (state, exitCode) => {
    const clock = fakeClock();
    const rt = new FakeRuntime(HOSTS, clock);
    const ref = { host: 'h1', namespace: 'default', name: 'p' };
    await rt.createPod('h1', sleeperPod('p', { image: 'x' }));
    rt.setContainerState(ref, 'main', state, exitCode);
    const c = (await rt.observe()).pods[0]?.containers[0];
    expect(c).toMatchObject({ state, exitCode, finishedAt: clock.now() });
    expect(await rt.stats('h1')).toEqual([]);
    await expect(rt.exec(ref, 'main', ['true'])).rejects.toMatchObject({ code: 'runtime.docker' });
    clock.advance(10_000);
    await rt.restartContainer(ref, 'main');
    expect((await rt.observe()).pods[0]?.containers[0]).toMatchObject({
      state: 'running',
      restartCount: 1,
      startedAt: clock.now(),
    });
  });

  it('assigns free host ports and refuses a host port already taken on that host', async () => {
    const rt = new FakeRuntime(HOSTS);
    await rt.createPod('h1', sleeperPod('a', { image: 'x', hostPort: 30080 }));
    await expect(rt.createPod('h1', sleeperPod('b', { image: 'x', hostPort: 30080 }))).rejects.toMatchObject({
      code: 'runtime.docker',
    });
    await rt.createPod('h2', sleeperPod('b', { image: 'x', hostPort: 30080 }));
    await rt.createPod('h1', sleeperPod('c', { image: 'x' }));
    const ports = (await rt.observe()).pods.map(
      (p) => `${p.name}@${p.host}:${p.publishedPorts[0]?.hostPort}`,
    );
    expect(ports).toEqual(['a@h1:30080', 'c@h1:32768', 'b@h2:30080']);
  });

  it('returns logs with tail, usage set by the test, and exec through the handler', async () => {
    const rt = new FakeRuntime(HOSTS);
    const ref = { host: 'h1', namespace: 'default', name: 'p' };
    await rt.createPod('h1', sleeperPod('p', { image: 'x' }));
    for (const l of ['one', 'two', 'three']) rt.appendLog(ref, 'main', l);
    let text = '';
    for await (const chunk of await rt.logs(ref, { tail: 2 })) text += chunk;
    expect(text).toBe('two\nthree\n');
    rt.setUsage(ref, 'main', { cpuMilli: 250, memoryBytes: 1024 });
    expect(await rt.stats('h1')).toMatchObject([
      { pod: 'p', container: 'main', cpuMilli: 250, memoryBytes: 1024 },
    ]);
    expect((await rt.exec(ref, 'main', ['cat'])).exitCode).toBe(127);
    rt.execHandler = (_pod, container, command) => ({
      exitCode: 0,
      stdout: `${container}:${command.join(' ')}`,
      stderr: '',
    });
    expect(await rt.exec(ref, 'main', ['echo', 'hi'])).toEqual({
      exitCode: 0,
      stdout: 'main:echo hi',
      stderr: '',
    });
  });

  it('records host commands with their stdin', async () => {
    const rt = new FakeRuntime(HOSTS);
    await rt.execOnHost('h3', 'iptables-restore --noflush', '*nat\nCOMMIT\n');
    expect(rt.hostCommands('h3')).toEqual([
      { command: 'iptables-restore --noflush', stdin: '*nat\nCOMMIT\n' },
    ]);
    expect(rt.hostCommands('h1')).toEqual([]);
  });

  it('refuses every call once closed', async () => {
    const rt = new FakeRuntime(HOSTS);
    await rt.close();
    await expect(rt.observe()).rejects.toMatchObject({ code: 'runtime.closed' });
  });
});
