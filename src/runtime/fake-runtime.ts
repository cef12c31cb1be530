// FakeRuntime: an honest in-memory Runtime for unit tests of the shell (apply, daemon, CLI).
// It keeps pods and containers the way Docker would after DockerRuntime's calls: the same
// errors for the same mistakes (unknown host, pod exists, unknown container, host port taken,
// host unreachable), new containers on restart with count+1, Docker-assigned host ports.
// What it cannot do it says so: exec and TCP need a handler from the test; processes do not
// run, so containers stay as the test sets them (setContainerState simulates a crash).
// The shared contract suite (test/unit/runtime/runtime-contract.ts) runs against it and
// against DockerRuntime on the testbed, so the two cannot drift apart.
import { type Duplex, PassThrough } from 'node:stream';
import type { PodRef } from '../model/actions.js';
import type { DesiredContainer, DesiredPod } from '../model/desired.js';
import type { PodSpec } from '../model/k8s.js';
import { APP_ROLE, claimVolumeName, INIT_ROLE, LABELS } from '../model/labels.js';
import type {
  ContainerState,
  Observed,
  ObservedClaimVolume,
  ObservedContainer,
  ObservedPod,
} from '../model/observed.js';
import { type Clock, systemClock } from './clock.js';
import { containerSecurity, NO_SECURITY_FACTS } from './container-security.js';
import { containerOwnLabels } from './decode-pods.js';
import { HostUnreachableError, podSubject, RuntimeError } from './errors.js';
import { podLabels } from './pod-spec.js';
import type { ContainerStats, ContainerUsage, ExecResult, HostInfo, LogOptions, Runtime } from './runtime.js';
import { SpecInterner } from './spec-interner.js';

export interface FakeHost extends HostInfo {
  capacity: { cpuMilli: number; memoryBytes: number };
  dockerVersion?: string;
}

export type ExecHandler = (pod: ObservedPod, container: string, command: string[]) => ExecResult;

interface HostRecord {
  info: FakeHost;
  /** Each host's Docker bridge gets its own /24, as the testbed's engines do. */
  subnet: number;
  reachable: boolean;
  notReadySince?: number;
  pods: Map<string, ObservedPod>;
  nextPort: number;
  nextIp: number;
  commands: { command: string; stdin?: string }[];
}

export class FakeRuntime implements Runtime {
  private readonly hosts = new Map<string, HostRecord>();
  private readonly logLines = new Map<string, string[]>();
  private readonly usage = new Map<string, { cpuMilli: number; memoryBytes: number }>();
  /** Cumulative CPU per container id, integrated from the usage set over fake time, so
   *  sampleStats's counters give back the set rate across two reads, as a cgroup would. */
  private readonly cpuCounters = new Map<string, { nanos: number; since: number }>();
  /** Claim volumes by `host/volume`: made by the first pod that mounts them, kept after it. */
  private readonly claimVolumes = new Map<string, ObservedClaimVolume>();
  /** As DockerRuntime decodes them: a template's pods share one frozen spec and label set. */
  private readonly specs = new SpecInterner();
  /** The copy handed out last per stored pod: an unchanged pod is handed out as the same frozen
   *  copy, as DockerRuntime reuses its decoded pods. Every change of a stored pod goes through
   *  `pod()` (or replaces it), which drops its copy. */
  private copies = new WeakMap<ObservedPod, ObservedPod>();
  private nextId = 1;
  private closed = false;
  execHandler: ExecHandler = () => ({
    exitCode: 127,
    stdout: '',
    stderr: 'fake runtime: no exec handler set',
  });
  hostExecHandler: (host: string, command: string, stdin?: string) => ExecResult = () => ({
    exitCode: 0,
    stdout: '',
    stderr: '',
  });
  tcpHandler?: (host: string, ip: string, port: number) => Duplex;
  /** Images' users (Config.User) by reference; an image not listed runs as root, as most do. */
  imageUsers = new Map<string, string>();

  constructor(
    hosts: FakeHost[],
    private readonly clock: Pick<Clock, 'now'> = systemClock,
  ) {
    for (const [i, info] of hosts.entries())
      this.hosts.set(info.name, {
        info,
        subnet: i + 1,
        reachable: true,
        pods: new Map(),
        nextPort: 32768,
        nextIp: 2,
        commands: [],
      });
  }

  // ---- test controls ----------------------------------------------------------------------

  /** Stops observing a host (its pods and volumes go with it, as if it were gone). */
  forgetHost(host: string): void {
    this.hosts.delete(host);
  }

  /** Forget the copies handed out (the next observation copies every pod again): a bench
   *  measuring the fake hosts' own state apart from the daemon holding its observation. */
  forgetHandedOut(): void {
    this.copies = new WeakMap();
  }

  /** Cut a host off (observe reports it NotReady from now) or bring it back. */
  setHostReachable(host: string, reachable: boolean): void {
    const h = this.record(host);
    if (!reachable && h.reachable) h.notReadySince = this.clock.now();
    if (reachable) h.notReadySince = undefined;
    h.reachable = reachable;
  }

  /** Make a container look as Docker would show it after a crash, an OOM kill, a stop, or a
   *  create whose start never came (`created`). */
  /** The deletion mark DockerRuntime sets first when it deletes a pod (its infra container
   *  renamed with the deadline): a test simulating a daemon killed mid-deletion sets it. */
  markDeletion(ref: PodRef, deadlineMs: number): void {
    const pod = this.pod(ref);
    pod.deletionDeadline ??= Math.ceil(deadlineMs / 1000) * 1000;
    pod.terminating = true;
  }

  setContainerState(ref: PodRef, container: string, state: ContainerState, exitCode = 0): void {
    const c = this.current(ref, container);
    c.state = state;
    c.exitCode = exitCode;
    if (state === 'exited' || state === 'dead') c.finishedAt = this.clock.now();
    // Docker has no start time for a container created and never started.
    if (state === 'created') c.startedAt = undefined;
  }

  appendLog(ref: PodRef, container: string, line: string): void {
    const key = `${podSubject(ref)}/${container}`;
    this.logLines.set(key, [...(this.logLines.get(key) ?? []), line]);
  }

  setUsage(ref: PodRef, container: string, usage: { cpuMilli: number; memoryBytes: number }): void {
    // CPU used so far was used at the old rate.
    const c = this.record(ref.host)
      .pods.get(`${ref.namespace}/${ref.name}`)
      ?.containers.find((x) => x.name === container);
    if (c) this.cpuCounterOf(ref, c);
    this.usage.set(`${podSubject(ref)}/${container}`, usage);
  }

  /** A container's cumulative CPU (ns) now: the set rate integrated since its start. */
  private cpuCounterOf(ref: PodRef, c: ObservedContainer): number {
    const now = this.clock.now();
    const counter = this.cpuCounters.get(c.id) ?? { nanos: 0, since: c.startedAt ?? now };
    const rate = this.usage.get(`${podSubject(ref)}/${c.name}`)?.cpuMilli ?? 0;
    // millicores x ms = 1e-6 core-seconds = 1000 ns.
    counter.nanos += rate * Math.max(0, now - counter.since) * 1000;
    counter.since = now;
    this.cpuCounters.set(c.id, counter);
    return counter.nanos;
  }

  hostCommands(host: string): { command: string; stdin?: string }[] {
    return [...this.record(host).commands];
  }

  // ---- Runtime ----------------------------------------------------------------------------

  hostInfo(): HostInfo[] {
    return [...this.hosts.values()].map(({ info }) => ({
      name: info.name,
      kind: info.kind,
      address: info.address,
      labels: info.labels,
      taints: info.taints,
      ...(info.maxPods === undefined ? {} : { maxPods: info.maxPods }),
      ...(info.extendedResources ? { extendedResources: info.extendedResources } : {}),
      ...(info.unschedulable ? { unschedulable: true } : {}),
    }));
  }

  async observe(): Promise<Observed> {
    this.assertOpen();
    const hosts = [...this.hosts.values()];
    return {
      at: this.clock.now(),
      hosts: hosts.map((h) => ({
        name: h.info.name,
        address: h.info.address,
        ready: h.reachable,
        notReadySince: h.reachable ? undefined : h.notReadySince,
        reason: h.reachable ? undefined : 'host unreachable',
        labels: h.info.labels,
        taints: h.info.taints,
        capacity: h.info.capacity,
        dockerVersion: h.info.dockerVersion,
        ...(h.info.maxPods === undefined ? {} : { maxPods: h.info.maxPods }),
        ...(h.info.extendedResources ? { extendedResources: h.info.extendedResources } : {}),
        ...(h.info.unschedulable ? { unschedulable: true } : {}),
      })),
      pods: hosts
        .flatMap((h) => [...h.pods.values()])
        .sort(
          (a, b) =>
            a.host.localeCompare(b.host) ||
            a.namespace.localeCompare(b.namespace) ||
            a.name.localeCompare(b.name),
        )
        .map((p) => this.cloneOf(p)),
      claimVolumes: [...this.claimVolumes.values()]
        .sort((a, b) => a.host.localeCompare(b.host) || a.volume.localeCompare(b.volume))
        .map((v) => ({ ...v, accessModes: [...v.accessModes] })),
    };
  }

  async removeClaimVolume(host: string, volume: string): Promise<void> {
    this.reachable(host);
    const inUse = [...this.hosts.get(host)!.pods.values()].some((p) =>
      (p.spec?.volumes ?? []).some(
        (v) =>
          v.persistentVolumeClaim &&
          claimVolumeName(p.namespace, v.persistentVolumeClaim.claimName) === volume,
      ),
    );
    if (inUse)
      throw new RuntimeError('runtime.volume-in-use', `volume ${volume} on ${host} is in use by a pod`, {
        subject: `volume/${volume}@${host}`,
      });
    this.claimVolumes.delete(`${host}/${volume}`);
  }

  async createPod(host: string, pod: DesiredPod): Promise<void> {
    const h = this.reachable(host);
    const key = `${pod.namespace}/${pod.name}`;
    const subject = podSubject({ host, namespace: pod.namespace, name: pod.name });
    if (h.pods.has(key))
      throw new RuntimeError('runtime.pod-exists', `${subject} already exists`, { subject });
    const taken = new Set(
      [...h.pods.values()].flatMap((p) => p.publishedPorts.map((x) => `${x.hostPort}/${x.protocol}`)),
    );
    const published: ObservedPod['publishedPorts'] = [];
    for (const c of [...(pod.initContainers ?? []), ...pod.containers])
      for (const p of c.ports) {
        if (p.hostPort !== undefined && taken.has(`${p.hostPort}/${p.protocol}`))
          throw new RuntimeError(
            'runtime.docker',
            `create ${pod.name}: port is already allocated (${p.hostPort})`,
            { subject },
          );
        const hostPort = p.hostPort ?? h.nextPort++;
        taken.add(`${hostPort}/${p.protocol}`);
        published.push({ containerPort: p.containerPort, protocol: p.protocol, hostPort });
      }
    const now = this.clock.now();
    for (const c of pod.claimVolumes ?? [])
      if (!this.claimVolumes.has(`${host}/${c.volume}`))
        this.claimVolumes.set(`${host}/${c.volume}`, {
          host,
          volume: c.volume,
          app: c.app,
          namespace: c.namespace,
          claim: c.claim,
          storage: c.storage,
          accessModes: [...c.accessModes],
          createdAt: now,
        });
    const labels = podLabels(pod, now);
    const init = pod.initContainers ?? [];
    h.pods.set(key, {
      host,
      name: pod.name,
      namespace: pod.namespace,
      app: pod.app,
      ownerKind: pod.owner.kind,
      ownerName: pod.owner.name,
      templateHash: pod.templateHash,
      commit: pod.commit,
      labels: this.specs.intern(JSON.stringify(pod.labels)) ?? {},
      spec: this.specs.intern(JSON.stringify(pod.spec)),
      ...(pod.gpuDevices?.length ? { gpuDevices: [...pod.gpuDevices] } : {}),
      createdAt: now,
      ip: `172.30.${h.subnet}.${h.nextIp++}`,
      publishedPorts: published.sort((a, b) => a.containerPort - b.containerPort),
      infra: { id: this.id(), state: 'running' },
      // As DockerRuntime: with init containers only the first starts, the rest are created.
      ...(init.length > 0
        ? { initContainers: init.map((c, i) => this.newContainer(pod, c, labels, INIT_ROLE, i === 0)) }
        : {}),
      containers: pod.containers.map((c) => this.newContainer(pod, c, labels, APP_ROLE, init.length === 0)),
      probes: {},
    });
  }

  private newContainer(
    pod: DesiredPod,
    c: DesiredContainer,
    labels: Record<string, string>,
    role: string,
    started: boolean,
  ): ObservedContainer {
    return {
      id: this.id(),
      name: c.name,
      image: c.image,
      exitCode: 0,
      restartCount: 0,
      ...this.startOrHold(
        pod,
        c.name,
        this.clock.now(),
        { ...labels, [LABELS.role]: role, [LABELS.container]: c.name, [LABELS.restartCount]: '0' },
        started,
      ),
    };
  }

  async startContainer(ref: PodRef, container: string): Promise<void> {
    this.reachable(ref.host);
    const c = this.current(ref, container);
    if (c.state !== 'created') return;
    // Held back: only restartContainer's retry starts it, as on DockerRuntime.
    if (c.labels[LABELS.waitingReason] !== undefined) return;
    c.state = 'running';
    c.startedAt = this.clock.now();
  }

  async deletePod(ref: PodRef, _gracePeriodSeconds: number): Promise<void> {
    const h = this.reachable(ref.host);
    h.pods.delete(`${ref.namespace}/${ref.name}`);
  }

  async restartContainer(ref: PodRef, container: string): Promise<void> {
    this.reachable(ref.host);
    const c = this.current(ref, container);
    const pod = this.pod(ref);
    // A held-back container (CreateContainerConfigError) is retried in place, as DockerRuntime does.
    const restart = c.restartCount + (c.labels[LABELS.waitingReason] === undefined ? 1 : 0);
    const { [LABELS.waitingReason]: _r, [LABELS.waitingMessage]: _m, ...labels } = c.labels;
    Object.assign(c, {
      id: this.id(),
      exitCode: 0,
      finishedAt: undefined,
      restartCount: restart,
      ...this.startOrHold({ ...ref, spec: pod.spec }, container, this.clock.now(), {
        ...labels,
        'skiff.io/restart-count': String(restart),
      }),
    } satisfies Partial<ObservedContainer>);
  }

  /** Running (or created when `start` is false: an init container's turn has not come), or
   *  created and held back when runAsNonRoot refuses the image's user (the fake's images all
   *  run as root unless imageUsers says otherwise). */
  private startOrHold(
    pod: { namespace: string; name: string; spec?: PodSpec },
    container: string,
    now: number,
    labels: Record<string, string>,
    start = true,
  ): Pick<ObservedContainer, 'state' | 'startedAt' | 'labels'> {
    const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
      (x) => x.name === container,
    );
    const held =
      pod.spec && spec
        ? containerSecurity({ ...pod, spec: pod.spec }, spec, {
            ...NO_SECURITY_FACTS,
            imageUsers: this.imageUsers,
          }).waiting
        : undefined;
    if (!held) return start ? { state: 'running', startedAt: now, labels } : { state: 'created', labels };
    return {
      state: 'created',
      startedAt: undefined,
      labels: { ...labels, [LABELS.waitingReason]: held.reason, [LABELS.waitingMessage]: held.message },
    };
  }

  async logs(ref: PodRef, opts: LogOptions): Promise<NodeJS.ReadableStream> {
    this.reachable(ref.host);
    const pod = this.pod(ref);
    const name = opts.container ?? pod.containers[0]?.name ?? '';
    this.current(ref, name);
    const lines = this.logLines.get(`${podSubject(ref)}/${name}`) ?? [];
    const out = new PassThrough();
    const shown = opts.tail === undefined ? lines : lines.slice(Math.max(0, lines.length - opts.tail));
    out.write(shown.map((l) => `${l}\n`).join(''));
    if (!opts.follow) out.end();
    return out;
  }

  async exec(ref: PodRef, container: string, command: string[]): Promise<ExecResult> {
    this.reachable(ref.host);
    const c = this.current(ref, container);
    if (c.state !== 'running')
      throw new RuntimeError('runtime.docker', `exec in ${container}: container is not running`, {
        subject: podSubject(ref),
      });
    return this.execHandler(clonePod(this.pod(ref)), container, command);
  }

  async sampleStats(host: string): Promise<ContainerUsage[]> {
    const h = this.reachable(host);
    const at = this.clock.now();
    return [...h.pods.values()].flatMap((p) =>
      p.containers
        .filter((c) => c.state === 'running')
        .map((c) => ({
          host,
          containerId: c.id,
          namespace: p.namespace,
          pod: p.name,
          container: c.name,
          cpuUsageNanos: this.cpuCounterOf({ host, namespace: p.namespace, name: p.name }, c),
          memoryBytes: this.usage.get(`${podSubject(p)}/${c.name}`)?.memoryBytes ?? 0,
          at,
          source: 'cgroup' as const,
          counterClockMs: at,
        })),
    );
  }

  async stats(host: string): Promise<ContainerStats[]> {
    const h = this.reachable(host);
    const at = this.clock.now();
    return [...h.pods.values()].flatMap((p) =>
      p.containers
        .filter((c) => c.state === 'running')
        .map((c) => {
          const u = this.usage.get(`${podSubject(p)}/${c.name}`) ?? { cpuMilli: 0, memoryBytes: 0 };
          return {
            host,
            containerId: c.id,
            namespace: p.namespace,
            pod: p.name,
            container: c.name,
            ...u,
            at,
          };
        }),
    );
  }

  async execOnHost(host: string, command: string, stdin?: string): Promise<ExecResult> {
    const h = this.reachable(host);
    h.commands.push({ command, stdin });
    return this.hostExecHandler(host, command, stdin);
  }

  async connectTcp(host: string, ip: string, port: number): Promise<Duplex> {
    this.reachable(host);
    if (!this.tcpHandler)
      throw new RuntimeError('runtime.docker', `fake runtime: no TCP handler for ${ip}:${port}`);
    return this.tcpHandler(host, ip, port);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** A container id as Docker writes one: 64 hex digits, here a counter. Hex-encoded from a
   *  buffer rather than padded, so it is one flat string as JSON.parse gives DockerRuntime
   *  (`padStart` builds a chain of string pieces that the heap keeps per id). */
  private id(): string {
    const bytes = Buffer.alloc(32);
    bytes.writeUInt32BE(this.nextId++, 28);
    return bytes.toString('hex');
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeError('runtime.closed', 'runtime is closed');
  }

  private record(host: string): HostRecord {
    this.assertOpen();
    const h = this.hosts.get(host);
    if (!h)
      throw new RuntimeError('runtime.unknown-host', `host/${host} is not in the cluster config`, {
        subject: `host/${host}`,
      });
    return h;
  }

  private reachable(host: string): HostRecord {
    const h = this.record(host);
    if (!h.reachable) throw new HostUnreachableError(host, 'connection timed out');
    return h;
  }

  private cloneOf(p: ObservedPod): ObservedPod {
    const last = this.copies.get(p);
    if (last) return last;
    const copy = clonePod(p);
    this.copies.set(p, copy);
    return copy;
  }

  private pod(ref: PodRef): ObservedPod {
    const p = this.record(ref.host).pods.get(`${ref.namespace}/${ref.name}`);
    if (!p)
      throw new RuntimeError('runtime.pod-not-found', `${podSubject(ref)} not found`, {
        subject: podSubject(ref),
      });
    // The caller may change it: the next observation copies it again.
    this.copies.delete(p);
    return p;
  }

  private current(ref: PodRef, container: string): ObservedContainer {
    const pod = this.pod(ref);
    const c = [...pod.containers, ...(pod.initContainers ?? [])].find((x) => x.name === container);
    if (!c)
      throw new RuntimeError(
        'runtime.container-not-found',
        `${podSubject(ref)} has no container ${container}`,
        { subject: podSubject(ref) },
      );
    return c;
  }
}

/** A copy the caller may keep, frozen as DockerRuntime's decoded pods are (the pod object only:
 *  freezing its containers and nested objects too cost V8 about a hidden class each, 9 MB at
 *  15,000 pods): its own containers and probes; the spec and the pod's labels are shared and
 *  frozen, as decodePods shares them. */
function clonePod(p: ObservedPod): ObservedPod {
  const { spec, labels, containers, initContainers, ...rest } = p;
  // Object.assign, not `{ ...clone, labels }`: that literal gets a hidden class per pod on
  // Node 20 (a spread followed by a new key), which a decoded pod does not.
  return Object.freeze<ObservedPod>(
    Object.assign(structuredClone(rest), {
      labels,
      ...(spec ? { spec } : {}),
      containers: containers.map(cloneContainer),
      ...(initContainers ? { initContainers: initContainers.map(cloneContainer) } : {}),
    }),
  );
}

/** As decodePods reads a container: its own labels only. */
function cloneContainer(c: ObservedContainer): ObservedContainer {
  return { ...c, labels: containerOwnLabels(c.labels) };
}
