// What ConfigMaps and Secrets share: key names, base64 as the API server decodes it, and
// the size limit of their data. Pure.
import { isConfigMapKey } from '../name-rules.js';
import type { Collector } from './collector.js';

/** ConfigMap/Secret size limit (etcd's value limit). */
export const MAX_DATA_BYTES = 1024 * 1024;

export const TEXT_ENCODER = new TextEncoder();

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's base64.StdEncoding (what the API server decodes `data` with) skips \r and \n. */
export function isBase64(v: string): boolean {
  return BASE64.test(v.includes('\n') || v.includes('\r') ? v.replace(/[\r\n]/g, '') : v);
}

/** Decoded size of valid base64 text. */
export function base64Size(v: string): number {
  const s = v.replace(/[\r\n]/g, '');
  return Math.floor((s.length * 3) / 4) - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}

export function checkDataKeys(c: Collector, keys: string[], field: string): void {
  for (const k of keys)
    for (const e of isConfigMapKey(k)) c.error([field, k], 'semantic.config-key', `invalid key "${k}": ${e}`);
}

export function checkDataSize(c: Collector, size: number): void {
  if (size > MAX_DATA_BYTES)
    c.error([], 'semantic.too-large', `data is ${size} bytes, over the ${MAX_DATA_BYTES} byte limit`);
}
