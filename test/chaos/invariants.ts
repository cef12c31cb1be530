// The guarantees sampled after every pass, on the ground truth (what the hosts run, not what
// the daemon believes), and the definition of converged.
import type { Observed, ObservedPod } from '../../src/model/observed.js';
import { READY_AFTER_MS, type Strategy } from './scenario.js';

export interface Sample {
  /** Pods of the Deployment on Ready hosts, not being deleted. */
  pods: number;
  /** Of those, Ready: every container running and warmed up. */
  ready: number;
  duplicates: string[];
}

export function sample(truth: Observed, terminating: ReadonlySet<string>): Sample {
  const ready = new Set(truth.hosts.filter((h) => h.ready).map((h) => h.name));
  const live = truth.pods.filter(
    (p) =>
      p.ownerName === 'web' && ready.has(p.host) && !terminating.has(`${p.host}/${p.namespace}/${p.name}`),
  );
  const names = new Map<string, number>();
  for (const p of truth.pods)
    names.set(`${p.namespace}/${p.name}`, (names.get(`${p.namespace}/${p.name}`) ?? 0) + 1);
  return {
    pods: live.length,
    ready: live.filter((p) => podReady(p, truth.at)).length,
    duplicates: [...names].filter(([, n]) => n > 1).map(([k]) => k),
  };
}

function podReady(p: ObservedPod, now: number): boolean {
  return p.containers.every((c) => c.state === 'running' && now >= (c.startedAt ?? now) + READY_AFTER_MS);
}

export interface Checks {
  floor: boolean;
  ceiling: boolean;
}

/** The violations in one sample, under the checks in force. */
export function violations(s: Sample, strategy: Strategy, checks: Checks): string[] {
  const out: string[] = [];
  if (s.duplicates.length) out.push(`duplicate pod names: ${s.duplicates.join(', ')}`);
  const floor = strategy.replicas - strategy.unavailable;
  if (checks.floor && s.ready < floor) out.push(`availability: ${s.ready} Ready pods < floor ${floor}`);
  const ceiling = strategy.replicas + strategy.surge;
  if (checks.ceiling && s.pods > ceiling) out.push(`surge: ${s.pods} pods > ceiling ${ceiling}`);
  return out;
}

/** Converged on the ground truth: exactly `replicas` pods of one template, all running, on
 *  Ready hosts, nothing else (no orphan or half-created containers), and every host's Service
 *  rules as the pass plans them (the pass read them back and had nothing to write). */
export function convergedTruth(truth: Observed, strategy: Strategy): string | undefined {
  if (truth.hosts.some((h) => !h.ready)) return 'a host is NotReady';
  const others = truth.pods.filter((p) => p.ownerName !== 'web');
  if (others.length) return `orphan pods: ${others.map((p) => p.name).join(', ')}`;
  if (truth.pods.length !== strategy.replicas) return `${truth.pods.length} pods, want ${strategy.replicas}`;
  if (new Set(truth.pods.map((p) => p.templateHash)).size !== 1) return 'pods of two templates';
  const stopped = truth.pods.filter((p) => p.containers.some((c) => c.state !== 'running'));
  if (stopped.length) return `containers not running: ${stopped.map((p) => p.name).join(', ')}`;
  return undefined;
}
