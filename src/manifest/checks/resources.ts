// Checks of a container's resource requests and limits (ValidateResourceRequirements
// upstream), restricted to what skiff schedules and limits: cpu, memory, and extended resources
// (`nvidia.com/gpu`) that hosts declare in skiff.yaml. Extended resources are whole units and
// cannot be overcommitted: a request must equal the limit, and a request needs a limit
// (requests default to limits). Pure.
import type { Container } from '../../model/k8s.js';
import { isExtendedResourceName, isNativeResource, isOvercommitAllowed } from '../extended-resources.js';
import { tryParseQuantity } from '../quantity.js';
import type { Collector, P } from './collector.js';
import { checkQuantity } from './fields.js';

const SUPPORTED_RESOURCES = new Set(['cpu', 'memory']);

type Part = 'requests' | 'limits';

/** Why skiff refuses a resource name, or undefined when it schedules it. */
function refusedResource(name: string): string | undefined {
  if (SUPPORTED_RESOURCES.has(name) || isExtendedResourceName(name)) return undefined;
  if (isNativeResource(name))
    return `resource "${name}" is not supported by skiff (cpu, memory and extended resources such as nvidia.com/gpu are scheduled)`;
  return `resource "${name}" doesn't follow extended resource name standard (a domain outside kubernetes.io, then a name: "example.com/foo")`;
}

/** ValidateResourceQuantityValue: non-negative, and whole units for an extended resource. */
function checkResourceQuantity(c: Collector, name: string, value: unknown, at: P): boolean {
  const text = typeof value === 'number' ? String(value) : (value as string);
  if (!checkQuantity(c, text, at)) return false;
  if (isExtendedResourceName(name) && tryParseQuantity(text)!.scaledValue(-3) % 1000n !== 0n) {
    c.error(at, 'semantic.resources', `"${text}" must be an integer: ${name} is counted in whole units`);
    return false;
  }
  return true;
}

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
      const refused = refusedResource(name);
      if (refused) {
        c.error(at, 'unsupported.resource', refused);
        continue;
      }
      if (checkResourceQuantity(c, name, value, at)) valid[part].add(name);
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
    const overcommit = isOvercommitAllowed(name);
    if (!valid.limits.has(name)) {
      if (!overcommit && ctr.resources.limits[name] === undefined)
        c.error(
          [...path, 'resources', 'limits'],
          'semantic.resources',
          `limit must be set for ${name}: extended resources cannot be overcommitted (set limits.${name}; requests default to it)`,
        );
      continue;
    }
    const req = tryParseQuantity(ctr.resources.requests[name]!)!;
    const lim = tryParseQuantity(ctr.resources.limits[name]!)!;
    if (!overcommit && req.cmp(lim) !== 0)
      c.error(
        [...path, 'resources', 'requests', name],
        'semantic.resources',
        `request ${req} must be equal to ${name} limit of ${lim}: extended resources cannot be overcommitted`,
      );
    else if (req.cmp(lim) > 0)
      c.error(
        [...path, 'resources', 'requests', name],
        'semantic.resources',
        `request ${req} must be less than or equal to ${name} limit of ${lim}`,
      );
  }
}
