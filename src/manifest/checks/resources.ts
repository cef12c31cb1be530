// Checks of a container's resource requests and limits (ValidateResourceRequirements
// upstream), restricted to what skiff schedules and limits: cpu and memory. Pure.
import type { Container } from '../../model/k8s.js';
import { tryParseQuantity } from '../quantity.js';
import type { Collector, P } from './collector.js';
import { checkQuantity } from './fields.js';

const SUPPORTED_RESOURCES = new Set(['cpu', 'memory']);

type Part = 'requests' | 'limits';

/** Each resource as written; returns the names whose quantity is valid, per part. */
function checkResourceNames(c: Collector, raw: Record<string, unknown> | undefined, path: P) {
  const written = (raw?.resources ?? {}) as { requests?: object; limits?: object };
  const valid: Record<Part, Set<string>> = { requests: new Set(), limits: new Set() };
  for (const part of ['requests', 'limits'] as const) {
    for (const [name, value] of Object.entries(written[part] ?? {})) {
      const at = [...path, 'resources', part, name];
      if (name === 'ephemeral-storage') {
        c.warn(
          at,
          'unsupported.resource',
          `resource "${name}" is ignored by skiff: Docker hosts do not limit ephemeral storage per container`,
        );
        continue;
      }
      if (!SUPPORTED_RESOURCES.has(name)) {
        c.error(
          at,
          'unsupported.resource',
          `resource "${name}" is not supported by skiff (only cpu and memory are scheduled and limited)`,
        );
        continue;
      }
      if (checkQuantity(c, typeof value === 'number' ? String(value) : (value as string), at))
        valid[part].add(name);
    }
  }
  return valid;
}

export function checkResources(
  c: Collector,
  ctr: Container,
  raw: Record<string, unknown> | undefined,
  path: P,
): void {
  const valid = checkResourceNames(c, raw, path);
  for (const name of valid.requests) {
    if (!valid.limits.has(name)) continue;
    const req = tryParseQuantity(ctr.resources.requests[name]!)!;
    const lim = tryParseQuantity(ctr.resources.limits[name]!)!;
    if (req.cmp(lim) > 0)
      c.error(
        [...path, 'resources', 'requests', name],
        'semantic.resources',
        `request ${req} must be less than or equal to ${name} limit of ${lim}`,
      );
  }
}
