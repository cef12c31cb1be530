// `skiff get services` (NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) [SELECTOR]) and
// `skiff get endpoints` (NAME ENDPOINTS), as kubectl prints them (printService,
// formatEndpoints in k8s.io/kubernetes pkg/printers/internalversion/printers.go). skiff keeps
// no creation time for Services, so there is no AGE column. Pure.

import { terminalText } from '../../diff/terminal-text.js';
import type { EndpointsView, ServiceView } from '../../model/views.js';
import { formatTabbed } from './tabwriter.js';

export interface ServiceTableOptions {
  wide?: boolean;
  allNamespaces?: boolean;
}

const GET_TABLE = { minWidth: 6, padding: 3 } as const;
/** kubectl's loadBalancerWidth: longer EXTERNAL-IP lists are cut unless -o wide. */
const LOAD_BALANCER_WIDTH = 16;

function table(headers: string[], rows: string[][]): string {
  const lines = [headers, ...rows].map((r) => r.map(terminalText).join('\t'));
  return formatTabbed(`${lines.join('\n')}\n`, GET_TABLE);
}

function sorted<T extends { namespace: string; name: string }>(items: readonly T[]): T[] {
  const key = (x: T) => `${x.namespace}\u0000${x.name}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** getServiceExternalIP: LoadBalancer ingress addresses, `<pending>` when none; the
 *  externalName of an ExternalName Service; `<none>` otherwise. */
export function formatExternalIP(s: ServiceView, wide: boolean): string {
  switch (s.type) {
    case 'LoadBalancer': {
      if (s.externalIPs.length === 0) return '<pending>';
      const text = s.externalIPs.join(',');
      return !wide && text.length > LOAD_BALANCER_WIDTH
        ? `${text.slice(0, LOAD_BALANCER_WIDTH - 3)}...`
        : text;
    }
    case 'ExternalName':
      return s.externalName ?? '<none>';
    default:
      return '<none>';
  }
}

export function renderServices(services: readonly ServiceView[], opts: ServiceTableOptions = {}): string {
  if (services.length === 0) return 'No resources found.\n';
  const headers = ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'];
  if (opts.wide) headers.push('SELECTOR');
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = sorted(services).map((s) => {
    const row = [
      s.name,
      s.type,
      s.clusterIP ?? '<none>',
      formatExternalIP(s, opts.wide ?? false),
      s.ports.length > 0 ? s.ports.join(',') : '<none>',
    ];
    if (opts.wide) {
      const keys = Object.keys(s.selector).sort();
      row.push(keys.length > 0 ? keys.map((k) => `${k}=${s.selector[k]}`).join(',') : '<none>');
    }
    if (opts.allNamespaces) row.unshift(s.namespace);
    return row;
  });
  return table(headers, rows);
}

/** formatEndpoints: the first three `ip:port`, then ` + N more...`; `<none>` when empty. */
export function formatEndpointList(endpoints: readonly string[]): string {
  if (endpoints.length === 0) return '<none>';
  const max = 3;
  const shown = endpoints.slice(0, max).join(',');
  return endpoints.length > max ? `${shown} + ${endpoints.length - max} more...` : shown;
}

export function renderEndpoints(endpoints: readonly EndpointsView[], opts: ServiceTableOptions = {}): string {
  if (endpoints.length === 0) return 'No resources found.\n';
  const headers = ['NAME', 'ENDPOINTS'];
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = sorted(endpoints).map((e) => {
    const row = [e.name, formatEndpointList(e.endpoints)];
    if (opts.allNamespaces) row.unshift(e.namespace);
    return row;
  });
  return table(headers, rows);
}
