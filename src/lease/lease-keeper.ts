// Keeps this daemon's lease on the hosts, so that two daemons driving the same hosts (from
// different machines, or with different state directories) never both act: one lease round
// (src/lease/host-lease.ts) at start, then one every renewal interval while acting, and, while
// another daemon holds the hosts, one just after its lease would expire. Shell: owns a timer and
// reads the clock.
//
// Invariants:
// - Acting needs a round that decided `act` (a live lease on a strict majority of the hosts),
//   and ends at that round's `validUntil` (when fewer than a majority of our leases could still
//   be live, in our clock) unless a later round renewed it: a daemon paused past it (GC,
//   SIGSTOP, a stalled SSH round) stops acting on its own, since another may already have
//   taken over. acting() is asked before every action the executor starts, and a timer at
//   `validUntil` tells the daemon its role changed even if no round ends.
// - Until the first round ends the daemon stands by.
import type { Logger } from 'pino';
import type { ClusterConfig, HostConfig } from '../config/cluster-config.js';
import type { LeaseDecision } from '../controllers/lease-decision.js';
import type { LeaseView } from '../model/views.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import { readDaemonIdentity } from './daemon-identity.js';
import { DEFAULT_LEASE_DURATION_MS, type HostExec, HostLease } from './host-lease.js';

export interface LeaseKeeperOptions {
  lease: HostLease;
  renewIntervalMs: number;
  clock: Pick<Clock, 'now'>;
  log: Logger;
  /** Told when a round changes whether this daemon acts. */
  onRoleChange: (role: LeaseView['role']) => void;
}

/** After another daemon's lease expires, look again this much later (its clock and ours). */
const EXPIRY_MARGIN_MS = 250;

export class LeaseKeeper {
  private decision: LeaseDecision | undefined;
  private checkedAt = 0;
  /** When the last round started: renewals run at a fixed rate from round starts. */
  private roundStartedAt = 0;
  private role: LeaseView['role'] = 'standby';
  /** What was last logged (role, reason, holder): a change is logged once, not every round. */
  private lastLogged = '';
  private timer: NodeJS.Timeout | undefined;
  /** Fires at the acting decision's validUntil: the role changes then unless renewed. */
  private expiryTimer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: LeaseKeeperOptions) {}

  /** The first round, then rounds on a timer until stop(). */
  async start(): Promise<void> {
    await this.round();
    this.schedule();
  }

  /** Acting now: the last round said so and its lease has not run out since. */
  acting(): boolean {
    const d = this.decision;
    return d?.kind === 'act' && this.opts.clock.now() < d.validUntil;
  }

  view(): LeaseView {
    const holder = this.opts.lease.holderId;
    const d = this.decision;
    const base = { holder, checkedAt: this.checkedAt };
    if (!d) {
      return {
        ...base,
        role: 'standby',
        reason: 'NotChecked',
        hosts: [],
        message: 'standby: host lease not checked yet',
      };
    }
    if (d.kind === 'act') {
      if (this.acting()) {
        const down = d.unreachable.length > 0 ? `; unreachable: ${d.unreachable.join(', ')}` : '';
        return {
          ...base,
          role: 'acting',
          hosts: d.hosts,
          validUntil: d.validUntil,
          message: `acting: holds the lease on ${d.hosts.join(', ')} (${d.hosts.length} of ${d.total} hosts${down})`,
        };
      }
      return {
        ...base,
        role: 'standby',
        reason: 'LeaseNotRenewed',
        hosts: d.hosts,
        validUntil: d.validUntil,
        message: `standby: the lease ran out at ${new Date(d.validUntil).toISOString()} before it was renewed`,
      };
    }
    return {
      ...base,
      role: 'standby',
      reason: d.reason,
      hosts: [],
      ...(d.reason === 'HeldByOther'
        ? { heldBy: { holder: d.holder, description: d.description, until: d.until, hosts: d.heldOn } }
        : {}),
      message: d.message,
    };
  }

  /** Ends the rounds (waiting for one in flight) and gives up our lease on every host, so a
   *  standby daemon takes over at once instead of after expiry. */
  async stop(opts: { release: boolean }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    await this.inflight;
    if (opts.release) await this.opts.lease.release().catch(() => undefined);
  }

  /** Gives up our lease on `host`, which has just left the leased hosts (a host removed from
   *  skiff.yaml that skiff is forgetting): after the round in flight, which may still have
   *  taken or renewed it, so no lease of ours stays behind on a host skiff no longer drives.
   *  An unreachable host keeps the lease until it expires. */
  async releaseHost(host: string): Promise<void> {
    await this.inflight;
    await this.opts.lease.release([host]).catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    const d = this.decision;
    // A fixed rate, counted from the start of the last round: a round is a command on every
    // host (an SSH channel each, 0.2-4 s on a busy machine), and waiting the whole interval
    // after it ends let a 6 s lease renewed "every 2 s" run out before its renewal.
    const elapsed = this.opts.clock.now() - this.roundStartedAt;
    let delay = Math.max(0, this.opts.renewIntervalMs - elapsed);
    if (d?.kind === 'standby' && d.reason === 'HeldByOther') {
      delay = Math.min(delay, Math.max(0, d.until - this.opts.clock.now()) + EXPIRY_MARGIN_MS);
    }
    this.timer = setTimeout(() => {
      void this.round().finally(() => this.schedule());
    }, delay);
  }

  /** One lease round now (the timer runs them; concurrent calls share the one in flight). */
  round(): Promise<void> {
    this.inflight ??= this.roundOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async roundOnce(): Promise<void> {
    const { log } = this.opts;
    this.roundStartedAt = this.opts.clock.now();
    try {
      const r = await this.opts.lease.acquire(this.opts.clock.now());
      this.decision = r.decision;
    } catch (err) {
      // HostLease turns host failures into readings; a throw here is unexpected: stand by.
      log.error({ err }, 'host lease round failed');
      this.decision = {
        kind: 'standby',
        reason: 'LeaseError',
        failed: [],
        release: [],
        message: `standby: host lease round failed: ${(err as Error).message}`,
      };
    }
    this.checkedAt = this.opts.clock.now();
    this.noteRole();
    this.watchExpiry();
  }

  /** Logs a change of role or reason once, and tells the daemon when the role changed. */
  private noteRole(): void {
    const { log } = this.opts;
    const view = this.view();
    const logged = `${view.role}|${view.reason ?? ''}|${view.heldBy?.holder ?? ''}`;
    if (logged !== this.lastLogged) {
      if (view.role === 'acting') log.info({ hosts: view.hosts }, 'host lease held: acting');
      else log.warn({ reason: view.reason, heldBy: view.heldBy?.description }, view.message);
      this.lastLogged = logged;
    }
    if (view.role !== this.role) {
      this.role = view.role;
      this.opts.onRoleChange(view.role);
    }
  }

  /** While acting, a timer at validUntil: if no round renewed the majority by then (a round
   *  stalled), the daemon hears that it stands by at that moment, not at the next round. */
  private watchExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const d = this.decision;
    if (this.stopped || d?.kind !== 'act' || !this.acting()) return;
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        if (!this.stopped) this.noteRole();
      },
      d.validUntil - this.opts.clock.now() + 1,
    );
    this.expiryTimer.unref?.();
  }
}

export interface LeaseKeeperWiring {
  exec: HostExec;
  log: Logger;
  onRoleChange?: LeaseKeeperOptions['onRoleChange'];
  /** The hosts to lease, read at each round: skiff.yaml's and those still being removed from
   *  it (the state directory's inventory), so skiff never acts on a host without its lease.
   *  Default: skiff.yaml's. */
  hosts?: () => readonly HostConfig[];
}

/** The keeper of the lease on the hosts (`<dataDir>/lease.json` on each), for the daemon or a
 *  `skiff sync` acting without one, identified by the state directory. */
export function leaseKeeperFor(config: ClusterConfig, wiring: LeaseKeeperWiring): LeaseKeeper {
  const durationMs = (config.daemon.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_MS / 1000) * 1000;
  const hosts = wiring.hosts ?? (() => config.hosts);
  // Every data dir seen stays known: a host that left the list is still released at its own.
  const dataDirs = new Map<string, string>();
  const names = () =>
    hosts().map((h) => {
      dataDirs.set(h.name, h.dataDir);
      return h.name;
    });
  return new LeaseKeeper({
    lease: new HostLease({
      exec: wiring.exec,
      hosts: names,
      removing: (host) => !config.hosts.some((h) => h.name === host),
      leasePath: (host) => `${dataDirs.get(host)}/lease.json`,
      identity: readDaemonIdentity(config.daemon.stateDir),
      durationMs,
    }),
    // Three renewals per lease period, so one or two can fail (a slow SSH round, a host
    // restarting) without losing the lease.
    renewIntervalMs: durationMs / 3,
    clock: systemClock,
    log: wiring.log.child({ component: 'lease' }),
    onRoleChange: wiring.onRoleChange ?? (() => undefined),
  });
}
