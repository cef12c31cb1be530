// Endpoints: for each Service port, the pods that should receive its traffic, as the
// endpoints controller picks them: pods of the Service's namespace matching its selector,
// Ready and not terminating, with targetPort resolved per pod (by number, or by the name of a
// container port, as podutil.FindPort). Pods are reached at their host's address and the host
// port Docker published for the container port; on their own host, at their bridge IP. Pure.

import { serviceSelectorMatches } from '../../manifest/label-selector.js';
import type { ObservedHost, ObservedPod } from '../../model/observed.js';
import { podReadiness } from '../pod-status.js';
import type { ResolvedService, ResolvedServicePort } from './resolve.js';

export interface ServiceEndpoint {
  host: string;
  namespace: string;
  pod: string;
  /** The pod's host address and the published host port: how any host reaches it. */
  address: string;
  port: number;
  /** The pod's bridge IP and container port: how its own host reaches it directly. */
  podIP?: string;
  containerPort: number;
}

export interface ServicePortEndpoints {
  port: ResolvedServicePort;
  endpoints: ServiceEndpoint[];
}

export interface ServiceEndpoints {
  /** namespace/name of the Service. */
  key: string;
  ports: ServicePortEndpoints[];
}

/** `host/namespace/name`: the key of pods to leave out (their deletion is starting). */
export const endpointPodKey = (p: { host: string; namespace: string; name: string }) =>
  `${p.host}/${p.namespace}/${p.name}`;

export function computeEndpoints(
  services: readonly ResolvedService[],
  pods: readonly ObservedPod[],
  hosts: readonly ObservedHost[],
  exclude: ReadonlySet<string> = new Set(),
): ServiceEndpoints[] {
  const readyHosts = new Map(hosts.filter((h) => h.ready).map((h) => [h.name, h]));
  const serving = pods.filter(
    (p) =>
      !p.terminating &&
      !p.unreachable &&
      readyHosts.has(p.host) &&
      (exclude.size === 0 || !exclude.has(endpointPodKey(p))) &&
      podReadiness(p).ready,
  );
  return services.map((s) => {
    const selected =
      s.type === 'ExternalName'
        ? []
        : serving.filter((p) => p.namespace === s.namespace && serviceSelectorMatches(s.selector, p.labels));
    return {
      key: s.key,
      ports: s.ports.map((port) => ({
        port,
        endpoints: selected
          .flatMap((p) => {
            const e = endpointOf(p, port, readyHosts.get(p.host)!);
            return e ? [e] : [];
          })
          .sort((a, b) => compareEndpoints(a, b)),
      })),
    };
  });
}

function compareEndpoints(a: ServiceEndpoint, b: ServiceEndpoint): number {
  const x = `${a.address}:${a.port}`;
  const y = `${b.address}:${b.port}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

function endpointOf(
  pod: ObservedPod,
  port: ResolvedServicePort,
  host: ObservedHost,
): ServiceEndpoint | undefined {
  const containerPort = resolveTargetPort(pod, port);
  if (containerPort === undefined) return undefined;
  const published = pod.publishedPorts.find(
    (pp) => pp.containerPort === containerPort && pp.protocol === port.protocol,
  );
  // Not published: no host can reach it from outside its bridge, so it cannot serve.
  if (!published) return undefined;
  return {
    host: pod.host,
    namespace: pod.namespace,
    pod: pod.name,
    address: host.address,
    port: published.hostPort,
    podIP: pod.ip,
    containerPort,
  };
}

/** podutil.FindPort: a number is used as is; a name must match a container port of the pod
 *  with the same protocol. */
export function resolveTargetPort(pod: ObservedPod, port: ResolvedServicePort): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  for (const c of pod.spec?.containers ?? []) {
    for (const cp of c.ports)
      if (cp.name === port.targetPort && cp.protocol === port.protocol) return cp.containerPort;
  }
  return undefined;
}
