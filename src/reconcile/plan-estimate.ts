// How long a planned rollout takes: each step that creates pods waits for them to become ready
// (and stay ready minReadySeconds) before the controller's next step. The time a new pod takes
// to become ready is the median of the starts skiff recorded for the Deployment (the daemon's
// pods: created -> Ready; else the observed pods: created -> container started) or, with none,
// the readiness probe's timing. Pure.

import type { Container, DeploymentSpec, Probe } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';
import type { RolloutEstimate, RolloutStep } from '../model/plan.js';

/** Recorded pod start durations (ms) per Deployment `namespace/name`. */
export type PodStarts = ReadonlyMap<string, readonly number[]>;

/** A pod start as recorded: created -> ready (or started); never a restarted container's. */
export interface PodStartSample {
  namespace: string;
  deployment: string;
  createdAt?: number;
  readyAt?: number;
  restarts: number;
}

/** Start durations per Deployment from samples; restarted pods and clock skew are left out. */
export function podStartsOf(samples: readonly PodStartSample[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of samples) {
    if (s.restarts > 0 || s.createdAt === undefined || s.readyAt === undefined) continue;
    const ms = s.readyAt - s.createdAt;
    if (ms < 0) continue;
    const key = `${s.namespace}/${s.deployment}`;
    out.set(key, [...(out.get(key) ?? []), ms]);
  }
  return out;
}

/** Samples from observed pods (no daemon): created -> the last app container started. */
export function observedStartSamples(pods: readonly ObservedPod[]): PodStartSample[] {
  return pods
    .filter((p) => p.ownerKind === 'Deployment' && !p.terminating && p.containers.length > 0)
    .map((p) => {
      const started = p.containers.map((c) => c.startedAt);
      const all = started.every((t) => t !== undefined);
      return {
        namespace: p.namespace,
        deployment: p.ownerName,
        createdAt: p.createdAt,
        ...(all ? { readyAt: Math.max(...(started as number[])) } : {}),
        restarts: p.containers.reduce((n, c) => n + c.restartCount, 0),
      };
    });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Seconds until a probe first succeeds successThreshold times: initialDelaySeconds +
 *  periodSeconds x successThreshold (Kubernetes defaults: 0, 10, 1). */
function probeSeconds(p: Probe | undefined): number {
  if (!p) return 0;
  return (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.successThreshold ?? 1);
}

/** The slowest container: readiness is probed only once the startup probe passed. */
export function probeReadySeconds(containers: readonly Container[]): number {
  return Math.max(0, ...containers.map((c) => probeSeconds(c.startupProbe) + probeSeconds(c.readinessProbe)));
}

export function estimateRollout(
  spec: DeploymentSpec,
  steps: readonly RolloutStep[],
  startsMs: readonly number[],
): RolloutEstimate {
  const recorded = startsMs.length > 0;
  const podReadySeconds = recorded
    ? Math.round(median(startsMs) / 100) / 10
    : probeReadySeconds(spec.template.spec.containers);
  const waves = steps.filter((s) => s.created > 0).length;
  const minReadySeconds = spec.minReadySeconds ?? 0;
  return {
    seconds: Math.round(waves * (podReadySeconds + minReadySeconds) * 10) / 10,
    waves,
    podReadySeconds,
    minReadySeconds,
    source: recorded ? 'recorded' : 'probe',
    samples: startsMs.length,
  };
}
