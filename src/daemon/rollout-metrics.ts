// Rollout durations for the metrics, from the Deployments each pass reports: a rollout starts
// when a Deployment's template hash changes (or when it is first seen Progressing), and ends the
// first pass it is Complete or Failed. A plain function over (memory, views, now), memory in and
// out, so the metrics need no state of their own beyond this value. Shell-side (daemon/), pure.
import type { DeploymentView } from '../model/views.js';

/** Per Deployment (`namespace/name`): the template last seen, and when its rollout began
 *  (absent once it has ended, or when none was seen to begin). */
export type RolloutMemory = Record<string, { templateHash: string; startedAt?: number }>;

export interface FinishedRollout {
  app: string;
  result: 'complete' | 'failed';
  seconds: number;
}

export function trackRollouts(
  memory: RolloutMemory,
  deployments: readonly DeploymentView[],
  now: number,
): { memory: RolloutMemory; finished: FinishedRollout[] } {
  const next: RolloutMemory = {};
  const finished: FinishedRollout[] = [];
  for (const d of deployments) {
    const key = `${d.namespace}/${d.name}`;
    const before = memory[key];
    const changed = before !== undefined && before.templateHash !== d.templateHash;
    // A Deployment first seen mid-rollout is timed from now (a lower bound); one first seen
    // Complete has no rollout to time.
    let startedAt = changed ? now : before ? before.startedAt : d.phase === 'Progressing' ? now : undefined;
    if (startedAt !== undefined && (d.phase === 'Complete' || d.phase === 'Failed')) {
      finished.push({
        app: d.app,
        result: d.phase === 'Complete' ? 'complete' : 'failed',
        seconds: (now - startedAt) / 1000,
      });
      startedAt = undefined;
    }
    next[key] =
      startedAt === undefined
        ? { templateHash: d.templateHash }
        : { templateHash: d.templateHash, startedAt };
  }
  return { memory: next, finished };
}
