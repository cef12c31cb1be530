// Checks of field values that several kinds share: quantities, protocols, relative paths.
// Pure.
import { tryParseQuantity } from '../quantity.js';
import type { Collector, P } from './collector.js';

/** True when `v` is a valid (by default non-negative) quantity; reports it otherwise. */
export function checkQuantity(c: Collector, v: string, path: P, nonNegative = true): boolean {
  const q = tryParseQuantity(v);
  if (!q) {
    c.error(path, 'semantic.quantity', `"${v}" is not a valid quantity`);
    return false;
  }
  if (nonNegative && q.sign() < 0) {
    c.error(path, 'semantic.quantity', `"${v}" must be greater than or equal to 0`);
    return false;
  }
  return true;
}

export function checkProtocol(c: Collector, protocol: string, path: P): void {
  if (protocol === 'TCP' || protocol === 'UDP') return;
  if (protocol === 'SCTP')
    c.error(path, 'unsupported.value', 'protocol SCTP is not supported by skiff (TCP and UDP are)');
  else c.error(path, 'schema.enum', `unsupported value "${protocol}": must be one of "TCP", "UDP", "SCTP"`);
}

export function checkRelativePath(c: Collector, p: string, path: P): void {
  if (p.startsWith('/')) c.error(path, 'semantic.volume', `"${p}" must be a relative path`);
  if (p.split('/').includes('..')) c.error(path, 'semantic.volume', `"${p}" must not contain '..'`);
}
