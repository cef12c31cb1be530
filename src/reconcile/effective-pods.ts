// The pods a pass reasons about: those observed on Ready hosts, plus the ones remembered on a
// host that stopped answering, counted as Unknown until the grace period passes; then they are
// given up (replaced elsewhere), and their copies are deleted once the host is back. Pure.
import type { ObservedHost, ObservedPod } from '../model/observed.js';
import { podKey } from './pass-context.js';
import type { PassEvent, PassInput } from './pass-types.js';

export interface EffectivePods {
  /** Pods that count: on Ready hosts, plus Unknown ones on hosts within the grace period. */
  pods: ObservedPod[];
  /** Everything that occupies a host (for the scheduler's accounting). */
  allPlaced: ObservedPod[];
  /** Copies on hosts that came back after their pods were replaced. */
  stale: ObservedPod[];
  lastSeen: Record<string, ObservedPod[]>;
  lost: Record<string, string>;
}

export function effectivePods(
  input: PassInput,
  events: PassEvent[],
  requeueIn: (ms: number) => void,
): EffectivePods {
  const { observed, memory } = input;
  const world: EffectivePods = { pods: [], allPlaced: [], stale: [], lastSeen: {}, lost: {} };
  const seenByHost = new Map<string, ObservedPod[]>();
  for (const p of observed.pods) {
    const list = seenByHost.get(p.host);
    if (list) list.push(p);
    else seenByHost.set(p.host, [p]);
  }
  for (const host of observed.hosts) {
    if (host.ready) readyHostPods(world, host, seenByHost.get(host.name) ?? [], memory.lost);
    else rememberedPods(world, host, input, events, requeueIn);
  }
  // Keep remembering lost pods until their host is back and they are gone.
  for (const [k, host] of Object.entries(memory.lost)) {
    const h = observed.hosts.find((x) => x.name === host);
    if (!h) continue; // host removed from the inventory: forget
    if (!h.ready) world.lost[k] = host;
    else if (world.stale.some((p) => podKey(p) === k)) world.lost[k] = host;
  }
  return world;
}

function readyHostPods(
  world: EffectivePods,
  host: ObservedHost,
  seen: ObservedPod[],
  lost: Record<string, string>,
): void {
  world.lastSeen[host.name] = seen;
  for (const p of seen) {
    if (lost[podKey(p)]) world.stale.push(p);
    else world.pods.push(p);
    world.allPlaced.push(p);
  }
}

/** A NotReady host's last seen pods: Unknown within the grace period, given up after it. */
function rememberedPods(
  world: EffectivePods,
  host: ObservedHost,
  input: PassInput,
  events: PassEvent[],
  requeueIn: (ms: number) => void,
): void {
  const { memory, now } = input;
  const grace = input.options.hostGracePeriodMs;
  const remembered = memory.lastSeen[host.name] ?? [];
  world.lastSeen[host.name] = remembered;
  const downFor = host.notReadySince === undefined ? 0 : now - host.notReadySince;
  const pastGrace = downFor >= grace;
  for (const p of remembered) {
    if (pastGrace || memory.lost[podKey(p)]) {
      if (!memory.lost[podKey(p)]) {
        events.push({
          type: 'Warning',
          reason: 'NodeNotReady',
          object: `pod/${p.name}`,
          namespace: p.namespace,
          message: `host ${host.name} NotReady for ${Math.round(downFor / 1000)}s: pod given up and replaced elsewhere`,
        });
      }
      world.lost[podKey(p)] = host.name;
    } else {
      world.pods.push({ ...p, unreachable: true });
      world.allPlaced.push(p);
      requeueIn(grace - downFor);
    }
  }
}
