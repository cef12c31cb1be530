// The short chaos round of `npm test` (the long one is `npm run chaos`): a few seeds of the
// simulated suite (test/chaos/), each 20 rollouts of the real daemon code through seeded
// faults, with the invariants checked after every pass. Also: the simulation's host rules read
// back through the real parser, and the invariants themselves catch what they must.

import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseHostRuleState } from '../../../src/controllers/services/index.js';
import { type Checks, sample, violations } from '../../chaos/invariants.js';
import { prng } from '../../chaos/prng.js';
import { runSeed } from '../../chaos/run-seed.js';
import { manifest, STRATEGIES } from '../../chaos/scenario.js';
import { startDaemon } from '../../chaos/sim-daemon.js';
import { renderRuleState, SimWorld } from '../../chaos/sim-world.js';
import { MemorySource } from '../../support/memory-source.js';
import { tempHistoryStore } from '../history/temp-state-dir.js';

describe('chaos round', () => {
  it.each([1, 2, 3])(
    'seed %i: 20 rollouts through faults keep the floor, the ceiling, unique names, no leak, and converge',
    async (seed) => {
      const r = await runSeed(seed, () => tempHistoryStore());
      if (r.violations.length) console.log(`${r.trace.join('\n')}\n${r.violations.join('\n')}`);
      expect(r.violations).toEqual([]);
      expect(r.converge).toHaveLength(21);
    },
    60_000,
  );
});

describe('the simulated hosts', () => {
  it('hold the Service rules a daemon wrote, printed as the read command prints them', async () => {
    const world = new SimWorld(2);
    const branch = new MemorySource();
    branch.push(manifest(STRATEGIES[0]!, 1));
    const log = pino({ level: 'silent' });
    const d = await startDaemon({
      world,
      branch,
      store: tempHistoryStore(),
      log,
      rand: prng(7),
      note: () => undefined,
      readyAfterMs: 0,
    });
    for (let i = 0; i < 5; i++) {
      await d.reconciler.pass();
      world.clock.advance(1000);
    }
    for (const h of world.hostNames) {
      const state = world.rules.get(h)!;
      expect(state.hashes.nat).toMatch(/^[0-9a-f]+$/);
      expect(parseHostRuleState(renderRuleState(state))).toEqual(state);
    }
    // Read back on every pass (verifyIntervalMs 0): nothing left to write.
    const last = await d.reconciler.pass();
    expect(last.actions.filter((a) => a.type === 'syncServiceRules')).toEqual([]);
  });
});

describe('a daemon restart', () => {
  it('probes what it finds running before its first pass acts: no endpoint dropped, no Ready pod scaled down', async () => {
    const world = new SimWorld(2);
    const branch = new MemorySource();
    branch.push(manifest(STRATEGIES[0]!, 1));
    const store = tempHistoryStore();
    const opts = {
      world,
      branch,
      store,
      log: pino({ level: 'silent' }),
      rand: prng(7),
      note: () => undefined,
      readyAfterMs: 2000,
    };
    const first = await startDaemon(opts);
    for (let i = 0; i < 10; i++) {
      await first.reconciler.pass();
      world.clock.advance(1000);
    }
    const endpoints = first.reconciler.view!.endpoints[0]!.endpoints;
    expect(endpoints).toHaveLength(3);
    const second = await startDaemon(opts);
    const s = await second.reconciler.pass();
    expect(s.actions).toEqual([]);
    expect(second.reconciler.view!.endpoints[0]!.endpoints).toEqual(endpoints);
  });
});

describe('the invariants', () => {
  const s = STRATEGIES[1]!; // 4 replicas, maxSurge 1, maxUnavailable 1
  const all: Checks = { floor: true, ceiling: true };
  it.each([
    ['within bounds', { pods: 5, ready: 3, duplicates: [] }, all, []],
    ['below the floor', { pods: 4, ready: 2, duplicates: [] }, all, ['availability: 2 Ready pods < floor 3']],
    ['above the ceiling', { pods: 6, ready: 4, duplicates: [] }, all, ['surge: 6 pods > ceiling 5']],
    [
      'floor off under a capacity fault',
      { pods: 2, ready: 0, duplicates: [] },
      { floor: false, ceiling: true },
      [],
    ],
    [
      'duplicate names always count',
      { pods: 4, ready: 4, duplicates: ['default/web-x'] },
      { floor: false, ceiling: false },
      ['duplicate pod names: default/web-x'],
    ],
  ])('%s', (_name, sampled, checks, want) => {
    expect(violations(sampled, s, checks)).toEqual(want);
  });

  it('count pods on Ready hosts only, not those being deleted, and duplicates across hosts', async () => {
    const world = new SimWorld(2);
    const truth = await world.runtime.observe();
    const pod = (host: string, name: string) => ({
      host,
      name,
      namespace: 'default',
      ownerName: 'web',
      containers: [],
    });
    const got = sample(
      {
        ...truth,
        hosts: truth.hosts.map((h) => (h.name === 'h2' ? { ...h, ready: false } : h)),
        pods: [pod('h1', 'a'), pod('h1', 'b'), pod('h2', 'a'), pod('h2', 'c')] as never,
      },
      new Set(['h1/default/b']),
    );
    expect(got).toEqual({ pods: 1, ready: 1, duplicates: ['default/a'] });
  });
});
