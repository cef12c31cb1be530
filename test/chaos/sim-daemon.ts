// One incarnation of the daemon in the simulation: the real AppTracker, Reconciler (pass,
// executor, Service data plane) and RolloutGuard, wired as the daemon wires them, on ports
// that carry the world's faults. kill -9 is modelled by fencing: the moment it dies, every call
// it makes afterwards has no effect (a dead process makes no call), and the harness drops it
// with all its memory (in-flight deletions, probe state, pass memory, guard memory). The next
// incarnation starts from the runtime's labels, the hosts' rules and the history alone.
import type { Logger } from 'pino';
import { AppTracker } from '../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../src/daemon/bundle-validator.js';
import type { ProbeSource } from '../../src/daemon/reconciler.js';
import { Reconciler } from '../../src/daemon/reconciler.js';
import { RolloutGuard } from '../../src/daemon/rollout-guard.js';
import { initialAdmission, type SkiffInstance } from '../../src/daemon/skiff-instance.js';
import type { CommitInfo, ManifestSource } from '../../src/git/git-source.js';
import type { HistoryStore } from '../../src/history/history-store.js';
import type { PodRef } from '../../src/model/actions.js';
import type { DesiredPod } from '../../src/model/desired.js';
import { SkiffError } from '../../src/model/errors.js';
import type { Observed, ProbeResults } from '../../src/model/observed.js';
import type { HostRuleset } from '../../src/model/service-rules.js';
import { HostUnreachableError, RuntimeError } from '../../src/runtime/errors.js';
import type { ExecLane, LogOptions, Runtime } from '../../src/runtime/runtime.js';
import { ServiceDataPlane } from '../../src/runtime/service-data-plane.js';
import type { MemorySource } from '../support/memory-source.js';
import { shopApp } from '../unit/daemon/fixtures.js';
import type { Prng } from './prng.js';
import type { SimWorld } from './sim-world.js';

export const SIM_APP = shopApp;

/** A call of a dead daemon (or the call that killed it). */
export class DaemonKilled extends Error {
  constructor() {
    super('daemon killed (kill -9)');
  }
}

type Fate = 'ok' | 'kill' | 'cut' | 'cut-applied' | 'hang';
const HANG_MS = 30_000;

/** The daemon's Runtime: the world's hosts, through the faults in force, fenced at death. */
export class DaemonRuntime implements Runtime {
  dead = false;
  constructor(
    private readonly world: SimWorld,
    private readonly rand: Prng,
    private readonly note: (event: string) => void,
  ) {}

  /** The fate of one mutating call, drawn from the faults in force. */
  fate(): Fate {
    this.live();
    const f = this.world.faults;
    if (f.killAfterCalls !== undefined) {
      if (f.killAfterCalls <= 0) {
        f.killAfterCalls = undefined;
        return 'kill';
      }
      f.killAfterCalls--;
    }
    if (f.sshCutRate > 0 && this.rand.chance(f.sshCutRate))
      return this.rand.chance(0.5) ? 'cut-applied' : 'cut';
    if (f.hangRate > 0 && this.rand.chance(f.hangRate)) return 'hang';
    return 'ok';
  }

  /** Killed while deleting a pod: that pod's deletion is known to no one now (see run-seed). */

  die(where: string): never {
    this.dead = true;
    this.note(`kill -9 ${where}`);
    throw new DaemonKilled();
  }

  live(): void {
    if (this.dead) throw new DaemonKilled();
  }

  /** Runs `apply` under `fate`: cut calls may or may not have taken effect, hung ones time out. */
  async carry(host: string, fate: Fate, apply: () => Promise<void>): Promise<void> {
    if (fate === 'hang') {
      this.world.clock.advance(HANG_MS);
      this.note(`ssh call hung on ${host}`);
      throw new HostUnreachableError(host, 'timed out waiting for the SSH channel');
    }
    if (fate === 'cut' || fate === 'cut-applied') {
      if (fate === 'cut-applied') await apply();
      this.note(`ssh cut mid-call on ${host} (${fate === 'cut' ? 'not applied' : 'applied'})`);
      throw new HostUnreachableError(host, 'connection reset by peer');
    }
    await apply();
  }

  hostInfo() {
    return this.world.runtime.hostInfo();
  }
  async observe(): Promise<Observed> {
    this.live();
    return this.world.runtime.observe();
  }
  async createPod(host: string, pod: DesiredPod): Promise<void> {
    const fate = this.fate();
    const images = pod.containers.map((c) => c.image);
    const cached = this.world.images.get(host) ?? new Set<string>();
    const missing = images.find((i) => !cached.has(i));
    const create = async () => {
      if (this.world.faults.registryDown && missing)
        throw new RuntimeError(
          'runtime.image-pull',
          `pull ${missing}: registry unavailable (connection refused)`,
          {
            subject: `host/${host}`,
          },
        );
      await this.world.runtime.createPod(host, pod);
      for (const i of images) cached.add(i);
      this.world.images.set(host, cached);
    };
    if (fate !== 'kill') return this.carry(host, fate, create);
    // Killed between `docker create` and `docker start`: the containers exist, never started.
    await create();
    const ref = { host, namespace: pod.namespace, name: pod.name };
    for (const c of pod.containers) this.world.runtime.setContainerState(ref, c.name, 'created');
    return this.die(`mid-create of ${pod.name} on ${host}`);
  }
  async deletePod(ref: PodRef, grace: number): Promise<void> {
    const fate = this.fate();
    if (fate !== 'kill') return this.carry(ref.host, fate, () => this.world.runtime.deletePod(ref, grace));
    // Killed after SIGTERM stopped the containers, before they were removed: the deletion
    // mark (DockerRuntime's first step) is on the host.
    const pod = (await this.world.runtime.observe()).pods.find(
      (p) => p.host === ref.host && p.namespace === ref.namespace && p.name === ref.name,
    );
    if (pod) this.world.runtime.markDeletion(ref, this.world.clock.now() + grace * 1000);
    for (const c of pod?.containers ?? []) this.world.runtime.setContainerState(ref, c.name, 'exited', 137);
    return this.die(`mid-delete of ${ref.name} on ${ref.host}`);
  }
  async restartContainer(ref: PodRef, container: string): Promise<void> {
    const fate = this.fate();
    return this.carry(ref.host, fate === 'kill' ? 'ok' : fate, () =>
      this.world.runtime.restartContainer(ref, container),
    );
  }
  removeClaimVolume(host: string, volume: string): Promise<void> {
    return this.world.runtime.removeClaimVolume(host, volume);
  }
  async startContainer(ref: PodRef, container: string): Promise<void> {
    const fate = this.fate();
    return this.carry(ref.host, fate === 'kill' ? 'ok' : fate, () =>
      this.world.runtime.startContainer(ref, container),
    );
  }
  async logs(ref: PodRef, opts: LogOptions) {
    this.live();
    return this.world.runtime.logs(ref, opts);
  }
  async exec(ref: PodRef, container: string, command: string[]) {
    this.live();
    return this.world.runtime.exec(ref, container, command);
  }
  async stats(host: string) {
    this.live();
    return this.world.runtime.stats(host);
  }
  async sampleStats(host: string) {
    this.live();
    return this.world.runtime.sampleStats(host);
  }
  async execOnHost(host: string, command: string, stdin?: string, _lane?: ExecLane) {
    this.live();
    return this.world.runtime.execOnHost(host, command, stdin);
  }
  async connectTcp(host: string, ip: string, port: number) {
    this.live();
    return this.world.runtime.connectTcp(host, ip, port);
  }
  async close(): Promise<void> {}
}

/** The real data plane; what a completed (or half-completed) restore leaves on the host is
 *  recorded in the world, so the next read sees it. */
class SimDataPlane extends ServiceDataPlane {
  constructor(
    private readonly rt: DaemonRuntime,
    private readonly world: SimWorld,
  ) {
    super(rt, { serviceCIDR: '10.213.200.0/24', clock: world.clock, verifyIntervalMs: 0 });
  }
  override async write(host: string, ruleset: HostRuleset): Promise<boolean> {
    const fate = this.rt.fate();
    if (fate === 'kill') {
      this.world.writeRulesHalfway(host, ruleset);
      return this.rt.die(`mid-rule-write on ${host}`);
    }
    let rewrote = false;
    await this.rt.carry(host, fate, async () => {
      rewrote = await super.write(host, ruleset);
      this.world.writeRules(host, ruleset);
    });
    return rewrote;
  }
}

/** Readiness as the real prober reports it: a container it has not probed yet (new, or new to
 *  this incarnation: probe state is memory) is not Ready; once probed, it is Ready from
 *  `readyAfterMs` after its start (the app's warm-up). */
export class SimProber implements ProbeSource {
  private firstSeen = new Map<string, { round: number; startedAt: number; running: boolean }>();
  private round = 0;
  constructor(
    private readonly clock: () => number,
    private readonly readyAfterMs: number,
  ) {}
  sync(observed: Observed): void {
    this.round++;
    const next = new Map<string, { round: number; startedAt: number; running: boolean }>();
    for (const p of observed.pods)
      for (const c of p.containers) {
        const running = c.state === 'running';
        const prior = this.firstSeen.get(c.id);
        next.set(c.id, { round: prior?.round ?? this.round, startedAt: c.startedAt ?? 0, running });
      }
    this.firstSeen = next;
  }
  /** The first round probes every container found running (as the real prober's settle). */
  async settle(): Promise<void> {
    for (const [id, c] of this.firstSeen) this.firstSeen.set(id, { ...c, round: c.round - 1 });
  }
  results(): ProbeResults {
    const out: ProbeResults = {};
    const now = this.clock();
    for (const [id, c] of this.firstSeen) {
      if (c.round >= this.round) continue;
      const ready = c.running && now >= c.startedAt + this.readyAfterMs;
      out[id] = {
        startupPassed: true,
        ready,
        live: true,
        ...(ready ? { readySince: c.startedAt + this.readyAfterMs } : {}),
      };
    }
    return out;
  }
}

/** The branch as the daemon's git source sees it, through the git faults in force. */
export class ChaosSource implements ManifestSource {
  constructor(
    private readonly branch: MemorySource,
    private readonly world: SimWorld,
  ) {}
  private async through(): Promise<void> {
    const git = this.world.faults.git;
    if (git === 'down')
      throw new SkiffError('git.unreachable', 'fetch memory://shop: connect ECONNREFUSED', {
        retryable: true,
      });
    if (git === 'corrupt')
      throw new SkiffError('git.pack-corrupt', 'fetch memory://shop: packfile checksum mismatch', {
        retryable: true,
      });
    if (git === 'slow') this.world.clock.advance(20_000);
  }
  async resolveHead() {
    await this.through();
    return this.branch.resolveHead();
  }
  async readManifestFiles(commit: string) {
    await this.through();
    return this.branch.readManifestFiles(commit);
  }
  async commitInfo(sha: string): Promise<CommitInfo> {
    return {
      sha,
      author: { name: 'chaos', email: 'chaos@skiff', timestamp: 0 },
      subject: `commit ${sha.slice(0, 7)}`,
    } as unknown as CommitInfo;
  }
}

const WRITES = /^(record|forget|quarantine$|clearQuarantine|unquarantine|setAppStatus|prune)/;

/** The history as one incarnation writes it: nothing once dead, ENOSPC while the disk is full. */
function historyOf(store: HistoryStore, rt: DaemonRuntime, world: SimWorld): HistoryStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      if (typeof prop !== 'string' || !WRITES.test(prop)) return v.bind(target);
      return (...args: unknown[]) => {
        rt.live();
        if (world.faults.diskFull)
          throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        return v.apply(target, args);
      };
    },
  });
}

export interface SimDaemon {
  runtime: DaemonRuntime;
  tracker: AppTracker;
  reconciler: Reconciler;
  guard: RolloutGuard;
  history: HistoryStore;
}

/** Starts one incarnation as `skiff run` does: re-admits the last synced commit, then fetches. */
export async function startDaemon(opts: {
  world: SimWorld;
  branch: MemorySource;
  store: HistoryStore;
  log: Logger;
  rand: Prng;
  note: (event: string) => void;
  readyAfterMs: number;
}): Promise<SimDaemon> {
  const { world, log } = opts;
  const runtime = new DaemonRuntime(world, opts.rand, opts.note);
  const history = historyOf(opts.store, runtime, world);
  const source = new ChaosSource(opts.branch, world);
  const tracker = new AppTracker(SIM_APP, source, createBundleValidator(), (c) =>
    history.isQuarantined(SIM_APP.name, c),
  );
  await initialAdmission(
    { trackers: [tracker], history } as unknown as SkiffInstance,
    world.clock.now(),
    log,
  );
  const reconciler = new Reconciler({
    runtime,
    trackers: [tracker],
    history,
    log,
    clock: world.clock,
    random: () => opts.rand.next(),
    hostGracePeriodMs: 40_000,
    prober: new SimProber(world.clock.now, opts.readyAfterMs),
    services: new SimDataPlane(runtime, world),
  });
  const guard = new RolloutGuard({
    trackers: [tracker],
    sources: new Map([[SIM_APP.name, source]]),
    history,
    log,
    clock: world.clock,
    wake: () => undefined,
  });
  return { runtime, tracker, reconciler, guard, history };
}
