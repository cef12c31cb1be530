// Gathers what `skiff plan` needs from the world — the revision's objects, the live commit's
// objects, the observed hosts and pods, the daemon's readiness and HPA replicas when a daemon
// runs — and hands them to the pure simulation (src/reconcile/simulate-plan.ts). Shell: git, SSH
// (observe only, never an action), the daemon's API, the history database (read-only).
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { seededRandom } from '../controllers/seeded-random.js';
import { openHistoryStore } from '../history/history-store.js';
import type { KubeObject } from '../model/k8s.js';
import type { Plan } from '../model/plan.js';
import type { ClusterView } from '../model/views.js';
import { planAlerts } from '../reconcile/plan-alerts.js';
import { type PodStartSample, podStartsOf } from '../reconcile/plan-estimate.js';
import { simulatePlan } from '../reconcile/simulate-plan.js';
import { DockerRuntime } from '../runtime/docker-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { type AppRepo, LOCAL_TREE, readCommitObjects, readLocalTree, requireValid } from './app-repo.js';
import { connectDaemon } from './cli-context.js';

export interface BuildPlanOptions {
  repo: AppRepo;
  /** The revision to plan (default: the branch head), fetched on demand. */
  rev?: string;
  /** A working tree to plan instead of a commit (the app's path is looked up inside it). */
  local?: string;
  log: Logger;
  /** For tests: a runtime to observe instead of the config's hosts. */
  runtime?: Runtime;
}

/** The commit that is live: the daemon's admitted commit, else the last synced one, else the
 *  commit most of the app's pods were created from. */
function liveCommitOf(
  repo: AppRepo,
  view: ClusterView | undefined,
  pods: { app: string; commit: string }[],
): string | undefined {
  const fromDaemon = view?.apps.find((a) => a.name === repo.app.name)?.liveCommit;
  if (fromDaemon) return fromDaemon;
  try {
    const h = openHistoryStore({ stateDir: repo.config.daemon.stateDir, readonly: true });
    try {
      const last = h.lastSync(repo.app.name, ['Synced', 'NoOp'])?.commit;
      if (last) return last;
    } finally {
      h.close();
    }
  } catch {
    // no history yet: fall back to the pods' labels
  }
  const counts = new Map<string, number>();
  for (const p of pods) if (p.app === repo.app.name) counts.set(p.commit, (counts.get(p.commit) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** What is planned: a working tree, or the commit a revision names (default: the branch head). */
async function readNext(
  opts: BuildPlanOptions,
): Promise<{ toCommit: string; nextObjects: KubeObject[]; appPathFound: boolean }> {
  const { repo } = opts;
  if (opts.local !== undefined) {
    const read = await readLocalTree(opts.local, repo.app.path);
    return {
      toCommit: LOCAL_TREE,
      nextObjects: requireValid(read, `--local ${opts.local}`, repo.source.subject),
      appPathFound: read.appPathFound,
    };
  }
  const toCommit = opts.rev ? await repo.source.fetchRevision(opts.rev) : repo.head;
  const label = opts.rev ?? repo.app.revision;
  const read = await readCommitObjects(repo.source, toCommit);
  return {
    toCommit,
    nextObjects: requireValid(read, label, repo.source.subject),
    appPathFound: read.appPathFound,
  };
}

/** The simulation's seed, from what is planned (not from the commit id: a working tree and the
 *  commit made of it plan alike): the same revision against the same hosts places and names
 *  pods the same way on every run. */
function planSeed(objects: readonly KubeObject[]): number {
  // Where an object was read from differs between a tree and a commit; what it says does not.
  const text = JSON.stringify(objects, (key, value) => (key === 'source' ? undefined : value));
  const digest = createHash('sha256').update(text).digest();
  return digest.readUInt32BE(0);
}

/** The daemon's record of how long the app's Deployment pods took from created to Ready
 *  (the Ready condition's transition time); undefined without a daemon or any such pod. */
function recordedStarts(view: ClusterView | undefined, app: string): Map<string, number[]> | undefined {
  const samples: PodStartSample[] = (view?.pods ?? [])
    .filter((p) => p.app === app && p.owner.kind === 'Deployment')
    .map((p) => {
      const ready = p.conditions.find((c) => c.type === 'Ready' && c.status === 'True');
      return {
        namespace: p.namespace,
        deployment: p.owner.name,
        ...(p.createdAt !== undefined ? { createdAt: p.createdAt } : {}),
        ...(ready?.lastTransitionTime !== undefined ? { readyAt: ready.lastTransitionTime } : {}),
        restarts: p.restarts,
      };
    });
  const starts = podStartsOf(samples);
  return starts.size > 0 ? starts : undefined;
}

export async function buildPlan(opts: BuildPlanOptions): Promise<Plan> {
  const { repo } = opts;
  const { toCommit, nextObjects, appPathFound } = await readNext(opts);

  const daemon = await connectDaemon(repo.config);
  const view = daemon ? await daemon.view() : undefined;
  const runtime =
    opts.runtime ?? new DockerRuntime(repo.config, { logger: opts.log.child({ component: 'runtime' }) });
  let observed: Awaited<ReturnType<Runtime['observe']>>;
  try {
    observed = await runtime.observe();
  } finally {
    if (!opts.runtime) await runtime.close();
  }

  const fromCommit = liveCommitOf(repo, view, observed.pods);
  const warnings: string[] = [];
  let liveObjects: Awaited<ReturnType<typeof readCommitObjects>>['objects'] = [];
  if (fromCommit) {
    try {
      const live = await readCommitObjects(repo.source, fromCommit);
      liveObjects = live.objects;
      if (!live.valid) warnings.push(`the live commit ${fromCommit.slice(0, 7)} no longer validates here`);
    } catch (err) {
      warnings.push(`cannot read the live commit ${fromCommit.slice(0, 7)}: ${(err as Error).message}`);
    }
  }

  // What the daemon knows and a lone CLI does not: probe readiness and HPA-owned replicas.
  const podReady: Record<string, boolean> = {};
  const replicaOverrides: Record<string, { replicas: number; owner: string }> = {};
  for (const p of view?.pods ?? []) {
    if (p.host) podReady[`${p.host}/${p.namespace}/${p.name}`] = p.ready.ready === p.ready.total;
  }
  for (const d of view?.deployments ?? []) {
    if (d.app === repo.app.name && d.replicasOwnedBy)
      replicaOverrides[`Deployment/${d.namespace}/${d.name}`] = {
        replicas: d.replicas,
        owner: d.replicasOwnedBy,
      };
  }

  const podStarts = recordedStarts(view, repo.app.name);
  const { plan } = simulatePlan({
    app: repo.app.name,
    prune: repo.app.syncPolicy.prune,
    ...(fromCommit ? { fromCommit } : {}),
    toCommit,
    liveObjects,
    nextObjects,
    observed,
    now: observed.at,
    random: seededRandom(planSeed(nextObjects)),
    hostGracePeriodMs: repo.config.daemon.hostGracePeriodSeconds * 1000,
    podReady: view ? podReady : undefined,
    replicaOverrides,
    ...(podStarts ? { podStarts } : {}),
  });
  const notReady = observed.hosts.filter((h) => !h.ready).map((h) => h.name);
  if (notReady.length > 0)
    warnings.push(`hosts not ready now: ${notReady.join(', ')} (their pods count as they were last seen)`);
  const alerts = planAlerts({
    plan,
    liveObjects,
    nextObjects,
    emptyGuard: {
      allowEmpty: repo.app.syncPolicy.allowEmpty,
      appPathFound,
      path: repo.app.path,
    },
  });
  return { ...plan, alerts, warnings: [...plan.warnings, ...warnings] };
}
