// Wires one running skiff: runtime, app trackers (git + validation), prober, reconciler and
// history, from a cluster config. Used by the daemon (`skiff run`) and by the CLI acting on its
// own when no daemon runs (`skiff sync`). Shell.

import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import http from 'isomorphic-git/http/node';
import type { Logger } from 'pino';
import {
  type AppConfig,
  type ClusterConfig,
  DEFAULT_GIT_LIMITS,
  type GitLimitsConfig,
  type HostConfig,
} from '../config/cluster-config.js';
import type { FetchLimits } from '../git/bounded-fetch.js';
import { verifierFor } from '../git/commit-verifier.js';
import type { GitAuthSpec } from '../git/credentials.js';
import type { GitSource } from '../git/git-source.js';
import { openGitSource, type RepoGitSource } from '../git/open-source.js';
import { type HistoryStore, openHistoryStore } from '../history/history-store.js';
import type { ObservedHost } from '../model/observed.js';
import type { LeaseView } from '../model/views.js';
import { systemClock } from '../runtime/clock.js';
import { DockerRuntime } from '../runtime/docker-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { ServiceDataPlane } from '../runtime/service-data-plane.js';
import { shellQuote } from '../runtime/shell-quote.js';
import { DrainStore } from '../state-dir/drain-store.js';
import { HostInventory } from '../state-dir/host-inventory.js';
import { ensurePrivateDir } from '../state-dir/private-files.js';
import { AppTracker } from './app-tracker.js';
import { Autoscaler } from './autoscaler.js';
import { createBundleValidator } from './bundle-validator.js';
import { DaemonMetrics } from './metrics.js';
import { Prober } from './prober.js';
import { Reconciler } from './reconciler.js';
import { SecretScrubber } from './secret-scrubber.js';

export interface SkiffInstanceOptions {
  config: ClusterConfig;
  log: Logger;
  /** Wake-up hook: a probe result flipped (the daemon schedules a pass). */
  onProbeChange?: () => void;
  /** Wake-up hook: an HPA changed a replica count (the daemon schedules a pass). */
  onReplicasChange?: () => void;
  runtime?: Runtime;
  /** Open the history database (default true). */
  history?: boolean;
  /** Compute without acting (read-only commands, dry runs). */
  dryRun?: boolean;
  /** The daemon's host lease: on standby, passes act on nothing and the HPAs do not run. */
  lease?: () => LeaseView;
  /** Gives up the host lease on a removed host as skiff forgets it (LeaseKeeper.releaseHost). */
  releaseHostLease?: (host: string) => Promise<void>;
  /** Knows the Secret values of every app's commits (the trackers tell it) and scrubs them from
   *  the history; the daemon's logger and API scrub with the same one. Default: a new one. */
  scrubber?: SecretScrubber;
}

export interface SkiffInstance {
  config: ClusterConfig;
  runtime: Runtime;
  sources: Map<string, GitSource>;
  trackers: AppTracker[];
  reconciler: Reconciler;
  prober: Prober;
  autoscaler: Autoscaler;
  services: ServiceDataPlane;
  history?: HistoryStore;
  /** Every string leaving this skiff (logs, API answers, history rows) passes through it. */
  scrubber: SecretScrubber;
  /** This skiff's Prometheus metrics (its own registry). */
  metrics: DaemonMetrics;
  /** Hosts being drained (`skiff drain`), kept in the state directory. */
  drains: DrainStore;
  /** Every host skiff was given, and those gone from skiff.yaml still being drained. */
  inventory: HostInventory;
  /** The hosts to hold the lease on: skiff.yaml's, and those being removed until forgotten. */
  leasedHosts(): HostConfig[];
  close(): Promise<void>;
}

/** A uniform [0,1) random source from the OS, for pod name suffixes. */
const osRandom = () => randomInt(0, 2 ** 32) / 2 ** 32;

/** The config's auth block (env var or file names) as the git source's credential spec. */
export function gitAuthOf(app: AppConfig): GitAuthSpec | undefined {
  const a = app.auth;
  if (!a) return undefined;
  if (a.tokenEnv) return { kind: 'token', token: { env: a.tokenEnv } };
  if (a.tokenFile) return { kind: 'token', token: { file: a.tokenFile } };
  if (a.passwordEnv)
    return {
      kind: 'basic',
      username: process.env[a.usernameEnv ?? ''] ?? 'git',
      password: { env: a.passwordEnv },
    };
  return undefined;
}

function fetchLimitsOf(l: GitLimitsConfig): FetchLimits {
  return {
    maxPackBytes: l.maxPackBytes,
    maxObjectBytes: l.maxObjectBytes,
    fetchTimeoutMs: l.fetchTimeoutSeconds * 1000,
  };
}

export function gitSourceFor(app: AppConfig, stateDir: string): RepoGitSource {
  return openGitSource(
    { app: app.name, repoURL: app.repoURL, revision: app.revision, path: app.path, auth: gitAuthOf(app) },
    {
      fs,
      http,
      stateDir,
      fetchLimits: fetchLimitsOf(app.gitLimits ?? DEFAULT_GIT_LIMITS),
    },
  );
}

export function createSkiffInstance(opts: SkiffInstanceOptions): SkiffInstance {
  const { config, log } = opts;
  const stateDir = config.daemon.stateDir;
  ensurePrivateDir(stateDir);
  const scrubber = opts.scrubber ?? new SecretScrubber();
  const metrics = new DaemonMetrics();
  const history =
    opts.history === false
      ? undefined
      : openHistoryStore({ stateDir, onWarning: (m) => log.warn(m), scrub: scrubber.text });
  // A host gone from skiff.yaml is still reached, with the details it had, until drained.
  const inventory = new HostInventory(stateDir);
  const retiring = inventory.update(config.hosts, Date.now(), opts.dryRun === true);
  for (const r of retiring)
    log.warn({ host: r.host }, 'host removed from skiff.yaml: draining it before skiff forgets it');
  /** Removed hosts being forgotten: no longer leased. */
  const leaving = new Set<string>();
  const runtime =
    opts.runtime ??
    new DockerRuntime(
      { ...config, hosts: [...config.hosts, ...retiring.map((r) => r.config)] },
      {
        logger: log.child({ component: 'runtime' }),
        observer: metrics.runtime,
      },
    );
  const sources = new Map<string, GitSource>();
  const trackers = config.apps.map((app) => {
    const source = gitSourceFor(app, stateDir);
    sources.set(app.name, source);
    return new AppTracker(
      app,
      source,
      createBundleValidator(),
      (commit) => history?.isQuarantined(app.name, commit) ?? false,
      scrubber,
      app.verify && verifierFor(app.name, source, app.verify),
    );
  });
  const prober = new Prober(runtime, {
    clock: systemClock,
    onChange: () => opts.onProbeChange?.(),
    log: log.child({ component: 'prober' }),
    onProbe: (pod, container, kind, ok) => metrics.observeProbe(pod, container, kind, ok),
  });
  const autoscaler = new Autoscaler({
    runtime,
    apps: () =>
      trackers.flatMap((t) => {
        const admitted = t.snapshot().admitted;
        return admitted ? [{ name: t.name, objects: admitted.objects }] : [];
      }),
    history: opts.dryRun ? undefined : history,
    log: log.child({ component: 'autoscaler' }),
    clock: systemClock,
    intervalMs: config.daemon.metricsIntervalSeconds * 1000,
    onReplicasChange: () => opts.onReplicasChange?.(),
  });
  const services = new ServiceDataPlane(runtime, {
    serviceCIDR: config.network.serviceCIDR,
    clock: systemClock,
  });
  const drains = new DrainStore(stateDir);
  const reconciler = new Reconciler({
    runtime,
    trackers,
    history,
    log: log.child({ component: 'reconciler' }),
    clock: systemClock,
    random: osRandom,
    hostGracePeriodMs: config.daemon.hostGracePeriodSeconds * 1000,
    dryRun: opts.dryRun,
    prober,
    autoscaler,
    services,
    lease: opts.lease,
    drains: () => drains.list(),
    removals: () => inventory.retiring().map(({ host, since }) => ({ host, since })),
    forgetHost: async (host, name) => {
      const dataDir = inventory.retiring().find((r) => r.host === name)?.config.dataDir;
      const onHost = host?.ready === true && !opts.dryRun ? host : undefined;
      if (onHost) await removeServiceRules(services, onHost);
      // Leased until here: the host leaves the lease rounds, our lease on it is given up,
      // then its data dir (the lease file's) goes; a failure leases it again (next pass retries).
      leaving.add(name);
      try {
        // An unreachable one keeps our lease until it expires: nothing to wait for.
        if (host?.ready) await opts.releaseHostLease?.(name);
        if (onHost && dataDir) await removeDataDir(runtime, onHost, dataDir);
      } catch (err) {
        leaving.delete(name);
        throw err;
      }
      runtime.forgetHost?.(name);
      inventory.forget(name, opts.dryRun === true);
      leaving.delete(name);
    },
    onPass: (s) => metrics.observePass(s),
    onActionResult: (a, r) => metrics.observeAction(a, r),
  });
  metrics.readFrom({
    view: () => reconciler.view,
    last: () => reconciler.last,
    hpas: () => autoscaler.views(0),
  });
  return {
    config,
    runtime,
    sources,
    trackers,
    reconciler,
    prober,
    autoscaler,
    services,
    history,
    scrubber,
    metrics,
    drains,
    inventory,
    leasedHosts: () => [
      ...config.hosts,
      ...inventory
        .retiring()
        .filter((r) => !leaving.has(r.host))
        .map((r) => r.config),
    ],
    async close() {
      prober.stop();
      await autoscaler.stop();
      await runtime.close();
      history?.close();
    },
  };
}

/** What `skiff uninstall --hosts` takes off a host, once its pods are gone: its Service rules
 *  (here) and its data dir (removeDataDir). Each throws when it stays (the next pass tries again). */
async function removeServiceRules(services: ServiceDataPlane, host: ObservedHost): Promise<void> {
  const [rules] = await services.removeAll({ at: Date.now(), hosts: [host], pods: [] });
  if (rules?.outcome === 'failed')
    throw new Error(`Service rules on host/${host.name}: ${rules.error?.message ?? 'not removed'}`);
}

async function removeDataDir(runtime: Runtime, host: ObservedHost, dataDir: string): Promise<void> {
  const rm = await runtime.execOnHost(host.name, `rm -rf -- ${shellQuote(dataDir)}`);
  if (rm.exitCode !== 0)
    throw new Error(`cannot remove ${dataDir} on host/${host.name}: ${rm.stderr.trim()}`);
}

/** Admits each app's last synced commit (so a bad HEAD after a restart keeps the good one),
 *  then fetches. */
export async function initialAdmission(inst: SkiffInstance, now: number, log: Logger): Promise<void> {
  await Promise.all(
    inst.trackers.map(async (t) => {
      const last = inst.history?.lastSync(t.name, ['Synced', 'NoOp'])?.commit;
      if (last) {
        const r = await t.admitCommit(last).catch(() => ({ ok: false }));
        if (!r.ok) log.warn({ app: t.name, commit: last }, 'last synced commit could not be re-admitted');
      }
      await t.refresh(now);
    }),
  );
}
