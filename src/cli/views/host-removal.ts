// How a host being removed from the inventory reads in `skiff hosts` and `skiff status`:
// removing (draining, 2 pods left, blocked by budget pdb/web). Pure.

import { terminalText } from '../../diff/terminal-text.js';
import type { HostRemovalStatus, ObservedHost } from '../../model/observed.js';

export function removalPhrase(s: HostRemovalStatus): string {
  const left = `${s.podsLeft} pod${s.podsLeft === 1 ? '' : 's'} left`;
  const blocked = s.blockedBy ? `, blocked by budget ${s.blockedBy.join(', ')}` : '';
  return `removing (${s.state === 'Draining' ? 'draining' : 'unreachable'}, ${left}${blocked})`;
}

/** One line per host being removed, for status (none when no host is). */
export function renderRemovals(hosts: readonly ObservedHost[]): string {
  return hosts
    .filter((h) => h.removing)
    .map((h) => `${terminalText(`Host ${h.name}: ${removalPhrase(h.removing!)}`)}\n`)
    .join('');
}
