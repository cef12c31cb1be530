// Deletions a controller asked for but that did not start (postponed by the pass, skipped by
// the executor for a failed dependency, refused by the runtime): the Deployment controller
// remembers each pod it asked to delete as terminating for its grace period, and a pod that
// is in fact still live would then be replaced while it runs (maxSurge exceeded: the chaos
// suite found it). Forgetting them makes the next pass see the pod live and decide again. Pure.
import type { DeploymentMemory } from '../controllers/deployment.js';

/** `memory` without the terminating entries of `pods` (`namespace/name`). */
export function forgetDeletions(
  memory: Record<string, DeploymentMemory>,
  pods: ReadonlySet<string>,
): Record<string, DeploymentMemory> {
  if (pods.size === 0) return memory;
  const out: Record<string, DeploymentMemory> = {};
  for (const [key, m] of Object.entries(memory)) {
    // objectKey is kind/namespace/name; a pod's namespace is its Deployment's.
    const namespace = key.split('/').at(-2) ?? '';
    const kept = Object.entries(m.terminating).filter(([name]) => !pods.has(`${namespace}/${name}`));
    out[key] =
      kept.length === Object.keys(m.terminating).length ? m : { ...m, terminating: Object.fromEntries(kept) };
  }
  return out;
}
