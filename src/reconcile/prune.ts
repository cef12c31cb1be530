// Prune: owned pods of admitted apps whose object left Git are deleted (sync option prune) or,
// with prune off, reported as orphaned and left running. Pods of frozen or unknown apps are
// never touched, only shown. Pure.
import { podView } from '../controllers/pod-status.js';
import type { ObservedPod } from '../model/observed.js';
import { deletePodAction, type PassCollector } from './pass-context.js';
import type { AppDesired } from './pass-types.js';

export function prunePods(
  pass: PassCollector,
  byOwner: ReadonlyMap<string, ObservedPod[]>,
  desiredOwners: ReadonlySet<string>,
  pods: readonly ObservedPod[],
): void {
  const admitted = new Map(pass.input.apps.map((a) => [a.name, a]));
  for (const [k, owned] of byOwner) {
    if (desiredOwners.has(k)) continue;
    const app = admitted.get(owned[0]!.app);
    if (!app) continue; // frozen or unknown app: never touched
    pruneOwner(pass, app, owned);
  }
  // Pods of frozen/unknown apps still show in `get pods`.
  if (pass.input.options.foreignPodViews === false) return;
  for (const p of pods) if (!admitted.has(p.app)) pass.podViews.push(podView(p, {}, pass.input.now));
}

function pruneOwner(pass: PassCollector, app: AppDesired, pods: ObservedPod[]): void {
  const first = pods[0]!;
  const owner = `${first.ownerKind.toLowerCase()}/${first.ownerName}`;
  for (const p of pods) {
    pass.podViews.push(podView(p, {}, pass.input.now));
    if (p.terminating || p.unreachable || !app.prune) continue;
    pass.actions.push(
      deletePodAction(p, `prune: ${owner} is no longer in ${app.name}@${app.commit.slice(0, 7)}`),
    );
  }
  if (!app.prune) {
    pass.events.push({
      type: 'Warning',
      reason: 'Orphaned',
      object: owner,
      namespace: first.namespace,
      message: `${owner} was removed from Git but prune is off: ${pods.length} pod(s) left running`,
    });
  }
}
