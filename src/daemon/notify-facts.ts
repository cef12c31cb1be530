// The daemon's state as the notification triggers read it (src/notify/facts.ts): each app's
// tracker snapshot and active quarantines, the last acting pass's views, the HPAs. Shell.
import { type AppState, notifyFactsOf } from '../notify/facts.js';
import type { NotifyFacts } from '../notify/triggers.js';
import type { PassSummary } from './reconciler.js';
import type { SkiffInstance } from './skiff-instance.js';

/** The parts of a skiff instance the facts are read from. */
export type NotifySources = Pick<SkiffInstance, 'trackers' | 'history'> & {
  autoscaler: Pick<SkiffInstance['autoscaler'], 'views'>;
};

export function notifyFactsFor(inst: NotifySources, pass: PassSummary | undefined): NotifyFacts {
  const apps = inst.trackers.map((t): AppState => {
    const snap = t.snapshot();
    return {
      name: t.name,
      admitted: snap.admitted?.commit,
      rejected: snap.rejected,
      quarantined: inst.history?.listQuarantined(t.name) ?? [],
    };
  });
  const views = pass && {
    deployments: pass.result.views.deployments,
    pods: pass.result.views.pods,
    hosts: pass.result.views.hosts,
    skippedApps: [...pass.failedApps.map((f) => f.app), ...pass.refusedApps],
  };
  const hpas = inst.autoscaler.views(0).map((h) => ({
    namespace: h.namespace,
    name: h.name,
    app: h.app,
    currentReplicas: h.currentReplicas,
    lastScaleTime: h.lastScaleTime,
  }));
  return notifyFactsOf(apps, views, hpas);
}
