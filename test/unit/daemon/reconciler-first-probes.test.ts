// A new daemon's first pass waits for its prober's first round: probe state is memory, and
// without it every running pod looks not Ready (every Service's endpoints would be rewritten
// empty, and Ready pods scaled down as if unhealthy). Only the first pass waits.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppTracker } from '../../../src/daemon/app-tracker.js';
import { createBundleValidator } from '../../../src/daemon/bundle-validator.js';
import { FIRST_PROBE_ROUND_MS, type ProbeSource, Reconciler } from '../../../src/daemon/reconciler.js';
import type { ProbeResults } from '../../../src/model/observed.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { MemorySource } from '../../support/memory-source.js';
import { shopApp as app, fakeHosts, webWithService } from './fixtures.js';

describe("the reconciler's first pass", () => {
  it('settles the prober once, before it reads the results', async () => {
    const clock = { now: () => 1_700_000_000_000 };
    const runtime = new FakeRuntime(fakeHosts(1), clock);
    const source = new MemorySource();
    source.push(webWithService(1));
    const tracker = new AppTracker(app, source, createBundleValidator(), () => false);
    await tracker.refresh(clock.now());
    const calls: string[] = [];
    const prober: ProbeSource = {
      sync: () => void calls.push('sync'),
      results: (): ProbeResults => {
        calls.push('results');
        return {};
      },
      settle: async (ms) => void calls.push(`settle ${ms}`),
    };
    const reconciler = new Reconciler({
      runtime,
      trackers: [tracker],
      log: pino({ level: 'silent' }),
      clock,
      random: () => 0.5,
      hostGracePeriodMs: 40_000,
      prober,
    });
    await reconciler.pass();
    await reconciler.pass();
    expect(calls).toEqual(['sync', `settle ${FIRST_PROBE_ROUND_MS}`, 'results', 'sync', 'results']);
  });
});
