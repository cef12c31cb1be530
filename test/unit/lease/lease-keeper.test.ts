// The daemon's lease keeper over the real lease command, run by a local `sh` in a temp folder
// per host (the same text the daemon sends over SSH): who acts, who stands by and why, and
// when the standby one takes over. The clock is a variable; no timer runs (rounds are called).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { type HostExec, HostLease } from '../../../src/lease/host-lease.js';
import { LeaseKeeper } from '../../../src/lease/lease-keeper.js';
import type { LeaseView } from '../../../src/model/views.js';
import { systemClock } from '../../../src/runtime/clock.js';
import { tempStateDir } from '../history/temp-state-dir.js';

const sh: HostExec = (_host, command) =>
  new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], (err, stdout, stderr) =>
      resolve({ exitCode: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });

const HOSTS = ['h1', 'h2', 'h3'];

function hosts() {
  const root = tempStateDir();
  const leasePath = (h: string) => join(root, h, 'lease.json');
  let now = Date.now();
  const keeper = (id: string, roles: LeaseView['role'][] = []) =>
    new LeaseKeeper({
      lease: new HostLease({
        exec: sh,
        hosts: HOSTS,
        leasePath,
        identity: { id, description: `${id} pid 1 /srv/${id}` },
        durationMs: 30_000,
      }),
      renewIntervalMs: 10_000,
      clock: { now: () => now },
      log: pino({ level: 'silent' }),
      onRoleChange: (r) => roles.push(r),
    });
  /** A lease some daemon left on a host, expiring at `expiresAt` (host clock = real clock). */
  const leave = (h: string, holder: string, expiresAt: number) => {
    mkdirSync(join(root, h), { recursive: true });
    writeFileSync(
      leasePath(h),
      `${JSON.stringify({ version: 1, holder, description: `${holder} pid 9`, acquiredAt: 1, renewedAt: 1, expiresAt })}\n`,
    );
  };
  return { keeper, leave, advance: (ms: number) => (now += ms) };
}

describe('LeaseKeeper', () => {
  it('stands by until the first round, then acts on free hosts', async () => {
    const w = hosts();
    const roles: LeaseView['role'][] = [];
    const a = w.keeper('daemon-a', roles);
    expect(a.view()).toMatchObject({ role: 'standby', reason: 'NotChecked' });
    expect(a.acting()).toBe(false);
    await a.round();
    expect(a.acting()).toBe(true);
    expect(a.view()).toMatchObject({ role: 'acting', holder: 'daemon-a', hosts: HOSTS });
    expect(roles).toEqual(['acting']);
  });

  it('a second daemon stands by, naming the holder, until the first releases the hosts', async () => {
    const w = hosts();
    const a = w.keeper('daemon-a');
    const rolesB: LeaseView['role'][] = [];
    const b = w.keeper('daemon-b', rolesB);
    await a.round();
    await b.round();
    expect(b.acting()).toBe(false);
    expect(b.view()).toMatchObject({
      role: 'standby',
      reason: 'HeldByOther',
      heldBy: { holder: 'daemon-a', description: 'daemon-a pid 1 /srv/daemon-a', hosts: HOSTS },
    });
    expect(b.view().message).toContain('daemon-a');
    // A renews and keeps acting; B still waits.
    await a.round();
    await b.round();
    expect([a.acting(), b.acting()]).toEqual([true, false]);
    await a.stop({ release: true });
    await b.round();
    expect(b.acting()).toBe(true);
    expect(rolesB).toEqual(['acting']);
  });

  it('takes over a lease left by a daemon that died once it has expired, not before', async () => {
    const w = hosts();
    for (const h of HOSTS) w.leave(h, 'dead-daemon', Date.now() + 60_000);
    const b = w.keeper('daemon-b');
    await b.round();
    expect(b.view()).toMatchObject({ role: 'standby', heldBy: { holder: 'dead-daemon' } });
    for (const h of HOSTS) w.leave(h, 'dead-daemon', Date.now() - 1);
    await b.round();
    expect(b.view()).toMatchObject({ role: 'acting', hosts: HOSTS });
  });

  it('stops acting on its own when its lease runs out unrenewed (a paused daemon)', async () => {
    const w = hosts();
    const a = w.keeper('daemon-a');
    await a.round();
    w.advance(29_000);
    expect(a.acting()).toBe(true);
    w.advance(2_000);
    expect(a.acting()).toBe(false);
    expect(a.view()).toMatchObject({ role: 'standby', reason: 'LeaseNotRenewed' });
    // A renewal (its own lease is still on the hosts: the host clocks did not move) resumes it.
    w.advance(-31_000);
    await a.round();
    expect(a.acting()).toBe(true);
  });

  it('stands by when no host answers', async () => {
    const k = new LeaseKeeper({
      lease: new HostLease({
        exec: () => Promise.reject(new Error('connect EHOSTUNREACH')),
        hosts: HOSTS,
        leasePath: '/nonexistent/lease.json',
        identity: { id: 'daemon-a', description: 'a' },
      }),
      renewIntervalMs: 10_000,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      onRoleChange: () => undefined,
    });
    await k.round();
    expect(k.view()).toMatchObject({ role: 'standby', reason: 'NoHostReachable' });
  });

  it('stands by on the minority side of a partition, naming what it holds of what it needs', async () => {
    const root = tempStateDir();
    const k = new LeaseKeeper({
      lease: new HostLease({
        exec: (host, command) =>
          host === 'h3' ? sh(host, command) : Promise.reject(new Error('EHOSTUNREACH')),
        hosts: HOSTS,
        leasePath: (h) => join(root, h, 'lease.json'),
        identity: { id: 'daemon-b', description: 'b' },
      }),
      renewIntervalMs: 10_000,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      onRoleChange: () => undefined,
    });
    await k.round();
    expect(k.acting()).toBe(false);
    expect(k.view()).toMatchObject({
      role: 'standby',
      reason: 'NoQuorum',
      message: 'standby: reaches 1 of 3 hosts (h3), acting needs a strict majority (2); unreachable: h1, h2',
    });
  });

  it('tells the daemon it stands by at validUntil when no round renewed the lease (a stalled round)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const w = hosts();
      const roles: LeaseView['role'][] = [];
      const a = w.keeper('daemon-a', roles);
      await a.round();
      expect(roles).toEqual(['acting']);
      const validUntil = a.view().validUntil as number;
      w.advance(validUntil - w.advance(0) - 1_000);
      vi.advanceTimersByTime(29_000);
      expect(roles).toEqual(['acting']);
      w.advance(2_000);
      vi.advanceTimersByTime(2_000);
      expect(roles).toEqual(['acting', 'standby']);
      await a.stop({ release: false });
    } finally {
      vi.useRealTimers();
    }
  });
});
