import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeTemplateHash,
  generatePodName,
  NAME_ALPHABET,
  randomAlphanumeric,
  safeEncodeString,
} from '../../../src/controllers/pod-name.js';
import { podPhase } from '../../../src/controllers/pod-phase.js';
import { seeded } from './fake-world.js';
import { observedPod } from './fixtures.js';

describe('pod names', () => {
  it('looks like Kubernetes: web-<hash>-<5 from the safe alphabet>', () => {
    const name = generatePodName('web', '7d9c5b6f4', seeded(42));
    expect(name).toMatch(/^web-7d9c5b6f4-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('is determined by the random source', () => {
    expect(generatePodName('web', 'abc', seeded(7))).toBe(generatePodName('web', 'abc', seeded(7)));
    expect(randomAlphanumeric(5, () => 0)).toBe('bbbbb');
    expect(randomAlphanumeric(3, () => 0.999999)).toBe('999');
    expect(randomAlphanumeric(2, () => 1)).toBe('99');
  });

  it('cuts long bases to 58 characters as SimpleNameGenerator does', () => {
    const name = generatePodName('a'.repeat(70), 'h', seeded(1));
    expect(name).toHaveLength(63);
    expect(name.slice(0, 58)).toBe('a'.repeat(58));
  });

  it('safeEncodeString maps characters onto the alphabet by code (rand.SafeEncodeString)', () => {
    // '0' is 48: 48 % 27 = 21 -> '4'; '9' is 57: 57 % 27 = 3 -> 'f'.
    expect(safeEncodeString('09')).toBe('4f');
    expect(encodeTemplateHash(3735928559)).toBe(safeEncodeString('3735928559'));
    expect(encodeTemplateHash(-1)).toBe(safeEncodeString('4294967295'));
  });

  it('property: only alphabet characters, never vowels', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer(), (hash, seed) => {
        const encoded = encodeTemplateHash(hash);
        const suffix = randomAlphanumeric(5, seeded(seed));
        for (const ch of encoded + suffix) expect(NAME_ALPHABET).toContain(ch);
        expect(encoded + suffix).not.toMatch(/[aeiou013]/);
      }),
    );
  });
});

describe('pod phase', () => {
  it.each([
    {
      name: 'no infra container yet',
      patch: { infra: undefined },
      phase: 'Pending',
    },
    {
      name: 'container created, never started',
      patch: { started: false },
      phase: 'Pending',
    },
    { name: 'running', patch: {}, phase: 'Running' },
    { name: 'host unreachable', patch: { unreachable: true }, phase: 'Unknown' },
  ])('$name -> $phase', ({ patch, phase }) => {
    const { started, ...rest } = patch as { started?: boolean };
    const pod = { ...observedPod('p', { started }), ...rest };
    expect(podPhase(pod)).toBe(phase);
  });

  it.each([
    { policy: 'Always', exitCode: 0, phase: 'Running' },
    { policy: 'OnFailure', exitCode: 0, phase: 'Succeeded' },
    { policy: 'OnFailure', exitCode: 1, phase: 'Running' },
    { policy: 'Never', exitCode: 0, phase: 'Succeeded' },
    { policy: 'Never', exitCode: 1, phase: 'Failed' },
  ] as const)('all exited with $exitCode under $policy -> $phase', ({ policy, exitCode, phase }) => {
    const pod = observedPod('p');
    pod.containers = pod.containers.map((c) => ({
      ...c,
      state: 'exited' as const,
      exitCode,
      finishedAt: 10,
    }));
    expect(podPhase(pod, policy)).toBe(phase);
  });
});
