// PersistentVolumeClaims in one pass: where each claim is bound, who uses it, and its view.
// skiff's one class is a Docker local volume provisioned WaitForFirstConsumer (the local-path
// provisioner's meaning): a claim is Pending until its first pod is placed, its volume is
// created on that pod's host with the pod, and from then on it is Bound to that host. The
// binding is read back from the volume's labels every pass, so it survives a daemon restart;
// a pod already placed with the claim binds it too (the window before its volume is seen).
// A volume whose claim left Git is Released and kept: only `skiff delete pvc` removes it.
// Pure.
import type { ClaimBindings, PodClaim } from '../controllers/scheduler.js';
import type { Action } from '../model/actions.js';
import type { PersistentVolumeClaim, PodSpec } from '../model/k8s.js';
import { claimVolumeName } from '../model/labels.js';
import type { ObservedClaimVolume, ObservedHost, ObservedPod } from '../model/observed.js';
import type { ClaimView } from '../model/views.js';
import type { AppDesired, PassEvent } from './pass-types.js';

export const claimKey = (namespace: string, name: string) => `${namespace}/${name}`;

/** The claims a pod spec mounts, keyed `namespace/name`, with their ReadWriteOncePod mode. */
export function podClaims(
  spec: PodSpec,
  namespace: string,
  claims: ReadonlyMap<string, PersistentVolumeClaim>,
): PodClaim[] | undefined {
  const out: PodClaim[] = [];
  for (const v of spec.volumes) {
    const name = v.persistentVolumeClaim?.claimName;
    if (!name) continue;
    const key = claimKey(namespace, name);
    if (out.some((c) => c.key === key)) continue;
    const rwop = claims.get(key)?.spec.accessModes.includes('ReadWriteOncePod') === true;
    out.push({ key, readWriteOncePod: rwop });
  }
  return out.length > 0 ? out : undefined;
}

/** An app's claims by `namespace/name`. */
export function indexClaims(app: AppDesired): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  for (const o of app.objects)
    if (o.kind === 'PersistentVolumeClaim') out.set(claimKey(o.metadata.namespace, o.metadata.name), o);
  return out;
}

/** Claims used by placed pods: `namespace/name` -> pod names with their host. */
function claimUsers(placed: readonly ObservedPod[]): Map<string, { pod: string; host: string }[]> {
  const users = new Map<string, { pod: string; host: string }[]>();
  for (const p of placed)
    for (const v of p.spec?.volumes ?? []) {
      const name = v.persistentVolumeClaim?.claimName;
      if (!name) continue;
      const key = claimKey(p.namespace, name);
      const list = users.get(key) ?? [];
      if (!list.some((u) => u.pod === p.name)) list.push({ pod: p.name, host: p.host });
      users.set(key, list);
    }
  return users;
}

/** The oldest volume per claim (a second copy, made by hand or a race, never wins). */
function volumesByClaim(volumes: readonly ObservedClaimVolume[]): Map<string, ObservedClaimVolume> {
  const out = new Map<string, ObservedClaimVolume>();
  for (const v of volumes) {
    const key = claimKey(v.namespace, v.claim);
    const seen = out.get(key);
    if (!seen || (v.createdAt ?? 0) < (seen.createdAt ?? 0)) out.set(key, v);
  }
  return out;
}

/** Events of the pass: a claim bound by this pass's first placement (the provisioner's
 *  ProvisioningSucceeded), and a claim with a volume on more than one host (a host that was
 *  down when a restarted daemon first placed the claim): the oldest wins, the others are named. */
export function claimEvents(
  before: ClaimState,
  after: ClaimState,
  volumes: readonly ObservedClaimVolume[],
): PassEvent[] {
  const events: PassEvent[] = [];
  for (const [key, host] of Object.entries(after.bindings.hosts)) {
    if (before.bindings.hosts[key] !== undefined) continue;
    const [namespace, name] = key.split('/') as [string, string];
    events.push({
      type: 'Normal',
      reason: 'ProvisioningSucceeded',
      object: `persistentvolumeclaim/${name}`,
      namespace,
      message: `Successfully provisioned volume ${claimVolumeName(namespace, name)} on host ${host} (WaitForFirstConsumer: with pod ${after.users.get(key)?.[0]?.pod ?? ''})`,
    });
  }
  for (const [key, v] of before.volumes) {
    const others = volumes.filter(
      (o) => o.namespace === v.namespace && o.claim === v.claim && o.host !== v.host,
    );
    if (others.length === 0) continue;
    events.push({
      type: 'Warning',
      reason: 'VolumeConflict',
      object: `persistentvolumeclaim/${v.claim}`,
      namespace: v.namespace,
      message: `${key} has a volume on ${others.map((o) => o.host).join(', ')} besides the bound one on ${v.host}: pods use ${v.host}'s; move data by hand, then remove the other volume with docker volume rm`,
    });
  }
  return events;
}

export interface ClaimState {
  bindings: ClaimBindings;
  volumes: Map<string, ObservedClaimVolume>;
  users: Map<string, { pod: string; host: string }[]>;
}

/** What the scheduler needs: each claim's host (its volume's, else its first user's) and users. */
export function claimState(
  volumes: readonly ObservedClaimVolume[],
  placed: readonly ObservedPod[],
  observedHosts: readonly ObservedHost[] = [],
): ClaimState {
  const byClaim = volumesByClaim(volumes);
  const users = claimUsers(placed);
  const hosts: Record<string, string> = {};
  const counts: Record<string, number> = {};
  for (const [key, v] of byClaim) hosts[key] = v.host;
  for (const [key, list] of users) {
    counts[key] = list.length;
    if (hosts[key] === undefined && list[0]) hosts[key] = list[0].host;
  }
  const unknownHosts = observedHosts.filter((h) => h.claimVolumesUnknown).map((h) => h.name);
  return {
    bindings: { hosts, users: counts, ...(unknownHosts.length > 0 ? { unknownHosts } : {}) },
    volumes: byClaim,
    users,
  };
}

/** The claims as they stand once this pass's creations run: a claim a new pod mounts is bound
 *  to that pod's host, and the pod is one of its users. */
export function claimsAfter(state: ClaimState, actions: readonly Action[]): ClaimState {
  const hosts = { ...state.bindings.hosts };
  const users = new Map(state.users);
  for (const a of actions) {
    if (a.type !== 'createPod') continue;
    for (const c of a.pod.claimVolumes ?? []) {
      const key = claimKey(c.namespace, c.claim);
      hosts[key] ??= a.host;
      users.set(key, [...(users.get(key) ?? []), { pod: a.pod.name, host: a.host }]);
    }
  }
  return { ...state, bindings: { ...state.bindings, hosts }, users };
}

/** Every claim in Git (Pending or Bound) and every volume whose claim left Git (Released). */
export function claimViews(
  apps: readonly AppDesired[],
  state: ClaimState,
  /** Apps without an admitted commit: their volumes are not Released (Git is unknown). */
  frozenApps: readonly string[] = [],
): ClaimView[] {
  const views: ClaimView[] = [];
  const inGit = new Set<string>();
  for (const app of apps)
    for (const o of app.objects) {
      if (o.kind !== 'PersistentVolumeClaim') continue;
      const key = claimKey(o.metadata.namespace, o.metadata.name);
      inGit.add(key);
      const v = state.volumes.get(key);
      const host = state.bindings.hosts[key];
      views.push({
        namespace: o.metadata.namespace,
        name: o.metadata.name,
        app: app.name,
        status: host === undefined ? 'Pending' : 'Bound',
        ...(host === undefined
          ? {}
          : { volume: claimVolumeName(o.metadata.namespace, o.metadata.name), host }),
        capacity: o.spec.storage,
        accessModes: o.spec.accessModes,
        storageClass: o.spec.storageClassName ?? '',
        volumeMode: o.spec.volumeMode,
        labels: o.metadata.labels,
        annotations: o.metadata.annotations,
        usedBy: (state.users.get(key) ?? []).map((u) => u.pod),
        inGit: true,
        ...(v?.createdAt === undefined ? {} : { createdAt: v.createdAt }),
      });
    }
  for (const [key, v] of state.volumes) {
    if (inGit.has(key)) continue;
    const view = releasedView(v, state.users.get(key) ?? []);
    // An app whose source failed may still declare the claim: never offer its data for deletion.
    if (frozenApps.includes(v.app)) views.push({ ...view, status: 'Bound', inGit: true });
    else views.push(view);
  }
  return views.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function releasedView(v: ObservedClaimVolume, users: { pod: string }[]): ClaimView {
  return {
    namespace: v.namespace,
    name: v.claim,
    app: v.app,
    status: 'Released',
    volume: v.volume,
    host: v.host,
    capacity: v.storage,
    accessModes: v.accessModes,
    storageClass: '',
    volumeMode: 'Filesystem',
    labels: {},
    annotations: {},
    usedBy: users.map((u) => u.pod),
    inGit: false,
    ...(v.createdAt === undefined ? {} : { createdAt: v.createdAt }),
  };
}
