// A pod's resource requests as the scheduler counts them. Pure.
// - With init containers: the larger of the init phase's peak and the running phase (see
//   aggregate below, upstream's PodRequests).
// - For the fit filter: requests summed over containers, a request defaulting to the limit when
//   only the limit is set (the API server's defaulting), absent = 0.
// - For scoring: the same with Kubernetes' non-zero defaults for a container that sets neither
//   (100m CPU, 200 MiB), so pods without requests still spread (pkg/scheduler/util
//   GetNonzeroRequests; DefaultMilliCPURequest / DefaultMemoryRequest).
import { parseQuantity } from '../manifest/quantity.js';
import type { Container, PodSpec } from '../model/k8s.js';

export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface ResourceAmounts {
  cpuMilli: number;
  memoryBytes: number;
}

function containerRequest(c: Container, resource: 'cpu' | 'memory'): string | undefined {
  return c.resources.requests[resource] ?? c.resources.limits[resource];
}

type RequestOf = (c: Container) => ResourceAmounts;

// Parsing a quantity is exact decimal arithmetic (bigints): a pass counts every pod's requests,
// and a cluster writes the same few strings ("250m", "64Mi") thousands of times. A memo of the
// pure parse, bounded so manifests cannot grow it without limit.
const MEMO_MAX = 4096;
const milliMemo = new Map<string, number>();
const bytesMemo = new Map<string, number>();

function memoized(memo: Map<string, number>, text: string, parse: (t: string) => number): number {
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const value = parse(text);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(text, value);
  return value;
}

const milliOf = (text: string) => memoized(milliMemo, text, (t) => Number(parseQuantity(t).milliValue()));
const bytesOf = (text: string) => memoized(bytesMemo, text, (t) => Number(parseQuantity(t).value()));

/** One container's requests (requests default to limits), absent = 0. */
function containerRequests(c: Container): ResourceAmounts {
  const cpu = containerRequest(c, 'cpu');
  const memory = containerRequest(c, 'memory');
  return {
    cpuMilli: cpu === undefined ? 0 : milliOf(cpu),
    memoryBytes: memory === undefined ? 0 : bytesOf(memory),
  };
}

/** The same with the non-zero defaults for a resource the container does not request. */
function containerNonZeroRequests(c: Container): ResourceAmounts {
  const cpu = containerRequest(c, 'cpu');
  const memory = containerRequest(c, 'memory');
  return {
    cpuMilli: cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : milliOf(cpu),
    memoryBytes: memory === undefined ? DEFAULT_MEMORY_REQUEST : bytesOf(memory),
  };
}

const add = (a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts => ({
  cpuMilli: a.cpuMilli + b.cpuMilli,
  memoryBytes: a.memoryBytes + b.memoryBytes,
});
const max = (a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts => ({
  cpuMilli: Math.max(a.cpuMilli, b.cpuMilli),
  memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
});

/**
 * k8s.io/component-helpers resource.PodRequests (AggregateContainerRequests), per resource:
 * the app containers' sum plus every sidecar's (restartPolicy Always: it keeps running beside
 * them), against the peak of the init phase, where a regular init container runs with the
 * sidecars started before it. The larger wins (KEP-753).
 */
function aggregate(spec: PodSpec, of: RequestOf): ResourceAmounts {
  let reqs: ResourceAmounts = { cpuMilli: 0, memoryBytes: 0 };
  for (const c of spec.containers) reqs = add(reqs, of(c));
  let sidecars: ResourceAmounts = { cpuMilli: 0, memoryBytes: 0 };
  let initPeak: ResourceAmounts = { cpuMilli: 0, memoryBytes: 0 };
  for (const c of spec.initContainers ?? []) {
    const own = of(c);
    if (c.restartPolicy === 'Always') {
      reqs = add(reqs, own);
      sidecars = add(sidecars, own);
      initPeak = max(initPeak, sidecars);
    } else initPeak = max(initPeak, add(own, sidecars));
  }
  return max(reqs, initPeak);
}

/** Requests as the fit filter counts them. */
export function podRequests(spec: PodSpec): ResourceAmounts {
  return aggregate(spec, containerRequests);
}

/** What the pods on `host` request in all (`skiff hosts`, the dashboard's host map). */
export function requestedOn(
  pods: readonly { host?: string; spec?: PodSpec }[],
  host: string,
): ResourceAmounts {
  const sum = { cpuMilli: 0, memoryBytes: 0 };
  for (const p of pods) {
    if (p.host !== host || !p.spec) continue;
    const r = podRequests(p.spec);
    sum.cpuMilli += r.cpuMilli;
    sum.memoryBytes += r.memoryBytes;
  }
  return sum;
}

/** Requests with the non-zero defaults per container that sets none, for scoring. */
export function podNonZeroRequests(spec: PodSpec): ResourceAmounts {
  return aggregate(spec, containerNonZeroRequests);
}
