// A pod's resource requests as the scheduler counts them. Pure.
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

/** Requests summed over containers (requests default to limits), for the fit filter. */
export function podRequests(spec: PodSpec): ResourceAmounts {
  let cpuMilli = 0;
  let memoryBytes = 0;
  for (const c of spec.containers) {
    const cpu = containerRequest(c, 'cpu');
    const memory = containerRequest(c, 'memory');
    if (cpu !== undefined) cpuMilli += Number(parseQuantity(cpu).milliValue());
    if (memory !== undefined) memoryBytes += Number(parseQuantity(memory).value());
  }
  return { cpuMilli, memoryBytes };
}

/** Requests with the non-zero defaults per container that sets none, for scoring. */
export function podNonZeroRequests(spec: PodSpec): ResourceAmounts {
  let cpuMilli = 0;
  let memoryBytes = 0;
  for (const c of spec.containers) {
    const cpu = containerRequest(c, 'cpu');
    const memory = containerRequest(c, 'memory');
    cpuMilli += cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : Number(parseQuantity(cpu).milliValue());
    memoryBytes += memory === undefined ? DEFAULT_MEMORY_REQUEST : Number(parseQuantity(memory).value());
  }
  return { cpuMilli, memoryBytes };
}
