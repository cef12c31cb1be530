// Read models of Services and their endpoints for `skiff get services|endpoints`, the API and
// the dashboard, built from resolved Services, computed endpoints and the hosts. Pure.
//
// LoadBalancer: there is no cloud load balancer; a LoadBalancer Service is a NodePort Service
// whose status lists every Ready host's address as its external addresses (clients may use any
// of them, on the node port).
import type { ObservedHost } from '../../model/observed.js';
import type { EndpointsView, ServiceView } from '../../model/views.js';
import type { ServiceEndpoints } from './endpoints.js';
import type { ResolvedService } from './resolve.js';

export type { EndpointsView, ServiceView };

export function buildServiceViews(
  services: readonly ResolvedService[],
  endpoints: readonly ServiceEndpoints[],
  hosts: readonly ObservedHost[],
): { services: ServiceView[]; endpoints: EndpointsView[] } {
  const readyAddresses = hosts.filter((h) => h.ready).map((h) => h.address);
  const byKey = new Map(endpoints.map((e) => [e.key, e]));
  return {
    services: services.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      app: s.app,
      type: s.type,
      clusterIP: s.headless ? 'None' : s.clusterIP,
      externalIPs: s.type === 'LoadBalancer' ? readyAddresses : [],
      externalName: s.externalName,
      ports: s.ports.map((p) =>
        p.nodePort !== undefined ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`,
      ),
      selector: s.selector,
      sessionAffinity: s.sessionAffinity,
    })),
    endpoints: services
      .filter((s) => s.type !== 'ExternalName')
      .map((s) => ({
        namespace: s.namespace,
        name: s.name,
        app: s.app,
        endpoints: (byKey.get(s.key)?.ports ?? []).flatMap((p) =>
          p.endpoints.map((e) => `${e.address}:${e.port}`),
        ),
      })),
  };
}
