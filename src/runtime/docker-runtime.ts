// DockerRuntime: the real Runtime. Docker engines on hosts reached over one persistent SSH
// connection each (or the local socket for a `local` host). Shell: it holds the connections
// and the clock; what containers mean is decided by the pure decodePods/planPod.
// Invariants:
// - observe() never fails because a host is down: that host is reported NotReady, with the
//   time it first failed (notReadySince) and its last known pods, while the others answer.
// - Every Docker call runs under a per-host and an overall concurrency bound, with a timeout.
// - Pods are created whole or not at all (a failed create removes what it made); deletes and
//   restarts are idempotent against what is actually on the host.
import { setMaxListeners } from 'node:events';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { ClusterConfig, ConnectionConfig, HostConfig } from '../config/cluster-config.js';
import { effectiveSecurity, needsImageUser } from '../controllers/security-context.js';
import type { PodRef } from '../model/actions.js';
import type { DesiredContainer, DesiredPod } from '../model/desired.js';
import type { Container, PodSpec, ProbeHandler } from '../model/k8s.js';
import {
  APP_ROLE,
  deletionDeadlineOf,
  dockerContainerName,
  INFRA_ROLE,
  INIT_ROLE,
  LABELS,
  markedForDeletion,
} from '../model/labels.js';
import type { Observed, ObservedClaimVolume, ObservedHost, ObservedPod } from '../model/observed.js';
import { CGROUP_USAGE_SCRIPT, parseCgroupUsage } from './cgroup-usage.js';
import { type Clock, MAX_TIMER_MS, systemClock } from './clock.js';
import { ContainerEvents } from './container-events.js';
import {
  containerSecurity,
  type DockerSecurity,
  type SecurityFacts,
  seccompProfilePath,
} from './container-security.js';
import { decodeClaimVolumes, type VolumeSummary } from './decode-claims.js';
import {
  type ContainerDetails,
  type ContainerSummary,
  type DecodedPodCache,
  decodeDockerTime,
  decodePods,
} from './decode-pods.js';
import { DemuxTransform, demuxBuffer, readableOf } from './docker-streams.js';
import { dockerError, HostKeyError, isNotFound, podSubject, RuntimeError } from './errors.js';
import { type HostTransport, shellQuote, transportFor } from './host-transport.js';
import { HostImages, type RuntimeLogger, silentLogger } from './images.js';
import { Limiter } from './limiter.js';
import { PAUSE_IMAGE } from './pause-image.js';
import { type DockerCreateBody, type DockerDeviceRequest, planPod, podDirOf } from './pod-spec.js';
import { type DockerMount, envWithPodIP, hostPathScript, podVolumeLabels } from './pod-volumes.js';
import { buildProbeRequest } from './probe-runner.js';
import type {
  ContainerStats,
  ContainerUsage,
  ExecLane,
  ExecResult,
  HostInfo,
  LogOptions,
  Runtime,
} from './runtime.js';
import type { RuntimeObserver } from './runtime-observer.js';
import { SpecInterner } from './spec-interner.js';
import {
  type CpuPoint,
  completeSample,
  cpuMillicores,
  cpuPointOf,
  type DockerStatsSample,
  enginePreviousPoint,
  onlineCpusOf,
  workingSetBytes,
} from './stats.js';

export interface DockerRuntimeOptions {
  logger?: RuntimeLogger;
  /** Where registry passwords given as passwordEnv are read. */
  env?: Record<string, string | undefined>;
  /** The clock (ms since epoch); injectable so tests can pin notReadySince. Default: systemClock. */
  clock?: Pick<Clock, 'now'>;
  /** Make a host's transport (tests use this to point at a different engine). */
  transport?: (host: HostConfig, opts: ConnectionConfig, observer?: RuntimeObserver) => HostTransport;
  /** Told each Docker call's latency and each SSH (re)connection (the daemon's metrics). */
  observer?: RuntimeObserver;
}

interface EngineInfo {
  version: string;
  cpuMilli: number;
  memoryBytes: number;
  architecture: string;
  /** The engine lists AppArmor among its security options. */
  apparmor: boolean;
  at: number;
}

interface HostState {
  cfg: HostConfig;
  transport: HostTransport;
  /** Docker API calls (observe, create, stats, exec...). */
  limiter: Limiter;
  /** TCP forwards to pods (probes, tests): one SSH channel each, never queued behind slow
   *  Docker calls, whose latency a probe's timeoutSeconds would otherwise count. */
  forwards: Limiter;
  /** The host lease's commands, apart from the Docker calls' bound: a renewal must never
   *  wait behind slow calls (a stats sweep through the API takes about 1 s per container). */
  control: Limiter;
  images: HostImages;
  ready: boolean;
  tried: boolean;
  notReadySince?: number;
  reason?: string;
  engine?: EngineInfo;
  lastPods: ObservedPod[];
  /** The host's claim volumes as last read (kept while NotReady: a claim stays bound there). */
  lastClaims: ObservedClaimVolume[];
  /** The claim volumes were read at least once (lastClaims is the host's, not a blank). */
  claimsRead: boolean;
  /** Inspect results by container id, with the list state they were read in. */
  details: Map<string, { state: string; details: ContainerDetails }>;
  /** The pods decoded at the last list: a pod decoded again to the same value is handed on as
   *  the same object. */
  decoded: DecodedPodCache;
  /** Whether the host must be listed again: its engine's events, and skiff's own changes
   *  (`changing`). */
  events: ContainerEvents;
  /** When the host is listed even with no event (a missed one costs at most this long). */
  resyncAt: number;
  /** Successful observations of the host (the event stream starts at the second). */
  observations: number;
  /** The list in flight, if any: a concurrent observe with no newer change waits for it. */
  listing?: Promise<ObservedPod[]>;
  /** Lists started, and the latest of them whose answer is in lastPods (an older list that
   *  ends after a newer one does not put its pods back). */
  listsStarted: number;
  newestListed: number;
  cpuPrev: Map<string, CpuPoint>;
  /** Why the last cgroup read could not serve the host (logged once until it works again). */
  cgroupFallback?: string;
}

/** Concurrent TCP forwards (SSH channels) per host: probes of many pods at once. */
const FORWARDS_PER_HOST = 32;
const ENGINE_INFO_TTL_MS = 60_000;
/** A host with no event is listed again after this long at the least (plus its spread). */
const RESYNC_MS = 60_000;
/** The longest a Ready host goes without a list (RESYNC_MS plus the largest spread). */
const MAX_RESYNC_MS = 2 * RESYNC_MS;
const STATS_CONCURRENCY = 32;

export class DockerRuntime implements Runtime {
  private readonly hosts = new Map<string, HostState>();
  private readonly global: Limiter;
  private readonly conn: ConnectionConfig;
  private readonly log: RuntimeLogger;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly observer?: RuntimeObserver;
  /** One parsed spec per distinct spec label, shared by the pods of a template on every host. */
  private readonly specs = new SpecInterner();
  private sweptAt = 0;
  private closed = false;

  constructor(config: ClusterConfig, opts: DockerRuntimeOptions = {}) {
    this.conn = config.connection;
    this.log = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.observer = opts.observer;
    this.global = new Limiter(this.conn.maxConcurrent);
    const make = opts.transport ?? transportFor;
    for (const cfg of config.hosts) {
      const transport = make(cfg, this.conn, opts.observer);
      this.hosts.set(cfg.name, {
        cfg,
        transport,
        limiter: new Limiter(this.conn.maxConcurrentPerHost),
        forwards: new Limiter(FORWARDS_PER_HOST),
        control: new Limiter(1),
        images: new HostImages(
          cfg.name,
          transport.docker,
          config.registries,
          opts.env ?? process.env,
          this.log,
          this.conn.pullTimeoutSeconds * 1000,
        ),
        ready: false,
        tried: false,
        lastPods: [],
        lastClaims: [],
        claimsRead: false,
        details: new Map(),
        decoded: new Map(),
        events: new ContainerEvents(
          transport.docker,
          this.conn.callTimeoutSeconds * 1000,
          (outcome, seconds, failedBefore) =>
            this.eventStreamOpened(cfg.name, outcome, seconds, failedBefore),
        ),
        resyncAt: 0,
        observations: 0,
        listsStarted: 0,
        newestListed: 0,
        cpuPrev: new Map(),
      });
    }
  }

  hostInfo(): HostInfo[] {
    return [...this.hosts.values()].map(({ cfg: h }) => ({
      name: h.name,
      kind: h.kind,
      address: h.address,
      labels: h.labels,
      taints: h.taints,
      ...schedulingFacts(h),
    }));
  }

  /** The Docker client of a host (for tools and benchmarks that need the raw API). */
  dockerOf(host: string): Docker {
    return this.host(host).transport.docker;
  }

  private host(name: string): HostState {
    if (this.closed) throw new RuntimeError('runtime.closed', 'runtime is closed');
    const h = this.hosts.get(name);
    if (!h)
      throw new RuntimeError('runtime.unknown-host', `host/${name} is not in the cluster config`, {
        subject: `host/${name}`,
        hint: `known hosts: ${[...this.hosts.keys()].join(', ')}`,
      });
    return h;
  }

  /** Runs one of skiff's own changes on a host (create, delete, start, restart, a volume's
   *  removal), marking the host for a list before and after: the pass after it lists the host
   *  even before the change's events arrive, and a list that ran during it is not the last. */
  private async changing<T>(h: HostState, change: () => Promise<T>): Promise<T> {
    h.events.markChanged();
    try {
      return await change();
    } finally {
      h.events.markChanged();
    }
  }

  /** Run one bounded, timed call against a host's engine. */
  private call<T>(
    h: HostState,
    what: string,
    fn: (signal: AbortSignal) => Promise<T>,
    timeoutMs = this.conn.callTimeoutSeconds * 1000,
    lane: 'docker-api' | 'forward' = 'docker-api',
  ): Promise<T> {
    const run = async () => {
      const ac = new AbortController();
      // One call may fan out (observe inspects every changed container under one signal).
      setMaxListeners(0, ac.signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          ac.abort();
          reject(
            new RuntimeError(
              'runtime.timeout',
              `${what} on host/${h.cfg.name} timed out after ${timeoutMs} ms`,
              {
                subject: `host/${h.cfg.name}`,
                retryable: true,
              },
            ),
          );
        }, timeoutMs);
      });
      const started = performance.now();
      let ok = false;
      try {
        const out = await Promise.race([fn(ac.signal), timeout]);
        ok = true;
        return out;
      } finally {
        clearTimeout(timer);
        this.observer?.dockerCall(h.cfg.name, what, (performance.now() - started) / 1000, ok);
      }
    };
    return lane === 'forward' ? h.forwards.run(run) : h.limiter.run(() => this.global.run(run));
  }

  // ---- observe ------------------------------------------------------------------------

  async observe(): Promise<Observed> {
    const at = this.clock.now();
    const parts = await Promise.all([...this.hosts.values()].map((h) => this.observeHost(h, at)));
    // Only what no list asked for in a whole resync period is forgotten: a host that is not
    // listed does not ask for its pods' specs, and a spec forgotten while its pods live would be
    // parsed again into a second copy the next list of that template hands out.
    if (at - this.sweptAt >= MAX_RESYNC_MS) {
      this.specs.sweep();
      this.sweptAt = at;
    }
    return {
      at,
      hosts: parts.map((p) => p.host),
      pods: parts.flatMap((p) => p.pods),
      claimVolumes: [...this.hosts.values()].flatMap((h) => h.lastClaims),
    };
  }

  private async observeHost(h: HostState, at: number): Promise<{ host: ObservedHost; pods: ObservedPod[] }> {
    // A host already known to be down is not waited for: its reconnect runs in the background
    // and a later pass sees it Ready again. Only the first contact may wait for the handshake.
    if (h.tried && !h.ready && !h.transport.connected()) {
      h.transport.ready().catch(() => {});
      return this.notReady(h, at, h.reason ?? 'not connected');
    }
    h.tried = true;
    // Listed again when its events (or skiff's own calls) say something changed, when it was
    // not Ready, or when its resync is due; otherwise the last list stands, and only the claim
    // volumes are read (which also proves the host still answers: a host cut off turns NotReady
    // as fast as when every pass listed it).
    const now = this.clock.now();
    const list = h.events.takeChanged() || !h.ready || now >= h.resyncAt;
    const timeoutMs = this.conn.observeTimeoutSeconds * 1000;
    try {
      let pods: ObservedPod[];
      if (list) {
        const seq = ++h.listsStarted;
        const listing = this.call(h, 'observe', (signal) => this.readPods(h, signal), timeoutMs);
        h.listing = listing;
        try {
          pods = await listing;
        } finally {
          if (h.listing === listing) h.listing = undefined;
        }
        // A list that started later already answered: its pods are the newer.
        if (seq < h.newestListed) pods = h.lastPods;
        else h.newestListed = seq;
        h.resyncAt = now + this.resyncDelayMs(h);
      } else if (h.listing) {
        // Another observe (an API call beside the pass) took the change mark and is listing:
        // its answer is newer than anything this one knows of, the last list's is not.
        pods = await h.listing;
      } else {
        await this.call(h, 'list volumes', (signal) => this.readClaims(h, signal), timeoutMs);
        pods = h.lastPods;
      }
      // From the second observation on: a one-shot observe (`skiff plan`) opens no stream.
      if (h.observations++ > 0) h.events.watch();
      h.ready = true;
      h.notReadySince = undefined;
      h.reason = undefined;
      h.lastPods = pods;
      return { host: this.observedHost(h), pods };
    } catch (err) {
      return this.notReady(h, at, reasonOf(err));
    }
  }

  private notReady(h: HostState, at: number, reason: string): { host: ObservedHost; pods: ObservedPod[] } {
    if (h.ready || h.notReadySince === undefined) {
      h.notReadySince = at;
      this.log.warn({ host: h.cfg.name, reason }, 'host not ready');
    }
    h.ready = false;
    h.reason = reason;
    // Last known pods stay visible: controllers decide what a NotReady host's pods mean.
    return { host: this.observedHost(h), pods: h.lastPods };
  }

  private observedHost(h: HostState): ObservedHost {
    return {
      name: h.cfg.name,
      address: h.cfg.address,
      ready: h.ready,
      notReadySince: h.ready ? undefined : h.notReadySince,
      reason: h.ready ? undefined : h.reason,
      labels: h.cfg.labels,
      taints: h.cfg.taints,
      capacity: { cpuMilli: h.engine?.cpuMilli ?? 0, memoryBytes: h.engine?.memoryBytes ?? 0 },
      ...schedulingFacts(h.cfg),
      dockerVersion: h.engine?.version,
      ...(h.claimsRead ? {} : { claimVolumesUnknown: true }),
    };
  }

  /** The host's claim volumes. Read every pass, listed or quiet: a volume's events carry no
   *  labels to filter on, and another skiff (`skiff delete pvc` from a CLI) may remove one. */
  private async readClaims(h: HostState, signal: AbortSignal): Promise<void> {
    const volumes = (await h.transport.docker.listVolumes({
      filters: { label: [`${LABELS.managed}=true`, LABELS.claim] },
      abortSignal: signal,
    } as object)) as { Volumes?: VolumeSummary[] | null };
    h.lastClaims = decodeClaimVolumes(h.cfg.name, volumes.Volumes ?? []);
    h.claimsRead = true;
  }

  /** An attempt to open a host's event stream: a metric each time, a log line when the stream
   *  starts failing and when it is up again (not one per pass in between). Until it is up the
   *  host is listed every pass: slower passes, nothing missed. */
  private eventStreamOpened(
    host: string,
    outcome: { ok: true } | { ok: false; error: unknown },
    seconds: number,
    failedBefore: number,
  ): void {
    this.observer?.dockerCall(host, 'watch events', seconds, outcome.ok);
    if (!outcome.ok && failedBefore === 0)
      this.log.warn(
        { host, reason: reasonOf(outcome.error) },
        "the engine's event stream did not open: the host is listed every pass until it does",
      );
    else if (outcome.ok && failedBefore > 0)
      this.log.info({ host, failedAttempts: failedBefore }, "the engine's event stream is open again");
  }

  /** 60-120 s, spread over the hosts by their names, so that a daemon's hosts (all listed at
   *  its first pass) do not all resync on the same pass. */
  private resyncDelayMs(h: HostState): number {
    let hash = 0;
    for (let i = 0; i < h.cfg.name.length; i++) hash = (hash * 31 + h.cfg.name.charCodeAt(i)) >>> 0;
    return RESYNC_MS + (hash % RESYNC_MS);
  }

  private async readPods(h: HostState, signal: AbortSignal): Promise<ObservedPod[]> {
    const docker = h.transport.docker;
    const needInfo = !h.engine || this.clock.now() - h.engine.at > ENGINE_INFO_TTL_MS;
    const [list, info] = await Promise.all([
      docker.listContainers({
        all: true,
        filters: { label: [`${LABELS.managed}=true`] },
        abortSignal: signal,
      }) as Promise<ContainerSummary[]>,
      needInfo ? (docker.info() as Promise<DockerInfo>) : Promise.resolve(undefined),
      this.readClaims(h, signal),
    ]);
    if (info) h.engine = engineInfo(info, this.clock.now());
    // Exit codes and start times need an inspect; do it only when a container's state changed,
    // a few at a time: each inspect is a channel of the host's connection, and the agent keeps
    // some of them open after a burst. Not for infra containers: a pod's infra is read for its
    // id and state alone (half the inspects of a host, and of their cache).
    const stale = list.filter(
      (c) => c.Labels?.[LABELS.role] !== INFRA_ROLE && h.details.get(c.Id)?.state !== c.State,
    );
    const inspects = new Limiter(this.conn.maxConcurrentPerHost);
    await Promise.all(
      stale.map((c) =>
        inspects.run(async () => {
          try {
            const i = await docker.getContainer(c.Id).inspect({ abortSignal: signal } as object);
            h.details.set(c.Id, {
              state: c.State,
              details: {
                exitCode: i.State.ExitCode,
                startedAt: decodeDockerTime(i.State.StartedAt),
                finishedAt: decodeDockerTime(i.State.FinishedAt),
              },
            });
          } catch (err) {
            if (!isNotFound(err)) throw err; // removed between list and inspect: fine
          }
        }),
      ),
    );
    const ids = new Set(list.map((c) => c.Id));
    for (const id of h.details.keys()) if (!ids.has(id)) h.details.delete(id);
    // Read through, not copied: a list of thousands of containers copies nothing.
    const details = { get: (id: string) => h.details.get(id)?.details };
    return decodePods(h.cfg.name, list, details, this.specs, h.decoded);
  }

  /** Containers of one pod on its host, straight from Docker. */
  private async podContainers(
    h: HostState,
    ref: Pick<PodRef, 'namespace' | 'name'>,
  ): Promise<ContainerSummary[]> {
    return (await this.call(h, 'list pod containers', (signal) =>
      h.transport.docker.listContainers({
        all: true,
        filters: {
          label: [
            `${LABELS.managed}=true`,
            `${LABELS.namespace}=${ref.namespace}`,
            `${LABELS.pod}=${ref.name}`,
          ],
        },
        abortSignal: signal,
      }),
    )) as ContainerSummary[];
  }

  // ---- create ---------------------------------------------------------------------------

  async createPod(hostName: string, pod: DesiredPod): Promise<void> {
    const h = this.host(hostName);
    return this.changing(h, async () => {
      const subject = podSubject({ host: hostName, namespace: pod.namespace, name: pod.name });
      if ((await this.podContainers(h, pod)).length > 0)
        throw new RuntimeError('runtime.pod-exists', `${subject} already exists`, {
          subject,
          hint: 'delete it first',
        });
      await h.images.ensurePause();
      const all = [...(pod.initContainers ?? []), ...pod.containers];
      const images = new Map(all.map((c) => [c.image, c.pullPolicy]));
      await Promise.all([...images].map(([image, policy]) => h.images.ensure(image, policy)));
      const plan = planPod(pod, {
        dataDir: h.cfg.dataDir,
        pauseImage: PAUSE_IMAGE,
        createdAt: this.clock.now(),
        security: await this.securityFacts(h, pod.spec),
      });
      const created: string[] = [];
      try {
        checkClaimSubPaths(h.engine?.version, pod, subject);
        await h.transport.writePaths(plan.paths);
        await this.checkHostPaths(h, pod, subject);
        const infraId = await this.createContainer(h, plan.infra, subject);
        created.push(infraId);
        await this.call(h, 'start infra', (signal) =>
          h.transport.docker.getContainer(infraId).start({ abortSignal: signal } as object),
        );
        await this.fillPodIP(h, infraId, all, [...plan.initContainers, ...plan.containers]);
        const ids: string[] = [];
        for (const body of [...plan.initContainers, ...plan.containers]) {
          const id = await this.createContainer(h, body, subject);
          created.push(id);
          ids.push(id);
        }
        // Started in spec order, as the kubelet does. With init containers only the first
        // starts here: each pass starts the next one once the one before has completed (or,
        // for a sidecar, started), then the app containers (reconcile/heal-init.ts). One held
        // back (CreateContainerConfigError) stays created and shows its reason; the pass retries
        // it under backoff.
        const waiting = [...plan.initWaiting, ...plan.waiting];
        const first = plan.initContainers.length > 0 ? ids.slice(0, 1) : ids;
        for (const [i, id] of first.entries()) {
          if (waiting[i]) continue;
          try {
            await this.call(h, 'start container', (signal) =>
              h.transport.docker.getContainer(id).start({ abortSignal: signal } as object),
            );
          } catch (err) {
            // The pod stays (a created container that did not start is a state the controllers
            // see and restart with backoff); the action reports why.
            throw new RuntimeError(
              'runtime.start-failed',
              `${subject}: container ${all[i]?.name} did not start: ${reasonOf(err)}`,
              { subject, cause: err },
            );
          }
        }
      } catch (err) {
        if (err instanceof RuntimeError && err.code === 'runtime.start-failed') throw err;
        await this.removeContainers(h, created).catch(() => {});
        await this.removePodVolumes(h, pod).catch(() => {});
        await h.transport.removeTree(plan.podDir).catch(() => {});
        throw err;
      }
      this.log.info({ host: hostName, pod: `${pod.namespace}/${pod.name}` }, 'pod created');
    });
  }

  /** What the pod's security settings need from the host: the images' users (runAsNonRoot,
   *  runAsGroup alone), Localhost seccomp profiles, AppArmor support. */
  private async securityFacts(
    h: HostState,
    spec: PodSpec,
    containers: readonly Container[] = [...(spec.initContainers ?? []), ...spec.containers],
  ): Promise<SecurityFacts> {
    const imageUsers = new Map<string, string>();
    const seccompProfiles = new Map<string, { json?: string; error?: string }>();
    for (const c of containers) {
      const s = effectiveSecurity(spec, c);
      if (needsImageUser(s) && !imageUsers.has(c.image)) {
        const image = await this.call(h, 'inspect image', () =>
          h.transport.docker.getImage(c.image).inspect(),
        );
        imageUsers.set(c.image, image.Config?.User ?? '');
      }
      const profile = s.seccomp?.type === 'Localhost' ? s.seccomp.localhostProfile : undefined;
      if (profile !== undefined && !seccompProfiles.has(profile)) {
        const path = seccompProfilePath(h.cfg.dataDir, profile);
        const r = await h.transport.exec(`cat -- ${shellQuote(path)}`, undefined, 30_000);
        seccompProfiles.set(
          profile,
          r.exitCode === 0 ? compactJson(r.stdout) : { error: r.stderr.trim() || `cannot read ${path}` },
        );
      }
    }
    return { imageUsers, seccompProfiles, apparmor: h.engine?.apparmor ?? true };
  }

  /** hostPath type checks, as the kubelet's volume setup runs them before any container. */
  private async checkHostPaths(h: HostState, pod: DesiredPod, subject: string): Promise<void> {
    const script = hostPathScript(pod);
    if (!script) return;
    const r = await h.transport.exec(script, undefined, 30_000);
    if (r.exitCode !== 0)
      throw new RuntimeError(
        'runtime.volume-setup',
        `${subject}: ${(r.stdout.trim() || r.stderr.trim()).split('\n')[0]}`,
        {
          subject,
          hint: 'create the path on the host with the type the volume names, or change hostPath.type',
          retryable: true,
        },
      );
  }

  /** status.podIP in env: the infra container's address, known once it runs. `containers`
   *  and `bodies` in the same order (init containers, then app containers). */
  private async fillPodIP(
    h: HostState,
    infraId: string,
    containers: readonly DesiredContainer[],
    bodies: DockerCreateBody[],
  ): Promise<void> {
    if (!containers.some((c) => c.env.some((e) => e.podField))) return;
    const info = await this.call(h, 'inspect infra', () =>
      h.transport.docker.getContainer(infraId).inspect(),
    );
    const ip = Object.values(info.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress ?? '';
    containers.forEach((c, i) => {
      if (bodies[i]) bodies[i].Env = envWithPodIP(c, ip);
    });
  }

  /** A pod's own Docker volumes (medium: Memory emptyDirs): they go with the pod. */
  private async removePodVolumes(h: HostState, ref: Pick<PodRef, 'namespace' | 'name'>): Promise<void> {
    const labels = Object.entries(podVolumeLabels(ref)).map(([k, v]) => `${k}=${v}`);
    const list = await this.call(h, 'list pod volumes', (signal) =>
      h.transport.docker.listVolumes({ filters: { label: labels }, abortSignal: signal } as object),
    );
    await Promise.all(
      (list.Volumes ?? []).map((v) =>
        this.call(h, 'remove volume', (signal) =>
          h.transport.docker.getVolume(v.Name).remove({ abortSignal: signal } as object),
        ).catch((err) => {
          if (!isNotFound(err)) throw err;
        }),
      ),
    );
  }

  private async createContainer(h: HostState, body: DockerCreateBody, subject: string): Promise<string> {
    try {
      const c = await this.call(h, 'create container', (signal) =>
        h.transport.docker.createContainer({ ...body, abortSignal: signal } as Docker.ContainerCreateOptions),
      );
      return c.id;
    } catch (err) {
      throw dockerError(err, `create ${body.name}`, subject);
    }
  }

  private async removeContainers(h: HostState, ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids.map((id) =>
        this.call(h, 'remove container', (signal) =>
          h.transport.docker.getContainer(id).remove({ force: true, v: true, abortSignal: signal }),
        ).catch((err) => {
          if (!isNotFound(err)) throw err;
        }),
      ),
    );
  }

  // ---- delete ---------------------------------------------------------------------------

  async deletePod(ref: PodRef, gracePeriodSeconds: number): Promise<void> {
    const h = this.host(ref.host);
    return this.changing(h, async () => {
      const all = await this.podContainers(h, ref);
      if (all.length === 0) {
        await this.removePodVolumes(h, ref);
        await h.transport.removeTree(podDirOf(h.cfg.dataDir, ref.namespace, ref.name));
        return;
      }
      const [pod] = decodePods(ref.host, all);
      await this.markDeletion(h, all, ref, gracePeriodSeconds);
      // Sidecars and a running init container stop with the app containers (Kubernetes stops
      // sidecars after them; here they share the one grace period).
      const running = [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].filter(
        (c) => c.state === 'running',
      );
      const specs = [...(pod?.spec?.containers ?? []), ...(pod?.spec?.initContainers ?? [])];
      const started = this.clock.now();
      // preStop hooks run first and count against the grace period, as in Kubernetes.
      await Promise.all(
        running.map((c) => {
          const hook = specs.find((s) => s.name === c.name)?.lifecycle?.preStop;
          return hook
            ? this.runHook(h, pod!, c.id, hook, gracePeriodSeconds * 1000).catch(() => {})
            : undefined;
        }),
      );
      const elapsed = (this.clock.now() - started) / 1000;
      // Kubernetes grants a one-off 2 s extension when the hook used up the grace period.
      const remaining = Math.max(
        gracePeriodSeconds - elapsed,
        gracePeriodSeconds > 0 && elapsed >= gracePeriodSeconds ? 2 : 0,
      );
      await Promise.all(
        running.map((c) =>
          this.stopContainer(h, c.id, remaining * 1000).catch((err) => {
            if (!isNotFound(err)) throw dockerError(err, `stop container ${c.name}`, podSubject(ref));
          }),
        ),
      );
      await this.removeContainers(
        h,
        all.map((c) => c.Id),
      );
      await this.removePodVolumes(h, ref);
      await h.transport.removeTree(podDirOf(h.cfg.dataDir, ref.namespace, ref.name));
      this.log.info({ host: ref.host, pod: `${ref.namespace}/${ref.name}` }, 'pod deleted');
    });
  }

  /** Renames the pod's infra container with the deletion's deadline before anything stops, so
   *  a daemon killed mid-deletion leaves the pod terminating, not live: the next pass (of this
   *  daemon or another) finishes it with the grace period left. A pod already marked keeps its
   *  first deadline (a retry does not extend it). A pod without infra container has no mark. */
  private async markDeletion(
    h: HostState,
    all: readonly ContainerSummary[],
    ref: PodRef,
    gracePeriodSeconds: number,
  ): Promise<void> {
    const infra = all.find((c) => c.Labels?.[LABELS.role] === INFRA_ROLE);
    const name = (infra?.Names[0] ?? '').replace(/^\//, '');
    if (!infra || name === '' || deletionDeadlineOf(name) !== undefined) return;
    const marked = markedForDeletion(name, this.clock.now() + gracePeriodSeconds * 1000);
    await this.call(h, 'mark pod for deletion', (abortSignal) =>
      h.transport.docker.getContainer(infra.Id).rename({ name: marked, abortSignal } as object),
    ).catch((err) => {
      if (!isNotFound(err)) throw dockerError(err, `mark ${name} for deletion`, podSubject(ref));
    });
  }

  /**
   * Docker's stop (the image's stop signal, then SIGKILL after `graceMs`) without holding a
   * Docker API slot for the grace period: `POST /stop?t=30` keeps its call open until the
   * container exits, so a few pods that ignore SIGTERM would hold every slot of their host and
   * stall its creates for 30 s. Here each step is a short call: signal, poll the state, kill.
   */
  private async stopContainer(h: HostState, id: string, graceMs: number): Promise<void> {
    const container = h.transport.docker.getContainer(id);
    const info = await this.call(h, 'inspect container', (abortSignal) =>
      container.inspect({ abortSignal } as object),
    );
    if (!info.State.Running) return;
    const deadline = this.clock.now() + graceMs;
    const signalled = await this.signalContainer(
      h,
      id,
      (info.Config as { StopSignal?: string }).StopSignal || 'SIGTERM',
    );
    for (let wait = 100; signalled && this.clock.now() < deadline; wait = Math.min(wait * 2, 500)) {
      await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - this.clock.now()))));
      const state = await this.call(h, 'inspect container', (abortSignal) =>
        container.inspect({ abortSignal } as object),
      );
      if (!state.State.Running) return;
    }
    await this.signalContainer(h, id, 'SIGKILL');
    // SIGKILL is not instant (the kernel tears the processes down): wait for the exit, bounded.
    await this.call(h, 'wait container', (abortSignal) =>
      container.wait({ condition: 'not-running', abortSignal } as object),
    );
  }

  /** Sends `signal`; false when the container is no longer running (409) or gone. */
  private async signalContainer(h: HostState, id: string, signal: string): Promise<boolean> {
    try {
      await this.call(h, 'signal container', (abortSignal) =>
        h.transport.docker.getContainer(id).kill({ signal, abortSignal } as object),
      );
      return true;
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 409 || isNotFound(err)) return false;
      throw err;
    }
  }

  private async runHook(
    h: HostState,
    pod: ObservedPod,
    containerId: string,
    hook: ProbeHandler,
    timeoutMs: number,
  ): Promise<void> {
    if (hook.exec) {
      await this.execIn(h, containerId, hook.exec.command, timeoutMs);
      return;
    }
    if (hook.httpGet && pod.ip) {
      const port =
        typeof hook.httpGet.port === 'number' ? hook.httpGet.port : portByName(pod.spec, hook.httpGet.port);
      if (port === undefined) return;
      const host = hook.httpGet.host ?? pod.ip;
      // The probes' request: the path escaped, the hook's headers, Host with the port.
      const request = buildProbeRequest(hook.httpGet, host, port);
      const sock = await h.transport.connectTcp(host, port);
      await new Promise<void>((resolve) => {
        // The grace period is int64 seconds: clamp to what a timer holds (it fires at once past).
        const timer = setTimeout(() => sock.destroy(), Math.min(timeoutMs, MAX_TIMER_MS));
        sock.on('data', () => {});
        sock.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
        sock.on('error', () => {});
        sock.end(request);
      });
    }
  }

  // ---- start ----------------------------------------------------------------------------

  /** Start a container the pod was created with and that never ran (an init container's
   *  turn, or the app containers once the pod is initialized). Idempotent: a container that
   *  already started is left as it is. */
  async startContainer(ref: PodRef, container: string): Promise<void> {
    const h = this.host(ref.host);
    return this.changing(h, async () => {
      const subject = podSubject(ref);
      const all = await this.podContainers(h, ref);
      if (all.length === 0)
        throw new RuntimeError('runtime.pod-not-found', `${subject} not found`, { subject });
      const current = currentOf(all, container);
      if (!current)
        throw new RuntimeError('runtime.container-not-found', `${subject} has no container ${container}`, {
          subject,
        });
      if (current.State !== 'created') return;
      // Held back (CreateContainerConfigError: runAsNonRoot, a profile it could not read): it
      // must not run as created; the pass retries it through restartContainer, which rebuilds
      // its settings and starts it once they hold.
      if (current.Labels[LABELS.waitingReason] !== undefined) return;
      try {
        await this.call(h, 'start container', (signal) =>
          h.transport.docker.getContainer(current.Id).start({ abortSignal: signal } as object),
        );
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 304) return;
        throw new RuntimeError(
          'runtime.start-failed',
          `${subject}: container ${container} did not start: ${reasonOf(err)}`,
          { subject, cause: err },
        );
      }
      this.log.info({ host: ref.host, pod: `${ref.namespace}/${ref.name}`, container }, 'container started');
    });
  }

  // ---- claim volumes ----------------------------------------------------------------------

  async removeClaimVolume(hostName: string, volume: string): Promise<void> {
    const h = this.host(hostName);
    return this.changing(h, async () => {
      const subject = `volume/${volume}@${hostName}`;
      try {
        await this.call(h, 'remove volume', (signal) =>
          h.transport.docker.getVolume(volume).remove({ abortSignal: signal } as object),
        );
      } catch (err) {
        if (isNotFound(err)) return; // already gone: the goal is met
        if ((err as { statusCode?: number })?.statusCode === 409)
          throw new RuntimeError(
            'runtime.volume-in-use',
            `volume ${volume} on ${hostName} is in use by a container`,
            {
              subject,
              hint: 'delete the pods that mount it first (remove them from Git and sync)',
              retryable: false,
              cause: err,
            },
          );
        throw dockerError(err, 'remove volume', subject);
      }
      h.lastClaims = h.lastClaims.filter((v) => v.volume !== volume);
      this.log.info({ host: hostName, volume }, 'claim volume removed');
    });
  }

  // ---- restart --------------------------------------------------------------------------

  async restartContainer(ref: PodRef, container: string): Promise<void> {
    const h = this.host(ref.host);
    return this.changing(h, async () => {
      const subject = podSubject(ref);
      const all = await this.podContainers(h, ref);
      if (all.length === 0)
        throw new RuntimeError('runtime.pod-not-found', `${subject} not found`, { subject });
      const mine = containersNamed(all, container);
      const current = mine.at(-1);
      if (!current)
        throw new RuntimeError('runtime.container-not-found', `${subject} has no container ${container}`, {
          subject,
        });
      // A container held back (CreateContainerConfigError) never ran: it is retried in place,
      // with the same restart count, as the kubelet retries creating it.
      const retry = current.Labels[LABELS.waitingReason] !== undefined;
      const restart = Number(current.Labels[LABELS.restartCount] ?? 0) + (retry ? 0 : 1);
      const spec = decodePods(ref.host, all)[0]?.spec;
      const docker = h.transport.docker;
      const old = await this.call(h, 'inspect container', () => docker.getContainer(current.Id).inspect());
      if (old.State.Running) {
        const t = spec?.terminationGracePeriodSeconds ?? 30;
        await this.call(
          h,
          'stop container',
          (signal) => docker.getContainer(current.Id).stop({ t, abortSignal: signal } as object),
          (this.conn.callTimeoutSeconds + t) * 1000,
        ).catch((err) => {
          if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 304)
            throw dockerError(err, `stop ${container}`, subject);
        });
      }
      // The kubelet keeps the last dead container (for `logs --previous`); older ones go.
      await this.removeContainers(
        h,
        (retry ? mine : mine.slice(0, -1)).map((c) => c.Id),
      );
      const infra = all.find((c) => c.Labels[LABELS.role] === INFRA_ROLE);
      const security = await this.restartSecurity(h, ref, spec, container);
      const {
        [LABELS.waitingReason]: _reason,
        [LABELS.waitingMessage]: _message,
        ...labels
      } = old.Config.Labels ?? {};
      const body: DockerCreateBody = {
        name: dockerContainerName(ref.namespace, ref.name, container, restart),
        Image: old.Config.Image,
        Entrypoint: (old.Config.Entrypoint as string[] | null) ?? undefined,
        Cmd: old.Config.Cmd ?? undefined,
        Env: old.Config.Env ?? [],
        WorkingDir: old.Config.WorkingDir || undefined,
        User: security ? security.User : old.Config.User || undefined,
        Labels: {
          ...labels,
          [LABELS.restartCount]: String(restart),
          ...(security?.waiting
            ? {
                [LABELS.waitingReason]: security.waiting.reason,
                [LABELS.waitingMessage]: security.waiting.message,
              }
            : {}),
        },
        HostConfig: {
          NetworkMode: infra ? `container:${infra.Id}` : old.HostConfig.NetworkMode,
          NanoCpus: old.HostConfig.NanoCpus || undefined,
          Memory: old.HostConfig.Memory || undefined,
          Binds: old.HostConfig.Binds ?? [],
          ...(old.HostConfig.Mounts?.length ? { Mounts: old.HostConfig.Mounts as DockerMount[] } : {}),
          // The container's GPUs stay its pod's: the restarted container gets the same indices.
          ...(old.HostConfig.DeviceRequests?.length
            ? { DeviceRequests: old.HostConfig.DeviceRequests as DockerDeviceRequest[] }
            : {}),
          RestartPolicy: { Name: 'no' },
          ...(security ? security.HostConfig : oldSecurity(old.HostConfig)),
        },
      };
      const id = await this.createContainer(h, body, subject);
      if (security?.waiting) return;
      try {
        await this.call(h, 'start container', (signal) =>
          docker.getContainer(id).start({ abortSignal: signal } as object),
        );
      } catch (err) {
        throw new RuntimeError(
          'runtime.start-failed',
          `${subject}: container ${container} did not start: ${reasonOf(err)}`,
          { subject, cause: err },
        );
      }
      this.log.info(
        { host: ref.host, pod: `${ref.namespace}/${ref.name}`, container, restart },
        'container restarted',
      );
    });
  }

  /** The container's security settings rebuilt from the pod spec (so every restart gets what
   *  the first container got); undefined when the spec is unreadable (copy the old ones). */
  private async restartSecurity(
    h: HostState,
    ref: PodRef,
    spec: PodSpec | undefined,
    container: string,
  ): Promise<DockerSecurity | undefined> {
    const c = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].find(
      (x) => x.name === container,
    );
    if (!spec || !c) return undefined;
    const facts = await this.securityFacts(h, spec, [c]);
    return containerSecurity({ namespace: ref.namespace, name: ref.name, spec }, c, facts);
  }

  // ---- logs, exec, stats -----------------------------------------------------------------

  private async containerOf(
    h: HostState,
    ref: PodRef,
    container?: string,
  ): Promise<{ id: string; name: string }> {
    const all = await this.podContainers(h, ref);
    const pod = decodePods(ref.host, all)[0];
    if (!pod)
      throw new RuntimeError('runtime.pod-not-found', `${podSubject(ref)} not found`, {
        subject: podSubject(ref),
      });
    const every = [...pod.containers, ...(pod.initContainers ?? [])];
    const c = container === undefined ? pod.containers[0] : every.find((x) => x.name === container);
    if (!c)
      throw new RuntimeError(
        'runtime.container-not-found',
        `${podSubject(ref)} has no container ${container ?? ''}`.trim(),
        {
          subject: podSubject(ref),
          hint: `containers: ${every.map((x) => x.name).join(', ')}`,
        },
      );
    return { id: c.id, name: c.name };
  }

  async logs(ref: PodRef, opts: LogOptions): Promise<NodeJS.ReadableStream> {
    const h = this.host(ref.host);
    const { id } = await this.containerOf(h, ref, opts.container);
    const c = h.transport.docker.getContainer(id);
    const base = {
      stdout: true,
      stderr: true,
      timestamps: opts.timestamps ?? false,
      tail: opts.tail,
    };
    if (opts.follow) {
      // A follow stream lives as long as the reader wants: bounded by the limiter only to open.
      const raw = await this.call(h, 'logs', () => c.logs({ ...base, follow: true }));
      const out = new DemuxTransform();
      raw.pipe(out);
      out.on('close', () => (raw as unknown as { destroy?: () => void }).destroy?.());
      return out;
    }
    const buf = (await this.call(h, 'logs', () => c.logs({ ...base, follow: false }))) as Buffer;
    const { stdout, stderr } = demuxBuffer(buf);
    return readableOf(Buffer.concat([stdout, stderr]));
  }

  async exec(ref: PodRef, container: string, command: string[], timeoutMs?: number): Promise<ExecResult> {
    const h = this.host(ref.host);
    const { id } = await this.containerOf(h, ref, container);
    return this.execIn(h, id, command, timeoutMs ?? this.conn.callTimeoutSeconds * 1000);
  }

  private async execIn(
    h: HostState,
    containerId: string,
    command: string[],
    timeoutMs: number,
  ): Promise<ExecResult> {
    const docker = h.transport.docker;
    return this.call(
      h,
      'exec',
      async () => {
        const ex = await docker
          .getContainer(containerId)
          .exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
        const stream = (await ex.start({ hijack: true, stdin: false })) as Duplex;
        const chunks: Buffer[] = [];
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (d: Buffer) => chunks.push(d));
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        }).finally(() => stream.destroy());
        const { stdout, stderr } = demuxBuffer(Buffer.concat(chunks));
        const info = await ex.inspect();
        return {
          exitCode: info.ExitCode ?? 0,
          stdout: stdout.toString('utf8'),
          stderr: stderr.toString('utf8'),
        };
      },
      timeoutMs,
    );
  }

  /** Running skiff app containers of a host (one list call). */
  private listAppContainers(h: HostState): Promise<ContainerSummary[]> {
    return this.call(h, 'list running containers', (signal) =>
      h.transport.docker.listContainers({
        filters: { label: [`${LABELS.managed}=true`, `${LABELS.role}=${APP_ROLE}`], status: ['running'] },
        abortSignal: signal,
      }),
    ) as Promise<ContainerSummary[]>;
  }

  /** One stats answer of a container, or undefined when it has none to give (removed or
   *  stopped since the list: an empty or zeroed body, 404, 409). A failure to reach the engine
   *  is thrown: that is the host's sweep failing. */
  private readDockerStats(
    h: HostState,
    id: string,
    oneShot: boolean,
  ): Promise<DockerStatsSample | undefined> {
    const query = { stream: false, 'one-shot': oneShot } as const;
    return this.call(h, 'stats', async (signal) => {
      try {
        const container = h.transport.docker.getContainer(id);
        return completeSample(await container.stats({ ...query, abortSignal: signal } as typeof query));
      } catch (err) {
        if (answeredForContainer(err)) return undefined;
        throw err;
      }
    });
  }

  async stats(hostName: string): Promise<ContainerStats[]> {
    const h = this.host(hostName);
    const list = await this.listAppContainers(h);
    const limiter = new Limiter(STATS_CONCURRENCY);
    const fallbackCpus = Math.max(1, Math.round((h.engine?.cpuMilli ?? 1000) / 1000));
    const out = await Promise.all(
      list.map((c) =>
        limiter.run(async (): Promise<ContainerStats | undefined> => {
          const prev = h.cpuPrev.get(c.Id);
          // With our own previous point, a one-shot read is enough (no engine-side 1 s wait);
          // the first read of a container lets the engine take both points.
          const s = await this.readDockerStats(h, c.Id, prev !== undefined);
          if (!s) return undefined;
          const point = cpuPointOf(s);
          const base = prev ?? enginePreviousPoint(s);
          h.cpuPrev.set(c.Id, point);
          return {
            ...containerLabels(hostName, c),
            cpuMilli: base ? cpuMillicores(point, base, onlineCpusOf(s, fallbackCpus)) : 0,
            memoryBytes: workingSetBytes(s),
            at: decodeDockerTime(s.read) ?? this.clock.now(),
          };
        }),
      ),
    );
    const live = new Set(list.map((c) => c.Id));
    for (const id of h.cpuPrev.keys()) if (!live.has(id)) h.cpuPrev.delete(id);
    return out.filter((x): x is ContainerStats => x !== undefined);
  }

  /**
   * Cumulative counters of every running skiff app container on the host: the container list
   * (Docker API) and one cgroup read in the host's long-lived shell (CGROUP_USAGE_SCRIPT), side
   * by side. Containers the cgroup read did not cover (another cgroup layout, a container
   * started between the two) are read from the Docker stats API instead; a read that fails or
   * finds none of them is logged once, and again only after the read has worked in between.
   */
  async sampleStats(hostName: string): Promise<ContainerUsage[]> {
    const h = this.host(hostName);
    const at = this.clock.now();
    const timeoutMs = this.conn.callTimeoutSeconds * 1000;
    const [list, read] = await Promise.all([
      this.listAppContainers(h),
      h.transport.runScript(CGROUP_USAGE_SCRIPT, timeoutMs).then(
        (r) => ({
          ok: true as const,
          read: parseCgroupUsage(r.stdout),
          exitCode: r.exitCode,
          output: `${r.stdout}${r.stderr}`,
        }),
        (err: unknown) => ({ ok: false as const, reason: errorText(err) }),
      ),
    ]);
    const clockMs = read.ok ? read.read.uptimeMs : undefined;
    const out: ContainerUsage[] = [];
    const missing: ContainerSummary[] = [];
    for (const c of list) {
      const counters = read.ok ? read.read.containers.get(c.Id) : undefined;
      if (!counters || clockMs === undefined) missing.push(c);
      else
        out.push({
          ...containerLabels(hostName, c),
          ...counters,
          at,
          source: 'cgroup',
          counterClockMs: clockMs,
        });
    }
    // The read failed, or found none of the host's containers: the host's layout is not one we
    // read. Said once, until the read works again. A few containers missing from a read that
    // found the others raced it (started or stopped between the list and the read): silent.
    const failure = !read.ok
      ? `the cgroup read failed: ${read.reason}`
      : read.exitCode !== 0 || read.read.layout === 'unknown' || clockMs === undefined
        ? `the cgroup read failed (exit ${read.exitCode}): ${read.output.trim().slice(-200)}`
        : list.length > 0 && missing.length === list.length
          ? `no cgroup files found for the ${list.length} containers (cgroup ${read.read.layout})`
          : undefined;
    if (failure && !h.cgroupFallback)
      this.log.warn(
        { host: hostName, reason: failure },
        `host/${hostName}: reading container usage from the Docker stats API (slow: about 1 s per call)`,
      );
    h.cgroupFallback = failure;
    if (missing.length === 0) return out;
    const limiter = new Limiter(STATS_CONCURRENCY);
    const fromApi = await Promise.all(
      missing.map((c) =>
        limiter.run(async (): Promise<ContainerUsage | undefined> => {
          const s = await this.readDockerStats(h, c.Id, true);
          const readAt = s && decodeDockerTime(s.read);
          if (!s || readAt === undefined) return undefined;
          return {
            ...containerLabels(hostName, c),
            cpuUsageNanos: s.cpu_stats.cpu_usage.total_usage,
            memoryBytes: workingSetBytes(s),
            at: readAt,
            source: 'docker-api',
            counterClockMs: readAt,
          };
        }),
      ),
    );
    for (const u of fromApi) if (u) out.push(u);
    return out;
  }

  // ---- host primitives ---------------------------------------------------------------------

  async execOnHost(
    hostName: string,
    command: string,
    stdin?: string,
    lane: ExecLane = 'work',
  ): Promise<ExecResult> {
    const h = this.host(hostName);
    const timeoutMs = this.conn.callTimeoutSeconds * 1000;
    // Both lanes run in a long-lived shell on the host (about 1 ms a command) rather than a new
    // SSH channel (0.2-4 s each on a busy machine, which a short lease cannot afford). Neither
    // takes a Docker API slot: the command queues in its shell, not on the API.
    if (lane === 'control' && stdin === undefined)
      return h.control.run(() => h.transport.runScript(command, timeoutMs));
    return h.transport.exec(command, stdin, timeoutMs);
  }

  async connectTcp(hostName: string, ip: string, port: number): Promise<Duplex> {
    const h = this.host(hostName);
    return this.call(
      h,
      `connect ${ip}:${port}`,
      () => h.transport.connectTcp(ip, port),
      this.conn.callTimeoutSeconds * 1000,
      'forward',
    );
  }

  forgetHost(host: string): void {
    const h = this.hosts.get(host);
    if (!h) return;
    this.hosts.delete(host);
    h.events.close();
    h.transport.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.hosts.values()) {
      h.events.close();
      h.transport.close();
    }
  }
}

interface DockerInfo {
  ServerVersion?: string;
  NCPU?: number;
  MemTotal?: number;
  Architecture?: string;
  SecurityOptions?: string[];
}

function engineInfo(i: DockerInfo, at: number): EngineInfo {
  return {
    version: i.ServerVersion ?? 'unknown',
    cpuMilli: (i.NCPU ?? 0) * 1000,
    memoryBytes: i.MemTotal ?? 0,
    architecture: i.Architecture ?? 'unknown',
    apparmor: (i.SecurityOptions ?? []).some((o) => o === 'name=apparmor' || o.startsWith('name=apparmor,')),
    at,
  };
}

/** What skiff.yaml says of a host's capacity beyond Docker's and whether it is cordoned. */
function schedulingFacts(
  h: HostConfig,
): Pick<ObservedHost, 'maxPods' | 'extendedResources' | 'unschedulable'> {
  return {
    ...(h.maxPods === undefined ? {} : { maxPods: h.maxPods }),
    ...(h.resources && Object.keys(h.resources).length > 0 ? { extendedResources: h.resources } : {}),
    ...(h.unschedulable ? { unschedulable: true } : {}),
  };
}

/** Which pod and container a listed container is, from its labels. */
function containerLabels(
  host: string,
  c: ContainerSummary,
): { host: string; containerId: string; namespace: string; pod: string; container: string } {
  return {
    host,
    containerId: c.Id,
    namespace: c.Labels[LABELS.namespace] ?? '',
    pod: c.Labels[LABELS.pod] ?? '',
    container: c.Labels[LABELS.container] ?? '',
  };
}

/** The engine answered about this container (any HTTP status: 404 gone, 409 not running, 500
 *  being removed; or a body that is not JSON), as opposed to the connection failing. */
function answeredForContainer(err: unknown): boolean {
  if (err instanceof SyntaxError) return true;
  return typeof (err as { statusCode?: unknown } | undefined)?.statusCode === 'number';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function portByName(spec: PodSpec | undefined, name: string): number | undefined {
  for (const c of spec?.containers ?? [])
    for (const p of c.ports) if (p.name === name) return p.containerPort;
  return undefined;
}

/** The security fields of an old container's HostConfig, when its pod spec is unreadable. */
function oldSecurity(hc: Docker.ContainerInspectInfo['HostConfig']): DockerSecurity['HostConfig'] {
  const x = hc as DockerSecurity['HostConfig'];
  return {
    GroupAdd: x.GroupAdd ?? undefined,
    CapAdd: x.CapAdd ?? undefined,
    CapDrop: x.CapDrop ?? undefined,
    Privileged: x.Privileged || undefined,
    ReadonlyRootfs: x.ReadonlyRootfs || undefined,
    SecurityOpt: x.SecurityOpt ?? undefined,
    Sysctls: x.Sysctls ?? undefined,
  };
}

/** A seccomp profile as Docker's CLI sends it: compacted JSON. */
function compactJson(text: string): { json?: string; error?: string } {
  try {
    return { json: JSON.stringify(JSON.parse(text)) };
  } catch {
    return { error: 'the profile is not valid JSON' };
  }
}

/** Every container (app or init) of a pod container, oldest restart first. */
function containersNamed(all: readonly ContainerSummary[], container: string): ContainerSummary[] {
  return all
    .filter(
      (c) =>
        (c.Labels[LABELS.role] === APP_ROLE || c.Labels[LABELS.role] === INIT_ROLE) &&
        c.Labels[LABELS.container] === container,
    )
    .sort((a, b) => Number(a.Labels[LABELS.restartCount]) - Number(b.Labels[LABELS.restartCount]));
}

function currentOf(all: readonly ContainerSummary[], container: string): ContainerSummary | undefined {
  return containersNamed(all, container).at(-1);
}

function reasonOf(err: unknown): string {
  if (err instanceof HostKeyError) return err.message;
  const e = err as { json?: { message?: string }; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}

/** A subPath of a claim's volume is Docker's volume Subpath (Engine 26, API 1.45); an older
 *  engine ignores the field and would mount the whole volume, so the pod is refused there. */
function checkClaimSubPaths(version: string | undefined, pod: DesiredPod, subject: string): void {
  const major = Number((version ?? '').split('.')[0]);
  if (!Number.isFinite(major) || major >= 26 || version === 'unknown') return;
  const m = [...(pod.initContainers ?? []), ...pod.containers]
    .flatMap((c) => c.claims ?? [])
    .find((x) => x.subPath !== undefined);
  if (m)
    throw new RuntimeError(
      'runtime.volume-setup',
      `${subject}: subPath "${m.subPath}" of persistentvolumeclaim "${m.claim}" needs Docker Engine 26 or later (this host runs ${version})`,
      {
        subject,
        hint: 'upgrade Docker on the host, or mount the whole claim without subPath',
        retryable: false,
      },
    );
}
