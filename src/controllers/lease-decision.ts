// Pure: given the leases read from the hosts, our identity and now, decide whether this daemon
// may act on the hosts or must stay on standby, and why. No I/O, no clock.
//
// Rules (safety first: two daemons must never both act):
// - A live lease held by another daemon on ANY host we reached means standby, until it expires.
// - A host that answered but whose lease could not be read or written (no flock, a lock
//   timeout, a full disk) means standby too: we cannot prove nobody else holds it.
// - An unreachable host is ignored: we cannot act on it anyway, and waiting for it would let
//   one dead host stop the whole cluster.
// - No host reached at all: standby (nothing to act on, nothing proven).
// Expiry is judged in each host's own clock (the lease stores host times, the host reports its
// now), so clock skew between the daemons' machines cannot make a live lease look expired.

/** A lease as stored on a host. Times are ms in that HOST's clock. */
export interface HostLeaseRecord {
  holder: string;
  /** Human description of the holder: `build-01 pid 4242 /var/lib/skiff`. */
  description: string;
  acquiredAt: number;
  renewedAt: number;
  expiresAt: number;
}

export type HostLeaseReading =
  /** The host answered: its clock and its lease, if any (absent: no lease, or unreadable). */
  | { host: string; kind: 'read'; hostNow: number; lease?: HostLeaseRecord }
  | { host: string; kind: 'unreachable'; message: string }
  | { host: string; kind: 'error'; message: string };

export type LeaseDecision =
  | {
      kind: 'act';
      /** Hosts that answered: take or renew the lease on each. */
      hosts: string[];
      unreachable: string[];
      /** Our clock (ms): the earliest expiry of the leases we hold, judged from `now` (taken
       *  before the round, so on the safe side). A daemon paused past it (GC, SIGSTOP) may
       *  have been replaced: start no action at or after it without a new round. `now` when
       *  we hold no lease yet (a decision made before taking). */
      validUntil: number;
    }
  | {
      kind: 'standby';
      reason: 'HeldByOther';
      holder: string;
      description: string;
      /** When the other lease expires, in OUR clock (ms). */
      until: number;
      /** Hosts where the other daemon holds a live lease. */
      heldOn: string[];
      /** Hosts where WE hold a live lease: give them up, we are not acting. */
      release: string[];
      message: string;
    }
  | { kind: 'standby'; reason: 'LeaseError'; failed: string[]; release: string[]; message: string }
  | { kind: 'standby'; reason: 'NoHostReachable'; release: string[]; message: string };

export type LeaseStandby = Extract<LeaseDecision, { kind: 'standby' }>;

function isLive(r: HostLeaseReading): r is HostLeaseReading & { kind: 'read'; lease: HostLeaseRecord } {
  return r.kind === 'read' && r.lease !== undefined && r.lease.expiresAt > r.hostNow;
}

/** Decides act or standby from one round of lease readings. */
export function decideLease(
  readings: readonly HostLeaseReading[],
  ourId: string,
  now: number,
): LeaseDecision {
  const live = readings.filter(isLive);
  const release = live.filter((r) => r.lease.holder === ourId).map((r) => r.host);
  const others = live.filter((r) => r.lease.holder !== ourId);
  if (others.length > 0) {
    // The holder we would wait for longest: its lease is the one that keeps us out.
    let longest = others[0] as (typeof others)[number];
    let until = now + (longest.lease.expiresAt - longest.hostNow);
    for (const r of others.slice(1)) {
      const u = now + (r.lease.expiresAt - r.hostNow);
      if (u > until) {
        longest = r;
        until = u;
      }
    }
    const heldOn = others.map((r) => r.host);
    const holders = [...new Set(others.map((r) => r.lease.description || r.lease.holder))];
    return {
      kind: 'standby',
      reason: 'HeldByOther',
      holder: longest.lease.holder,
      description: longest.lease.description,
      until,
      heldOn,
      release,
      message:
        `standby: hosts leased by ${holders.join(', ')} until ${new Date(until).toISOString()} ` +
        `(${heldOn.join(', ')})`,
    };
  }
  const failed = readings.filter((r) => r.kind === 'error');
  if (failed.length > 0) {
    return {
      kind: 'standby',
      reason: 'LeaseError',
      failed: failed.map((r) => r.host),
      release,
      message: `standby: cannot lease ${failed.map((r) => `${r.host} (${r.message})`).join(', ')}`,
    };
  }
  const reached = readings.filter((r) => r.kind === 'read').map((r) => r.host);
  if (reached.length === 0) {
    return {
      kind: 'standby',
      reason: 'NoHostReachable',
      release,
      message: 'standby: no host reachable to lease',
    };
  }
  const ours = live.filter((r) => r.lease.holder === ourId);
  const validUntil =
    ours.length === 0 ? now : Math.min(...ours.map((r) => now + (r.lease.expiresAt - r.hostNow)));
  return {
    kind: 'act',
    hosts: reached,
    unreachable: readings.filter((r) => r.kind === 'unreachable').map((r) => r.host),
    validUntil,
  };
}
