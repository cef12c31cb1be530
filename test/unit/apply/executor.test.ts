// The executor's order and dependencies: every Service rule sync of a pass finishes before any
// deletion starts (pods leave the rules before their SIGTERM), and an action whose dependency
// failed is skipped, not run.
import { describe, expect, it } from 'vitest';
import { executeActions, InflightDeletions } from '../../../src/apply/executor.js';
import type { Action } from '../../../src/model/actions.js';
import type { HostRuleset } from '../../../src/model/service-rules.js';
import { type FakeHost, FakeRuntime } from '../../../src/runtime/fake-runtime.js';

const HOSTS: FakeHost[] = ['h1', 'h2'].map((name, i) => ({
  name,
  kind: 'ssh',
  address: `10.213.0.1${i + 1}`,
  labels: {},
  taints: [],
  capacity: { cpuMilli: 2000, memoryBytes: 2 ** 31 },
}));

const ruleset = (host: string): HostRuleset => ({
  host,
  empty: true,
  chains: { nat: [], filter: [] },
  rules: { nat: [], filter: [] },
  hash: 'empty',
});

function world(failing: string[] = [], opts: { concurrency?: number; mayStart?: () => boolean } = {}) {
  const runtime = new FakeRuntime(HOSTS, { now: () => 0 });
  const timeline: string[] = [];
  const writer = {
    async write(host: string) {
      timeline.push(`start rules ${host}`);
      await new Promise((r) => setTimeout(r, 20));
      if (failing.includes(host)) throw new Error(`iptables-restore failed on ${host}`);
      timeline.push(`rules ${host}`);
      return true;
    },
  };
  const deletePod = runtime.deletePod.bind(runtime);
  runtime.deletePod = (ref, grace) => {
    timeline.push(`delete ${ref.name}`);
    return deletePod(ref, grace);
  };
  const inflight = new InflightDeletions();
  const run = (actions: Action[]) =>
    executeActions(runtime, actions, inflight, {
      concurrency: opts.concurrency ?? 4,
      perHostConcurrency: 2,
      clock: { now: () => 0 },
      serviceRules: writer,
      ...(opts.mayStart ? { mayStart: opts.mayStart } : {}),
    });
  return { runtime, timeline, inflight, run };
}

const sync = (host: string): Action => ({
  type: 'syncServiceRules',
  host,
  ruleset: ruleset(host),
  reason: 'test',
});

describe('executeActions', () => {
  it('finishes every rule sync before any deletion starts', async () => {
    const w = world();
    const results = await w.run([
      {
        type: 'deletePod',
        pod: { host: 'h1', namespace: 'default', name: 'old' },
        gracePeriodSeconds: 0,
        reason: 'x',
      },
      sync('h1'),
      sync('h2'),
    ]);
    await w.inflight.drain();
    expect(w.timeline.filter((t) => !t.startsWith('start'))).toEqual(['rules h1', 'rules h2', 'delete old']);
    expect(results.find((r) => r.key === 'rules@h1')?.outcome).toBe('done');
  });

  it('skips an action whose dependency failed, and runs the others', async () => {
    const w = world(['h2']);
    const observed = await w.runtime.observe();
    expect(observed.pods).toEqual([]);
    const pod = (name: string) => ({
      name,
      namespace: 'default',
      app: 'shop',
      owner: { kind: 'Pod' as const, name },
      templateHash: 'abc',
      commit: 'c1',
      labels: {},
      annotations: {},
      spec: { containers: [], restartPolicy: 'Always', terminationGracePeriodSeconds: 30 },
      containers: [],
      hostAliases: [],
    });
    const results = await w.run([
      sync('h1'),
      sync('h2'),
      // Only the dependency matters here: the fake runtime does not look inside the pod.
      { type: 'createPod', host: 'h2', pod: pod('on-h2') as never, reason: 'x', dependsOn: ['rules@h2'] },
    ]);
    expect(results.find((r) => r.key === 'rules@h2')?.outcome).toBe('failed');
    expect(results.find((r) => r.key === 'pod/default/on-h2@h2')).toMatchObject({
      outcome: 'skipped',
      error: { code: 'apply.dependency' },
    });
    expect((await w.runtime.observe()).pods).toEqual([]);
  });

  // The host lease: a pass that began while this daemon held it starts nothing after it ran out
  // (another daemon may act by then), including an action that was waiting for a slot.
  it('starts no action once mayStart says no, even one already queued for a slot', async () => {
    let leaseHeld = true;
    const w = world([], { concurrency: 1, mayStart: () => leaseHeld });
    const results = w.run([
      sync('h1'),
      sync('h2'),
      {
        type: 'deletePod',
        pod: { host: 'h1', namespace: 'default', name: 'old' },
        gracePeriodSeconds: 0,
        reason: 'x',
      },
    ]);
    // The lease runs out while the first rule sync runs; the second waits for the one slot.
    await new Promise((r) => setTimeout(r, 5));
    leaseHeld = false;
    const done = await results;
    await w.inflight.drain();
    expect(w.timeline).toEqual(['start rules h1', 'rules h1']);
    expect(done.find((r) => r.key === 'rules@h1')?.outcome).toBe('done');
    for (const key of ['rules@h2', 'pod/default/old@h1'])
      expect(done.find((r) => r.key === key)).toMatchObject({
        outcome: 'skipped',
        error: { code: 'apply.standby' },
      });
  });
});
