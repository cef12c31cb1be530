// Two daemons driving the same hosts from different machines detect each other through a
// lease recorded ON the hosts: a small JSON file (e.g. `<dataDir>/lease.json`) on each host,
// changed only by one compare-and-swap shell command run under flock on that host
// (lease-script.ts). A daemon acts only while it holds a live lease on a strict majority of
// the inventory's hosts and no other daemon holds one on any host it reaches
// (lease-decision.ts); otherwise it stays on standby, says why, and tries again on its next
// round. Two majorities share a host, so a network partition leaves at most one side acting.
// The hosts are skiff.yaml's and those being removed from it (until forgotten); a removing host
// that does not answer is left out of the count (see `removing`).
// Shell code (runs commands on hosts through the HostExec port). The daemon calls acquire(now)
// every renewal interval (10 s by default) while acting or waiting, and release() on shutdown.
//
// Taking the first host (in sorted order) before the others means two daemons that start
// together with the same hosts in reach cannot end up each holding a part: whoever takes the
// first host goes on to the rest, the other stops there. (Daemons that reach different hosts
// may still each take a part; at most one of them has a majority.) A daemon that reaches no
// majority takes nothing, and one that ends a round on standby gives up every lease it holds,
// so partial holds never block anyone beyond one round.
//
// While we hold leases, each step of a round (read, take, release) waits for the hosts at most
// `stepTimeoutMs` (a quarter of the lease by default): a host that has not answered by then (a
// partition drops its packets; SSH would wait for its own call timeout, 30 s) counts as
// unreachable, so the reachable majority renews in time. A daemon that holds nothing has no
// lease to lose by waiting, and waits as long as SSH does: a cold start's first handshakes
// (or a one-shot `skiff sync`'s) can take longer than a quarter of the lease under load, and
// cutting them short would report hosts as unreachable that are only slow.

import {
  decideLease,
  decideLeaseTake,
  type HostLeaseReading,
  type LeaseDecision,
} from '../controllers/lease-decision.js';
import type { DaemonIdentity } from './daemon-identity.js';
import { LEASE_EXIT, type LeaseOp, parseLeaseOutput, renderLeaseCommand } from './lease-script.js';

/** Runs a shell command on a host (the runtime's execOnHost). Rejects when the host cannot be
 *  reached; resolves with the command's exit code and output otherwise. */
export type HostExec = (
  host: string,
  command: string,
  stdin?: string,
) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export const DEFAULT_LEASE_DURATION_MS = 30_000;
export const DEFAULT_LEASE_RENEW_INTERVAL_MS = 10_000;
const DEFAULT_LOCK_WAIT_SECONDS = 5;
/** ssh's own "could not connect" status. */
const SSH_CONNECT_FAILED = 255;

export interface HostLeaseOptions {
  exec: HostExec;
  /** The hosts leased, or a function read at the start of each round (the daemon's hosts
   *  include those being removed from skiff.yaml until skiff forgets them). */
  hosts: readonly string[] | (() => readonly string[]);
  /** Hosts being removed from skiff.yaml: leased like the others, but one that does not answer
   *  is left out of the count (it would keep the daemon on standby for good, and so from ever
   *  forgetting it). One that answers counts, and another holder's live lease on it stops us. */
  removing?: (host: string) => boolean;
  /** Where the lease file lives on each host (same path for all, or per host). */
  leasePath: string | ((host: string) => string);
  identity: DaemonIdentity;
  durationMs?: number;
  lockWaitSeconds?: number;
  /** How long each step of a round (read, take, release) waits for the hosts (ms): one that
   *  has not answered by then counts as unreachable. Only while we hold leases (see the top).
   *  Default: a quarter of the lease. */
  stepTimeoutMs?: number;
}

export interface LeaseRound {
  decision: LeaseDecision;
  /** What each host said in this round (after any take or renew). */
  readings: HostLeaseReading[];
}

export class HostLease {
  private readonly durationMs: number;
  private readonly lockWaitSeconds: number;
  private readonly stepTimeoutMs: number;
  /** The last round ended acting: our leases are live and must be renewed in time. */
  private holding = false;

  constructor(private readonly opts: HostLeaseOptions) {
    this.durationMs = opts.durationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.lockWaitSeconds = opts.lockWaitSeconds ?? DEFAULT_LOCK_WAIT_SECONDS;
    this.stepTimeoutMs = opts.stepTimeoutMs ?? this.durationMs / 4;
  }

  get holderId(): string {
    return this.opts.identity.id;
  }

  /** The hosts leased now. */
  hosts(): readonly string[] {
    const h = this.opts.hosts;
    return typeof h === 'function' ? h() : h;
  }

  /** Reads every host's lease, in parallel, changing nothing. */
  async read(hosts: readonly string[] = this.hosts()): Promise<HostLeaseReading[]> {
    return this.withinStep((expired) => Promise.all(hosts.map((h) => this.run(h, 'read', expired))));
  }

  /** One lease round: read all hosts, decide; if a majority is free to take, take or renew the
   *  lease on the first reachable host (sorted order), and only if that succeeds on all the
   *  others at once; decide again from what the hosts answered; on standby give up whatever
   *  we hold. */
  async acquire(now: number): Promise<LeaseRound> {
    // One set of hosts for the whole round, even if the list changes meanwhile.
    const hosts = this.hosts();
    const all = await this.read(hosts);
    const plan = decideLeaseTake(this.counted(all), this.holderId, now);
    const { decision, readings } =
      plan.kind === 'standby'
        ? { decision: plan, readings: all }
        : await this.withinStep((expired) => this.take(hosts, plan.hosts, all, now, expired));
    this.holding = decision.kind === 'act';
    if (decision.kind === 'standby' && decision.release.length > 0) {
      await this.withinStep((expired) =>
        Promise.all(decision.release.map((h) => this.run(h, 'release', expired))),
      );
    }
    return { decision, readings };
  }

  private async take(
    leased: readonly string[],
    hosts: string[],
    read: HostLeaseReading[],
    now: number,
    expired: Promise<void>,
  ): Promise<LeaseRound> {
    const readings = new Map(read.map((r) => [r.host, r]));
    // The first host in sorted order works as the mutex between daemons that see the same
    // hosts: only its winner goes on, and then takes the rest in parallel.
    const [head, ...rest] = [...hosts].sort();
    const r = await this.run(head as string, 'acquire', expired);
    readings.set(r.host, r);
    if (r.kind === 'read' && r.lease?.holder === this.holderId) {
      for (const other of await Promise.all(rest.map((h) => this.run(h, 'acquire', expired)))) {
        readings.set(other.host, other);
      }
    }
    const ordered = leased.map((h) => readings.get(h) as HostLeaseReading);
    return { decision: decideLease(this.counted(ordered), this.holderId, now), readings: ordered };
  }

  /** The readings the decision counts: all but those of removing hosts that did not answer. */
  private counted(readings: HostLeaseReading[]): HostLeaseReading[] {
    const removing = this.opts.removing;
    return removing ? readings.filter((r) => r.kind !== 'unreachable' || !removing(r.host)) : readings;
  }

  /** Gives up our lease on every reachable host (on shutdown), so another daemon can take
   *  over at once instead of waiting for expiry. Leases of other holders are left alone. */
  async release(hosts: readonly string[] = this.hosts()): Promise<HostLeaseReading[]> {
    return this.withinStep((expired) => Promise.all(hosts.map((h) => this.run(h, 'release', expired))));
  }

  /** Runs one step of a round (read, take, release) with a promise that resolves when the
   *  step's time is up. */
  private async withinStep<T>(f: (expired: Promise<void>) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      if (this.holding) timer = setTimeout(resolve, this.stepTimeoutMs);
    });
    try {
      return await f(expired);
    } finally {
      clearTimeout(timer);
    }
  }

  private leasePathOf(host: string): string {
    const p = this.opts.leasePath;
    return typeof p === 'string' ? p : p(host);
  }

  private async run(host: string, op: LeaseOp, expired: Promise<void>): Promise<HostLeaseReading> {
    const command = renderLeaseCommand({
      op,
      leasePath: this.leasePathOf(host),
      holder: this.opts.identity.id,
      description: this.opts.identity.description,
      durationMs: this.durationMs,
      lockWaitSeconds: this.lockWaitSeconds,
    });
    let result: { exitCode: number; stdout: string; stderr: string };
    try {
      const answer = await Promise.race([this.opts.exec(host, command), expired.then(() => undefined)]);
      // The command may still run later (queued behind a stalled one): an acquire landing late
      // only makes us hold a lease we did not count, which is the safe side.
      if (answer === undefined)
        return { host, kind: 'unreachable', message: `no answer within ${this.stepTimeoutMs} ms` };
      result = answer;
    } catch (err) {
      return { host, kind: 'unreachable', message: (err as Error).message };
    }
    if (result.exitCode === SSH_CONNECT_FAILED) {
      return { host, kind: 'unreachable', message: result.stderr.trim() || 'connection failed' };
    }
    const parsed = parseLeaseOutput(result.stdout);
    if (
      (result.exitCode === LEASE_EXIT.ok || result.exitCode === LEASE_EXIT.heldByOther) &&
      parsed !== undefined
    ) {
      return parsed.lease === undefined
        ? { host, kind: 'read', hostNow: parsed.hostNow }
        : { host, kind: 'read', hostNow: parsed.hostNow, lease: parsed.lease };
    }
    return { host, kind: 'error', message: describeFailure(host, result) };
  }
}

function describeFailure(host: string, r: { exitCode: number; stdout: string; stderr: string }): string {
  // The script's complaint is on stderr; its last stdout line when it printed none.
  const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1) ?? '';
  switch (r.exitCode) {
    case LEASE_EXIT.noFlock:
      return `flock not found on ${host} (install util-linux)`;
    case LEASE_EXIT.lockTimeout:
      return `timed out waiting for the lease lock on ${host}`;
    default:
      return `lease command failed on ${host} (exit ${r.exitCode})${detail ? `: ${detail}` : ''}`;
  }
}
