// Probe results as the kubelet's prober keeps them (pkg/kubelet/prober/worker.go): a result
// flips only after successThreshold consecutive successes or failureThreshold consecutive
// failures; readiness starts as failure and liveness as success; nothing is probed before
// initialDelaySeconds after the container started; a startup probe, while it has not passed,
// holds back liveness and readiness. Pure: the shell runs the probes and feeds outcomes in.
import type { Probe } from '../model/k8s.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';

export interface ProbeTrack {
  /** Current result: what the kubelet reports. */
  result: boolean;
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  /** When `result` last became true (readiness: for minReadySeconds). */
  since?: number;
  lastFailure?: { at: number; message: string };
}

export function initialTrack(kind: ProbeKind): ProbeTrack {
  // worker.go: readiness initial value is Failure, liveness Success, startup Unknown (not passed).
  return { result: kind === 'liveness', consecutiveSuccesses: 0, consecutiveFailures: 0 };
}

/** Is it time to run this probe? (initial delay after container start, then every period). */
export function probeDue(
  probe: Probe,
  containerStartedAt: number,
  lastRunAt: number | undefined,
  now: number,
): boolean {
  if (now < containerStartedAt + probe.initialDelaySeconds * 1000) return false;
  return lastRunAt === undefined || now - lastRunAt >= probe.periodSeconds * 1000;
}

/** Folds one probe outcome into the track, with the thresholds' hysteresis. */
export function recordProbeOutcome(
  track: ProbeTrack,
  probe: Probe,
  outcome: { ok: boolean; message?: string },
  now: number,
): ProbeTrack {
  if (outcome.ok) {
    const successes = track.consecutiveSuccesses + 1;
    const flips = !track.result && successes >= probe.successThreshold;
    return {
      result: track.result || flips,
      consecutiveSuccesses: successes,
      consecutiveFailures: 0,
      since: flips ? now : track.since,
      lastFailure: track.lastFailure,
    };
  }
  const failures = track.consecutiveFailures + 1;
  const flips = track.result && failures >= probe.failureThreshold;
  return {
    result: flips ? false : track.result,
    consecutiveSuccesses: 0,
    consecutiveFailures: failures,
    since: flips ? undefined : track.since,
    lastFailure: { at: now, message: outcome.message ?? 'probe failed' },
  };
}

/** Startup probe failing failureThreshold times in a row kills the container, like liveness. */
export function startupFailed(track: ProbeTrack, probe: Probe): boolean {
  return !track.result && track.consecutiveFailures >= probe.failureThreshold;
}
