// The faults a rollout meets, drawn from the seed: what, when (fake ms after the push) and for
// how long. Capacity faults (a host cut, a dockerd restart) remove Ready pods by themselves:
// the availability floor is not checked from their start until the cluster has converged
// again; every other fault must leave the floor intact.
import type { Prng } from './prng.js';

export type FaultKind =
  | 'kill-mid-call'
  | 'kill-between-passes'
  | 'ssh-cut'
  | 'ssh-hang'
  | 'host-cut'
  | 'dockerd-restart'
  | 'registry-down'
  | 'git-down'
  | 'git-slow'
  | 'git-corrupt'
  | 'disk-full'
  | 'clock-jump';

export const FAULT_KINDS: readonly FaultKind[] = [
  'kill-mid-call',
  'kill-mid-call',
  'kill-between-passes',
  'ssh-cut',
  'ssh-hang',
  'host-cut',
  'dockerd-restart',
  'registry-down',
  'git-down',
  'git-slow',
  'git-corrupt',
  'disk-full',
  'clock-jump',
];

export const CAPACITY_FAULTS: ReadonlySet<FaultKind> = new Set(['host-cut', 'dockerd-restart']);

export interface PlannedFault {
  kind: FaultKind;
  /** Fake ms after the rollout's push. */
  at: number;
  /** Fake ms it lasts (0: instantaneous). */
  lasts: number;
  host: string;
  /** kill-mid-call: mutating calls that run before the one it dies in; clock-jump: ms. */
  n: number;
}

const INSTANT: ReadonlySet<FaultKind> = new Set([
  'kill-mid-call',
  'kill-between-passes',
  'dockerd-restart',
  'clock-jump',
]);

export function planFaults(rand: Prng, hosts: readonly string[]): PlannedFault[] {
  const count = rand.int(1, 3);
  return Array.from({ length: count }, () => {
    const kind = rand.pick(FAULT_KINDS);
    const at = rand.int(0, 4) * 1000;
    const lasts = INSTANT.has(kind) ? 0 : kind === 'registry-down' ? 60_000 : rand.int(5, 60) * 1000;
    const n = kind === 'clock-jump' ? rand.int(2, 15) * 60_000 : rand.int(0, 6);
    return { kind, at, lasts, host: rand.pick(hosts), n };
  }).sort((a, b) => a.at - b.at);
}
