// Actions: what the pure core asks the shell to do. Each carries a human reason (for events
// and plans). The executor (src/apply) runs them and reports each outcome as an ActionResult.
import type { DesiredPod } from './desired.js';
import type { HostRuleset } from './service-rules.js';

export interface PodRef {
  host: string;
  namespace: string;
  name: string;
}

interface ActionBase {
  reason: string;
  /** Keys (actionKey) of actions of the same pass this one needs: when one of them fails or is
   *  skipped, this one is skipped (a pod waits for its host's Service rules). */
  dependsOn?: string[];
}

export type Action =
  | ({ type: 'createPod'; host: string; pod: DesiredPod } & ActionBase)
  | ({ type: 'deletePod'; pod: PodRef; gracePeriodSeconds: number } & ActionBase)
  /** Replace one container of a pod by a new one (restart count + 1), as the kubelet does. */
  | ({ type: 'restartContainer'; pod: PodRef; container: string } & ActionBase)
  /** Start a container created with the pod that never ran: the next init container once the
   *  one before completed, the app containers once the pod is initialized. */
  | ({ type: 'startContainer'; pod: PodRef; container: string } & ActionBase)
  /** Replace the service rules skiff owns on a host with this complete set (idempotent). The
   *  executor runs every rule sync of a pass before any deletion starts. */
  | ({ type: 'syncServiceRules'; host: string; ruleset: HostRuleset } & ActionBase);

export type ActionType = Action['type'];

/** 'started': a graceful deletion now running in the background (its end is reported later). */
export type Outcome = 'done' | 'started' | 'failed' | 'skipped';

export interface ActionResult {
  /** Stable key of what the action touched: `pod/default/web-abc12@h1`. */
  key: string;
  action: ActionType;
  outcome: Outcome;
  durationMs: number;
  error?: { code: string; message: string; retryable: boolean };
}

export function actionKey(a: Action): string {
  switch (a.type) {
    case 'createPod':
      return `pod/${a.pod.namespace}/${a.pod.name}@${a.host}`;
    case 'deletePod':
    case 'restartContainer':
    case 'startContainer':
      return `pod/${a.pod.namespace}/${a.pod.name}@${a.pod.host}`;
    case 'syncServiceRules':
      return `rules@${a.host}`;
  }
}
