// The volume filter plugins for PersistentVolumeClaims (kubernetes
// pkg/scheduler/framework/plugins/volumerestrictions and volumebinding), for skiff's one class:
// a Docker local volume, provisioned WaitForFirstConsumer as the local-path provisioner does.
// - VolumeRestrictions: a ReadWriteOncePod claim already used by a pod (terminating ones too)
//   admits no other pod: "node has pod using PersistentVolumeClaim with the same name and
//   ReadWriteOncePod access mode".
// - VolumeBinding: a bound claim's volume lives on one host; any other host has "volume node
//   affinity conflict". An unbound claim fits any host, and the first placement binds it (the
//   assume step of the batch), so the claim's next pods of the same batch follow it. While a
//   host's volumes were never read (down since the daemon started), a claim that looks unbound
//   may be bound there: it is bound nowhere else until that host is read (data over uptime).
// Pure: the bindings come in as values; the state mutates only itself.
import type { ClaimBindings, SchedulingPod } from './scheduler-types.js';

export const REASON_VOLUME_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_READ_WRITE_ONCE_POD =
  'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

export type VolumeFilter = 'VolumeRestrictions' | 'VolumeBinding';

export const unknownHostsReason = (hosts: readonly string[]) =>
  `claim may be bound on host(s) ${hosts.join(', ')}, unreachable since skiff started: waiting to read its volumes`;

export class VolumeState {
  private readonly hosts: Map<string, string>;
  private readonly users: Map<string, number>;
  private readonly unknownHosts: readonly string[];

  constructor(bindings?: ClaimBindings) {
    this.hosts = new Map(Object.entries(bindings?.hosts ?? {}));
    this.users = new Map(Object.entries(bindings?.users ?? {}));
    this.unknownHosts = bindings?.unknownHosts ?? [];
  }

  /** The first failing volume filter for the pod on this host, or undefined. */
  failure(pod: SchedulingPod, host: string): { filter: VolumeFilter; reason: string } | undefined {
    const claims = pod.claims;
    if (!claims || claims.length === 0) return undefined;
    for (const c of claims)
      if (c.readWriteOncePod && (this.users.get(c.key) ?? 0) > 0)
        return { filter: 'VolumeRestrictions', reason: REASON_READ_WRITE_ONCE_POD };
    for (const c of claims) {
      const bound = this.hosts.get(c.key);
      if (bound !== undefined && bound !== host)
        return { filter: 'VolumeBinding', reason: REASON_VOLUME_NODE_CONFLICT };
      if (bound === undefined && this.unknownHosts.length > 0)
        return { filter: 'VolumeBinding', reason: unknownHostsReason(this.unknownHosts) };
    }
    return undefined;
  }

  /** The pod is placed on the host: bind its unbound claims there, count it as a user. */
  assume(pod: SchedulingPod, host: string): void {
    for (const c of pod.claims ?? []) {
      if (!this.hosts.has(c.key)) this.hosts.set(c.key, host);
      this.users.set(c.key, (this.users.get(c.key) ?? 0) + 1);
    }
  }
}
