// Container restarts as the kubelet decides them: restartPolicy, then CrashLoopBackOff.
// Pure: the clock (`now`, ms) and the per-container backoff memory are passed in and returned.
//
// Ported from the kubelet (pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff, and
// k8s.io/client-go/util/flowcontrol/backoff.go): the backoff clock starts at the container's
// finish time; the first crash restarts at once and arms a 10 s backoff; each further restart
// doubles it up to 5 min (no jitter in the kubelet); an entry expires, resetting the sequence,
// when the container ran more than 2 x 5 min = 10 min after its last restart before failing.

import type { ObservedContainer } from '../model/observed.js';
import type { RestartPolicy } from './pod-phase.js';

/** kubelet backOffPeriod. */
export const INITIAL_BACKOFF_MS = 10_000;
/** kubelet MaxContainerBackOff. */
export const MAX_BACKOFF_MS = 300_000;
/** flowcontrol's hasExpired: an entry untouched for 2 x max is forgotten. */
export const BACKOFF_RESET_MS = 2 * MAX_BACKOFF_MS;

/** One container's backoff state (flowcontrol's backoffEntry). Plain data: persist as is. */
export interface BackoffEntry {
  backoffMs: number;
  /** ms since epoch of the last restart skiff decided. */
  lastUpdate: number;
}

export type RestartReason =
  /** Never started yet: the shell should start it, this is no restart. */
  | 'ContainerCreating'
  | 'Running'
  /** Exited 0 (and, when restart is false, the policy keeps it down). */
  | 'Completed'
  /** Exited non-zero. */
  | 'Error'
  /** Exited and waiting for its backoff to pass. */
  | 'CrashLoopBackOff';

export interface RestartDecision {
  restart: boolean;
  reason: RestartReason;
  /** With CrashLoopBackOff: how long until the restart is due (requeue after it). */
  waitMs?: number;
  /** kubelet's wording, e.g. "back-off 20s restarting failed container=app". */
  message?: string;
  /** The entry to keep for this container (undefined: nothing to remember). */
  memory: BackoffEntry | undefined;
}

/** Key for a container's entry in a map of backoff memories (the kubelet keys by pod and
 *  container; pod names are unique per template, so a new template starts afresh). */
export function backoffKey(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}

function hasExpired(eventTime: number, lastUpdate: number): boolean {
  return eventTime - lastUpdate > BACKOFF_RESET_MS;
}

/** Go's time.Duration String for whole seconds: 10s, 1m20s, 5m0s (the kubelet's messages). */
export function formatGoDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** Should this container be restarted now? `memory` is the entry kept for it by the previous
 *  decision (undefined at first). */
export function decideContainerRestart(
  container: ObservedContainer,
  restartPolicy: RestartPolicy,
  memory: BackoffEntry | undefined,
  now: number,
): RestartDecision {
  switch (container.state) {
    case 'created':
      if (container.startedAt === undefined) return { restart: false, reason: 'ContainerCreating', memory };
      return { restart: false, reason: 'Running', memory };
    case 'running':
    case 'paused':
    case 'restarting':
    case 'removing':
      return { restart: false, reason: 'Running', memory };
    case 'exited':
    case 'dead':
      break;
  }
  const failed = container.state === 'dead' || container.exitCode !== 0;
  const terminatedReason: RestartReason = failed ? 'Error' : 'Completed';
  if (restartPolicy === 'Never' || (restartPolicy === 'OnFailure' && !failed)) {
    return { restart: false, reason: terminatedReason, memory };
  }

  const eventTime = container.finishedAt ?? now;
  // IsInBackOffSince: still inside the window that started when the container finished.
  if (memory && !hasExpired(eventTime, memory.lastUpdate) && now - eventTime < memory.backoffMs) {
    return {
      restart: false,
      reason: 'CrashLoopBackOff',
      waitMs: eventTime + memory.backoffMs - now,
      message: `back-off ${formatGoDuration(memory.backoffMs)} restarting failed container=${container.name}`,
      memory,
    };
  }
  // Next: arm (or double) the backoff for the crash after this restart.
  const backoffMs =
    !memory || hasExpired(eventTime, memory.lastUpdate)
      ? INITIAL_BACKOFF_MS
      : Math.min(memory.backoffMs * 2, MAX_BACKOFF_MS);
  return { restart: true, reason: terminatedReason, memory: { backoffMs, lastUpdate: now } };
}

/** Drops entries the kubelet's GC would drop (untouched for 10 min), so memory stays bounded. */
export function pruneBackoffMemory(
  memory: Readonly<Record<string, BackoffEntry>>,
  now: number,
): Record<string, BackoffEntry> {
  const kept: Record<string, BackoffEntry> = {};
  for (const [key, entry] of Object.entries(memory)) {
    if (!hasExpired(now, entry.lastUpdate)) kept[key] = entry;
  }
  return kept;
}

/** A container held back at creation (CreateContainerConfigError): the kubelet retries the
 *  creation on later syncs under the same backoff (10 s doubling to 5 min); `restart` means
 *  try again now. */
export function decideHeldBackRetry(
  memory: BackoffEntry | undefined,
  now: number,
): { restart: boolean; waitMs?: number; memory: BackoffEntry } {
  if (!memory || hasExpired(now, memory.lastUpdate))
    return {
      restart: false,
      waitMs: INITIAL_BACKOFF_MS,
      memory: { backoffMs: INITIAL_BACKOFF_MS, lastUpdate: now },
    };
  const due = memory.lastUpdate + memory.backoffMs;
  if (now < due) return { restart: false, waitMs: due - now, memory };
  return {
    restart: true,
    memory: { backoffMs: Math.min(memory.backoffMs * 2, MAX_BACKOFF_MS), lastUpdate: now },
  };
}
