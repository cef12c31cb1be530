// A host being removed from skiff.yaml is leased like any other until skiff forgets it, then
// released: the keeper the daemon builds (leaseKeeperFor) over the real lease command, run by a
// local `sh` with each host's data dir in a temp folder (the same text the daemon sends over SSH).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { defaultClusterConfig, type HostConfig } from '../../../src/config/cluster-config.js';
import type { HostExec } from '../../../src/lease/host-lease.js';
import { leaseKeeperFor } from '../../../src/lease/lease-keeper.js';
import { tempStateDir } from '../history/temp-state-dir.js';

const sh: HostExec = (_host, command) =>
  new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], (err, stdout, stderr) =>
      resolve({ exitCode: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });

const log = pino({ level: 'silent' });

function world(down: string[] = [], configured = ['h2', 'h3']) {
  const root = tempStateDir();
  const config = defaultClusterConfig(join(root, 'state'));
  const host = (name: string): HostConfig => ({ ...config.hosts[0]!, name, dataDir: join(root, name) });
  const leaseFile = (name: string) => join(root, name, 'lease.json');
  const holderOn = (name: string): string | undefined =>
    existsSync(leaseFile(name)) ? JSON.parse(readFileSync(leaseFile(name), 'utf8')).holder : undefined;
  /** The config's hosts (h2 and h3 by default); h1 is being removed (the inventory's). */
  let removing = [host('h1')];
  const ran: string[] = [];
  const keeper = leaseKeeperFor(
    { ...config, hosts: configured.map(host) },
    {
      exec: (h, command) => {
        ran.push(h);
        return down.includes(h) ? Promise.reject(new Error('connect EHOSTUNREACH')) : sh(h, command);
      },
      log,
      hosts: () => [...configured.map(host), ...removing],
    },
  );
  return {
    keeper,
    ran,
    holderOn,
    forgetRemoved: () => {
      removing = [];
    },
    /** A live lease another daemon holds on `name` (its skiff.yaml still lists the host). */
    heldByOther: (name: string) => {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(
        leaseFile(name),
        `${JSON.stringify({ version: 1, holder: 'other-daemon', description: 'other pid 9', acquiredAt: 1, renewedAt: 1, expiresAt: Date.now() + 60_000 })}\n`,
      );
    },
  };
}

describe('the host lease and hosts being removed', () => {
  it('takes the lease on a removing host with the configured ones', async () => {
    const w = world();
    await w.keeper.round();
    expect(w.keeper.acting()).toBe(true);
    expect(w.keeper.view().hosts).toEqual(['h2', 'h3', 'h1']);
    const me = w.keeper.view().holder;
    expect(['h1', 'h2', 'h3'].map(w.holderOn)).toEqual([me, me, me]);
    await w.keeper.stop({ release: true });
    expect(['h1', 'h2', 'h3'].map(w.holderOn)).toEqual([undefined, undefined, undefined]);
  });

  it('stands by while another daemon holds the removing host, naming it', async () => {
    const w = world();
    w.heldByOther('h1');
    await w.keeper.round();
    expect(w.keeper.acting()).toBe(false);
    expect(w.keeper.view()).toMatchObject({
      role: 'standby',
      reason: 'HeldByOther',
      heldBy: { holder: 'other-daemon', hosts: ['h1'] },
    });
    // It took nothing meanwhile.
    expect(['h2', 'h3'].map(w.holderOn)).toEqual([undefined, undefined]);
  });

  it('a removing host that does not answer is left out of the count: the others act', async () => {
    // Counted, h1 would make it 1 of 2 (standby): a daemon kept on standby by the dead host it
    // is removing would never forget it, and removing a dead host is how one gets rid of it.
    const w = world(['h1'], ['h2']);
    await w.keeper.round();
    expect(w.keeper.view()).toMatchObject({ role: 'acting', hosts: ['h2'] });
    await w.keeper.stop({ release: true });
  });

  it('a configured host that does not answer still counts against the majority', async () => {
    const w = world(['h2', 'h3']);
    await w.keeper.round();
    expect(w.keeper.view()).toMatchObject({ role: 'standby', reason: 'NoQuorum' });
    expect(w.keeper.view().message).toContain('1 of 3 hosts');
  });

  it('releases the removed host once forgotten; later rounds leave it alone', async () => {
    const w = world();
    await w.keeper.round();
    const me = w.keeper.view().holder;
    // A round in flight when the host is forgotten may still renew it: released after it.
    const inflight = w.keeper.round();
    w.forgetRemoved();
    await w.keeper.releaseHost('h1');
    await inflight;
    expect(w.holderOn('h1')).toBeUndefined();
    w.ran.length = 0;
    await w.keeper.round();
    expect(w.ran).not.toContain('h1');
    expect(w.holderOn('h1')).toBeUndefined();
    expect(w.keeper.view()).toMatchObject({ role: 'acting', hosts: ['h2', 'h3'] });
    expect(['h2', 'h3'].map(w.holderOn)).toEqual([me, me]);
    await w.keeper.stop({ release: true });
  });

  it('without a hosts list, leases skiff.yaml hosts only', async () => {
    const w = world();
    const root = tempStateDir();
    const config = defaultClusterConfig(join(root, 'state'));
    const k = leaseKeeperFor(
      { ...config, hosts: [{ ...config.hosts[0]!, name: 'a', dataDir: join(root, 'a') }] },
      { exec: sh, log },
    );
    await k.round();
    expect(k.view()).toMatchObject({ role: 'acting', hosts: ['a'] });
    expect(existsSync(join(root, 'a', 'lease.json'))).toBe(true);
    expect(w.ran).toEqual([]);
    await k.stop({ release: true });
  });
});
