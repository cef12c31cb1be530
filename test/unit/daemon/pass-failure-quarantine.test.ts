// A commit the reconcile pass throws on: the app is set aside at once (the other apps go on),
// and after PASS_FAILURE_LIMIT passes in a row its commit is quarantined and the previous good
// commit restored, as for a failed rollout. Reconciler + RolloutGuard + trackers, with a pass
// that throws on one image and a real history store.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { Reconciler } from '../../../src/daemon/reconciler.js';
import { decidePassFailure, PASS_FAILURE_LIMIT, RolloutGuard } from '../../../src/daemon/rollout-guard.js';
import type { CommitInfo } from '../../../src/git/git-source.js';
import { type PassInput, reconcilePass } from '../../../src/reconcile/pass.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MemorySource } from '../../support/memory-source.js';
import { tempHistoryStore } from '../history/temp-state-dir.js';
import { fakeHosts, shopApp } from './fixtures.js';

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: c, image: ${image} }]
`;

/** The real pass, except that it throws on any app running the image `boom:1`. */
function throwingPass(input: PassInput) {
  const boom = input.apps.some((a) =>
    a.objects.some((o) => o.kind === 'Deployment' && o.spec.template.spec.containers[0]!.image === 'boom:1'),
  );
  if (boom) throw new TypeError("Cannot read properties of undefined (reading 'x')");
  return reconcilePass(input);
}

describe('a commit the pass throws on', () => {
  it('is set aside at once, then quarantined after the limit with the previous commit restored', async () => {
    let now = 1_700_000_000_000;
    const clock = { now: () => now };
    const runtime = new FakeRuntime(fakeHosts(2), clock);
    const history = tempHistoryStore();
    const sources = { shop: new MemorySource(), blog: new MemorySource() };
    sources.shop.push(deployment('web', 'web:1'));
    sources.blog.push(deployment('blog', 'blog:1'));
    const trackers = (['shop', 'blog'] as const).map(
      (name) =>
        new AppTracker({ ...shopApp, name }, sources[name], createBundleValidator(), (c) =>
          history.isQuarantined(name, c),
        ),
    );
    const [shop, blog] = trackers as [AppTracker, AppTracker];
    for (const t of trackers) await t.refresh(now);
    const log = pino({ level: 'silent' });
    const reconciler = new Reconciler({
      runtime,
      trackers,
      history,
      log,
      clock,
      random: Math.random,
      hostGracePeriodMs: 40_000,
      reconcile: throwingPass,
    });
    const info = { author: { name: 'a', email: 'a@x' }, subject: 's' } as unknown as CommitInfo;
    const guard = new RolloutGuard({
      trackers,
      sources: new Map(Object.keys(sources).map((k) => [k, { commitInfo: async () => info }])),
      history,
      log,
      clock,
      wake: () => undefined,
    });
    const pass = async () => {
      now += 1000;
      const s = await reconciler.pass();
      await guard.afterPass(s);
      return s;
    };
    await pass();
    const good = shop.snapshot().admitted!.commit;

    // The bad commit arrives on shop; blog changes too and must keep being reconciled.
    sources.shop.push(deployment('web', 'boom:1'));
    await shop.refresh(now);
    const bad = shop.snapshot().admitted!.commit;
    expect(bad).not.toBe(good);
    sources.blog.push(deployment('blog', 'blog:2'));
    await blog.refresh(now);

    const first = await pass();
    expect(first.failedApps).toEqual([
      expect.objectContaining({ app: 'shop', commit: bad, error: expect.stringContaining('Cannot read') }),
    ]);
    const shopView = reconciler.view!.apps.find((a) => a.name === 'shop')!;
    expect(shopView.conditions.at(-1)).toMatchObject({ type: 'CommitAdmitted', reason: 'ReconcileError' });
    expect(history.isQuarantined('shop', bad)).toBe(false);
    // Blog's rollout went on in the same pass.
    expect(first.actions.some((a) => a.type === 'createPod' && a.pod.app === 'blog')).toBe(true);

    for (let i = 1; i < PASS_FAILURE_LIMIT; i++) await pass();
    expect(history.isQuarantined('shop', bad)).toBe(true);
    expect(shop.snapshot().admitted!.commit).toBe(good);
    const after = await pass();
    expect(after.failedApps).toEqual([]);
    // The quarantined head is not re-admitted by the next fetch.
    await shop.refresh(now);
    expect(shop.snapshot().admitted!.commit).toBe(good);
  });

  it('rethrows when no single app is to blame', async () => {
    const clock = { now: () => 1 };
    const runtime = new FakeRuntime(fakeHosts(1), clock);
    const source = new MemorySource();
    source.push(deployment('web', 'web:1'));
    const tracker = new AppTracker(shopApp, source, createBundleValidator(), () => false);
    await tracker.refresh(1);
    const reconciler = new Reconciler({
      runtime,
      trackers: [tracker],
      log: pino({ level: 'silent' }),
      clock,
      random: Math.random,
      hostGracePeriodMs: 40_000,
      reconcile: (input) =>
        (input.apps.length === 0 ? reconcilePass(input) : reconcilePass(input)) && broken(),
    });
    await expect(reconciler.pass()).rejects.toThrow('observed state broken');
  });
});

function broken(): never {
  throw new Error('observed state broken');
}

describe('decidePassFailure', () => {
  it.each([
    ['a first failure counts 1', undefined, 'c2', 1, false],
    ['the same commit again counts on', { commit: 'c2', count: 1 }, 'c2', 2, false],
    [
      'at the limit it quarantines',
      { commit: 'c2', count: PASS_FAILURE_LIMIT - 1 },
      'c2',
      PASS_FAILURE_LIMIT,
      true,
    ],
    ['another commit starts over', { commit: 'c1', count: 2 }, 'c2', 1, false],
  ])('%s', (_name, prior, commit, count, quarantine) => {
    const d = decidePassFailure({ recorded: {}, passFailures: prior }, { commit, error: 'boom' });
    expect(d.memory.passFailures).toEqual({ commit, count });
    expect(d.quarantine !== undefined).toBe(quarantine);
  });

  it('a pass that does not throw on the app resets the count', () => {
    expect(
      decidePassFailure({ recorded: {}, passFailures: { commit: 'c', count: 2 } }, undefined).memory,
    ).toEqual({
      recorded: {},
    });
  });
});
