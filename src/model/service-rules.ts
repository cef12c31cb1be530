// skiff's Service rules on one host as plain data: the ruleset a pass plans (HostRuleset, what a
// syncServiceRules action carries) and what is on the host now (HostRuleState, what observe
// reports). Built by src/controllers/services/host-rules.ts; read and written by
// src/runtime/service-data-plane.ts.

export type RuleTable = 'nat' | 'filter';

export interface HostRuleset {
  host: string;
  /** Nothing of skiff's belongs on this host (no Service needs rules): remove everything. */
  empty: boolean;
  /** Chains skiff owns, per table, in declaration order. */
  chains: Record<RuleTable, string[]>;
  /** `-A ...` lines per table, the hash comment first. */
  rules: Record<RuleTable, string[]>;
  /** Route for the service range, so the host's own connections reach the nat OUTPUT hook. */
  route?: { cidr: string; src: string };
  hash: string;
}

/** What of skiff's is on a host now, as `readHostRulesCommand` reads it back. */
export interface HostRuleState {
  chains: Record<RuleTable, string[]>;
  hashes: Partial<Record<RuleTable, string>>;
  /** hookKey -> how many times that jump is present. */
  hooks: Record<string, number>;
  routes: { cidr: string; src?: string }[];
}
