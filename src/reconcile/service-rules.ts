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
// - A pod a Service selects is deleted only once no Ready host can still send it traffic: its
//   deletion (and its owner's creations of the same pass, which may count on it) depends on
//   every rule sync of the pass, and waits while a Ready host's rules could not be read (they may still name it: a SYN sent to a dead pod is dropped, and the client
//   waits out its timeout instead of failing fast). The wait is bounded by
//   RULES_UNKNOWN_WAIT_MS per failing host, so one host with a broken data plane cannot stall
//   every rollout.
import { hostRulesMatch } from '../controllers/services/host-rules.js';
import { planServiceRules } from '../controllers/services/plan-rules.js';
import type { ResolvedService, ResolvedServices } from '../controllers/services/resolve.js';
import { buildServiceViews } from '../controllers/services/views.js';
import { serviceSelectorMatches } from '../manifest/label-selector.js';
import { type Action, actionKey } from '../model/actions.js';
import type { ObservedHost, ObservedServiceRules } from '../model/observed.js';
import type { HostRuleset } from '../model/service-rules.js';
import type { EndpointsView, ServiceView } from '../model/views.js';
import { ownerKey, type PassCollector, podKey } from './pass-context.js';
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
  guardEndpointDeletions(pass, resolved.services, syncs);
  if (syncs.length === 0) return views;
  const syncOf = new Map(syncs.map((a) => [a.host, actionKey(a)]));
  pass.actions.forEach((a, i) => {
    const sync = a.type === 'createPod' ? syncOf.get(a.host) : undefined;
    if (sync) pass.actions[i] = { ...a, dependsOn: [...(a.dependsOn ?? []), sync] };
  });
  pass.actions.push(...syncs);
  return views;
}

/** How long deletions of a Service's pods wait for a Ready host whose rules fail. */
export const RULES_UNKNOWN_WAIT_MS = 30_000;

/** Makes the deletions of pods a Service selects wait for the rules (see the invariants);
 *  records since when each Ready host's rules have been failing in the pass's memory. */
function guardEndpointDeletions(
  pass: PassCollector,
  services: readonly ResolvedService[],
  syncs: readonly Extract<Action, { type: 'syncServiceRules' }>[],
): void {
  const { observed, memory, now } = pass.input;
  const waiting = new Set<string>();
  const unread: string[] = [];
  for (const h of observed.hosts) {
    const rules = observed.serviceRules?.[h.name];
    if (!h.ready || !rules || (rules.error === undefined && rules.current)) continue;
    const since = memory.rulesFailingSince?.[h.name] ?? now;
    pass.rulesFailingSince[h.name] = since;
    if (now - since >= RULES_UNKNOWN_WAIT_MS) continue;
    waiting.add(h.name);
    if (!rules.current) unread.push(h.name);
  }
  const dependsOn = syncs
    .filter((s) => !pass.rulesFailingSince[s.host] || waiting.has(s.host))
    .map(actionKey);
  const pods = new Map(observed.pods.map((p) => [podKey(p), p]));
  const selected = (k: string) => {
    const p = pods.get(k);
    return (
      p !== undefined &&
      services.some(
        (s) =>
          s.type !== 'ExternalName' &&
          s.namespace === p.namespace &&
          serviceSelectorMatches(s.selector, p.labels),
      )
    );
  };
  // A Deployment's creations in this pass may count on its deletions (maxSurge 0: the new
  // pod takes the old one's room), so they wait on the same syncs, or with them.
  const guardedOwners = new Set(
    pass.actions.flatMap((a) => {
      const p = a.type === 'deletePod' && selected(podKey(a.pod)) ? pods.get(podKey(a.pod)) : undefined;
      return p ? [ownerKey(p.app, p.ownerKind, p.namespace, p.ownerName)] : [];
    }),
  );
  const guarded = (a: Action) =>
    (a.type === 'deletePod' && selected(podKey(a.pod))) ||
    (a.type === 'createPod' &&
      guardedOwners.has(ownerKey(a.pod.app, a.pod.owner.kind, a.pod.namespace, a.pod.owner.name)));
  let postponed = 0;
  const kept = pass.actions.flatMap((a): Action[] => {
    if (!guarded(a)) return [a];
    if (unread.length > 0) {
      if (a.type === 'deletePod') {
        postponed++;
        pass.postponedDeletions.add(`${a.pod.namespace}/${a.pod.name}`);
      }
      return [];
    }
    const extra = dependsOn.filter((k) => !a.dependsOn?.includes(k));
    return extra.length > 0 ? [{ ...a, dependsOn: [...(a.dependsOn ?? []), ...extra] }] : [a];
  });
  pass.actions.splice(0, pass.actions.length, ...kept);
  if (postponed === 0) return;
  pass.requeueIn(1000);
  pass.events.push({
    type: 'Warning',
    reason: 'WaitingForServiceRules',
    object: `host/${unread.join(',')}`,
    namespace: '',
    message: `${postponed} pod deletion(s) wait: the Service rules of ${unread.join(', ')} could not be read, and may still send those pods traffic (waiting at most ${RULES_UNKNOWN_WAIT_MS / 1000} s)`,
  });
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
