// Which GPUs of a host each new pod gets: the device manager's allocation step (kubelet
// pkg/kubelet/cm/devicemanager), for the one device plugin skiff knows, nvidia.com/gpu given
// through Docker's DeviceRequests (driver nvidia, DeviceIDs = GPU indices). A host declaring
// `nvidia.com/gpu: N` in skiff.yaml has indices 0..N-1; each index belongs to one pod at a
// time. A pod's indices are recorded in a Docker label on its containers, so the allocation is
// read back after a restart (ObservedPod.gpuDevices) and never handed out twice.
// - App containers and sidecars (they run together) get disjoint slices of the pod's indices;
//   a regular init container runs alone before them, so it reuses the pod's first indices, as
//   the device manager reuses init containers' devices.
// Pure: the observed pods come in, the allocator mutates only itself.
import type { Container, PodSpec } from '../model/k8s.js';
import type { ObservedHost, ObservedPod } from '../model/observed.js';
import { podExtendedRequests } from './scheduler-capacity.js';

export const GPU_RESOURCE = 'nvidia.com/gpu';

/** The GPU indices of a pod and of each of its containers that requests some. */
export interface GpuAssignment {
  pod: number[];
  containers: Record<string, number[]>;
}

function gpusOf(c: Container): number {
  const q = c.resources.requests[GPU_RESOURCE] ?? c.resources.limits[GPU_RESOURCE];
  return q === undefined ? 0 : Number.parseInt(q, 10) || 0;
}

/** Slices `pod` among the containers: running ones disjoint, regular init ones from the start. */
function sliceAmong(spec: PodSpec, pod: number[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  let next = 0;
  const running = [
    ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
    ...spec.containers,
  ];
  for (const c of running) {
    const n = gpusOf(c);
    if (n > 0) out[c.name] = pod.slice(next, next + n);
    next += n;
  }
  for (const c of spec.initContainers ?? []) {
    const n = gpusOf(c);
    if (n > 0 && c.restartPolicy !== 'Always') out[c.name] = pod.slice(0, n);
  }
  return out;
}

export class GpuAllocator {
  private readonly used = new Map<string, Set<number>>();

  constructor(pods: readonly ObservedPod[]) {
    for (const p of pods) for (const d of p.gpuDevices ?? []) this.usedOn(p.host).add(d);
  }

  private usedOn(host: string): Set<number> {
    let set = this.used.get(host);
    if (!set) {
      set = new Set();
      this.used.set(host, set);
    }
    return set;
  }

  /** The lowest free indices for the pod on the host, taken; undefined when the pod asks for
   *  no GPU; 'unavailable' when the host has too few free (the scheduler's fit filter keeps
   *  that from happening unless the label of a pod holding some was lost). */
  assign(host: ObservedHost, spec: PodSpec): GpuAssignment | 'unavailable' | undefined {
    const want = podExtendedRequests(spec)[GPU_RESOURCE] ?? 0;
    if (want === 0) return undefined;
    const total = host.extendedResources?.[GPU_RESOURCE] ?? 0;
    const used = this.usedOn(host.name);
    const pod: number[] = [];
    for (let i = 0; i < total && pod.length < want; i++) if (!used.has(i)) pod.push(i);
    if (pod.length < want) return 'unavailable';
    for (const i of pod) used.add(i);
    return { pod, containers: sliceAmong(spec, pod) };
  }
}

/** The label value of a pod's indices ("0,1") and back; an unreadable value holds nothing. */
export function formatGpuDevices(indices: readonly number[]): string {
  return indices.join(',');
}
export function parseGpuDevices(value: string | undefined): number[] | undefined {
  if (value === undefined || !/^\d{1,4}(,\d{1,4})*$/.test(value)) return undefined;
  return value.split(',').map(Number);
}
