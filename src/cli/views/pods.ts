// `skiff get pods [-o wide]`: kubectl's pod table. Pure.
// Columns as kubectl: NAME READY STATUS RESTARTS AGE; wide adds IP, NODE (the host), REVISION
// (the pod template hash), CONDITIONS (the conditions that are not True, as `Type=Status`, or
// `<none>` when all are) and LAST PROBE FAILURE (the most recent, with its age and message).
import type { PodView } from '../../model/views.js';
import { since } from './age.js';
import { orNone, renderTable } from './table.js';

export interface GetOptions {
  now: number;
  wide?: boolean;
  /** `-A`: a NAMESPACE column first, as kubectl. */
  allNamespaces?: boolean;
}

export function byNamespaceAndName<T extends { namespace: string; name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) =>
    a.namespace === b.namespace
      ? a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0
      : a.namespace < b.namespace
        ? -1
        : 1,
  );
}

/** kubectl's RESTARTS: the count, and since v1.22 how long ago the last restart was. */
export function formatRestarts(pod: PodView, now: number): string {
  const restarted = pod.containers.filter((c) => c.restartCount > 0 && c.startedAt !== undefined);
  if (pod.restarts === 0 || restarted.length === 0) return String(pod.restarts);
  const last = Math.max(...restarted.map((c) => c.startedAt!));
  return `${pod.restarts} (${since(last, now)} ago)`;
}

export function formatConditionSummary(pod: PodView): string {
  return orNone(
    pod.conditions
      .filter((c) => c.status !== 'True')
      .map((c) => `${c.type}=${c.status}`)
      .join(','),
  );
}

export function formatLastProbeFailure(pod: PodView, now: number): string {
  let latest: { container: string; at: number; probe: string; message: string } | undefined;
  for (const c of pod.containers) {
    const f = c.lastProbeFailure;
    if (f && (!latest || f.at > latest.at)) latest = { container: c.name, ...f };
  }
  if (!latest) return '<none>';
  const who = pod.containers.length > 1 ? `${latest.container} ` : '';
  return `${who}${latest.probe} ${since(latest.at, now)} ago: ${latest.message}`;
}

export function renderPods(pods: readonly PodView[], opts: GetOptions): string {
  if (pods.length === 0) return 'No resources found.\n';
  const headers = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];
  if (opts.wide) headers.push('IP', 'NODE', 'REVISION', 'CONDITIONS', 'LAST PROBE FAILURE');
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = byNamespaceAndName(pods).map((p) => {
    const row = [
      p.name,
      `${p.ready.ready}/${p.ready.total}`,
      p.status,
      formatRestarts(p, opts.now),
      since(p.createdAt, opts.now),
    ];
    if (opts.wide) {
      row.push(
        orNone(p.ip),
        orNone(p.host),
        orNone(p.templateHash),
        formatConditionSummary(p),
        formatLastProbeFailure(p, opts.now),
      );
    }
    if (opts.allNamespaces) row.unshift(p.namespace);
    return row;
  });
  return renderTable(headers, rows);
}
