// The executor: turns a pass's actions into runtime calls, in a deterministic order, with
// bounded concurrency overall and per host, and reports each outcome as data. Shell.
//
// Order: restarts and creates first (they add capacity), then deletions. Deletions are
// graceful (preStop, SIGTERM, grace period, SIGKILL) and can take the pod's whole
// terminationGracePeriodSeconds, so they run in the background: the in-flight tracker marks
// those pods `terminating` in later observations until they are gone, and a later pass never
// deletes them twice.
import type { Action, ActionResult } from '../model/actions.js';
import { actionKey } from '../model/actions.js';
import { assertNever, SkiffError } from '../model/errors.js';
import type { Observed } from '../model/observed.js';
import type { Runtime } from '../runtime/runtime.js';

export interface ExecutorOptions {
  concurrency: number;
  perHostConcurrency: number;
  /** Called for each finished action (also background deletions). */
  onResult?: (action: Action, result: ActionResult) => void;
  /** Monotonic clock for durations. */
  clock: () => number;
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
  annotate(observed: Observed): Observed {
    if (this.pods.size === 0) return observed;
    return {
      ...observed,
      pods: observed.pods.map((p) =>
        this.pods.has(`${p.host}/${p.namespace}/${p.name}`) ? { ...p, terminating: true } : p,
      ),
    };
  }
}

const ORDER: Record<Action['type'], number> = {
  syncServiceRules: 0,
  restartContainer: 1,
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
      return a.pod.host;
    default:
      return assertNever(a, 'action');
  }
}

async function run(runtime: Runtime, a: Action): Promise<void> {
  switch (a.type) {
    case 'createPod':
      return runtime.createPod(a.host, a.pod);
    case 'deletePod':
      return runtime.deletePod(a.pod, a.gracePeriodSeconds);
    case 'restartContainer':
      return runtime.restartContainer(a.pod, a.container);
    case 'syncServiceRules':
      throw new SkiffError('apply.unsupported', 'service rules are applied by the service data plane');
    default:
      return assertNever(a, 'action');
  }
}

/** A tiny counting semaphore. */
class Gate {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiters.shift()?.();
    }
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
  const overall = new Gate(opts.concurrency);
  const perHost = new Map<string, Gate>();
  const gateFor = (h: string) => {
    let g = perHost.get(h);
    if (!g) {
      g = new Gate(opts.perHostConcurrency);
      perHost.set(h, g);
    }
    return g;
  };
  const execute = async (a: Action): Promise<ActionResult> => {
    const started = opts.clock();
    const key = actionKey(a);
    try {
      await overall.run(() => gateFor(hostOf(a)).run(() => run(runtime, a)));
      return { key, action: a.type, outcome: 'done', durationMs: opts.clock() - started };
    } catch (err) {
      const e = err as Partial<SkiffError> & Error;
      return {
        key,
        action: a.type,
        outcome: 'failed',
        durationMs: opts.clock() - started,
        error: { code: e.code ?? 'runtime.error', message: e.message, retryable: e.retryable ?? true },
      };
    }
  };
  const report = (a: Action, r: ActionResult) => {
    opts.onResult?.(a, r);
    return r;
  };

  const results: ActionResult[] = [];
  const foreground: Promise<ActionResult>[] = [];
  for (const a of sorted) {
    if (a.type === 'deletePod') {
      const k = `${a.pod.host}/${a.pod.namespace}/${a.pod.name}`;
      if (inflight.has(k)) {
        results.push({ key: actionKey(a), action: a.type, outcome: 'skipped', durationMs: 0 });
        continue;
      }
      const p = execute(a).then((r) => {
        report(a, r);
      });
      inflight.add(k, p);
      results.push({ key: actionKey(a), action: a.type, outcome: 'started', durationMs: 0 });
      continue;
    }
    foreground.push(execute(a).then((r) => report(a, r)));
  }
  results.push(...(await Promise.all(foreground)));
  return results;
}
