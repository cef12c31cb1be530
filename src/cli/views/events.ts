// Events as kubectl shows them: the `get events` table and the Events block that ends every
// `describe`. Pure.
import type { EventView } from '../../model/views.js';
import { since } from './age.js';
import type { DescribeWriter } from './table.js';
import { renderTable } from './table.js';

/** Oldest first, as kubectl's SortableEvents (by last occurrence). */
export function sortEvents(events: readonly EventView[]): EventView[] {
  return [...events].sort((a, b) => a.lastTimestamp - b.lastTimestamp);
}

export interface EventGetOptions {
  now: number;
  wide?: boolean;
  allNamespaces?: boolean;
}

/** `skiff get events`: LAST SEEN TYPE REASON OBJECT MESSAGE (kubectl's printEvent); wide adds
 *  FIRST SEEN and COUNT. */
export function renderEvents(events: readonly EventView[], opts: EventGetOptions): string {
  if (events.length === 0) return 'No resources found.\n';
  const headers = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];
  if (opts.wide) headers.push('FIRST SEEN', 'COUNT');
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = sortEvents(events).map((e) => {
    const row = [since(e.lastTimestamp, opts.now), e.type, e.reason, e.object, e.message.trim()];
    if (opts.wide) row.push(since(e.firstTimestamp, opts.now), String(Math.max(1, e.count)));
    if (opts.allNamespaces) row.unshift(e.namespace);
    return row;
  });
  return renderTable(headers, rows);
}

/** describe's Age cell: "5s", or "5s (x3 over 2m)" for a repeated event (DescribeEvents). */
export function eventAge(e: EventView, now: number): string {
  const first = since(e.firstTimestamp, now);
  return e.count > 1 ? `${since(e.lastTimestamp, now)} (x${e.count} over ${first})` : first;
}

/** The events about one object (`pod/web-1` in `default`). */
export function eventsFor(events: readonly EventView[], namespace: string, object: string): EventView[] {
  return events.filter((e) => e.namespace === namespace && e.object === object);
}

/** kubectl's DescribeEvents. Every skiff event comes from skiff itself: From is `skiff`. */
export function writeEvents(w: DescribeWriter, events: readonly EventView[], now: number): void {
  if (events.length === 0) {
    w.line(0, 'Events:', '<none>');
    return;
  }
  w.flush();
  w.write(0, 'Events:\n');
  w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message');
  w.line(1, '----', '------', '----', '----', '-------');
  for (const e of sortEvents(events))
    w.line(1, e.type, e.reason, eventAge(e, now), 'skiff', e.message.trim());
}
