// `skiff describe service/NAME`: kubectl describe's layout for a Service (describe.go
// describeService), from skiff's Service and endpoint read models. Pure.
import type { EndpointsView, EventView, ServiceView } from '../../model/views.js';
import { eventsFor, writeEvents } from './events.js';
import { DescribeWriter } from './table.js';

export interface DescribeServiceOptions {
  now: number;
}

export function describeService(
  svc: ServiceView,
  endpoints: EndpointsView | undefined,
  events: readonly EventView[],
  opts: DescribeServiceOptions,
): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', svc.name);
  w.line(0, 'Namespace:', svc.namespace);
  w.line(0, 'App:', svc.app);
  const selector = Object.keys(svc.selector)
    .sort()
    .map((k) => `${k}=${svc.selector[k]}`)
    .join(',');
  w.line(0, 'Selector:', selector || '<none>');
  w.line(0, 'Type:', svc.type);
  if (svc.clusterIP !== undefined) {
    w.line(0, 'IP:', svc.clusterIP);
    w.line(0, 'IPs:', svc.clusterIP);
  }
  if (svc.externalName) w.line(0, 'External Name:', svc.externalName);
  if (svc.type === 'LoadBalancer')
    w.line(0, 'LoadBalancer Ingress:', svc.externalIPs.length > 0 ? svc.externalIPs.join(', ') : '<pending>');
  for (const p of svc.ports) {
    // `80/TCP` or `80:30080/TCP`
    const m = /^(\d+)(?::(\d+))?\/(\w+)$/.exec(p);
    if (!m) continue;
    w.line(0, 'Port:', `<unset>  ${m[1]}/${m[3]}`);
    if (m[2]) w.line(0, 'NodePort:', `<unset>  ${m[2]}/${m[3]}`);
  }
  if (svc.type !== 'ExternalName') {
    const list = endpoints?.endpoints ?? [];
    w.line(0, 'Endpoints:', list.length > 0 ? list.join(',') : '<none>');
  }
  w.line(0, 'Session Affinity:', svc.sessionAffinity);
  writeEvents(w, eventsFor(events, svc.namespace, `service/${svc.name}`), opts.now);
  return w.toString();
}
