// The Service data plane's decisions in the pass: which Ready hosts take no new pods because
// their rules are not in place (Kubernetes' network-unavailable taint), and, once the pass
// knows its deletions, every Ready host's ruleset (computed once, without the pods this pass
// deletes: they leave every host's rules before their SIGTERM) and a syncServiceRules action
// for each host whose rules differ. Pure.
//
// Invariants:
// - No rule changes while an app is frozen (no admitted commit): its Services are unknown, and
//   removing a live app's Services is worse than keeping them a while.
// - Nothing is decided about rules the shell did not observe (dry run, standby).
// - With no Service at all nothing is tainted (a laptop's host without iptables runs pods).
// - A pod placed on a host whose rules are synced in the same pass depends on that sync.
import { hostRulesMatch } from '../controllers/services/host-rules.js';
import { planServiceRules } from '../controllers/services/plan-rules.js';
import type { ResolvedServices } from '../controllers/services/resolve.js';
import { buildServiceViews } from '../controllers/services/views.js';
import { type Action, actionKey } from '../model/actions.js';
import type { ObservedHost, ObservedServiceRules } from '../model/observed.js';
import type { HostRuleset } from '../model/service-rules.js';
import type { EndpointsView, ServiceView } from '../model/views.js';
import { type PassCollector, podKey } from './pass-context.js';
import type { PassInput } from './pass-types.js';

/** The taint Kubernetes puts on a node whose network is not configured yet. */
export const NETWORK_UNAVAILABLE_TAINT = 'node.kubernetes.io/network-unavailable';

/** The hosts as the scheduler must see them: a Ready host whose rules failed (or, while no
 *  rule may change, that has none) is tainted NoSchedule; its own pods stay. */
export function taintHostsWithoutRules(
  input: PassInput,
  resolved: ResolvedServices | undefined,
): ObservedHost[] {
  const { hosts, serviceRules } = input.observed;
  if (!serviceRules || !resolved || resolved.services.length === 0) return hosts;
  const frozen = input.frozenApps.length > 0;
  const lacksRules = (h: ObservedHost) => {
    const rules = serviceRules[h.name];
    if (!h.ready || !rules) return false;
    return rules.error !== undefined || (frozen && rules.current?.hashes.nat === undefined);
  };
  if (!hosts.some(lacksRules)) return hosts;
  return hosts.map((h) =>
    lacksRules(h)
      ? { ...h, taints: [...h.taints, { key: NETWORK_UNAVAILABLE_TAINT, effect: 'NoSchedule' as const }] }
      : h,
  );
}

/** Plans every Ready host's rules for the end of this pass; adds the syncs, their events and
 *  the pods' dependencies to `pass`; returns the Services' views. */
export function reconcileServiceRules(
  pass: PassCollector,
  resolved: ResolvedServices,
  serviceCIDR: string,
): { services: ServiceView[]; endpoints: EndpointsView[] } {
  const { observed, frozenApps } = pass.input;
  const deleted = new Set(pass.actions.flatMap((a) => (a.type === 'deletePod' ? [podKey(a.pod)] : [])));
  const plan = planServiceRules(resolved.services, observed.pods, observed.hosts, serviceCIDR, deleted);
  const views = buildServiceViews(resolved.services, plan.endpoints, observed.hosts);
  if (!observed.serviceRules || frozenApps.length > 0) return views;
  for (const p of resolved.problems)
    pass.events.push({
      type: 'Warning',
      reason: p.reason,
      object: `service/${p.name}`,
      namespace: p.namespace,
      message: p.message,
    });
  const syncs = plan.rulesets.flatMap((r) => syncAction(r, observed.serviceRules?.[r.host]));
  if (syncs.length === 0) return views;
  const syncOf = new Map(syncs.map((a) => [a.host, actionKey(a)]));
  pass.actions.forEach((a, i) => {
    const sync = a.type === 'createPod' ? syncOf.get(a.host) : undefined;
    if (sync) pass.actions[i] = { ...a, dependsOn: [...(a.dependsOn ?? []), sync] };
  });
  pass.actions.push(...syncs);
  return views;
}

function syncAction(
  ruleset: HostRuleset,
  rules: ObservedServiceRules | undefined,
): Extract<Action, { type: 'syncServiceRules' }>[] {
  // Not read (it is read again next pass) or already in place: nothing to write.
  if (!rules?.current) return [];
  if (rules.error === undefined && hostRulesMatch(ruleset, rules.current)) return [];
  const had = rules.current.hashes.nat;
  const why =
    rules.error !== undefined
      ? `the last attempt failed (${rules.error})`
      : had
        ? `the host has ruleset ${had}`
        : 'the host has none of them';
  return [
    {
      type: 'syncServiceRules',
      host: ruleset.host,
      ruleset,
      reason: `service rules ${ruleset.empty ? 'removed' : ruleset.hash}: ${why}`,
    },
  ];
}
