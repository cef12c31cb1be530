// The Service data plane: kube-proxy without an agent. Each sync computes every Ready host's
// complete ruleset from the admitted Services and the observed pods, reads back what skiff has
// on the host (one SSH round trip), and rewrites it only when the hash differs (a second one).
// Shell: talks to hosts through Runtime.execOnHost; decisions are the pure functions of this
// folder.
//
// Invariants:
// - Level-triggered and idempotent: the hash lives on the host (a comment rule in skiff's own
//   chains), so a restarted daemon adopts rules it did not write, and a host that lost them
//   (reboot, namespace recreated, someone's iptables -F) gets them back within verifyIntervalMs.
//   A host whose planned rules did not change since they were last seen in place costs nothing
//   in between (no SSH round trip): a pass must not pay a read per host.
// - A Service gone from every app leaves no rule behind: an empty ruleset unhooks and deletes
//   skiff's chains and route.
// - Pods in `exclude` (deletion about to start) and pods not Ready are in no host's rules after
//   sync resolves for every Ready host: the reconciler awaits it before any SIGTERM.

import { computeEndpoints, type ServiceEndpoints } from '../controllers/services/endpoints.js';
import {
  hostRulesMatch,
  parseHostRuleState,
  planHostRules,
  planHostRulesApply,
  readHostRulesCommand,
} from '../controllers/services/host-rules.js';
import {
  type ResolvedService,
  resolveServices,
  type ServiceProblem,
  type ServiceSource,
} from '../controllers/services/resolve.js';
import { buildServiceViews, type EndpointsView, type ServiceView } from '../controllers/services/views.js';
import { SkiffError } from '../model/errors.js';
import type { Observed } from '../model/observed.js';
import type { Runtime } from './runtime.js';

export interface ServiceSyncInput {
  /** Services of every admitted app. */
  sources: readonly ServiceSource[];
  observed: Observed;
  /** Pods (`host/namespace/name`) to drop from every endpoint list now. */
  exclude?: ReadonlySet<string>;
}

export type HostSyncOutcome = 'unchanged' | 'applied' | 'failed' | 'skipped';

export interface HostSyncResult {
  host: string;
  outcome: HostSyncOutcome;
  hash?: string;
  durationMs: number;
  error?: { code: string; message: string; retryable: boolean };
}

export interface ServiceSyncResult {
  services: ResolvedService[];
  endpoints: ServiceEndpoints[];
  problems: ServiceProblem[];
  hosts: HostSyncResult[];
}

export interface ServiceDataPlaneOptions {
  serviceCIDR: string;
  /** Monotonic clock for durations. */
  clock: () => number;
  /** How long a host whose planned rules have not changed is trusted without reading them back
   *  (default 10 s): bounds how long a host that lost its rules behind skiff's back stays
   *  without them, while passes in between cost no SSH round trip. 0 reads on every sync. */
  verifyIntervalMs?: number;
}

const DEFAULT_VERIFY_INTERVAL_MS = 10_000;

export class ServiceDataPlane {
  private last: { result: ServiceSyncResult; observed: Observed } | undefined;
  /** Per host: the ruleset hash last seen in place there, and when. */
  private readonly inPlace = new Map<string, { hash: string; at: number }>();

  constructor(
    private readonly runtime: Runtime,
    private readonly opts: ServiceDataPlaneOptions,
  ) {}

  get serviceCIDR(): string {
    return this.opts.serviceCIDR;
  }

  /** Brings every Ready host's rules to what `input` implies; hosts in parallel. Never throws
   *  for a host's failure: it is reported in that host's result (retried next sync). */
  async sync(input: ServiceSyncInput): Promise<ServiceSyncResult> {
    const { services, problems } = resolveServices(input.sources, this.opts.serviceCIDR);
    const endpoints = computeEndpoints(services, input.observed.pods, input.observed.hosts, input.exclude);
    const hosts = await Promise.all(
      input.observed.hosts.map(async (h): Promise<HostSyncResult> => {
        if (!h.ready) {
          // Back from NotReady it is read again: it may have rebooted without its rules.
          this.inPlace.delete(h.name);
          return { host: h.name, outcome: 'skipped', durationMs: 0 };
        }
        const ruleset = planHostRules(h, services, endpoints, this.opts.serviceCIDR);
        const started = this.opts.clock();
        const known = this.inPlace.get(h.name);
        const verifyMs = this.opts.verifyIntervalMs ?? DEFAULT_VERIFY_INTERVAL_MS;
        if (known?.hash === ruleset.hash && started - known.at < verifyMs)
          return { host: h.name, outcome: 'unchanged', hash: ruleset.hash, durationMs: 0 };
        try {
          const applied = await this.syncHost(h.name, ruleset);
          this.inPlace.set(h.name, { hash: ruleset.hash, at: this.opts.clock() });
          return {
            host: h.name,
            outcome: applied ? 'applied' : 'unchanged',
            hash: ruleset.hash,
            durationMs: this.opts.clock() - started,
          };
        } catch (err) {
          this.inPlace.delete(h.name);
          const e = err as Partial<SkiffError> & Error;
          return {
            host: h.name,
            outcome: 'failed',
            durationMs: this.opts.clock() - started,
            error: { code: e.code ?? 'services.apply', message: e.message, retryable: e.retryable ?? true },
          };
        }
      }),
    );
    const result = { services, endpoints, problems, hosts };
    this.last = { result, observed: input.observed };
    return result;
  }

  /** Removes every rule, chain and route skiff put on the Ready hosts of `observed`. */
  async removeAll(observed: Observed): Promise<HostSyncResult[]> {
    return (await this.sync({ sources: [], observed: { ...observed, pods: [] } })).hosts;
  }

  /** Read models of the last sync (empty before the first). */
  views(): { services: ServiceView[]; endpoints: EndpointsView[] } {
    if (!this.last) return { services: [], endpoints: [] };
    return buildServiceViews(this.last.result.services, this.last.result.endpoints, this.last.observed.hosts);
  }

  /** Returns true when it had to rewrite the host's rules. */
  private async syncHost(host: string, ruleset: ReturnType<typeof planHostRules>): Promise<boolean> {
    const read = await this.runtime.execOnHost(host, readHostRulesCommand);
    if (read.exitCode !== 0) {
      throw new SkiffError(
        'services.read',
        `reading service rules on ${host} failed: ${read.stderr.trim()}`,
        {
          subject: `host/${host}`,
          hint: 'the host needs iptables-save and ip (iproute2), run as root',
          retryable: true,
        },
      );
    }
    const state = parseHostRuleState(read.stdout);
    if (hostRulesMatch(ruleset, state)) return false;
    const apply = planHostRulesApply(ruleset, state);
    const done = await this.runtime.execOnHost(host, apply.script, apply.stdin);
    if (done.exitCode !== 0) {
      throw new SkiffError(
        'services.apply',
        `applying service rules on ${host} failed: ${done.stderr.trim()}`,
        {
          subject: `host/${host}`,
          hint: 'the host needs iptables-restore with the nat, statistic, recent, addrtype, mark and conntrack modules',
          retryable: true,
        },
      );
    }
    return true;
  }
}
