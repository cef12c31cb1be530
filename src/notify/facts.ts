// What the triggers are given, read from the daemon's state after a pass or a refresh: each
// app's tracker snapshot and quarantines, and the last acting pass's views. Pure (plain data
// in, plain data out); the shapes are structural so this folder depends on no daemon code.
import type { Diagnostic } from '../model/diagnostics.js';
import type { DeploymentView, PodView } from '../model/views.js';
import type { AppFacts, HpaFacts, NotifyFacts } from './triggers.js';

export interface AppState {
  name: string;
  admitted?: string;
  rejected?: { commit: string; diagnostics: readonly Diagnostic[] };
  quarantined: readonly { commit: string; reason: string }[];
}

export interface PassState {
  deployments: readonly DeploymentView[];
  pods: readonly PodView[];
  hosts: readonly { name: string; ready: boolean; reason?: string }[];
  /** Apps the pass did not judge (set aside, refused): their views say nothing. */
  skippedApps: readonly string[];
}

export function notifyFactsOf(
  apps: readonly AppState[],
  pass: PassState | undefined,
  hpas: readonly HpaFacts[],
): NotifyFacts {
  const appFacts = apps.map((a): AppFacts => {
    const judged = pass && !pass.skippedApps.includes(a.name);
    return {
      app: a.name,
      admitted: a.admitted,
      rejected: a.rejected,
      quarantined: a.quarantined,
      ...(judged
        ? {
            views: {
              deployments: pass.deployments.filter((d) => d.app === a.name),
              pods: pass.pods.filter((p) => p.app === a.name),
            },
          }
        : {}),
    };
  });
  return { apps: appFacts, ...(pass ? { hosts: pass.hosts } : {}), hpas };
}
