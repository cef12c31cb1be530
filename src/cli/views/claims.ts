// `skiff get pvc` (kubectl's columns: NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS
// VOLUMEATTRIBUTESCLASS AGE; skiff adds HOST in -o wide, where the volume lives) and
// `skiff describe pvc/NAME` (kubectl describe.go describePersistentVolumeClaim's layout). A
// claim without storageClassName shows skiff's one class. Pure.
import type { ClaimView, EventView } from '../../model/views.js';
import { since } from './age.js';
import { eventsFor, writeEvents } from './events.js';
import { byNamespaceAndName, type GetOptions } from './pods.js';
import { DescribeWriter, renderTable, writeLabelsMultiline } from './table.js';

/** The name `get pvc` shows for the class a claim without storageClassName gets. */
export const DEFAULT_CLASS = 'docker-local';

const SHORT_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

/** kubectl's GetAccessModesAsString: RWO,RWOP. */
export function accessModesText(modes: readonly string[]): string {
  return modes.map((m) => SHORT_MODES[m] ?? m).join(',');
}

const className = (c: ClaimView) => c.storageClass || DEFAULT_CLASS;

export function renderClaims(claims: readonly ClaimView[], opts: GetOptions): string {
  if (claims.length === 0) return 'No resources found.\n';
  const headers = ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'AGE'];
  if (opts.wide) headers.push('HOST', 'USED BY');
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = byNamespaceAndName([...claims]).map((c) => {
    const bound = c.status !== 'Pending';
    const row = [
      c.name,
      c.status,
      bound ? (c.volume ?? '') : '',
      bound ? c.capacity : '',
      bound ? accessModesText(c.accessModes) : '',
      className(c),
      since(c.createdAt, opts.now),
    ];
    if (opts.wide) row.push(c.host ?? '<none>', c.usedBy.length > 0 ? c.usedBy.join(',') : '<none>');
    if (opts.allNamespaces) row.unshift(c.namespace);
    return row;
  });
  return renderTable(headers, rows);
}

export function describeClaim(c: ClaimView, events: readonly EventView[], opts: { now: number }): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', c.name);
  w.line(0, 'Namespace:', c.namespace);
  w.line(0, 'App:', c.app);
  w.line(0, 'StorageClass:', className(c));
  w.line(0, 'Status:', c.status);
  w.line(0, 'Volume:', c.volume ?? '');
  writeLabelsMultiline(w, 'Labels', c.labels);
  writeLabelsMultiline(w, 'Annotations', c.annotations);
  w.line(0, 'Capacity:', c.status === 'Pending' ? '' : c.capacity);
  w.line(0, 'Access Modes:', c.status === 'Pending' ? '' : accessModesText(c.accessModes));
  w.line(0, 'VolumeMode:', c.volumeMode);
  w.line(0, 'Host:', c.host ?? '<none>');
  w.line(0, 'Used By:', c.usedBy.length > 0 ? c.usedBy[0]! : '<none>');
  for (const p of c.usedBy.slice(1)) w.line(0, '', p);
  if (c.status === 'Released')
    w.line(
      0,
      'Note:',
      `its claim left Git; the data is kept until: skiff delete pvc ${c.name} -n ${c.namespace}`,
    );
  writeEvents(w, eventsFor(events, c.namespace, `persistentvolumeclaim/${c.name}`), opts.now);
  return w.toString();
}
