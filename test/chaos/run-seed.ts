// One seed of the simulated chaos suite: an initial deployment, then ROLLOUTS rollouts, each
// meeting the faults the seed draws, with the real daemon code on a fake world and a fake
// clock. After every pass the invariants are sampled on the ground truth; after the last fault
// of a rollout clears, the cluster must converge within CONVERGE_PASSES passes and
// CONVERGE_MS fake ms. A violation ends the seed with the trace to replay it.
import pino from 'pino';
import type { PassSummary } from '../../src/daemon/reconciler.js';
import type { HistoryStore } from '../../src/history/history-store.js';
import { MemorySource } from '../support/memory-source.js';
import { CAPACITY_FAULTS, type PlannedFault, planFaults } from './faults.js';
import { type Checks, convergedTruth, sample, violations } from './invariants.js';
import { prng } from './prng.js';
import { manifest, READY_AFTER_MS, SENTINEL, SENTINEL_B64, STRATEGIES } from './scenario.js';
import { DaemonKilled, type SimDaemon, startDaemon } from './sim-daemon.js';
import { SimWorld } from './sim-world.js';

export const ROLLOUTS = 20;
/** The stated bound: after the last fault clears, converged within this many passes... */
export const CONVERGE_PASSES = 150;
/** ...and this many fake ms (one pass a second, as the daemon requeues during a rollout). */
export const CONVERGE_MS = 150_000;
const STEP_MS = 1000;
/** A rollout that runs this long (faults included) is stuck: a violation. */
const ROLLOUT_LIMIT_MS = 30 * 60_000;
const POLL_EVERY = 5;
const HOSTS = 3;

export interface SeedResult {
  seed: number;
  violations: string[];
  trace: string[];
  /** Per rollout: passes and fake ms from the last fault clearing to convergence. */
  converge: { passes: number; ms: number; faults: string[] }[];
  kills: number;
  faults: Record<string, number>;
}

export async function runSeed(
  seed: number,
  openHistory: () => HistoryStore,
  rollouts = ROLLOUTS,
): Promise<SeedResult> {
  const rand = prng(seed);
  const world = new SimWorld(HOSTS);
  const strategy = rand.pick(STRATEGIES);
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (l: string) => void logLines.push(l) });
  const store = openHistory();
  const branch = new MemorySource();
  const t0 = world.clock.now();
  const result: SeedResult = { seed, violations: [], trace: [], converge: [], kills: 0, faults: {} };
  const note = (e: string) =>
    void result.trace.push(`t+${((world.clock.now() - t0) / 1000).toFixed(0)}s ${e}`);
  note(
    `strategy replicas=${strategy.replicas} maxSurge=${strategy.maxSurge} maxUnavailable=${strategy.maxUnavailable}`,
  );
  let daemon: SimDaemon | undefined;
  let incarnation = 0;
  const start = async () => {
    incarnation++;
    daemon = await startDaemon({ world, branch, store, log, rand, note, readyAfterMs: READY_AFTER_MS });
    note(
      `daemon #${incarnation} started (live commit ${daemon.tracker.snapshot().admitted?.commit.slice(0, 7) ?? 'none'})`,
    );
  };
  let checks: Checks = { floor: false, ceiling: true };
  for (let round = 0; round <= rollouts && result.violations.length === 0; round++) {
    branch.push(manifest(strategy, round + 1));
    note(`rollout ${round}: push web:v${round + 1}`);
    const plan = round === 0 ? [] : planFaults(rand, world.hostNames);
    for (const f of plan) result.faults[f.kind] = (result.faults[f.kind] ?? 0) + 1;
    const pushedAt = world.clock.now();
    const pending = [...plan];
    const active: PlannedFault[] = [];
    let clearedAt: { ms: number; pass: number } | undefined = plan.length
      ? undefined
      : { ms: pushedAt, pass: 0 };
    let passes = 0;
    // Floor: off from a capacity fault until converged. Ceiling: off from a cut host's return
    // (its stale copies are back until the pass deletes them) until converged, and from a kill
    // of a daemon with a deletion in flight that had not marked its pod on the host yet (its
    // call was still delayed, or it failed before the mark and was kept for retry): that
    // deletion lived in the killed daemon's memory only, so the next daemon counts the pod
    // live. A deletion that had marked its pod survives the kill: the next pass finishes it.
    let noFloor = false;
    let noCeiling = false;
    for (;;) {
      const elapsed = world.clock.now() - pushedAt;
      while (pending[0] && pending[0].at <= elapsed) {
        const f = pending.shift()!;
        if (CAPACITY_FAULTS.has(f.kind)) noFloor = true;
        if (f.kind === 'kill-between-passes' && daemon) {
          if (await unmarkedDeletions(world, daemon)) noCeiling = true;
          daemon.runtime.dead = true;
          daemon = undefined;
          result.kills++;
          note('kill -9 between passes');
        } else await startFault(world, f, note);
        if (f.lasts > 0 || f.kind === 'kill-mid-call') active.push(f);
      }
      for (const f of [...active])
        if (
          (f.kind === 'kill-mid-call' && world.faults.killAfterCalls === undefined) ||
          (f.lasts > 0 && elapsed >= f.at + f.lasts)
        ) {
          active.splice(active.indexOf(f), 1);
          // Two windows of one kind may overlap: the fault lasts until the last one ends.
          if (f.kind !== 'kill-mid-call' && !active.some((o) => o.kind === f.kind && o.host === f.host))
            endFault(world, f, note);
          if (f.kind === 'host-cut') noCeiling = true;
        }
      if (!clearedAt && pending.length === 0 && active.length === 0)
        clearedAt = { ms: world.clock.now(), pass: passes };
      if (!daemon) await start();
      const d = daemon!;
      if (passes % POLL_EVERY === 0)
        await d.tracker.refresh(world.clock.now()).catch((err) => note(`refresh failed: ${err}`));
      const s = await onePass(d, note, result);
      passes++;
      if (d.runtime.dead) {
        if (await unmarkedDeletions(world, d)) noCeiling = true;
        result.kills++;
        daemon = undefined;
      } else await d.reconciler.inflight.drain();
      const truth = await world.runtime.observe();
      const terminating = new Set(daemon?.reconciler.inflight.keys() ?? []);
      // A pod with the deletion mark is terminating whoever began it (Kubernetes' deletionTimestamp).
      for (const p of truth.pods) if (p.deletionDeadline !== undefined) terminating.add(podKeyOf(p));
      checks = { floor: checks.floor && !noFloor, ceiling: !noCeiling };
      for (const v of violations(sample(truth, terminating), strategy, checks))
        result.violations.push(
          `seed ${seed} rollout ${round} t+${((world.clock.now() - t0) / 1000).toFixed(0)}s: ${v}`,
        );
      if (result.violations.length) {
        note(describe(truth, d));
        break;
      }
      const done =
        clearedAt && s?.acted && s.converged && s.actions.length === 0 && !convergedTruth(truth, strategy);
      if (
        !done &&
        s?.acted &&
        s.converged &&
        s.actions.length === 0 &&
        world.faults.killAfterCalls !== undefined
      ) {
        // Converged before the armed kill found a call to die in: nothing left to interrupt.
        world.faults.killAfterCalls = undefined;
        note('kill -9 armed, but the rollout ended before a call to die in');
      }
      if (world.clock.now() - pushedAt > ROLLOUT_LIMIT_MS) {
        result.violations.push(
          `seed ${seed} rollout ${round}: still running ${ROLLOUT_LIMIT_MS / 60_000} fake minutes after the push`,
        );
        break;
      }
      if (done && clearedAt) {
        result.converge.push({
          passes: passes - clearedAt.pass,
          ms: world.clock.now() - clearedAt.ms,
          faults: plan.map((f) => f.kind),
        });
        note(`rollout ${round}: converged ${passes - clearedAt.pass} passes after the faults cleared`);
        checks = { floor: true, ceiling: true };
        break;
      }
      if (
        clearedAt &&
        (passes - clearedAt.pass > CONVERGE_PASSES || world.clock.now() - clearedAt.ms > CONVERGE_MS)
      ) {
        result.violations.push(
          `${describe(truth, daemon)}\nseed ${seed} rollout ${round}: not converged ${passes - clearedAt.pass} passes, ${(world.clock.now() - clearedAt.ms) / 1000}s after the faults cleared (${convergedTruth(truth, strategy) ?? 'the pass still has work'})`,
        );
        break;
      }
      world.clock.advance(STEP_MS);
    }
  }
  result.violations.push(
    ...secretLeaks(logLines, store, daemon).map((w) => `seed ${seed}: sentinel Secret value in ${w}`),
  );
  return result;
}

/** The pods and the daemon's view of the Deployment, for a violation's report. */
function describe(
  truth: Awaited<ReturnType<SimWorld['runtime']['observe']>>,
  daemon: SimDaemon | undefined,
): string {
  const pods = truth.pods.map(
    (p) =>
      `  ${p.host} ${p.name} ${p.commit.slice(0, 3)} ${p.containers.map((c) => `${c.state}/${c.restartCount}`).join(',')}`,
  );
  const view = daemon?.reconciler.view;
  const d = view?.deployments.map((x) => `  deployment ${x.name}: ${JSON.stringify(x)}`) ?? [];
  const app =
    view?.apps.map(
      (a) =>
        `  app ${a.name}: live ${a.liveCommit?.slice(0, 3)} head ${a.headCommit?.slice(0, 3)} ${a.health} ${JSON.stringify(a.conditions)} quarantined ${JSON.stringify(a.quarantined)}`,
    ) ?? [];
  const last = daemon?.reconciler.last;
  const acts = last?.actions.map((a) => `  action ${a.type} ${'reason' in a ? a.reason : ''}`) ?? [];
  const res = last?.results.map((r) => `  result ${r.key} ${r.outcome} ${r.error?.message ?? ''}`) ?? [];
  return ['pods:', ...pods, ...d, ...app, ...acts, ...res].join('\n');
}

/** One pass and its guard, as the daemon's loop runs them: an error is logged, never fatal. */
async function onePass(
  d: SimDaemon,
  note: (e: string) => void,
  result: SeedResult,
): Promise<PassSummary | undefined> {
  try {
    const s = await d.reconciler.pass();
    if (s.acted && !d.runtime.dead) await d.guard.afterPass(s);
    return s;
  } catch (err) {
    if (err instanceof DaemonKilled) return undefined;
    const code = (err as { code?: string }).code;
    note(`pass failed: ${code ?? ''} ${(err as Error).message}`);
    if (code !== 'SQLITE_FULL') result.violations.push(`pass threw: ${(err as Error).stack}`);
    return undefined;
  }
}

async function startFault(world: SimWorld, f: PlannedFault, note: (e: string) => void): Promise<void> {
  const faults = world.faults;
  note(
    `fault ${f.kind}${f.kind === 'host-cut' || f.kind === 'dockerd-restart' ? ` ${f.host}` : ''}${f.lasts ? ` for ${f.lasts / 1000}s` : ''}`,
  );
  switch (f.kind) {
    case 'kill-mid-call':
      faults.killAfterCalls = f.n;
      return;
    case 'ssh-cut':
      faults.sshCutRate = 0.3;
      return;
    case 'ssh-hang':
      faults.hangRate = 0.1;
      return;
    case 'host-cut':
      world.setHostReachable(f.host, false);
      return;
    case 'dockerd-restart':
      return dockerdRestart(world, f.host);
    case 'registry-down':
      faults.registryDown = true;
      return;
    case 'git-down':
    case 'git-slow':
    case 'git-corrupt':
      faults.git = f.kind.slice(4) as 'down' | 'slow' | 'corrupt';
      return;
    case 'disk-full':
      faults.diskFull = true;
      return;
    case 'clock-jump':
      world.clock.advance(f.n);
      return;
    case 'kill-between-passes':
      return;
  }
}

function endFault(world: SimWorld, f: PlannedFault, note: (e: string) => void): void {
  const faults = world.faults;
  note(`healed ${f.kind}`);
  if (f.kind === 'ssh-cut') faults.sshCutRate = 0;
  if (f.kind === 'ssh-hang') faults.hangRate = 0;
  if (f.kind === 'host-cut') world.setHostReachable(f.host, true);
  if (f.kind === 'registry-down') faults.registryDown = false;
  if (f.kind.startsWith('git-')) faults.git = undefined;
  if (f.kind === 'disk-full') faults.diskFull = false;
}

/** dockerd restarted without live-restore: every container of the host is gone. */
async function dockerdRestart(world: SimWorld, host: string): Promise<void> {
  if (!world.hostReachable(host)) return;
  for (const p of (await world.runtime.observe()).pods.filter((x) => x.host === host))
    await world.runtime.deletePod(p, 0);
}

/** Where the sentinel (or its base64) shows: log lines, recorded events and syncs, the view. */
function secretLeaks(logLines: string[], store: HistoryStore, daemon: SimDaemon | undefined): string[] {
  const texts: [string, string][] = [
    ['the log', logLines.join('\n')],
    [
      'the history',
      JSON.stringify([store.listEvents({ limit: 10_000 }), store.listSyncs({ limit: 10_000 })]),
    ],
    ['the daemon view', JSON.stringify(daemon?.reconciler.view ?? {})],
  ];
  return texts.filter(([, t]) => t.includes(SENTINEL) || t.includes(SENTINEL_B64)).map(([w]) => w);
}

const podKeyOf = (p: { host: string; namespace: string; name: string }) =>
  `${p.host}/${p.namespace}/${p.name}`;

/** Whether a daemon being killed has a deletion in flight whose pod carries no deletion mark on
 *  its host (the only deletions a kill can lose). */
async function unmarkedDeletions(world: SimWorld, d: SimDaemon): Promise<boolean> {
  const keys = d.reconciler.inflight.keys();
  if (keys.length === 0) return false;
  const pods = (await world.runtime.observe()).pods;
  const unmarked = new Set(pods.filter((p) => p.deletionDeadline === undefined).map(podKeyOf));
  return keys.some((k) => unmarked.has(k));
}
