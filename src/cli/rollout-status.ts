// `skiff rollout status`'s judgement of one Deployment from the cluster view, in kubectl's
// words. Pure. A port of kubectl's DeploymentStatusViewer.Status
// (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go), with skiff's equivalents:
// - "observed generation" = the daemon has admitted the branch head (a pushed commit it has not
//   taken yet means the spec update is not observed) and a pass has judged the Deployment from
//   that commit (the view's commit: a view from the pass before the admission is stale);
// - a head commit quarantined because its rollout failed (skiff restored the last good commit)
//   is a failure of that rollout, even once the restored pods are healthy again.
import type { ClusterView, DeploymentView, PodView } from '../model/views.js';

export type RolloutState = 'waiting' | 'done' | 'failed' | 'missing';

export interface RolloutStatus {
  state: RolloutState;
  /** kubectl's line (without the trailing newline). */
  message: string;
  /** For `failed`: why, from the Progressing condition, the rollout's failure or the quarantine. */
  reason?: string;
}

export interface DeploymentTarget {
  namespace: string;
  name: string;
  /** Restrict to one app (when several declare a Deployment of that name). */
  app?: string;
}

/** Live pods (not terminating, placed on a host) of the Deployment, for status.replicas. */
function livePods(d: DeploymentView, pods: readonly PodView[]): PodView[] {
  return pods.filter(
    (p) =>
      p.app === d.app &&
      p.namespace === d.namespace &&
      p.owner.kind === 'Deployment' &&
      p.owner.name === d.name &&
      p.host !== undefined &&
      p.status !== 'Terminating' &&
      p.phase !== 'Succeeded' &&
      p.phase !== 'Failed',
  );
}

export function rolloutStatus(view: ClusterView, target: DeploymentTarget): RolloutStatus {
  const { name } = target;
  const d = view.deployments.find(
    (x) => x.name === name && x.namespace === target.namespace && (!target.app || x.app === target.app),
  );
  const app = view.apps.find((a) => a.name === (d?.app ?? target.app));
  if (app?.headCommit) {
    const q = app.quarantined.find((x) => x.commit === app.headCommit);
    if (q) {
      return {
        state: 'failed',
        message: `deployment "${name}" exceeded its progress deadline`,
        reason: `commit ${q.commit.slice(0, 7)} quarantined, ${app.liveCommit ? `${app.liveCommit.slice(0, 7)} restored` : 'nothing restored'}: ${q.reason}`,
      };
    }
  }
  if (!d) return { state: 'missing', message: `deployments "${name}" not found` };
  const headPending =
    app?.headCommit !== undefined &&
    app.liveCommit !== app.headCommit &&
    app.rejected?.commit !== app.headCommit &&
    !app.quarantined.some((q) => q.commit === app.headCommit);
  const viewStale = d.commit !== undefined && app?.liveCommit !== undefined && d.commit !== app.liveCommit;
  if (headPending || viewStale)
    return { state: 'waiting', message: 'Waiting for deployment spec update to be observed...' };

  const progressing = d.conditions.find((c) => c.type === 'Progressing');
  if (d.phase === 'Failed' || progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      state: 'failed',
      message: `deployment "${name}" exceeded its progress deadline`,
      reason: [
        progressing ? `${progressing.reason}: ${progressing.message}` : 'ProgressDeadlineExceeded',
        d.failure
          ? d.failure.message.includes(d.failure.reason)
            ? d.failure.message
            : `${d.failure.reason}: ${d.failure.message}`
          : undefined,
      ]
        .filter(Boolean)
        .join('; '),
    };
  }
  const replicas = livePods(d, view.pods).length;
  if (d.updatedReplicas < d.replicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment "${name}" rollout to finish: ${d.updatedReplicas} out of ${d.replicas} new replicas have been updated...`,
    };
  }
  if (replicas > d.updatedReplicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment "${name}" rollout to finish: ${replicas - d.updatedReplicas} old replicas are pending termination...`,
    };
  }
  if (d.availableReplicas < d.updatedReplicas) {
    return {
      state: 'waiting',
      message: `Waiting for deployment "${name}" rollout to finish: ${d.availableReplicas} of ${d.updatedReplicas} updated replicas are available...`,
    };
  }
  return { state: 'done', message: `deployment "${name}" successfully rolled out` };
}
