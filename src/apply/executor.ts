// The executor: turns a pass's actions into runtime calls, in a deterministic order, with
// bounded concurrency overall and per host, and reports each outcome as data. Shell.
//
// Order: every Service rule sync first, all finished before anything else starts, so pods the
// pass deletes have left every host's rules before their SIGTERM; then restarts and creates
// (they add capacity), then deletions. An action whose dependency (`dependsOn`) failed or was
// skipped is skipped (a pod waits for its host's rules). Deletions are graceful (preStop,
// SIGTERM, grace period, SIGKILL) and can take the pod's whole terminationGracePeriodSeconds,
// so they run in the background: the in-flight tracker hands those pods to the next passes
// (an input: they are terminating) until they are gone, and a later pass never deletes them
// twice.
import type { Action, ActionResult } from '../model/actions.js';
import { actionKey } from '../model/actions.js';
import { assertNever, SkiffError } from '../model/errors.js';
import type { HostRuleset } from '../model/service-rules.js';
import type { Clock } from '../runtime/clock.js';
import { Limiter } from '../runtime/limiter.js';
import type { Runtime } from '../runtime/runtime.js';

/** Writes a host's Service rules (the data plane's shell). */
export interface ServiceRulesWriter {
  write(host: string, ruleset: HostRuleset): Promise<boolean>;
}

export interface ExecutorOptions {
  concurrency: number;
  perHostConcurrency: number;
  /** Called for each finished action (also background deletions). */
  onResult?: (action: Action, result: ActionResult) => void;
  /** Monotonic clock for durations. */
  clock: Pick<Clock, 'now'>;
  /** Runs syncServiceRules actions; without it they fail (apply.unsupported). */
  serviceRules?: ServiceRulesWriter;
  /** Asked right before each action starts (after waiting for its concurrency slot): false
   *  skips it (apply.standby). The host lease: a pass that began while this daemon held it
   *  starts nothing once it has run out, since another daemon may act by then. */
  mayStart?: () => boolean;
}

type DeletePod = Extract<Action, { type: 'deletePod' }>;

/** How many times a failed deletion is started again before the pod counts as live again. */
export const DELETION_ATTEMPTS = 5;

/** Pods whose graceful deletion is in flight: marked terminating in observations. A pod whose
 *  deletion began stays terminating until it is gone, as on Kubernetes (deletionTimestamp is
 *  never taken back): a deletion that fails (an SSH cut) is kept here and started again by the
 *  next execution, up to DELETION_ATTEMPTS. Counting it live again at once let the rollout
 *  that had replaced it exceed maxSurge (the chaos suite found it). */
export class InflightDeletions {
  private readonly pods = new Map<string, Promise<void>>();
  private readonly failed = new Map<string, { action: DeletePod; attempts: number }>();

  has(key: string): boolean {
    return this.pods.has(key) || this.failed.has(key);
  }
  add(key: string, p: Promise<void>): void {
    this.pods.set(key, p);
    void p.finally(() => this.pods.delete(key));
  }
  /** A deletion that failed after `attempts` starts: retried by the next execution. */
  failedOnce(key: string, action: DeletePod, attempts: number): void {
    if (attempts < DELETION_ATTEMPTS) this.failed.set(key, { action, attempts });
  }
  /** Takes the failed deletions out, for the caller to start again. */
  takeFailed(): { key: string; action: DeletePod; attempts: number }[] {
    const out = [...this.failed].map(([key, f]) => ({ key, ...f }));
    this.failed.clear();
    return out;
  }
  /** Wait for every in-flight deletion (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pods.values()]);
  }
  get size(): number {
    return this.pods.size + this.failed.size;
  }
  /** The pods (`host/namespace/name`) being deleted now: an input of the next pass. */
  keys(): string[] {
    return [...new Set([...this.pods.keys(), ...this.failed.keys()])];
  }
}

const NO_LEASE = 'this daemon no longer holds the host lease';

const ORDER: Record<Action['type'], number> = {
  syncServiceRules: 0,
  restartContainer: 1,
  startContainer: 1,
  createPod: 2,
  deletePod: 3,
};

function hostOf(a: Action): string {
  switch (a.type) {
    case 'createPod':
    case 'syncServiceRules':
      return a.host;
    case 'deletePod':
    case 'restartContainer':
    case 'startContainer':
      return a.pod.host;
    default:
      return assertNever(a, 'action');
  }
}

async function run(runtime: Runtime, a: Action, opts: ExecutorOptions): Promise<void> {
  switch (a.type) {
    case 'createPod':
      return runtime.createPod(a.host, a.pod);
    case 'deletePod':
      return runtime.deletePod(a.pod, a.gracePeriodSeconds);
    case 'restartContainer':
      return runtime.restartContainer(a.pod, a.container);
    case 'startContainer':
      return runtime.startContainer(a.pod, a.container);
    case 'syncServiceRules':
      if (!opts.serviceRules)
        throw new SkiffError('apply.unsupported', 'no Service data plane to write service rules with');
      await opts.serviceRules.write(a.host, a.ruleset);
      return;
    default:
      return assertNever(a, 'action');
  }
}

export async function executeActions(
  runtime: Runtime,
  actions: readonly Action[],
  inflight: InflightDeletions,
  opts: ExecutorOptions,
): Promise<ActionResult[]> {
  const sorted = [...actions].sort(
    (a, b) => ORDER[a.type] - ORDER[b.type] || actionKey(a).localeCompare(actionKey(b)),
  );
  const execute = runner(runtime, opts);
  const report = (a: Action, r: ActionResult) => {
    opts.onResult?.(a, r);
    return r;
  };
  const results: ActionResult[] = [];
  const outcomes = new Map<string, ActionResult['outcome']>();
  const settle = (r: ActionResult) => {
    outcomes.set(r.key, r.outcome);
    return r;
  };
  const startDeletion = (k: string, a: DeletePod, attempts: number) =>
    inflight.add(
      k,
      execute(a).then((r) => {
        report(a, r);
        if (r.outcome === 'failed' && r.error?.retryable !== false) inflight.failedOnce(k, a, attempts);
      }),
    );
  // Deletions that failed before: their pods stay terminating, so nobody else deletes them.
  if (!opts.mayStart || opts.mayStart())
    for (const f of inflight.takeFailed()) startDeletion(f.key, f.action, f.attempts + 1);
  const syncs = sorted.filter((a) => a.type === 'syncServiceRules');
  results.push(...(await Promise.all(syncs.map((a) => execute(a).then((r) => settle(report(a, r)))))));

  const foreground: Promise<ActionResult>[] = [];
  for (const a of sorted) {
    if (a.type === 'syncServiceRules') continue;
    const blocked = blockedBy(a, outcomes);
    if (blocked) {
      results.push(report(a, skipped(a, `${blocked} did not succeed`)));
      continue;
    }
    if (opts.mayStart && !opts.mayStart()) {
      results.push(report(a, skipped(a, NO_LEASE, 'apply.standby')));
      continue;
    }
    if (a.type === 'deletePod') {
      const k = `${a.pod.host}/${a.pod.namespace}/${a.pod.name}`;
      if (inflight.has(k)) {
        results.push({ key: actionKey(a), action: a.type, outcome: 'skipped', durationMs: 0 });
        continue;
      }
      startDeletion(k, a, 1);
      results.push({ key: actionKey(a), action: a.type, outcome: 'started', durationMs: 0 });
      continue;
    }
    foreground.push(execute(a).then((r) => report(a, r)));
  }
  results.push(...(await Promise.all(foreground)));
  return results;
}

/** One action under the overall and per-host bounds, its outcome as data. */
function runner(runtime: Runtime, opts: ExecutorOptions): (a: Action) => Promise<ActionResult> {
  const overall = new Limiter(opts.concurrency);
  const perHost = new Map<string, Limiter>();
  const limiterFor = (h: string) => {
    let l = perHost.get(h);
    if (!l) {
      l = new Limiter(opts.perHostConcurrency);
      perHost.set(h, l);
    }
    return l;
  };
  return async (a) => {
    const started = opts.clock.now();
    const key = actionKey(a);
    try {
      const ran = await overall.run(() =>
        limiterFor(hostOf(a)).run(async () => {
          if (opts.mayStart && !opts.mayStart()) return false;
          await run(runtime, a, opts);
          return true;
        }),
      );
      if (!ran) return skipped(a, NO_LEASE, 'apply.standby');
      return { key, action: a.type, outcome: 'done', durationMs: opts.clock.now() - started };
    } catch (err) {
      const e = err as Partial<SkiffError> & Error;
      return {
        key,
        action: a.type,
        outcome: 'failed',
        durationMs: opts.clock.now() - started,
        error: { code: e.code ?? 'runtime.error', message: e.message, retryable: e.retryable ?? true },
      };
    }
  };
}

/** The first dependency of `a` that failed or was skipped in this run. */
function blockedBy(a: Action, outcomes: ReadonlyMap<string, ActionResult['outcome']>): string | undefined {
  return a.dependsOn?.find((k) => {
    const o = outcomes.get(k);
    return o === 'failed' || o === 'skipped';
  });
}

function skipped(a: Action, message: string, code = 'apply.dependency'): ActionResult {
  return {
    key: actionKey(a),
    action: a.type,
    outcome: 'skipped',
    durationMs: 0,
    error: { code, message, retryable: true },
  };
}
