// The world the simulated daemons run against, shared by every incarnation: hosts (a
// FakeRuntime), each host's Service rules (what iptables would hold, read back through the
// real read command and parser), a fake clock, and the faults in force. Daemons come and go
// (kill -9); the world stays, as Docker and iptables stay when skiff dies.
import { HOOKS, readHostRulesCommand, ruleStateOf } from '../../src/controllers/services/host-rules.js';
import type { HostRuleState, HostRuleset } from '../../src/model/service-rules.js';
import { FakeRuntime } from '../../src/runtime/fake-runtime.js';
import { fakeHosts } from '../unit/daemon/fixtures.js';

/** Faults in force now (set and cleared by the fault plan, read by the daemon's ports). */
export interface FaultState {
  /** Every mutating call (create, delete, rules write) until this many more have run, then the
   *  next one dies mid-way and takes the daemon with it. */
  killAfterCalls?: number;
  /** Calls (create, delete, restart, rules write) are cut with this probability: half of them
   *  took effect before the connection dropped. */
  sshCutRate: number;
  /** Calls hang this long (fake ms) then time out, with this probability. */
  hangRate: number;
  registryDown: boolean;
  git?: 'down' | 'slow' | 'corrupt';
  diskFull: boolean;
}

export class SimClock {
  constructor(public ms: number) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class SimWorld {
  readonly clock: SimClock;
  readonly runtime: FakeRuntime;
  readonly rules = new Map<string, HostRuleState>();
  /** Images each host's engine holds (a pull is needed for the others). */
  readonly images = new Map<string, Set<string>>();
  readonly faults: FaultState = { sshCutRate: 0, hangRate: 0, registryDown: false, diskFull: false };
  readonly hostNames: string[];
  private readonly cut = new Set<string>();

  constructor(hostCount: number, start = 1_700_000_000_000) {
    this.clock = new SimClock(start);
    const hosts = fakeHosts(hostCount);
    this.hostNames = hosts.map((h) => h.name);
    this.runtime = new FakeRuntime(hosts, this.clock);
    this.runtime.hostExecHandler = (host, command) =>
      command === readHostRulesCommand
        ? { exitCode: 0, stdout: renderRuleState(this.rules.get(host)), stderr: '' }
        : { exitCode: 0, stdout: '', stderr: '' };
  }

  hostReachable(host: string): boolean {
    return this.runtime.hostInfo().some((h) => h.name === host) && !this.cut.has(host);
  }

  /** Cut a host off the network or bring it back. */
  setHostReachable(host: string, reachable: boolean): void {
    if (reachable) this.cut.delete(host);
    else this.cut.add(host);
    this.runtime.setHostReachable(host, reachable);
  }

  /** What iptables holds once a restore of `ruleset` ran to the end. */
  writeRules(host: string, ruleset: HostRuleset): void {
    this.rules.set(host, ruleStateOf(ruleset));
  }

  /** A restore cut after its nat table and before its filter table (kill -9 mid-write). */
  writeRulesHalfway(host: string, ruleset: HostRuleset): void {
    const before = this.rules.get(host) ?? emptyRuleState();
    const after = ruleStateOf(ruleset);
    this.rules.set(host, {
      chains: { nat: after.chains.nat, filter: before.chains.filter },
      hashes: { nat: after.hashes.nat, filter: before.hashes.filter },
      hooks: {
        ...before.hooks,
        ...Object.fromEntries(Object.entries(after.hooks).filter(([k]) => k.startsWith('nat '))),
      },
      routes: before.routes,
    });
  }
}

const emptyRuleState = (): HostRuleState => ({
  chains: { nat: [], filter: [] },
  hashes: {},
  hooks: {},
  routes: [],
});

/** The output readHostRulesCommand would print for `state` (iptables-save lines grepped for
 *  SKIFF, the section markers, the local route). */
export function renderRuleState(state: HostRuleState | undefined): string {
  const s = state ?? emptyRuleState();
  const table = (t: 'nat' | 'filter') => {
    const hashChain = t === 'nat' ? 'SKIFF-SERVICES' : 'SKIFF-FORWARD';
    const lines = s.chains[t].map((c) => `:${c} - [0:0]`);
    for (const h of HOOKS)
      if (h.table === t && s.hooks[`${h.table} ${h.chain} ${h.target}`])
        lines.push(`-A ${h.chain} -j ${h.target}`);
    const hash = s.hashes[t];
    if (hash) lines.push(`-A ${hashChain} -m comment --comment "skiff-ruleset ${hash}" -j RETURN`);
    return lines;
  };
  const routes = s.routes.map((r) => `${r.cidr} dev lo scope host${r.src ? ` src ${r.src}` : ''}`);
  return [...table('nat'), '#skiff:filter', ...table('filter'), '#skiff:route', ...routes].join('\n');
}
