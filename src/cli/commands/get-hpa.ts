// `skiff get hpa` and `skiff describe hpa/NAME`: the HPAs from the daemon's autoscaler when one
// runs, else computed once here (observe, one stats sweep, one decision per HPA with fresh
// memory, nothing executed or recorded) with the recorded decisions read from history.

import type { ClusterConfig } from '../../config/cluster-config.js';
import { hpaDecisionView } from '../../controllers/hpa-targets.js';
import { SkiffError } from '../../model/errors.js';
import type { EventView, HpaView } from '../../model/views.js';
import { cliLogger, connectDaemon } from '../cli-context.js';
import { printText } from '../output.js';
import { describeHpa } from '../views/hpa.js';

export async function readHpaViews(config: ClusterConfig, decisions = 10): Promise<HpaView[]> {
  const daemon = await connectDaemon(config);
  if (daemon) return daemon.get<HpaView[]>(`/api/v1/hpas?decisions=${decisions}`);
  // Without a daemon only: Docker, SSH, git and SQLite load when used (see read-cluster.ts).
  const { createSkiffInstance, initialAdmission } = await import('../../daemon/skiff-instance.js');
  const { openHistoryStore } = await import('../../history/history-store.js');
  const log = cliLogger();
  const inst = createSkiffInstance({ config, log, dryRun: true, history: false });
  let views: HpaView[];
  try {
    await initialAdmission(inst, Date.now(), log);
    await inst.reconciler.pass();
    await inst.autoscaler.tick();
    views = inst.autoscaler.views();
  } finally {
    await inst.close();
  }
  try {
    const h = openHistoryStore({ stateDir: config.daemon.stateDir, readonly: true });
    try {
      for (const v of views)
        v.decisions = h
          .listHpaDecisions({ namespace: v.namespace, name: v.name }, decisions)
          .map(hpaDecisionView);
    } finally {
      h.close();
    }
  } catch {
    // No history yet (no daemon ever ran here): no recorded decisions to show.
  }
  return views;
}

/** The `describe hpa/NAME` branch of `skiff describe`. */
export async function printHpaDescription(
  config: ClusterConfig,
  ref: { namespace: string; name: string },
  events: readonly EventView[],
  now: number,
): Promise<void> {
  const hpa = (await readHpaViews(config, 20)).find(
    (h) => h.name === ref.name && h.namespace === ref.namespace,
  );
  if (!hpa) throw new SkiffError('not-found', `horizontalpodautoscaler "${ref.name}" not found`);
  printText(describeHpa(hpa, events, { now }));
}
