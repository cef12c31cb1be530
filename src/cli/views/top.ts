// What `skiff top pods` and `skiff top hosts` print, laid out as kubectl top prints it
// (TopCmdPrinter): usage sums per pod or host from one stats sweep. Pure: samples in, text out.

import { terminalText } from '../../diff/terminal-text.js';
import type { ContainerStats } from '../../model/container-stats.js';
import { byNamespaceAndName } from './pods.js';
import { GET_TABLE } from './table.js';
import { formatTabbed } from './tabwriter.js';

/** CPU as `kubectl top` prints it: whole millicores, rounded up like MilliValue ("250m"). */
export function formatTopCpu(cpuMilli: number): string {
  return `${Math.ceil(cpuMilli)}m`;
}

/** Memory as `kubectl top` prints it: whole mebibytes, truncated ("64Mi"). */
export function formatTopMemory(memoryBytes: number): string {
  return `${Math.trunc(memoryBytes / (1024 * 1024))}Mi`;
}

/** One pod's usage for `top pods`. */
export interface TopPodRow {
  namespace: string;
  name: string;
  cpuMilli: number;
  memoryBytes: number;
}

/** Sums container stats per pod (every container that was sampled). */
export function topPodRows(
  stats: readonly Pick<ContainerStats, 'namespace' | 'pod' | 'cpuMilli' | 'memoryBytes'>[],
): TopPodRow[] {
  const rows = new Map<string, TopPodRow>();
  for (const s of stats) {
    const key = `${s.namespace}/${s.pod}`;
    const row = rows.get(key) ?? { namespace: s.namespace, name: s.pod, cpuMilli: 0, memoryBytes: 0 };
    row.cpuMilli += s.cpuMilli;
    row.memoryBytes += s.memoryBytes;
    rows.set(key, row);
  }
  return byNamespaceAndName([...rows.values()]);
}

/** `skiff top pods`: NAME CPU(cores) MEMORY(bytes) (NAMESPACE first with -A). */
export function renderTopPods(rows: readonly TopPodRow[], opts: { allNamespaces?: boolean } = {}): string {
  if (rows.length === 0) return 'No resources found.\n';
  const headers = ['NAME', 'CPU(cores)', 'MEMORY(bytes)'];
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  return renderTopTable(
    headers,
    rows.map((r) => {
      const row = [r.name, formatTopCpu(r.cpuMilli), formatTopMemory(r.memoryBytes)];
      if (opts.allNamespaces) row.unshift(r.namespace);
      return row;
    }),
  );
}

/** One host's usage for `top hosts`: what skiff's pods there use, against its capacity. */
export interface TopHostRow {
  name: string;
  ready: boolean;
  cpuMilli: number;
  memoryBytes: number;
  capacity: { cpuMilli: number; memoryBytes: number };
}

export function topHostRows(
  hosts: readonly { name: string; ready: boolean; capacity: { cpuMilli: number; memoryBytes: number } }[],
  stats: readonly Pick<ContainerStats, 'host' | 'cpuMilli' | 'memoryBytes'>[],
): TopHostRow[] {
  return hosts.map((h) => {
    const mine = stats.filter((s) => s.host === h.name);
    return {
      name: h.name,
      ready: h.ready,
      cpuMilli: mine.reduce((a, s) => a + s.cpuMilli, 0),
      memoryBytes: mine.reduce((a, s) => a + s.memoryBytes, 0),
      capacity: h.capacity,
    };
  });
}

/** kubectl top node's percent: usage * 100 / allocatable, truncated. */
function percentOf(part: number, whole: number): string {
  return whole > 0 ? `${Math.trunc((part * 100) / whole)}%` : '<unknown>';
}

/** `skiff top hosts`: NAME CPU(cores) CPU% MEMORY(bytes) MEMORY%; a host without metrics
 *  (NotReady) shows `<unknown>`, as kubectl top node shows a node metrics-server missed. */
export function renderTopHosts(rows: readonly TopHostRow[]): string {
  if (rows.length === 0) return 'No resources found.\n';
  return renderTopTable(
    ['NAME', 'CPU(cores)', 'CPU%', 'MEMORY(bytes)', 'MEMORY%'],
    rows.map((r) =>
      r.ready
        ? [
            r.name,
            formatTopCpu(r.cpuMilli),
            percentOf(r.cpuMilli, r.capacity.cpuMilli),
            formatTopMemory(r.memoryBytes),
            percentOf(r.memoryBytes, r.capacity.memoryBytes),
          ]
        : [r.name, '<unknown>', '<unknown>', '<unknown>', '<unknown>'],
    ),
  );
}

/** kubectl top prints its headers as they are (`CPU(cores)`), where `get` upper-cases them;
 *  same tabwriter settings as `get`. */
function renderTopTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [headers, ...rows].map((r) => r.map(terminalText).join('\t'));
  return formatTabbed(`${lines.join('\n')}\n`, GET_TABLE);
}
