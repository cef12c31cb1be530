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
}

/** Pods whose graceful deletion is in flight: marked terminating in observations. */
export class InflightDeletions {
  private readonly pods = new Map<string, Promise<void>>();

  has(key: string): boolean {
    return this.pods.has(key);
  }
  add(key: string, p: Promise<void>): void {
    this.pods.set(key, p);
    void p.finally(() => this.pods.delete(key));
  }
  /** Wait for every in-flight deletion (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pods.values()]);
  }
  get size(): number {
    return this.pods.size;
  }
  /** The pods (`host/namespace/name`) being deleted now: an input of the next pass. */
  keys(): string[] {
    return [...this.pods.keys()];
  }
}

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
    if (a.type === 'deletePod') {
      const k = `${a.pod.host}/${a.pod.namespace}/${a.pod.name}`;
      if (inflight.has(k)) {
        results.push({ key: actionKey(a), action: a.type, outcome: 'skipped', durationMs: 0 });
        continue;
      }
      inflight.add(
        k,
        execute(a).then((r) => void report(a, r)),
      );
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
      await overall.run(() => limiterFor(hostOf(a)).run(() => run(runtime, a, opts)));
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

function skipped(a: Action, message: string): ActionResult {
  return {
    key: actionKey(a),
    action: a.type,
    outcome: 'skipped',
    durationMs: 0,
    error: { code: 'apply.dependency', message, retryable: true },
  };
}
