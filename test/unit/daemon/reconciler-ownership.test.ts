// Two apps declaring the same Deployment: the second is refused whole (frozen, its pods left
// alone), with a CommitAdmitted=False/SharedResource condition and one event; the owner runs.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { Reconciler } from '../../../src/daemon/reconciler.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MemorySource } from '../../support/memory-source.js';
import { fakeHosts, webWithService as manifest, shopApp } from './fixtures.js';

const api = `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 1
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers: [{ name: api, image: api:1 }]
`;

async function setup(order: ('shop' | 'blog')[]) {
  const now = 1_700_000_000_000;
  const clock = { now: () => now };
  const runtime = new FakeRuntime(fakeHosts(2), clock);
  const sources = { shop: new MemorySource(), blog: new MemorySource() };
  sources.shop.push(manifest(2));
  sources.blog.push(`${manifest(3).replace('image: web:1', 'image: web:2')}---\n${api}`);
  const trackers = order.map((name) => {
    const t = new AppTracker({ ...shopApp, name }, sources[name], createBundleValidator(), () => false);
    return t;
  });
  for (const t of trackers) await t.refresh(now);
  const reconciler = (ts: AppTracker[]) =>
    new Reconciler({
      runtime,
      trackers: ts,
      log: pino({ level: 'silent' }),
      clock,
      random: Math.random,
      hostGracePeriodMs: 40_000,
    });
  return { runtime, trackers, reconciler };
}

describe('ownership across apps', () => {
  it('refuses the second app whole, with a condition and one event; the first app runs', async () => {
    const { runtime, trackers, reconciler } = await setup(['shop', 'blog']);
    const r = reconciler(trackers);
    const first = await r.pass();
    const blog = r.view!.apps.find((a) => a.name === 'blog')!;
    expect(blog.health).toBe('Degraded');
    expect(blog.sync).toBe('OutOfSync');
    expect(blog.conditions).toContainEqual(
      expect.objectContaining({ type: 'CommitAdmitted', status: 'False', reason: 'SharedResource' }),
    );
    expect(blog.conditions.at(-1)!.message).toContain(
      'deployment/web (namespace default) is managed by app "shop"',
    );
    expect(first.result.events.filter((e) => e.reason === 'SharedResource')).toHaveLength(1);
    // Nothing of blog is applied: not even its own api Deployment.
    const pods = (await runtime.observe()).pods;
    expect(pods.every((p) => p.app === 'shop')).toBe(true);
    expect(pods.filter((p) => p.ownerName === 'web')).toHaveLength(2);
    // The refusal is an event once, not once per pass.
    const second = await r.pass();
    expect(second.result.events.filter((e) => e.reason === 'SharedResource')).toHaveLength(0);
  });

  it('after a restart with the apps listed the other way round, the app with the live pods keeps the object', async () => {
    const { runtime, trackers, reconciler } = await setup(['shop', 'blog']);
    await reconciler(trackers).pass();
    const restarted = reconciler([...trackers].reverse());
    await restarted.pass();
    expect(restarted.view!.apps.find((a) => a.name === 'blog')!.health).toBe('Degraded');
    expect(restarted.view!.apps.find((a) => a.name === 'shop')!.conditions).toEqual([]);
    expect((await runtime.observe()).pods.every((p) => p.app === 'shop')).toBe(true);
  });
});
