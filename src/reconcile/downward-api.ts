// The downward API: a pod's own fields and its containers' resources as text, for env
// (fieldRef, resourceFieldRef) and downwardAPI/projected volume files. Follows the kubelet:
// podFieldSelectorRuntimeValue and fieldpath.ExtractFieldPathAsString (kubelet_pods.go,
// pkg/fieldpath), and resource.ExtractContainerResourceValue with its float ceil of
// value/divisor; a limit that is not set is the node's allocatable (MergeContainerResourceLimits),
// which for skiff is the host's capacity as observed (CPUs*1000, MemTotal). Pure.
import { parseQuantity } from '../manifest/quantity.js';
import type { Container, Labels, ResourceFieldSelector } from '../model/k8s.js';
import { fnv1a32 } from '../model/stable-hash.js';

/** What the downward API can read of a pod when skiff materializes it. */
export interface DownwardPod {
  name: string;
  namespace: string;
  uid: string;
  labels: Labels;
  annotations: Labels;
  host: { name: string; address: string; capacity?: { cpuMilli: number; memoryBytes: number } };
  containers: readonly Container[];
}

/** A value, a field only the runtime knows (the pod IP, once the infra container runs), or
 *  a problem (the kubelet's CreateContainerConfigError). */
export type DownwardValue =
  | { value: string }
  | { podField: 'status.podIP' | 'status.podIPs' }
  | { problem: string };

/** skiff has no API server to assign UIDs: a pod's UID is a UUID-shaped digest of its identity
 *  (pod names carry a random suffix, so each pod gets its own, stable across daemon restarts). */
export function podUid(app: string, namespace: string, name: string): string {
  const key = `${app}/${namespace}/${name}`;
  const hex = [1, 2, 3, 4].map((i) =>
    fnv1a32(key, 0x811c9dc5 ^ (i * 0x9e3779b9))
      .toString(16)
      .padStart(8, '0'),
  );
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** fieldpath.FormatMap: sorted `key="value"` lines, Go-quoted, no final newline. */
export function formatMap(m: Labels): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`)
    .join('\n');
}

const SUBSCRIPTED = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The value of a fieldRef (env and volumes allow different paths: validation decides which). */
export function fieldRefValue(path: string, pod: DownwardPod): DownwardValue {
  const fields: Record<string, string> = {
    'metadata.name': pod.name,
    'metadata.namespace': pod.namespace,
    'metadata.uid': pod.uid,
    'metadata.labels': formatMap(pod.labels),
    'metadata.annotations': formatMap(pod.annotations),
    'spec.nodeName': pod.host.name,
    // skiff runs every pod as the default service account (it has no API server to mount its token).
    'spec.serviceAccountName': 'default',
    'status.hostIP': pod.host.address,
    'status.hostIPs': pod.host.address,
  };
  if (Object.hasOwn(fields, path)) return { value: fields[path]! };
  if (path === 'status.podIP' || path === 'status.podIPs') return { podField: path };
  const m = SUBSCRIPTED.exec(path);
  if (m) return { value: (m[1] === 'labels' ? pod.labels : pod.annotations)[m[2]!] ?? '' };
  return { problem: `unsupported fieldRef ${path}` };
}

/** resourceFieldRef: `container` is the env's own container when containerName is empty. */
export function resourceFieldValue(
  sel: ResourceFieldSelector,
  pod: DownwardPod,
  container?: string,
): DownwardValue {
  const name = sel.containerName || container;
  const c = pod.containers.find((x) => x.name === name);
  if (!c) return { problem: `container ${name ?? '""'} not found` };
  const [kind, resource] = sel.resource.split('.') as ['limits' | 'requests', string];
  let text = c.resources[kind][resource];
  if (text === undefined && kind === 'limits') {
    const cap = pod.host.capacity;
    if (resource === 'cpu' && cap) text = `${cap.cpuMilli}m`;
    if (resource === 'memory' && cap) text = String(cap.memoryBytes);
    if (text === undefined)
      return {
        problem: `${sel.resource} of container ${c.name} is not set and skiff does not know the host's`,
      };
  }
  const q = parseQuantity(text ?? '0');
  const d = parseQuantity(sel.divisor);
  // convertResourceCPUToString / convertResourceMemoryToString: float64 division, then ceil.
  const value =
    resource === 'cpu'
      ? Math.ceil(Number(q.milliValue()) / Number(d.milliValue()))
      : Math.ceil(Number(q.value()) / Number(d.value()));
  return { value: String(value) };
}
