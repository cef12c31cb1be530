// What `skiff get hpa`, `skiff describe hpa/NAME` and `skiff top pods|hosts` print, laid out as
// kubectl prints them (printers.go printHorizontalPodAutoscaler, describe.go
// HorizontalPodAutoscalerDescriber, kubectl top's TopCmdPrinter). Pure: views and `now` in,
// text out.

import { formatTopCpu, formatTopMemory } from '../../controllers/pod-metrics.js';
import { formatTabbed } from '../../diff/tabwriter.js';
import type { EventView, HpaView } from '../../model/views.js';
import type { ContainerStats } from '../../runtime/runtime.js';
import { formatRfc1123Z, since } from './age.js';
import { eventsFor, writeEvents } from './events.js';
import { DescribeWriter, GET_TABLE, renderTable } from './table.js';

export interface HpaTableOptions {
  now: number;
  allNamespaces?: boolean;
}

function byNamespaceAndName<T extends { namespace: string; name: string }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) =>
    a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace),
  );
}

/** `skiff get hpa`: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE. */
export function renderHpaTable(hpas: readonly HpaView[], opts: HpaTableOptions): string {
  if (hpas.length === 0) return 'No resources found.\n';
  const headers = ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'];
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = byNamespaceAndName(hpas).map((h) => {
    const row = [
      h.name,
      h.reference,
      h.targets,
      String(h.minReplicas),
      String(h.maxReplicas),
      String(h.currentReplicas),
      since(h.createdAt, opts.now),
    ];
    if (opts.allNamespaces) row.unshift(h.namespace);
    return row;
  });
  return renderTable(headers, rows);
}

/** `skiff describe hpa/NAME`: kubectl's block, then skiff's record of recent decisions with
 *  their reasons (newest first), then the events. */
export function describeHpa(hpa: HpaView, events: readonly EventView[], opts: { now: number }): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', hpa.name);
  w.line(0, 'Namespace:', hpa.namespace);
  if (hpa.createdAt !== undefined) w.line(0, 'CreationTimestamp:', formatRfc1123Z(hpa.createdAt));
  w.line(0, 'Reference:', hpa.reference);
  w.line(0, 'App:', hpa.app);
  w.line(0, 'Metrics:', '( current / target )');
  for (const m of hpa.metrics) {
    const percent = m.target.endsWith('%');
    w.line(
      1,
      percent ? `resource ${m.name} on pods  (as a percentage of request):` : `resource ${m.name} on pods:`,
      `${m.current} / ${m.target}`,
    );
  }
  w.line(0, 'Min replicas:', String(hpa.minReplicas));
  w.line(0, 'Max replicas:', String(hpa.maxReplicas));
  const kind = hpa.reference.split('/')[0] ?? 'Deployment';
  w.line(0, `${kind} pods:`, `${hpa.currentReplicas} current / ${hpa.desiredReplicas} desired`);
  if (hpa.lastScaleTime !== undefined) w.line(0, 'Last scale:', formatRfc1123Z(hpa.lastScaleTime));
  if (hpa.conditions.length > 0) {
    w.write(0, 'Conditions:\n');
    w.line(1, 'Type', 'Status', 'Reason', 'Message');
    w.line(1, '----', '------', '------', '-------');
    for (const c of hpa.conditions) w.line(1, c.type, c.status, c.reason, c.message);
  }
  if (hpa.decisions.length === 0) w.line(0, 'Decisions:', '<none>');
  else {
    w.flush();
    w.write(0, 'Decisions:\n');
    w.line(1, 'Age', 'Replicas', 'Reason', 'Message');
    w.line(1, '---', '--------', '------', '-------');
    for (const d of hpa.decisions) {
      const age =
        d.count > 1
          ? `${since(d.lastAt, opts.now)} (x${d.count} over ${since(d.at, opts.now)})`
          : since(d.at, opts.now);
      w.line(1, age, `${d.currentReplicas} -> ${d.desiredReplicas}`, d.reason, d.message);
    }
    // The table is its own alignment region: the Events line must not line up with it.
    w.flush();
  }
  writeEvents(w, eventsFor(events, hpa.namespace, `horizontalpodautoscaler/${hpa.name}`), opts.now);
  return w.toString();
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
  const lines = [headers, ...rows].map((r) => r.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t'));
  return formatTabbed(`${lines.join('\n')}\n`, GET_TABLE);
}
