// The hosts a command that talks to Docker itself reaches: skiff.yaml's, and the hosts the
// state directory's inventory still has as being removed (the daemon is draining them, so their
// pods still run there: `skiff logs` of such a pod must find it). Shell (files).
import type { ClusterConfig } from '../config/cluster-config.js';
import { HostInventory, type RetiringHost } from '../state-dir/host-inventory.js';

/** The inventory's hosts being removed that skiff.yaml does not list (again): none without a
 *  local state dir. */
export function removingHosts(
  config: ClusterConfig,
  inventory = new HostInventory(config.daemon.stateDir),
): RetiringHost[] {
  const listed = new Set(config.hosts.map((h) => h.name));
  return inventory.retiring().filter((r) => !listed.has(r.host));
}

/** `config` with the hosts being removed from skiff.yaml appended. */
export function withRemovingHosts(config: ClusterConfig, removing = removingHosts(config)): ClusterConfig {
  return removing.length === 0
    ? config
    : { ...config, hosts: [...config.hosts, ...removing.map((r) => r.config)] };
}
