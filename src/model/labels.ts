// Wire constants: the Docker labels skiff writes on every container it creates. The live
// state is rebuilt from these alone, so their names and meanings never change silently.
// Manifests may not set keys under this prefix (validation rejects them): ownership is
// never spoofable from Git.

export const LABEL_PREFIX = 'skiff.io/';

/** The label every Kubernetes node carries with its name (a host's name, here). */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

export const LABELS = {
  /** "true" on every container skiff created; the only thing observe() trusts. */
  managed: 'skiff.io/managed',
  /** The skiff app (git source) that owns the pod; an app prunes only its own. */
  app: 'skiff.io/app',
  namespace: 'skiff.io/namespace',
  pod: 'skiff.io/pod',
  /** Container name inside the pod ("" for the pod's infra/network container). */
  container: 'skiff.io/container',
  /** "infra" for the pod's network-holding container, "init" for an init container (a
   *  sidecar too), "app" otherwise. */
  role: 'skiff.io/role',
  ownerKind: 'skiff.io/owner-kind',
  ownerName: 'skiff.io/owner-name',
  templateHash: 'skiff.io/template-hash',
  commit: 'skiff.io/commit',
  /** JSON of the pod's own labels (selectors of Services and Deployments match on these). */
  podLabels: 'skiff.io/pod-labels',
  /** JSON of the PodSpec as written (references only, never resolved secret values). */
  podSpec: 'skiff.io/pod-spec',
  /** How many times this container was restarted; each restart is a new container. */
  restartCount: 'skiff.io/restart-count',
  /** Pod creation time, ms since epoch, so age and victim choice survive a daemon restart. */
  createdAt: 'skiff.io/created-at',
  /** On a container created but held back from starting (the kubelet's waiting state, e.g.
   *  CreateContainerConfigError for runAsNonRoot and a root image): why, and the message. */
  waitingReason: 'skiff.io/waiting-reason',
  waitingMessage: 'skiff.io/waiting-message',
  /** On a PersistentVolumeClaim's Docker volume (never the pod label: a claim's volume
   *  outlives its pods): the claim's name (namespace and app in their own labels), the storage
   *  requested and the access modes (comma-separated), so the binding is rebuilt from Docker. */
  claim: 'skiff.io/claim',
  claimStorage: 'skiff.io/claim-storage',
  claimAccessModes: 'skiff.io/claim-access-modes',
  /** The GPU indices (nvidia.com/gpu) the pod holds on its host, "0,1", on every container of
   *  the pod: the allocation is rebuilt from Docker, each index given to one pod only. */
  gpuDevices: 'skiff.io/gpu-devices',
} as const;

/** The Docker volume of a PersistentVolumeClaim: one per claim, on the host it is bound to. */
export function claimVolumeName(namespace: string, claim: string): string {
  return `skiff-pvc_${namespace}_${claim}`;
}

export const INFRA_ROLE = 'infra';
export const APP_ROLE = 'app';
export const INIT_ROLE = 'init';

/** The deletion mark: a pod whose deletion began has its infra container renamed
 *  `<name>.del-<deadline in epoch seconds>` (Docker labels cannot change; a name can), so the
 *  deletion outlives the daemon that began it. */
export const DELETION_MARK = /\.del-(\d{1,12})$/;

export function markedForDeletion(name: string, deadlineMs: number): string {
  return `${name.replace(DELETION_MARK, '')}.del-${Math.ceil(deadlineMs / 1000)}`;
}

/** The deletion deadline (ms since epoch) a container name carries, if marked. */
export function deletionDeadlineOf(name: string): number | undefined {
  const m = DELETION_MARK.exec(name);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** Name of the Docker container for one container of a pod: unique per host. */
export function dockerContainerName(
  namespace: string,
  pod: string,
  container: string,
  restart: number,
): string {
  return `skiff_${namespace}_${pod}_${container}_${restart}`;
}
