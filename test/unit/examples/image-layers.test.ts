// The testbed images' layers: reproducible tars whose entries are root's except the paths given
// an owner (kvdb's data and run folders are uid/gid 999, so a Docker volume mounted there
// starts as the database user's, as a database image ships them).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packLayer } from '../../../scripts/testbed/images.js';

const dir = mkdtempSync(path.join(tmpdir(), 'skiff-layer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rootfs(name: string): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
  writeFileSync(path.join(root, 'usr/local/bin/kvdb'), '#!/bin/sh\n');
  chmodSync(path.join(root, 'usr/local/bin/kvdb'), 0o755);
  for (const d of ['var/lib/kvdb', 'var/run/kvdb']) {
    mkdirSync(path.join(root, d), { recursive: true });
    chmodSync(path.join(root, d), 0o750);
  }
  writeFileSync(path.join(root, 'var/lib/kvdb/seed'), 'x');
  chmodSync(path.join(root, 'var/lib/kvdb/seed'), 0o644);
  // Whatever the umask: the modes below are the test's, not the machine's.
  for (const d of ['', 'usr', 'usr/local', 'usr/local/bin', 'var', 'var/lib', 'var/run']) {
    chmodSync(path.join(root, d), 0o755);
  }
  return root;
}

/** `tar -tv` of a packed layer: "mode owner name" per entry. */
function entries(root: string): string[] {
  return execFileSync('tar', ['--numeric-owner', '-tvf', `${root}.tar`], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/))
    .map((f) => `${f[0]} ${f[1]} ${f.at(-1)}`);
}

describe('packLayer', () => {
  it('gives the owned paths and what is under them their owner, every other entry root', async () => {
    const root = rootfs('owned');
    await packLayer(root, { 'var/lib/kvdb': { uid: 999, gid: 999 }, 'var/run/kvdb': { uid: 999, gid: 999 } });
    expect(entries(root)).toEqual([
      'drwxr-xr-x 0/0 ./',
      'drwxr-xr-x 0/0 ./usr/',
      'drwxr-xr-x 0/0 ./usr/local/',
      'drwxr-xr-x 0/0 ./usr/local/bin/',
      '-rwxr-xr-x 0/0 ./usr/local/bin/kvdb',
      'drwxr-xr-x 0/0 ./var/',
      'drwxr-xr-x 0/0 ./var/lib/',
      'drwxr-xr-x 0/0 ./var/run/',
      'drwxr-x--- 999/999 ./var/lib/kvdb/',
      '-rw-r--r-- 999/999 ./var/lib/kvdb/seed',
      'drwxr-x--- 999/999 ./var/run/kvdb/',
    ]);
  });

  it('is reproducible: the same folder packs to the same digests', async () => {
    const [a, b] = [rootfs('a'), rootfs('b')];
    const owned = { 'var/lib/kvdb': { uid: 999, gid: 999 } };
    const [la, lb] = [await packLayer(a, owned), await packLayer(b, owned)];
    expect(la.diffId).toBe(lb.diffId);
    expect(la.digest).toBe(lb.digest);
  });
});
