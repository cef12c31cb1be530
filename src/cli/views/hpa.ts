// What `skiff get hpa` and `skiff describe hpa/NAME` print, laid out as kubectl prints them
// (printers.go printHorizontalPodAutoscaler, describe.go HorizontalPodAutoscalerDescriber).
// Pure: views and `now` in, text out.

import type { EventView, HpaView } from '../../model/views.js';
import { formatRfc1123Z, since } from './age.js';
import { eventsFor, writeEvents } from './events.js';
import { byNamespaceAndName } from './pods.js';
import { DescribeWriter, renderTable } from './table.js';

export interface HpaTableOptions {
  now: number;
  allNamespaces?: boolean;
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
