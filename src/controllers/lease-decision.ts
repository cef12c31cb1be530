// Pure: given the leases read from the hosts, our identity and now, decide whether this daemon
// may act on the hosts or must stay on standby, and why. No I/O, no clock.
//
// Rules (safety first: two daemons must never both act):
// - A daemon acts only while it holds a live lease on a strict majority of ALL the inventory's
//   hosts (N configured hosts, not the ones it happens to reach). Two majorities of one set
//   always share a host, and a host's lease has one holder at a time (a compare-and-swap under
//   flock on that host), so two daemons cannot both hold a majority, whatever the network
//   partitions: the side that reaches the minority stands by (NoQuorum). A single-host
//   inventory needs that one host.
// - A live lease held by another daemon on ANY host we reached means standby, until it expires.
// - A host that answered but whose lease could not be read or written (no flock, a lock
//   timeout, a full disk) means standby too: we cannot prove nobody else holds it.
// - An unreachable host counts against the majority; we cannot act on it anyway (the pass sees
//   it NotReady), and a majority still acts while a minority of hosts is down.
// - A standby decision lists the live leases we hold (`release`): they are given up, so a
//   minority side never keeps hosts from the majority after the partition heals.
// Expiry is judged in each host's own clock (the lease stores host times, the host reports its
// now), so clock skew between the daemons' machines cannot make a live lease look expired.
// `validUntil` is when, judged from our clock at the round's start (the safe side: every host
// read its clock after it), fewer than a majority of our leases could still be live: the
// majority-th latest expiry. Another daemon cannot hold a majority before then.

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
      /** Hosts that answered, each leased by us. */
      hosts: string[];
      unreachable: string[];
      /** How many hosts the inventory has, and how many a strict majority is. */
      total: number;
      quorum: number;
      /** Our clock (ms): until when a majority of our leases is sure to be live, judged from
       *  `now` (taken before the round, so on the safe side). A daemon paused past it (GC,
       *  SIGSTOP, a stalled round) may have been replaced: start no action at or after it
       *  without a new round. */
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
  | { kind: 'standby'; reason: 'NoHostReachable'; release: string[]; message: string }
  | {
      kind: 'standby';
      reason: 'NoQuorum';
      /** Hosts we hold (or, before taking, could take), fewer than `quorum` of `total`. */
      held: string[];
      unreachable: string[];
      total: number;
      quorum: number;
      release: string[];
      message: string;
    };

export type LeaseStandby = Extract<LeaseDecision, { kind: 'standby' }>;

/** What a round may do before it takes anything: take the lease on `hosts`, or stand by. */
export type LeaseTakePlan = { kind: 'take'; hosts: string[] } | LeaseStandby;

type LiveReading = HostLeaseReading & { kind: 'read'; lease: HostLeaseRecord };

function isLive(r: HostLeaseReading): r is LiveReading {
  return r.kind === 'read' && r.lease !== undefined && r.lease.expiresAt > r.hostNow;
}

/** A strict majority of `total` hosts (1 of 1, 2 of 3, 3 of 4, 3 of 5). */
export function quorumOf(total: number): number {
  return Math.floor(total / 2) + 1;
}

/** Decides, from one round of readings of EVERY inventory host and before taking anything,
 *  whether to try: no other live lease, no lease error, and a majority of hosts answering. */
export function decideLeaseTake(
  readings: readonly HostLeaseReading[],
  ourId: string,
  now: number,
): LeaseTakePlan {
  const standby = standbyOnSight(readings, ourId, now);
  if (standby) return standby;
  const reached = readings.filter((r) => r.kind === 'read').map((r) => r.host);
  if (reached.length < quorumOf(readings.length)) return noQuorum(readings, ourId, reached, 'reaches');
  return { kind: 'take', hosts: reached };
}

/** Decides act or standby from one round of readings of EVERY inventory host (after taking):
 *  act only while we hold a live lease on a strict majority of them. */
export function decideLease(
  readings: readonly HostLeaseReading[],
  ourId: string,
  now: number,
): LeaseDecision {
  const standby = standbyOnSight(readings, ourId, now);
  if (standby) return standby;
  const ours = readings.filter(isLive).filter((r) => r.lease.holder === ourId);
  const quorum = quorumOf(readings.length);
  if (ours.length < quorum)
    return noQuorum(
      readings,
      ourId,
      ours.map((r) => r.host),
      'holds the lease on',
    );
  // Latest expiry first: the quorum-th one is when fewer than a majority could still be live.
  const expiries = ours.map((r) => now + (r.lease.expiresAt - r.hostNow)).sort((a, b) => b - a);
  return {
    kind: 'act',
    hosts: ours.map((r) => r.host),
    unreachable: unreachableOf(readings),
    total: readings.length,
    quorum,
    validUntil: expiries[quorum - 1] as number,
  };
}

function unreachableOf(readings: readonly HostLeaseReading[]): string[] {
  return readings.filter((r) => r.kind === 'unreachable').map((r) => r.host);
}

function ourLive(readings: readonly HostLeaseReading[], ourId: string): string[] {
  return readings
    .filter(isLive)
    .filter((r) => r.lease.holder === ourId)
    .map((r) => r.host);
}

function noQuorum(
  readings: readonly HostLeaseReading[],
  ourId: string,
  held: string[],
  verb: 'reaches' | 'holds the lease on',
): LeaseStandby {
  const total = readings.length;
  const quorum = quorumOf(total);
  const unreachable = unreachableOf(readings);
  const on = held.length > 0 ? ` (${held.join(', ')})` : '';
  const down = unreachable.length > 0 ? `; unreachable: ${unreachable.join(', ')}` : '';
  return {
    kind: 'standby',
    reason: 'NoQuorum',
    held,
    unreachable,
    total,
    quorum,
    release: ourLive(readings, ourId),
    message: `standby: ${verb} ${held.length} of ${total} hosts${on}, acting needs a strict majority (${quorum})${down}`,
  };
}

/** The standby reasons that do not depend on counting: another holder, a lease error, no host. */
function standbyOnSight(
  readings: readonly HostLeaseReading[],
  ourId: string,
  now: number,
): LeaseStandby | undefined {
  const live = readings.filter(isLive);
  const release = ourLive(readings, ourId);
  const others = live.filter((r) => r.lease.holder !== ourId);
  if (others.length > 0) return heldByOther(others, release, now);
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
  if (!readings.some((r) => r.kind === 'read')) {
    return {
      kind: 'standby',
      reason: 'NoHostReachable',
      release,
      message: 'standby: no host reachable to lease',
    };
  }
  return undefined;
}

function heldByOther(others: LiveReading[], release: string[], now: number): LeaseStandby {
  // The holder we would wait for longest: its lease is the one that keeps us out.
  let longest = others[0] as LiveReading;
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
