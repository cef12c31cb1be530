// The Service data plane's shell: kube-proxy without an agent. It observes what skiff has on
// each Ready host (for the reconcile pass, which decides) and writes the rulesets the pass's
// syncServiceRules actions carry (for the executor). A one-shot `sync` composes the same pure
// planning with the same reads and writes for harnesses, the bench and cleanup (`removeAll`).
// Shell: talks to hosts through Runtime.execOnHost and holds a small cache with a clock.
//
// Invariants:
// - Level-triggered and idempotent: the hash lives on the host (a comment rule in skiff's own
//   chains), so a restarted daemon adopts rules it did not write, and a host that lost them
//   (reboot, namespace recreated, someone's iptables -F) gets them back within verifyIntervalMs.
// - A pass must not pay a read per host: a host whose last read or write is younger than
//   verifyIntervalMs is reported from the cache (what was read, or what the write left). A
//   host new or back from NotReady, or whose last read or write failed, is read at once.
// - A write builds its script from the host's state: the state read by the latest observe, or
//   a fresh read when the cache only holds what an earlier write implied.

import type { ServiceEndpoints } from '../controllers/services/endpoints.js';
import { hostRulesMatch, ruleStateOf } from '../controllers/services/host-rules.js';
import { planServiceRules } from '../controllers/services/plan-rules.js';
import {
  type ResolvedService,
  resolveServices,
  type ServiceProblem,
  type ServiceSource,
} from '../controllers/services/resolve.js';
import { buildServiceViews, type EndpointsView, type ServiceView } from '../controllers/services/views.js';
import type { SkiffError } from '../model/errors.js';
import type { Observed, ObservedHost, ObservedServiceRules } from '../model/observed.js';
import type { HostRuleState, HostRuleset } from '../model/service-rules.js';
import type { Clock } from './clock.js';
import type { Runtime } from './runtime.js';
import { applyHostRules, readHostRules } from './service-rules.js';

export interface ServiceSyncInput {
  /** Services of every admitted app. */
  sources: readonly ServiceSource[];
  observed: Observed;
  /** Pods (`host/namespace/name`) to drop from every endpoint list now. */
  exclude?: ReadonlySet<string>;
}

export type HostSyncOutcome = 'unchanged' | 'applied' | 'failed' | 'skipped';

export interface HostSyncError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface HostSyncResult {
  host: string;
  outcome: HostSyncOutcome;
  hash?: string;
  durationMs: number;
  error?: HostSyncError;
}

export interface ServiceSyncResult {
  services: ResolvedService[];
  endpoints: ServiceEndpoints[];
  problems: ServiceProblem[];
  hosts: HostSyncResult[];
}

export interface ServiceDataPlaneOptions {
  serviceCIDR: string;
  /** Monotonic clock for durations and the trust interval. */
  clock: Pick<Clock, 'now'>;
  /** How long a host's last read or write is trusted without reading it back (default 10 s):
   *  bounds how long a host that lost its rules behind skiff's back stays without them, while
   *  passes in between cost no SSH round trip. 0 reads on every observe. */
  verifyIntervalMs?: number;
}

const DEFAULT_VERIFY_INTERVAL_MS = 10_000;

/** What the plane knows of one Ready host. */
interface HostEntry {
  current?: HostRuleState;
  /** When `current` was read or written. */
  at: number;
  /** The observe round that read `current` (a write in that round may build on it). */
  readRound?: number;
  readError?: HostSyncError;
  /** Sticky until a write succeeds. */
  writeError?: HostSyncError;
}

function toSyncError(err: unknown): HostSyncError {
  const e = err as Partial<SkiffError> & Error;
  return { code: e.code ?? 'services.apply', message: e.message, retryable: e.retryable ?? true };
}

export class ServiceDataPlane {
  private last: { result: ServiceSyncResult; observed: Observed } | undefined;
  private readonly hosts = new Map<string, HostEntry>();
  private round = 0;

  constructor(
    private readonly runtime: Pick<Runtime, 'execOnHost'>,
    private readonly opts: ServiceDataPlaneOptions,
  ) {}

  get serviceCIDR(): string {
    return this.opts.serviceCIDR;
  }

  /** Each Ready host's rules, read back where the cache may not be trusted (hosts in
   *  parallel); NotReady hosts are forgotten, so they are read again once back. Never throws:
   *  a host that cannot be read is reported with its error. */
  async observe(hosts: readonly ObservedHost[]): Promise<Record<string, ObservedServiceRules>> {
    const round = ++this.round;
    const out: Record<string, ObservedServiceRules> = {};
    await Promise.all(
      hosts.map(async (h) => {
        if (!h.ready) {
          this.hosts.delete(h.name);
          return;
        }
        const entry = await this.refresh(h.name, round);
        const error = entry.writeError ?? entry.readError;
        out[h.name] = {
          ...(entry.current ? { current: entry.current } : {}),
          ...(error ? { error: error.message } : {}),
        };
      }),
    );
    return out;
  }

  /** Brings `host` to `ruleset`; true when it had to rewrite. Throws the read's or write's
   *  SkiffError (remembered: the host is reported failed until a write succeeds). */
  async write(host: string, ruleset: HostRuleset): Promise<boolean> {
    const entry = this.hosts.get(host);
    try {
      const fresh = entry?.current && entry.readRound === this.round ? entry.current : undefined;
      const state = fresh ?? (await readHostRules(this.runtime, host));
      const rewrite = !hostRulesMatch(ruleset, state);
      if (rewrite) await applyHostRules(this.runtime, host, ruleset, state);
      this.hosts.set(host, { current: ruleStateOf(ruleset), at: this.opts.clock.now() });
      return rewrite;
    } catch (err) {
      this.hosts.set(host, { at: this.opts.clock.now(), ...entry, writeError: toSyncError(err) });
      throw err;
    }
  }

  /** One-shot: plans every Ready host's rules for `input` and brings each there. Never throws
   *  for a host's failure: it is reported in that host's result. */
  async sync(input: ServiceSyncInput): Promise<ServiceSyncResult> {
    const { services, problems } = resolveServices(input.sources, this.opts.serviceCIDR);
    const { observed } = input;
    const plan = planServiceRules(
      services,
      observed.pods,
      observed.hosts,
      this.opts.serviceCIDR,
      input.exclude,
    );
    const seen = await this.observe(observed.hosts);
    const byHost = new Map(plan.rulesets.map((r) => [r.host, r]));
    const hosts = await Promise.all(
      observed.hosts.map(async (h): Promise<HostSyncResult> => {
        const ruleset = byHost.get(h.name);
        if (!h.ready || !ruleset) return { host: h.name, outcome: 'skipped', durationMs: 0 };
        return this.syncHost(h.name, ruleset, seen[h.name]);
      }),
    );
    const result = { services, endpoints: plan.endpoints, problems, hosts };
    this.last = { result, observed };
    return result;
  }

  /** Removes every rule, chain and route skiff put on the Ready hosts of `observed`. */
  async removeAll(observed: Observed): Promise<HostSyncResult[]> {
    return (await this.sync({ sources: [], observed: { ...observed, pods: [] } })).hosts;
  }

  /** Read models of the last one-shot sync (empty before the first). */
  views(): { services: ServiceView[]; endpoints: EndpointsView[] } {
    if (!this.last) return { services: [], endpoints: [] };
    return buildServiceViews(this.last.result.services, this.last.result.endpoints, this.last.observed.hosts);
  }

  private async refresh(host: string, round: number): Promise<HostEntry> {
    const entry = this.hosts.get(host);
    const verifyMs = this.opts.verifyIntervalMs ?? DEFAULT_VERIFY_INTERVAL_MS;
    const now = this.opts.clock.now();
    const trusted = entry?.current && !entry.readError && !entry.writeError && now - entry.at < verifyMs;
    if (entry && trusted) return entry;
    let next: HostEntry;
    try {
      const current = await readHostRules(this.runtime, host);
      next = { current, at: this.opts.clock.now(), readRound: round, writeError: entry?.writeError };
    } catch (err) {
      next = { at: this.opts.clock.now(), readError: toSyncError(err), writeError: entry?.writeError };
    }
    this.hosts.set(host, next);
    return next;
  }

  private async syncHost(
    host: string,
    ruleset: HostRuleset,
    seen?: ObservedServiceRules,
  ): Promise<HostSyncResult> {
    const started = this.opts.clock.now();
    const entry = this.hosts.get(host);
    if (!seen?.current) {
      const error = entry?.readError ?? {
        code: 'services.read',
        message: seen?.error ?? 'not read',
        retryable: true,
      };
      return { host, outcome: 'failed', durationMs: 0, error };
    }
    if (!seen.error && hostRulesMatch(ruleset, seen.current))
      return { host, outcome: 'unchanged', hash: ruleset.hash, durationMs: 0 };
    try {
      const applied = await this.write(host, ruleset);
      const durationMs = this.opts.clock.now() - started;
      return { host, outcome: applied ? 'applied' : 'unchanged', hash: ruleset.hash, durationMs };
    } catch (err) {
      return {
        host,
        outcome: 'failed',
        durationMs: this.opts.clock.now() - started,
        error: toSyncError(err),
      };
    }
  }
}
