import { describe, expect, it } from 'vitest';
import {
  decideLease,
  decideLeaseTake,
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

const mine = (host: string, inMs = 30_000, hostNow = NOW) => held(host, lease(US, hostNow + inMs), hostNow);

describe('decideLease', () => {
  it.each<
    [
      string,
      HostLeaseReading[],
      { kind: string; reason?: string; hosts?: string[]; unreachable?: string[]; release?: string[] },
    ]
  >([
    [
      'all three hosts held',
      [mine('h1'), mine('h2'), mine('h3')],
      { kind: 'act', hosts: ['h1', 'h2', 'h3'], unreachable: [] },
    ],
    [
      '3 hosts, 2 held, 1 unreachable',
      [mine('h1'), mine('h2'), down('h3')],
      { kind: 'act', hosts: ['h1', 'h2'], unreachable: ['h3'] },
    ],
    [
      '3 hosts, 1 held, 2 unreachable: the minority side of a partition',
      [down('h1'), down('h2'), mine('h3')],
      { kind: 'standby', reason: 'NoQuorum', release: ['h3'] },
    ],
    [
      '5 hosts, 2 unreachable, 3 held',
      [mine('h1'), down('h2'), mine('h3'), down('h4'), mine('h5')],
      { kind: 'act', hosts: ['h1', 'h3', 'h5'], unreachable: ['h2', 'h4'] },
    ],
    [
      '4 hosts, 2 held: half is not a majority',
      [mine('h1'), mine('h2'), down('h3'), down('h4')],
      { kind: 'standby', reason: 'NoQuorum', release: ['h1', 'h2'] },
    ],
    ['a single host, held', [mine('h1')], { kind: 'act', hosts: ['h1'] }],
    ['a single host, unreachable', [down('h1')], { kind: 'standby', reason: 'NoHostReachable' }],
    [
      'free hosts we did not take do not count',
      [mine('h1'), free('h2'), free('h3')],
      { kind: 'standby', reason: 'NoQuorum', release: ['h1'] },
    ],
    [
      'our own expired leases do not count',
      [mine('h1'), mine('h2', -1), mine('h3', 0)],
      { kind: 'standby', reason: 'NoQuorum', release: ['h1'] },
    ],
    [
      'another holder, expired',
      [held('h1', lease(THEM, NOW - 1)), mine('h2'), mine('h3')],
      { kind: 'act', hosts: ['h2', 'h3'] },
    ],
    [
      'another holder live on one host of three, while we hold a majority',
      [mine('h1'), held('h2', lease(THEM, NOW + 5_000)), mine('h3')],
      { kind: 'standby', reason: 'HeldByOther', release: ['h1', 'h3'] },
    ],
    [
      'a lease error means standby, releasing what we hold',
      [mine('h1'), mine('h2'), broken('h3')],
      { kind: 'standby', reason: 'LeaseError', release: ['h1', 'h2'] },
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

  it('names how many hosts it holds of how many a majority needs', () => {
    expect(decideLease([down('h1'), down('h2'), mine('h3')], US, NOW)).toEqual({
      kind: 'standby',
      reason: 'NoQuorum',
      held: ['h3'],
      unreachable: ['h1', 'h2'],
      total: 3,
      quorum: 2,
      release: ['h3'],
      message:
        'standby: holds the lease on 1 of 3 hosts (h3), acting needs a strict majority (2); unreachable: h1, h2',
    });
  });

  it.each<[string, HostLeaseReading[], number]>([
    [
      '3 of 3 held: the second latest expiry (one may lapse, two remain)',
      [mine('h1', 10_000), mine('h2', 20_000), mine('h3', 30_000)],
      NOW + 20_000,
    ],
    [
      '2 of 3 held: the earliest (one lapse loses the majority)',
      [mine('h1', 30_000), mine('h2', 10_000), down('h3')],
      NOW + 10_000,
    ],
    [
      '4 of 5 held: the third latest',
      [mine('h1', 5_000), mine('h2', 10_000), mine('h3', 20_000), mine('h4', 30_000), down('h5')],
      NOW + 10_000,
    ],
    ['1 of 1', [mine('h1', 7_000)], NOW + 7_000],
    [
      'judged from the host clock: a host 2 s behind, its lease 30 s from its now',
      [mine('h1', 30_000, NOW - 2_000), mine('h2', 25_000)],
      NOW + 25_000,
    ],
  ])('validUntil, %s', (_name, readings, validUntil) => {
    expect(decideLease(readings, US, NOW)).toMatchObject({ kind: 'act', validUntil });
  });
});

describe('decideLeaseTake', () => {
  it.each<[string, HostLeaseReading[], Record<string, unknown>]>([
    ['every host free', [free('h1'), free('h2'), free('h3')], { kind: 'take', hosts: ['h1', 'h2', 'h3'] }],
    ['a majority reached', [free('h1'), mine('h2'), down('h3')], { kind: 'take', hosts: ['h1', 'h2'] }],
    [
      'a minority reached: takes nothing, gives back what it holds',
      [down('h1'), down('h2'), mine('h3')],
      {
        kind: 'standby',
        reason: 'NoQuorum',
        release: ['h3'],
        message:
          'standby: reaches 1 of 3 hosts (h3), acting needs a strict majority (2); unreachable: h1, h2',
      },
    ],
    [
      'half of four reached',
      [free('h1'), free('h2'), down('h3'), down('h4')],
      { kind: 'standby', reason: 'NoQuorum' },
    ],
    [
      'another holder on a reached host',
      [free('h1'), held('h2', lease(THEM, NOW + 5_000)), free('h3')],
      { kind: 'standby', reason: 'HeldByOther' },
    ],
    ['a lease error', [free('h1'), broken('h2'), free('h3')], { kind: 'standby', reason: 'LeaseError' }],
    ['nothing reached', [down('h1')], { kind: 'standby', reason: 'NoHostReachable' }],
  ])('%s', (_name, readings, expected) => {
    expect(decideLeaseTake(readings, US, NOW)).toMatchObject(expected);
  });
});

describe('decideLease, other holders', () => {
  it('judges expiry in the host clock, so a skewed daemon clock cannot steal a live lease', () => {
    // Our clock is 5 minutes ahead of the host: the lease looks old to us, but is live there.
    const hostNow = NOW - 300_000;
    const d = decideLease([held('h1', lease(THEM, hostNow + 10_000), hostNow)], US, NOW);
    expect(d).toMatchObject({ kind: 'standby', reason: 'HeldByOther', until: NOW + 10_000 });
    // And the other way: our clock behind, an expired lease is expired.
    const behind = decideLeaseTake([held('h1', lease(THEM, NOW + 100_000 - 1), NOW + 100_000)], US, NOW);
    expect(behind.kind).toBe('take');
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
