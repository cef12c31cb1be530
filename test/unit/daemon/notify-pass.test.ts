// Notifications from real passes: trackers, the reconciler on a FakeRuntime, the rollout guard
// and a real history, wired as the daemon wires them (notifyFactsFor after guard.afterPass),
// posting to a local GitHub-shaped status server. A good commit gets pending then success; a
// rejected one failure with its error at file:line; a commit quarantined after its passes
// failed gets failure naming the restored commit.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { notifyFactsFor } from '../../../src/daemon/notify-facts.js';
import { Reconciler } from '../../../src/daemon/reconciler.js';
import { PASS_FAILURE_LIMIT, RolloutGuard } from '../../../src/daemon/rollout-guard.js';
import type { CommitInfo } from '../../../src/git/git-source.js';
import { httpSender } from '../../../src/notify/http-sender.js';
import { Notifier } from '../../../src/notify/notifier.js';
import { DEFAULT_TRIGGERS } from '../../../src/notify/notify-types.js';
import { type PassInput, reconcilePass } from '../../../src/reconcile/pass.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MemorySource } from '../../support/memory-source.js';
import { githubStatusServer, type TestServer } from '../../support/status-servers.js';
import { tempHistoryStore } from '../history/temp-state-dir.js';
import { fakeHosts, shopApp } from './fixtures.js';

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: c, image: ${image} }]
`;

function throwingPass(input: PassInput) {
  const boom = input.apps.some((a) =>
    a.objects.some((o) => o.kind === 'Deployment' && o.spec.template.spec.containers[0]!.image === 'boom:1'),
  );
  if (boom) throw new TypeError('pass failed on boom:1');
  return reconcilePass(input);
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
});

describe('notifications from daemon passes', () => {
  it('good commit: pending then success; rejected: failure with file:line; quarantined: failure naming the restored commit', {
    timeout: 30_000,
  }, async () => {
    server = await githubStatusServer('tok-123456');
    let now = 1_700_000_000_000;
    const clock = { now: () => now };
    const runtime = new FakeRuntime(fakeHosts(1), clock);
    const history = tempHistoryStore();
    const source = new MemorySource();
    source.push(deployment('web:1'));
    const app = { ...shopApp, repoURL: 'https://github.com/acme/shop.git' };
    const tracker = new AppTracker(app, source, createBundleValidator(), (c) =>
      history.isQuarantined('shop', c),
    );
    await tracker.refresh(now);
    const log = pino({ level: 'silent' });
    const reconciler = new Reconciler({
      runtime,
      trackers: [tracker],
      history,
      log,
      clock,
      random: Math.random,
      hostGracePeriodMs: 40_000,
      reconcile: throwingPass,
    });
    const info = { author: { name: 'a', email: 'a@x' }, subject: 's' } as unknown as CommitInfo;
    const guard = new RolloutGuard({
      trackers: [tracker],
      sources: new Map([['shop', { commitInfo: async () => info }]]),
      history,
      log,
      clock,
      wake: () => undefined,
    });
    const notifier = new Notifier({
      config: {
        services: [{ name: 'github', type: 'github', tokenEnv: 'GH', apiUrl: server.url }],
        triggers: [...DEFAULT_TRIGGERS],
        healthDegradedSeconds: 60,
        delivery: { concurrency: 2, timeoutSeconds: 5, maxAttempts: 3 },
      },
      apps: [app],
      env: { GH: 'tok-123456' },
      send: httpSender,
      now: clock.now,
      sleep: async () => undefined,
      random: () => 0,
      scrub: (t) => t,
      history,
      log,
    });
    const inst = { trackers: [tracker], history, autoscaler: { views: () => [] } };
    const pass = async () => {
      now += 1000;
      const s = await reconciler.pass();
      await guard.afterPass(s);
      notifier.notice(notifyFactsFor(inst, s));
    };
    const statuses = async () => {
      await notifier.queue.idle();
      return server!.received.map((r) => {
        const b = JSON.parse(r.body) as { state: string; description: string };
        return { sha: r.path.split('/').at(-1)!.slice(0, 2), state: b.state, description: b.description };
      });
    };

    for (let i = 0; i < 4; i++) await pass();
    const good = tracker.snapshot().admitted!.commit;
    expect((await statuses()).map((s) => [s.sha, s.state])).toEqual([
      ['c1', 'pending'],
      ['c1', 'success'],
    ]);

    // A commit that does not validate: failure on it, with the error at file:line.
    source.push('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { replicas: many }\n');
    await tracker.refresh(now);
    notifier.notice(notifyFactsFor(inst, reconciler.last));
    const rejected = (await statuses()).at(-1)!;
    expect(rejected).toMatchObject({ sha: 'c2', state: 'failure' });
    expect(rejected.description).toMatch(/app\.yaml:\d+:\d+/);

    // A commit the pass fails on: quarantined after the limit, the good commit restored.
    source.push(deployment('boom:1'));
    await tracker.refresh(now);
    for (let i = 0; i < PASS_FAILURE_LIMIT + 1; i++) await pass();
    expect(tracker.snapshot().admitted!.commit).toBe(good);
    const all = await statuses();
    const failed = all.filter((s) => s.sha === 'c3');
    expect(failed.map((s) => s.state)).toEqual(['pending', 'failure']);
    expect(failed[1]!.description).toContain(`restored ${good.slice(0, 7)}`);
    // The restored commit already had its success: not posted twice.
    expect(all.filter((s) => s.sha === 'c1').map((s) => s.state)).toEqual(['pending', 'success']);
    notifier.stop();
  });
});
