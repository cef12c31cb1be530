// Deterministic, dependency-free hashing for the pure core: template hashes and content
// keys must be identical across processes and machines, so no node:crypto here.

/** Canonical JSON: object keys sorted, so equal values always serialize equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** FNV-1a 32-bit over UTF-16 code units, as an unsigned integer (Kubernetes' pod-template-hash
 *  is FNV-32a too, over its own serialization). */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** 64 bits from two independent FNV passes, hex: for content keys where 32 bits is thin. */
export function contentHash(text: string): string {
  const a = fnv1a32(text).toString(16).padStart(8, '0');
  const b = fnv1a32(text, 0x01000193 ^ 0x9e3779b9)
    .toString(16)
    .padStart(8, '0');
  return a + b;
}
