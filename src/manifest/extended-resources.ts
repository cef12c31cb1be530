// Resource names as the API server classifies them (pkg/apis/core/helper: IsNativeResource,
// IsExtendedResourceName, IsOvercommitAllowed, IsIntegerResourceName). Extended resources
// (`nvidia.com/gpu`, `example.com/foo`) are whole units a host declares and pods request in
// their limits; they cannot be overcommitted. Pure.
import { isQualifiedName } from './name-rules.js';

/** core.DefaultResourceRequestsPrefix: quota's name for a resource's requests. */
const REQUESTS_PREFIX = 'requests.';

/** No domain, or a kubernetes.io domain: a resource Kubernetes itself defines. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** A fully-qualified name outside kubernetes.io whose quota name is a qualified name. */
export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith(REQUESTS_PREFIX)) return false;
  return isQualifiedName(`${REQUESTS_PREFIX}${name}`).length === 0;
}

/** Only native resources other than hugepages may be overcommitted (request < limit). */
export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !name.startsWith('hugepages-');
}
