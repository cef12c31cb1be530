// What `skiff logs`, `top` and `delete pvc` reach when they talk to Docker themselves:
// skiff.yaml's hosts plus the hosts still being removed from it (their pods still run there).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withRemovingHosts } from '../../../src/cli/reachable-hosts.js';
import {
  type ClusterConfig,
  defaultClusterConfig,
  type HostConfig,
} from '../../../src/config/cluster-config.js';

import { HostInventory } from '../../../src/state-dir/host-inventory.js';

const local = (name: string): HostConfig => ({
  kind: 'local',
  name,
  address: '127.0.0.1',
  dataDir: `/var/lib/skiff-${name}`,
  dockerSocket: '/var/run/docker.sock',
  labels: {},
  taints: [],
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-reachable-'));
  mkdirSync(join(dir, 'state'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function configWith(hosts: HostConfig[]): ClusterConfig {
  const base = defaultClusterConfig(dir);
  return { ...base, hosts, daemon: { ...base.daemon, stateDir: join(dir, 'state') } };
}

describe('withRemovingHosts', () => {
  it('is skiff.yaml as it is without an inventory (a CLI on another machine)', () => {
    const config = configWith([local('h1')]);
    expect(withRemovingHosts(config)).toBe(config);
  });

  it('adds the hosts being removed, once, after those of skiff.yaml', () => {
    const inventory = new HostInventory(join(dir, 'state'));
    inventory.update([local('h1'), local('h2'), local('h3')], 1_000, false);
    inventory.update([local('h2'), local('h3')], 2_000, false);
    const reached = withRemovingHosts(configWith([local('h2'), local('h3')]));
    expect(reached.hosts.map((h) => h.name)).toEqual(['h2', 'h3', 'h1']);
    expect(reached.hosts[2]).toEqual(local('h1'));
  });

  it('adds nothing once the host is back in skiff.yaml or forgotten', () => {
    const inventory = new HostInventory(join(dir, 'state'));
    inventory.update([local('h1'), local('h2')], 1_000, false);
    inventory.update([local('h2')], 2_000, false);
    expect(withRemovingHosts(configWith([local('h1'), local('h2')])).hosts.map((h) => h.name)).toEqual([
      'h1',
      'h2',
    ]);
    inventory.forget('h1');
    expect(withRemovingHosts(configWith([local('h2')])).hosts.map((h) => h.name)).toEqual(['h2']);
  });
});
