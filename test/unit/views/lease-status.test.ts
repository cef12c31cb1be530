import { describe, expect, it } from 'vitest';
import { renderLease, renderStatus } from '../../../src/cli/views/status.js';
import type { LeaseView } from '../../../src/model/views.js';

const NOW = 1_700_000_000_000;

describe('skiff status: the host lease', () => {
  it.each<[string, LeaseView, string]>([
    [
      'acting',
      { role: 'acting', holder: 'me', hosts: ['h1', 'h2'], message: 'acting', checkedAt: NOW },
      'Daemon: acting (holds the host lease on h1, h2)\n',
    ],
    [
      'standby, held by another daemon',
      {
        role: 'standby',
        holder: 'me',
        reason: 'HeldByOther',
        heldBy: {
          holder: 'ci-01-aaaa',
          description: 'ci-01 pid 4242 /var/lib/skiff',
          until: NOW + 12_300,
          hosts: ['h1', 'h2', 'h3'],
        },
        hosts: [],
        message: 'standby: ...',
        checkedAt: NOW,
      },
      'Daemon: STANDBY (HeldByOther): this daemon changes nothing on the hosts\n' +
        '  Acting daemon: ci-01 pid 4242 /var/lib/skiff (ci-01-aaaa)\n' +
        '  Lease on h1, h2, h3 expires in 13s unless renewed; this daemon takes over then\n',
    ],
    [
      'standby, no host reachable',
      {
        role: 'standby',
        holder: 'me',
        reason: 'NoHostReachable',
        hosts: [],
        message: 'standby: no host reachable to lease',
        checkedAt: NOW,
      },
      'Daemon: STANDBY (NoHostReachable): this daemon changes nothing on the hosts\n  standby: no host reachable to lease\n',
    ],
  ])('%s', (_name, lease, text) => {
    expect(renderLease(lease, NOW)).toBe(text);
  });

  it('heads the status, and shows nothing when no daemon computed the view', () => {
    const lease: LeaseView = {
      role: 'standby',
      holder: 'me',
      reason: 'NotChecked',
      hosts: [],
      message: 'm',
      checkedAt: NOW,
    };
    expect(renderStatus([], { now: NOW, lease }).startsWith('Daemon: STANDBY (NotChecked)')).toBe(true);
    expect(renderStatus([], { now: NOW })).toBe('No apps configured.\n');
  });
});
