// A container's resource limits in Docker's units (NanoCpus derive from millicores, Memory in
// bytes). Requests for scheduling are the scheduler's business (controllers/pod-requests). Pure.
import { parseQuantity } from '../manifest/quantity.js';
import type { Container } from '../model/k8s.js';

export function containerLimits(c: Container): { cpuMilli?: number; memoryBytes?: number } {
  const out: { cpuMilli?: number; memoryBytes?: number } = {};
  const { cpu, memory } = c.resources.limits;
  if (cpu !== undefined) out.cpuMilli = Number(parseQuantity(cpu).milliValue());
  if (memory !== undefined) out.memoryBytes = Number(parseQuantity(memory).value());
  return out;
}
