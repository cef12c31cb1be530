// Ownership across apps: two apps that declare the same object (kind, namespace, name) would
// fight over it, each pass undoing the other's pods. One of them owns it; every other claimant
// is refused whole, as a commit with an error is (skiff admits a commit whole or not at all),
// rather than syncing the rest with a warning as Argo CD does with SharedResourceWarning: half
// an app would run against a template its author never saw whole. Pure.
//
// Who owns an object is decided the same way on every pass and after a restart, from the
// object's live pods (the Docker labels record the app that created them) and then skiff.yaml:
// - the first claimant, in skiff.yaml order, that has live pods of the object keeps it;
// - else (a Service, a ConfigMap, or a workload with no pod yet) the first claimant that runs
//   any pod at all: an app already running is not displaced by a newcomer;
// - else the first claimant in skiff.yaml order.
// So an app that already runs keeps its objects when another app starts declaring them, even
// if that other app is listed first.
import type { KubeObject } from '../model/k8s.js';
import type { ObservedPod } from '../model/observed.js';

export interface OwnershipClaimant {
  name: string;
  objects: readonly KubeObject[];
}

/** One object an app declares but another app owns. */
export interface SharedResource {
  kind: string;
  namespace: string;
  name: string;
  /** The app that owns it. */
  owner: string;
}

const objectId = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;

/** The refused apps, each with the objects another app owns. `apps` in skiff.yaml order. */
export function decideOwnership(
  apps: readonly OwnershipClaimant[],
  pods: readonly ObservedPod[],
): Map<string, SharedResource[]> {
  const claimants = new Map<string, { obj: KubeObject; apps: string[] }>();
  for (const app of apps) {
    for (const obj of app.objects) {
      const id = objectId(obj.kind, obj.metadata.namespace, obj.metadata.name);
      const entry = claimants.get(id);
      if (!entry) claimants.set(id, { obj, apps: [app.name] });
      else if (!entry.apps.includes(app.name)) entry.apps.push(app.name);
    }
  }
  const live = new Set(pods.map((p) => `${p.app}|${objectId(p.ownerKind, p.namespace, p.ownerName)}`));
  const running = new Set(pods.map((p) => p.app));
  const refused = new Map<string, SharedResource[]>();
  for (const [id, { obj, apps: names }] of claimants) {
    if (names.length < 2) continue;
    const owner = names.find((a) => live.has(`${a}|${id}`)) ?? names.find((a) => running.has(a)) ?? names[0]!;
    for (const loser of names) {
      if (loser === owner) continue;
      const list = refused.get(loser) ?? [];
      list.push({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, owner });
      refused.set(loser, list);
    }
  }
  return refused;
}

/** `deployment/web (namespace default) is managed by app "shop"`, for the refused app's status. */
export function sharedResourceMessage(commit: string, shared: readonly SharedResource[]): string {
  const what = shared
    .map((s) => `${s.kind.toLowerCase()}/${s.name} (namespace ${s.namespace}) is managed by app "${s.owner}"`)
    .join('; ');
  return `commit ${commit.slice(0, 7)} refused whole: ${what}; nothing of it is applied until the object is removed from one of the apps`;
}
