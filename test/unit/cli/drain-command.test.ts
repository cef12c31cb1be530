// `skiff drain`'s following of a drain (src/cli/commands/drain.ts followDrain) against a fake
// daemon port that plays a drain's passes, with a fake clock: what it prints, when it returns,
// its timeout (exit 1 with what remains) and a drain ended under it.
import { describe, expect, it } from 'vitest';
import { followDrain } from '../../../src/cli/commands/drain.js';
import { failureExit } from '../../../src/cli/failure-exit.js';
import type { DrainPodView, DrainView } from '../../../src/model/views.js';

const pod = (name: string, status: DrainPodView['status'], message?: string): DrainPodView => ({
  namespace: 'default',
  name,
  app: 'demo',
  status,
  ...(message ? { message } : {}),
});
const view = (...pods: DrainPodView[]): DrainView => ({ host: 'h1', force: false, since: 1, pods });
const WAIT = "Cannot evict pod as it would violate the pod's disruption budget.";

/** A daemon whose successive answers are `views` (the last one repeats). */
function fakeDaemon(views: (DrainView | undefined)[]) {
  let i = 0;
  const asked: { host: string; force: boolean }[] = [];
  let now = 0;
  const lines: string[] = [];
  return {
    asked,
    lines,
    deps: {
      client: {
        drain: async (host: string, force: boolean) => {
          asked.push({ host, force });
          return { drain: views[0]! };
        },
        drains: async () => {
          i = Math.min(i + 1, views.length - 1);
          const v = views[i];
          return { drains: v ? [v] : [], pending: [] };
        },
      },
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
      print: (l: string) => lines.push(l),
    },
  };
}

describe('followDrain', () => {
  it('prints each eviction and each new reason to wait, until the host is empty', async () => {
    const d = fakeDaemon([
      view(pod('web-a', 'Evicted'), pod('web-b', 'Blocked', WAIT)),
      view(pod('web-a', 'Terminating'), pod('web-b', 'Blocked', WAIT)),
      view(pod('web-b', 'Blocked', WAIT)),
      view(pod('web-b', 'Evicted')),
      view(),
    ]);
    await followDrain('h1', { force: true, timeoutMs: 0 }, d.deps);
    expect(d.asked).toEqual([{ host: 'h1', force: true }]);
    expect(d.lines).toEqual([
      'host/h1 cordoned',
      'evicting pod default/web-a',
      `error when evicting pod default/web-b (will retry): ${WAIT}`,
      'pod/web-a evicted',
      'evicting pod default/web-b',
      'pod/web-b evicted',
      'host/h1 drained',
    ]);
  });

  it('a pod gone between two looks is said evicted', async () => {
    const d = fakeDaemon([view(pod('web-a', 'Blocked', WAIT)), view()]);
    await followDrain('h1', { force: false, timeoutMs: 0 }, d.deps);
    expect(d.lines.slice(-2)).toEqual(['pod/web-a evicted', 'host/h1 drained']);
  });

  it('gives up after the timeout with what remains: one line with a hint, exit 1', async () => {
    const d = fakeDaemon([view(pod('web-b', 'Blocked', WAIT))]);
    const err = await followDrain('h1', { force: false, timeoutMs: 5000 }, d.deps).catch((e: unknown) => e);
    const exit = failureExit(err);
    expect(exit.code).toBe(1);
    expect(exit.text).toContain(
      'host/h1 not drained after 5s: 1 pod(s) remain: pod/web-b (Blocked: Cannot evict pod',
    );
    expect(exit.text).toContain('skiff uncordon h1');
    expect(exit.text).not.toMatch(/bug|at .*\.ts/);
  });

  it('stops when the drain ends under it (an uncordon)', async () => {
    const d = fakeDaemon([view(pod('web-b', 'Blocked', WAIT)), undefined]);
    await expect(followDrain('h1', { force: false, timeoutMs: 0 }, d.deps)).rejects.toThrow(
      'host/h1 was uncordoned before it was drained',
    );
  });
});
