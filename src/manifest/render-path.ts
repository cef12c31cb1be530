// A field path as diagnostics print it. Pure.
import type { PathSegment } from './parse.js';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `spec.template.spec.containers[0].image`; odd keys as `labels["app.kubernetes.io/name"]`.
 *  Joined once rather than appended piece by piece: `+=` leaves a chain of string pieces
 *  (about 30 per path) that the validator's cached results would hold for every reference. */
export function renderPath(path: readonly PathSegment[]): string {
  const parts: string[] = [];
  for (const seg of path) {
    if (typeof seg === 'number') parts.push(`[${seg}]`);
    else if (IDENT.test(seg)) parts.push(parts.length === 0 ? seg : `.${seg}`);
    else parts.push(`[${JSON.stringify(seg)}]`);
  }
  return parts.join('');
}
