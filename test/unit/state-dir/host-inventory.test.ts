// The host inventory in the state directory: a host gone from skiff.yaml is remembered with its
// connection details (a restarted daemon still reaches it), since when it is being removed,
// until it is forgotten; a host back in skiff.yaml is no longer being removed.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostConfig } from '../../../src/config/cluster-config.js';
import { HostInventory, INVENTORY_FILE } from '../../../src/state-dir/host-inventory.js';

const ssh = (name: string, address = `10.0.0.${name.slice(1)}`): HostConfig => ({
  kind: 'ssh',
  name,
  address,
  port: 22,
  user: 'skiff',
  privateKeyFile: '/home/skiff/.ssh/id_ed25519',
  insecureAcceptHostKey: false,
  dataDir: '/var/lib/skiff',
  dockerSocket: '/var/run/docker.sock',
  labels: {},
  taints: [],
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-inventory-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the host inventory', () => {
  it('starts empty: nothing is being removed on a first run', () => {
    expect(new HostInventory(dir).update([ssh('h1'), ssh('h2')], 1000, false)).toEqual([]);
    expect(statSync(join(dir, INVENTORY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('remembers a removed host across restarts, since it was first found missing, until forgotten', () => {
    new HostInventory(dir).update([ssh('h1'), ssh('h2')], 1000, false);
    const retiring = new HostInventory(dir).update([ssh('h2')], 2000, false);
    expect(retiring).toEqual([{ host: 'h1', since: 2000, config: ssh('h1') }]);
    // A second restart keeps the first time it was found missing.
    const again = new HostInventory(dir);
    expect(again.update([ssh('h2')], 3000, false)).toEqual([{ host: 'h1', since: 2000, config: ssh('h1') }]);
    again.forget('h1');
    expect(new HostInventory(dir).update([ssh('h2')], 4000, false)).toEqual([]);
    expect(readFileSync(join(dir, INVENTORY_FILE), 'utf8')).not.toContain('"h1"');
  });

  it('a host put back in skiff.yaml is no longer being removed, with its new details', () => {
    new HostInventory(dir).update([ssh('h1'), ssh('h2')], 1000, false);
    new HostInventory(dir).update([ssh('h2')], 2000, false);
    const inv = new HostInventory(dir);
    expect(inv.update([ssh('h1', '10.9.9.9'), ssh('h2')], 3000, false)).toEqual([]);
    inv.forget('h1'); // only removed hosts are forgotten
    expect(readFileSync(join(dir, INVENTORY_FILE), 'utf8')).toContain('10.9.9.9');
  });

  it('a dry run writes nothing', () => {
    new HostInventory(dir).update([ssh('h1'), ssh('h2')], 1000, false);
    const before = readFileSync(join(dir, INVENTORY_FILE), 'utf8');
    const inv = new HostInventory(dir);
    expect(inv.update([ssh('h2')], 2000, true).map((r) => r.host)).toEqual(['h1']);
    inv.forget('h1', true);
    expect(inv.retiring()).toEqual([]);
    expect(readFileSync(join(dir, INVENTORY_FILE), 'utf8')).toBe(before);
  });

  it.each([['not json'], ['{"hosts": [{"config": {"name": 1}}]}'], ['{}']])(
    'refuses a file it cannot read as an inventory (%s), with a hint',
    (text) => {
      writeFileSync(join(dir, INVENTORY_FILE), text);
      expect(() => new HostInventory(dir)).toThrow(expect.objectContaining({ code: 'inventory.state' }));
    },
  );
});
