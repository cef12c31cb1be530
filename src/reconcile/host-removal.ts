// Removing a host from the inventory, as `kubectl drain` followed by deleting the node: a host
// gone from skiff.yaml that still runs skiff pods stays observed, cordoned, and is drained by
// the drain machinery (reconcile/drain.ts), one eviction at a time as PodDisruptionBudgets
// allow, each replacement scheduled elsewhere first. Once it runs no skiff pod, the pass asks
// the shell to forget it (its Service rules and data dir are taken off first). Pure.
//
// Invariants:
// - A removal is a drain with force: a Pod without a controller is evicted too, as the pod
//   garbage collector deletes the pods of a deleted node.
// - An unreachable removed host's pods are handled as a failed host's (reconcile/
//   effective-pods.ts: Unknown within the grace period, then replaced); the host is forgotten
//   when it is back and empty, or after REMOVED_HOST_FORGET_AFTER_MS unreachable.
// - Each change of a removal's state (started, blocked by a budget, unreachable, ended) is
//   said once as an event; the memory holds the last state said.
import type { HostRemovalStatus, ObservedHost, ObservedPod } from '../model/observed.js';
import type { DrainView } from '../model/views.js';
import type { DrainRequest, HostRemoval, PassEvent, PassInput } from './pass-types.js';

/** How long a removed host may stay unreachable before skiff forgets it (its pods were
 *  replaced after the host grace period already; this bounds only the watch for its return). */
export const REMOVED_HOST_FORGET_AFTER_MS = 60 * 60 * 1000;

/** Every drain of the pass: the admin's (`skiff drain`) and one per removed host. A removal
 *  replaces an admin's drain of the same host. */
export function passDrains(input: PassInput): DrainRequest[] {
  const removals = input.inputs.removals ?? [];
  const removing = new Set(removals.map((r) => r.host));
  return [
    ...(input.inputs.drains ?? []).filter((d) => !removing.has(d.host)),
    ...removals.map((r): DrainRequest => ({ host: r.host, force: true, since: r.since, removal: true })),
  ];
}

/** The drains that evict this pass: an unreachable removed host's pods cannot be deleted;
 *  they are given up as a failed host's instead (effective-pods). */
export function evictingDrains(input: PassInput, drains: readonly DrainRequest[]): DrainRequest[] {
  const ready = new Set(input.observed.hosts.filter((h) => h.ready).map((h) => h.name));
  return drains.filter((d) => !d.removal || ready.has(d.host));
}

export interface RemovalPlan {
  /** The hosts, each removed one with its removal status. */
  hosts: ObservedHost[];
  /** Removed hosts to stop observing now. */
  forget: string[];
  events: PassEvent[];
  /** The next pass's memory of each removal's last said state. */
  said: Record<string, string>;
  /** Run again when an unreachable removed host reaches the bound. */
  requeueAfterMs?: number;
}

/** Where each removal stands after this pass's evictions (`drains`: the drain views). */
export function planRemovals(
  input: PassInput,
  hosts: readonly ObservedHost[],
  drains: readonly DrainView[],
  lastSeen: Readonly<Record<string, ObservedPod[]>>,
): RemovalPlan {
  const plan: RemovalPlan = { hosts: [...hosts], forget: [], events: [], said: {} };
  for (const removal of input.inputs.removals ?? []) {
    const at = plan.hosts.findIndex((h) => h.name === removal.host);
    const host = plan.hosts[at];
    const status = host ? removalStatus(input, removal, host, drains, lastSeen) : undefined;
    const said = input.memory.removals?.[removal.host];
    if (!host || !status) {
      plan.forget.push(removal.host);
      plan.events.push(removedEvent(input, removal.host, host));
      continue;
    }
    plan.hosts[at] = { ...host, removing: status };
    const state = stateKey(status);
    plan.said[removal.host] = state;
    if (said !== state) plan.events.push(...changeEvents(removal.host, status, said === undefined));
    if (status.state === 'Unreachable') {
      const left = REMOVED_HOST_FORGET_AFTER_MS - downFor(input, host);
      plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? left, left);
    }
  }
  return plan;
}

const downFor = (input: PassInput, host: ObservedHost): number =>
  input.now - (host.notReadySince ?? input.now);

/** The removal's status, or undefined when the host is to be forgotten: Ready with no skiff
 *  pod left, or unreachable for the bound. */
export function removalStatus(
  input: PassInput,
  removal: HostRemoval,
  host: ObservedHost,
  drains: readonly DrainView[],
  lastSeen: Readonly<Record<string, ObservedPod[]>>,
): HostRemovalStatus | undefined {
  if (!host.ready) {
    if (downFor(input, host) >= REMOVED_HOST_FORGET_AFTER_MS) return undefined;
    const podsLeft = lastSeen[host.name]?.length ?? 0;
    return { since: removal.since, state: 'Unreachable', podsLeft };
  }
  const podsLeft = input.observed.pods.filter((p) => p.host === host.name).length;
  if (podsLeft === 0) return undefined;
  const view = drains.find((d) => d.host === host.name);
  const budgets = [...new Set((view?.pods ?? []).flatMap((p) => (p.budget ? [p.budget] : [])))].sort();
  return {
    since: removal.since,
    state: 'Draining',
    podsLeft,
    ...(budgets.length > 0 ? { blockedBy: budgets } : {}),
  };
}

const stateKey = (s: HostRemovalStatus): string =>
  s.blockedBy ? `${s.state}:${s.blockedBy.join(',')}` : s.state;

function hostEvent(type: PassEvent['type'], reason: string, host: string, message: string): PassEvent {
  return { type, reason, object: `host/${host}`, namespace: '', message };
}

function changeEvents(host: string, s: HostRemovalStatus, first: boolean): PassEvent[] {
  const events: PassEvent[] = [];
  if (first)
    events.push(
      hostEvent(
        'Normal',
        'HostRemovalStarted',
        host,
        `host ${host} is gone from skiff.yaml but runs ${s.podsLeft} skiff pod(s): cordoned, its pods are evicted as PodDisruptionBudgets allow, then skiff forgets it`,
      ),
    );
  if (s.state === 'Unreachable')
    events.push(
      hostEvent(
        'Warning',
        'HostRemovalUnreachable',
        host,
        `host ${host}, being removed, is unreachable: its pods are replaced elsewhere after the host grace period, as a failed host's; skiff forgets it once it is back and empty, or after ${REMOVED_HOST_FORGET_AFTER_MS / 60_000} min unreachable`,
      ),
    );
  else if (s.blockedBy)
    events.push(
      hostEvent(
        'Warning',
        'HostRemovalBlocked',
        host,
        `removal of host ${host} waits for ${s.blockedBy.join(', ')} (${s.podsLeft} pod(s) left): an eviction would violate the budget; it goes on once replacements are Ready elsewhere`,
      ),
    );
  return events;
}

function removedEvent(input: PassInput, name: string, host: ObservedHost | undefined): PassEvent {
  if (host && !host.ready)
    return hostEvent(
      'Warning',
      'HostRemoved',
      name,
      `host ${name} was removed from skiff.yaml and stayed unreachable for ${Math.round(downFor(input, host) / 60_000)} min: skiff forgets it; containers still there keep running unmanaged (remove them by hand)`,
    );
  return hostEvent(
    'Normal',
    'HostRemoved',
    name,
    `host ${name} was removed from skiff.yaml and runs no skiff pod any more: skiff takes its Service rules and data dir off and forgets it`,
  );
}
