// Reading and writing skiff's Service rules on one host over SSH: one round trip reads skiff's
// chains, hooks, hash comments and route; one more applies the script that moves the host to a
// ruleset (iptables-restore, atomic per table). Shell; what to write is decided by the pure
// planning in src/controllers/services/host-rules.ts.
import {
  parseHostRuleState,
  planHostRulesApply,
  readHostRulesCommand,
} from '../controllers/services/host-rules.js';
import { SkiffError } from '../model/errors.js';
import type { HostRuleState, HostRuleset } from '../model/service-rules.js';
import type { Runtime } from './runtime.js';

export type HostExec = Pick<Runtime, 'execOnHost'>;

export async function readHostRules(runtime: HostExec, host: string): Promise<HostRuleState> {
  const read = await runtime.execOnHost(host, readHostRulesCommand);
  if (read.exitCode !== 0) {
    throw new SkiffError('services.read', `reading service rules on ${host} failed: ${read.stderr.trim()}`, {
      subject: `host/${host}`,
      hint: 'the host needs iptables-save and ip (iproute2), run as root',
      retryable: true,
    });
  }
  return parseHostRuleState(read.stdout);
}

/** Moves `host` from `state` (as just read) to `ruleset`. */
export async function applyHostRules(
  runtime: HostExec,
  host: string,
  ruleset: HostRuleset,
  state: HostRuleState,
): Promise<void> {
  const apply = planHostRulesApply(ruleset, state);
  const done = await runtime.execOnHost(host, apply.script, apply.stdin);
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
}
