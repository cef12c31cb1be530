// The hosts a command that talks to Docker itself reaches: skiff.yaml's, and the hosts the
// state directory's inventory still has as being removed (the daemon is draining them, so their
// pods still run there: `skiff logs` of such a pod must find it). Shell (files).
import type { ClusterConfig } from '../config/cluster-config.js';
import { HostInventory } from '../state-dir/host-inventory.js';

/** `config` with the hosts being removed from skiff.yaml appended (none without a state dir). */
export function withRemovingHosts(config: ClusterConfig): ClusterConfig {
  const listed = new Set(config.hosts.map((h) => h.name));
  const removing = new HostInventory(config.daemon.stateDir)
    .retiring()
    .filter((r) => !listed.has(r.host))
    .map((r) => r.config);
  return removing.length === 0 ? config : { ...config, hosts: [...config.hosts, ...removing] };
}
