import { describe, expect, it } from 'vitest';
import {
  decideLease,
  type HostLeaseReading,
  type HostLeaseRecord,
} from '../../../src/controllers/lease-decision.js';

const NOW = 1_700_000_000_000;
const US = 'ci-01-aaaaaaaaaaaa';
const THEM = 'ops-02-bbbbbbbbbbbb';

function lease(
  holder: string,
  expiresAt: number,
  description = `${holder} pid 1 /var/lib/skiff`,
): HostLeaseRecord {
  return { holder, description, acquiredAt: expiresAt - 30_000, renewedAt: expiresAt - 30_000, expiresAt };
}
const free = (host: string, hostNow = NOW): HostLeaseReading => ({ host, kind: 'read', hostNow });
const held = (host: string, l: HostLeaseRecord, hostNow = NOW): HostLeaseReading => ({
  host,
  kind: 'read',
  hostNow,
  lease: l,
});
const down = (host: string): HostLeaseReading => ({
  host,
  kind: 'unreachable',
  message: 'connect ETIMEDOUT',
});
const broken = (host: string): HostLeaseReading => ({ host, kind: 'error', message: 'flock not found' });

describe('decideLease', () => {
  it.each<
    [
      string,
      HostLeaseReading[],
      { kind: string; reason?: string; hosts?: string[]; unreachable?: string[]; release?: string[] },
    ]
  >([
    ['no lease anywhere', [free('h1'), free('h2')], { kind: 'act', hosts: ['h1', 'h2'], unreachable: [] }],
    [
      'our own live lease',
      [held('h1', lease(US, NOW + 20_000)), free('h2')],
      { kind: 'act', hosts: ['h1', 'h2'] },
    ],
    [
      'another holder, expired',
      [held('h1', lease(THEM, NOW - 1)), free('h2')],
      { kind: 'act', hosts: ['h1', 'h2'] },
    ],
    ['another holder, expiring exactly now', [held('h1', lease(THEM, NOW))], { kind: 'act', hosts: ['h1'] }],
    [
      'another holder live on one host of three',
      [free('h1'), held('h2', lease(THEM, NOW + 5_000)), free('h3')],
      { kind: 'standby', reason: 'HeldByOther', release: [] },
    ],
    [
      'another holder live on a host where we also hold others',
      [held('h1', lease(US, NOW + 25_000)), held('h2', lease(THEM, NOW + 5_000))],
      { kind: 'standby', reason: 'HeldByOther', release: ['h1'] },
    ],
    [
      'unreachable hosts are ignored',
      [free('h1'), down('h2')],
      { kind: 'act', hosts: ['h1'], unreachable: ['h2'] },
    ],
    ['a lease error means standby', [free('h1'), broken('h2')], { kind: 'standby', reason: 'LeaseError' }],
    [
      'a lease error while holding our lease releases it',
      [held('h1', lease(US, NOW + 1)), broken('h2')],
      { kind: 'standby', reason: 'LeaseError', release: ['h1'] },
    ],
    ['no host reachable', [down('h1'), down('h2')], { kind: 'standby', reason: 'NoHostReachable' }],
    ['no hosts configured', [], { kind: 'standby', reason: 'NoHostReachable' }],
    [
      'another holder beats a lease error',
      [broken('h1'), held('h2', lease(THEM, NOW + 1))],
      { kind: 'standby', reason: 'HeldByOther' },
    ],
  ])('%s', (_name, readings, expected) => {
    expect(decideLease(readings, US, NOW)).toMatchObject(expected);
  });

  it('judges expiry in the host clock, so a skewed daemon clock cannot steal a live lease', () => {
    // Our clock is 5 minutes ahead of the host: the lease looks old to us, but is live there.
    const hostNow = NOW - 300_000;
    const d = decideLease([held('h1', lease(THEM, hostNow + 10_000), hostNow)], US, NOW);
    expect(d).toMatchObject({ kind: 'standby', reason: 'HeldByOther', until: NOW + 10_000 });
    // And the other way: our clock behind, an expired lease is expired.
    const behind = decideLease([held('h1', lease(THEM, NOW + 100_000 - 1), NOW + 100_000)], US, NOW);
    expect(behind.kind).toBe('act');
  });

  it('says until when our leases are valid, in our clock: the earliest expiry among them', () => {
    const d = decideLease(
      [
        held('h1', lease(US, NOW + 30_000)),
        held('h2', lease(US, NOW - 2_000 + 30_000), NOW - 2_000),
        free('h3'),
      ],
      US,
      NOW,
    );
    expect(d).toEqual({ kind: 'act', hosts: ['h1', 'h2', 'h3'], unreachable: [], validUntil: NOW + 30_000 });
    const skewed = decideLease(
      [held('h1', lease(US, NOW + 10_000)), held('h2', lease(US, NOW + 25_000))],
      US,
      NOW,
    );
    expect(skewed).toMatchObject({ validUntil: NOW + 10_000 });
    expect(decideLease([free('h1')], US, NOW)).toMatchObject({ validUntil: NOW });
  });

  it('reports who holds the hosts and until when, in our clock, waiting for the longest lease', () => {
    const d = decideLease(
      [
        held('h1', lease(THEM, NOW + 12_000, 'ops-02 pid 77 /srv/skiff')),
        held('h2', lease(THEM, NOW + 25_000, 'ops-02 pid 77 /srv/skiff')),
        free('h3'),
      ],
      US,
      NOW,
    );
    expect(d).toEqual({
      kind: 'standby',
      reason: 'HeldByOther',
      holder: THEM,
      description: 'ops-02 pid 77 /srv/skiff',
      until: NOW + 25_000,
      heldOn: ['h1', 'h2'],
      release: [],
      message: `standby: hosts leased by ops-02 pid 77 /srv/skiff until ${new Date(NOW + 25_000).toISOString()} (h1, h2)`,
    });
  });

  it('names every other holder when several hold hosts', () => {
    const d = decideLease(
      [held('h1', lease(THEM, NOW + 1_000, 'A')), held('h2', lease('third-ccc', NOW + 2_000, 'B'))],
      US,
      NOW,
    );
    expect(d).toMatchObject({
      kind: 'standby',
      holder: 'third-ccc',
      message: expect.stringContaining('leased by A, B until'),
    });
  });

  it('says which hosts failed and why on a lease error', () => {
    const d = decideLease([free('h1'), broken('h2')], US, NOW);
    expect(d).toMatchObject({ failed: ['h2'], message: 'standby: cannot lease h2 (flock not found)' });
  });
});
