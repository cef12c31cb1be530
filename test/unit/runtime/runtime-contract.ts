// The Runtime contract: one suite of behaviours every Runtime must show, run against the
// in-memory FakeRuntime (test/unit/runtime/fake-runtime.test.ts) and against DockerRuntime on
// the real testbed (test/e2e/runtime.test.ts). If the fake drifts from Docker, one side fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredContainer, DesiredPod } from '../../../src/model/desired.js';
import type { Container, PodSpec } from '../../../src/model/k8s.js';
import { claimVolumeName } from '../../../src/model/labels.js';
import type { ObservedPod } from '../../../src/model/observed.js';
import type { Runtime } from '../../../src/runtime/runtime.js';

export interface ContractSubject {
  runtime: Runtime;
  /** At least two Ready hosts. */
  hosts: [string, string, ...string[]];
  /** An image with `sh` and `sleep` the hosts can get. */
  image: string;
  /** Namespace the suite may use freely (cleaned by the suite). */
  namespace: string;
  cleanup(): Promise<void>;
}

/** A DesiredPod of long-sleeping containers, with every pod-level field set. */
export function sleeperPod(
  name: string,
  opts: { image: string; namespace?: string; containers?: string[]; hostPort?: number; app?: string },
): DesiredPod {
  const names = opts.containers ?? ['main'];
  const sleep = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];
  const containers: DesiredContainer[] = names.map((n, i) => ({
    name: n,
    image: opts.image,
    pullPolicy: 'IfNotPresent',
    command: sleep,
    env: [{ name: 'POD_NAME', value: name, secret: false }],
    ports:
      i === 0
        ? [{ containerPort: 8080, protocol: 'TCP', ...(opts.hostPort ? { hostPort: opts.hostPort } : {}) }]
        : [],
    limits: { cpuMilli: 100, memoryBytes: 32 * 1024 * 1024 },
    files: [],
    emptyDirs: [],
  }));
  const specContainers: Container[] = containers.map((c) => ({
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    command: c.command,
    env: [{ name: 'POD_NAME', value: name }],
    envFrom: [],
    ports: c.ports,
    resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
    volumeMounts: [],
  }));
  const spec: PodSpec = {
    containers: specContainers,
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 2,
    nodeSelector: {},
    tolerations: [],
    volumes: [],
  };
  return {
    name,
    namespace: opts.namespace ?? 'default',
    app: opts.app ?? 'contract',
    owner: { kind: 'Deployment', name: 'sleeper' },
    templateHash: '5d8f7c9b6',
    commit: '0123456789abcdef0123456789abcdef01234567',
    labels: { app: 'sleeper', tier: 'test' },
    spec,
    containers,
    requests: { cpuMilli: 100 * names.length, memoryBytes: 32 * 1024 * 1024 * names.length },
    hostPorts: opts.hostPort ? [{ port: opts.hostPort, protocol: 'TCP' }] : [],
    extraHosts: [],
  };
}

async function podOn(
  rt: Runtime,
  host: string,
  namespace: string,
  name: string,
): Promise<ObservedPod | undefined> {
  return (await rt.observe()).pods.find(
    (p) => p.host === host && p.namespace === namespace && p.name === name,
  );
}

async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? 'no-code';
  }
  return 'no-error';
}

export function runtimeContract(label: string, makeSubject: () => Promise<ContractSubject>): void {
  describe(`Runtime contract: ${label}`, () => {
    let s: ContractSubject;
    let rt: Runtime;
    let ns: string;
    beforeAll(async () => {
      s = await makeSubject();
      rt = s.runtime;
      ns = s.namespace;
    });
    afterAll(async () => {
      await s?.cleanup();
    });

    it('lists the configured hosts and reports them Ready with capacity', async () => {
      const names = rt.hostInfo().map((h) => h.name);
      expect(names).toEqual(expect.arrayContaining(s.hosts));
      const o = await rt.observe();
      for (const name of s.hosts) {
        const h = o.hosts.find((x) => x.name === name);
        expect(h?.ready).toBe(true);
        expect(h?.notReadySince).toBeUndefined();
        expect(h?.capacity.cpuMilli).toBeGreaterThan(0);
        expect(h?.capacity.memoryBytes).toBeGreaterThan(0);
      }
    });

    it('creates a pod whose identity, labels and spec are read back from the host', async () => {
      const pod = sleeperPod('contract-a', { image: s.image, namespace: ns, containers: ['main', 'side'] });
      await rt.createPod(s.hosts[0], pod);
      const seen = await podOn(rt, s.hosts[0], ns, 'contract-a');
      expect(seen).toMatchObject({
        host: s.hosts[0],
        namespace: ns,
        name: 'contract-a',
        app: 'contract',
        ownerKind: 'Deployment',
        ownerName: 'sleeper',
        templateHash: '5d8f7c9b6',
        commit: pod.commit,
        labels: { app: 'sleeper', tier: 'test' },
      });
      expect(seen?.spec?.containers.map((c) => c.name)).toEqual(['main', 'side']);
      expect(seen?.containers.map((c) => [c.name, c.state, c.restartCount])).toEqual([
        ['main', 'running', 0],
        ['side', 'running', 0],
      ]);
      expect(seen?.infra?.state).toBe('running');
      expect(seen?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(seen?.publishedPorts).toHaveLength(1);
      expect(seen?.publishedPorts[0]).toMatchObject({ containerPort: 8080, protocol: 'TCP' });
      expect(seen?.publishedPorts[0]?.hostPort).toBeGreaterThan(0);
      expect(seen?.containers[0]?.startedAt).toBeGreaterThan(0);
    });

    it('refuses a second pod of the same name on a host, and unknown hosts', async () => {
      const pod = sleeperPod('contract-a', { image: s.image, namespace: ns });
      expect(await errorCode(rt.createPod(s.hosts[0], pod))).toBe('runtime.pod-exists');
      expect(await errorCode(rt.createPod('no-such-host', pod))).toBe('runtime.unknown-host');
    });

    it('attributes pods to the host they run on', async () => {
      await rt.createPod(s.hosts[1], sleeperPod('contract-b', { image: s.image, namespace: ns }));
      const o = await rt.observe();
      const mine = o.pods.filter((p) => p.namespace === ns).map((p) => `${p.name}@${p.host}`);
      expect(mine.sort()).toEqual([`contract-a@${s.hosts[0]}`, `contract-b@${s.hosts[1]}`].sort());
    });

    it('restarts a container as a new container with restart count + 1', async () => {
      const ref = { host: s.hosts[0], namespace: ns, name: 'contract-a' };
      const before = await podOn(rt, s.hosts[0], ns, 'contract-a');
      await rt.restartContainer(ref, 'side');
      const after = await podOn(rt, s.hosts[0], ns, 'contract-a');
      const side = after?.containers.find((c) => c.name === 'side');
      expect(side?.restartCount).toBe(1);
      expect(side?.state).toBe('running');
      expect(side?.id).not.toBe(before?.containers.find((c) => c.name === 'side')?.id);
      expect(after?.containers.map((c) => c.name)).toEqual(['main', 'side']);
      expect(after?.containers.find((c) => c.name === 'main')?.id).toBe(before?.containers[0]?.id);
      expect(await errorCode(rt.restartContainer(ref, 'nope'))).toBe('runtime.container-not-found');
      expect(await errorCode(rt.restartContainer({ ...ref, name: 'nope' }, 'side'))).toBe(
        'runtime.pod-not-found',
      );
    });

    it('holds back a container runAsNonRoot refuses (root image), retried in place', async () => {
      const pod = sleeperPod('contract-nonroot', { image: s.image, namespace: ns });
      pod.spec.securityContext = { runAsNonRoot: true };
      await rt.createPod(s.hosts[0], pod);
      const ref = { host: s.hosts[0], namespace: ns, name: 'contract-nonroot' };
      const held = async () =>
        (await podOn(rt, s.hosts[0], ns, 'contract-nonroot'))?.containers.map((c) => [
          c.state,
          c.restartCount,
          c.labels['skiff.io/waiting-reason'],
        ]);
      expect(await held()).toEqual([['created', 0, 'CreateContainerConfigError']]);
      await rt.restartContainer(ref, 'main');
      expect(await held()).toEqual([['created', 0, 'CreateContainerConfigError']]);
      await rt.deletePod(ref, 0);
    });

    it("reports stats for each running container of skiff's pods on a host", async () => {
      const stats = await rt.stats(s.hosts[0]);
      const mine = stats.filter((x) => x.namespace === ns).map((x) => `${x.pod}/${x.container}`);
      expect(mine.sort()).toEqual(['contract-a/main', 'contract-a/side']);
      for (const x of stats) {
        expect(x.cpuMilli).toBeGreaterThanOrEqual(0);
        expect(x.memoryBytes).toBeGreaterThanOrEqual(0);
        expect(x.host).toBe(s.hosts[0]);
      }
    });

    it("reads cumulative usage counters of each running container of skiff's pods on a host", async () => {
      const first = (await rt.sampleStats(s.hosts[0])).filter((x) => x.namespace === ns);
      expect(first.map((x) => `${x.pod}/${x.container}`).sort()).toEqual([
        'contract-a/main',
        'contract-a/side',
      ]);
      const again = await rt.sampleStats(s.hosts[0]);
      for (const x of first) {
        const y = again.find((a) => a.containerId === x.containerId);
        expect(x.host).toBe(s.hosts[0]);
        expect(x.memoryBytes).toBeGreaterThanOrEqual(0);
        // Counters only grow, on the same source's clock.
        expect(y?.source).toBe(x.source);
        expect(y?.cpuUsageNanos).toBeGreaterThanOrEqual(x.cpuUsageNanos);
        expect(y?.counterClockMs).toBeGreaterThanOrEqual(x.counterClockMs);
      }
    });

    it('creates init containers with the pod, starts only the first; startContainer starts the next', async () => {
      const pod = sleeperPod('contract-init', { image: s.image, namespace: ns, containers: ['main'] });
      const init = ['first', 'second'];
      pod.initContainers = init.map((name) => ({ ...pod.containers[0]!, name, ports: [] }));
      pod.spec = {
        ...pod.spec,
        initContainers: init.map((name) => ({ ...pod.spec.containers[0]!, name, ports: [] })),
      };
      const ref = { host: s.hosts[2]!, namespace: ns, name: 'contract-init' };
      await rt.createPod(ref.host, pod);
      const states = async () => {
        const p = await podOn(rt, ref.host, ns, ref.name);
        return [...(p?.initContainers ?? []), ...(p?.containers ?? [])].map((c) => [
          c.name,
          c.state,
          c.restartCount,
        ]);
      };
      expect(await states()).toEqual([
        ['first', 'running', 0],
        ['second', 'created', 0],
        ['main', 'created', 0],
      ]);
      await rt.startContainer(ref, 'second');
      await rt.startContainer(ref, 'second'); // already started: nothing happens
      await rt.restartContainer(ref, 'first');
      expect(await states()).toEqual([
        ['first', 'running', 1],
        ['second', 'running', 0],
        ['main', 'created', 0],
      ]);
      expect(await errorCode(rt.startContainer(ref, 'nope'))).toBe('runtime.container-not-found');
      await rt.deletePod(ref, 1);
      expect(await podOn(rt, ref.host, ns, ref.name)).toBeUndefined();
    });

    it("makes a claim's volume with its first pod, keeps it after the pod, removes it on request", async () => {
      const pod = sleeperPod('contract-pvc', { image: s.image, namespace: ns });
      const volume = claimVolumeName(ns, 'data');
      pod.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
      pod.containers[0]!.claims = [{ claim: 'data', volume, path: '/data' }];
      pod.claimVolumes = [
        {
          volume,
          claim: 'data',
          namespace: ns,
          app: 'contract',
          storage: '1Gi',
          accessModes: ['ReadWriteOnce'],
        },
      ];
      const ref = { host: s.hosts[1], namespace: ns, name: 'contract-pvc' };
      const claimVolumes = async () =>
        ((await rt.observe()).claimVolumes ?? []).filter((v) => v.namespace === ns);
      await rt.createPod(ref.host, pod);
      expect(await claimVolumes()).toEqual([
        expect.objectContaining({
          host: ref.host,
          volume,
          app: 'contract',
          claim: 'data',
          storage: '1Gi',
          accessModes: ['ReadWriteOnce'],
        }),
      ]);
      expect(await errorCode(rt.removeClaimVolume(ref.host, volume))).toBe('runtime.volume-in-use');
      await rt.deletePod(ref, 1);
      expect((await claimVolumes()).map((v) => v.volume)).toEqual([volume]); // outlives its pod
      await rt.removeClaimVolume(ref.host, volume);
      expect(await claimVolumes()).toEqual([]);
    });

    it('deletes pods, and deleting a missing pod is not an error', async () => {
      await rt.deletePod({ host: s.hosts[0], namespace: ns, name: 'contract-a' }, 1);
      await rt.deletePod({ host: s.hosts[1], namespace: ns, name: 'contract-b' }, 1);
      await rt.deletePod({ host: s.hosts[1], namespace: ns, name: 'contract-b' }, 1);
      const o = await rt.observe();
      expect(o.pods.filter((p) => p.namespace === ns)).toEqual([]);
    });
  });
}
