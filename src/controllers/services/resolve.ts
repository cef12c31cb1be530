// From the admitted Services of every app to resolved Services: a cluster IP from the service
// range and node ports from 30000-32767 for each, chosen deterministically so that they are
// recovered from the manifests alone (no stored allocation): same Services in, same addresses
// out, on any daemon. Pure.
//
// Allocation: explicit spec.clusterIP / nodePort values are honoured first (in the sorted order
// of namespace/name, so a conflict always loses the same way). Every other Service starts at
// the FNV-32a hash of its namespace/name inside the range and probes linearly to the next free
// address, visiting Services in sorted order. A Service's address therefore only moves if a
// Service that sorts before it is added and hashes onto the very same slot.
import type { Labels, Service } from '../../model/k8s.js';
import { fnv1a32 } from '../../model/stable-hash.js';
import { type Cidr, cidrContains, formatIPv4, parseCidr, parseIPv4 } from './ipv4.js';

/** Kubernetes' default --service-node-port-range. */
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
export const CLUSTER_DOMAIN = 'cluster.local';

export interface ServiceSource {
  app: string;
  service: Service;
}

export interface ResolvedServicePort {
  name?: string;
  protocol: 'TCP' | 'UDP';
  port: number;
  targetPort: number | string;
  /** Set for NodePort and LoadBalancer Services. */
  nodePort?: number;
}

export interface ResolvedService {
  /** namespace/name */
  key: string;
  namespace: string;
  name: string;
  app: string;
  type: Service['spec']['type'];
  selector: Labels;
  /** The virtual IP; absent for headless (clusterIP None) and ExternalName Services, and for
   *  Services whose address could not be honoured (see problems). */
  clusterIP?: string;
  headless: boolean;
  externalName?: string;
  ports: ResolvedServicePort[];
  sessionAffinity: 'None' | 'ClientIP';
  affinityTimeoutSeconds: number;
}

/** Something about a Service skiff cannot do as written; reported as a Warning event. */
export interface ServiceProblem {
  namespace: string;
  /** The Service concerned. */
  name: string;
  reason:
    | 'ClusterIPOutOfRange'
    | 'ClusterIPAlreadyAllocated'
    | 'ClusterIPRangeFull'
    | 'NodePortAlreadyAllocated'
    | 'NodePortRangeFull'
    | 'DuplicateService'
    | 'ExternalNameUnsupported'
    | 'HeadlessUnsupported'
    | 'InvalidServiceCIDR';
  message: string;
}

export interface ResolvedServices {
  services: ResolvedService[];
  problems: ServiceProblem[];
}

const keyOf = (s: Service) => `${s.metadata.namespace}/${s.metadata.name}`;
const byKey = (a: ServiceSource, b: ServiceSource) =>
  compare(keyOf(a.service), keyOf(b.service)) || compare(a.app, b.app);
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Resolves every Service of every admitted app; problems are values, never thrown. */
export function resolveServices(sources: readonly ServiceSource[], serviceCIDR: string): ResolvedServices {
  const problems: ServiceProblem[] = [];
  const sorted = [...sources].sort(byKey);
  // One Service per namespace/name cluster-wide: the app sorting first keeps it.
  const unique: ServiceSource[] = [];
  for (const s of sorted) {
    const prev = unique[unique.length - 1];
    if (prev && keyOf(prev.service) === keyOf(s.service)) {
      problems.push(
        problem(
          s.service,
          'DuplicateService',
          `service/${s.service.metadata.name} is also defined by app ${prev.app}; app ${s.app}'s copy is ignored`,
        ),
      );
      continue;
    }
    unique.push(s);
  }
  const cidr = parseCidr(serviceCIDR);
  const ips = cidr
    ? allocateClusterIPs(
        unique.map((s) => s.service),
        cidr,
        problems,
      )
    : new Map<string, string>();
  if (!cidr && unique.length > 0) {
    const first = unique[0]!.service;
    problems.push(
      problem(
        first,
        'InvalidServiceCIDR',
        `service CIDR "${serviceCIDR}" is not an IPv4 CIDR: no Service gets a cluster IP`,
      ),
    );
  }
  const nodePorts = allocateNodePorts(
    unique.map((s) => s.service),
    problems,
  );
  const services = unique.map(({ app, service }): ResolvedService => {
    const spec = service.spec;
    const key = keyOf(service);
    if (spec.type === 'ExternalName' && spec.externalName && parseIPv4(spec.externalName) === undefined) {
      problems.push(
        problem(
          service,
          'ExternalNameUnsupported',
          `externalName "${spec.externalName}" is a host name: Docker's /etc/hosts entries take IP addresses only and skiff runs no DNS server, so pods cannot resolve service/${service.metadata.name}; use an IPv4 address as externalName`,
        ),
      );
    }
    if (spec.clusterIP === 'None') {
      problems.push(
        problem(
          service,
          'HeadlessUnsupported',
          `service/${service.metadata.name} is headless (clusterIP None): pods are reached through their hosts' published ports, so there is no per-pod address to publish; no name or rules are made for it`,
        ),
      );
    }
    return {
      key,
      namespace: service.metadata.namespace,
      name: service.metadata.name,
      app,
      type: spec.type,
      selector: spec.selector,
      clusterIP: ips.get(key),
      headless: spec.clusterIP === 'None',
      externalName: spec.type === 'ExternalName' ? spec.externalName : undefined,
      ports: spec.ports.map((p, i) => ({
        name: p.name,
        protocol: p.protocol,
        port: p.port,
        targetPort: p.targetPort,
        nodePort: nodePorts.get(`${key}#${i}`),
      })),
      sessionAffinity: spec.sessionAffinity,
      affinityTimeoutSeconds:
        spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS,
    };
  });
  return { services, problems };
}

function problem(s: Service, reason: ServiceProblem['reason'], message: string): ServiceProblem {
  return { namespace: s.metadata.namespace, name: s.metadata.name, reason, message };
}

function wantsClusterIP(s: Service): boolean {
  return s.spec.type !== 'ExternalName' && s.spec.clusterIP !== 'None';
}

/**
 * Cluster IPs by namespace/name for the Services that get one (not ExternalName, not headless).
 * The network and broadcast addresses of the range are never handed out, as upstream's
 * allocator. `services` need not be sorted; problems are appended.
 */
export function allocateClusterIPs(
  services: readonly Service[],
  cidr: Cidr,
  problems: ServiceProblem[] = [],
): Map<string, string> {
  const sorted = services.filter(wantsClusterIP).sort((a, b) => compare(keyOf(a), keyOf(b)));
  // Usable addresses: [first, first + count).
  const first = cidr.size > 2 ? cidr.base + 1 : cidr.base;
  const count = cidr.size > 2 ? cidr.size - 2 : cidr.size;
  const taken = new Set<number>();
  const out = new Map<string, string>();
  for (const s of sorted) {
    const explicit = s.spec.clusterIP;
    if (!explicit) continue;
    const ip = parseIPv4(explicit);
    if (ip === undefined || !cidrContains(cidr, ip) || ip < first || ip >= first + count) {
      problems.push(
        problem(
          s,
          'ClusterIPOutOfRange',
          `clusterIP ${explicit} is not a usable address of the service range ${cidr.text}: the Service gets no rules`,
        ),
      );
      continue;
    }
    if (taken.has(ip)) {
      problems.push(
        problem(
          s,
          'ClusterIPAlreadyAllocated',
          `clusterIP ${explicit} is already used by another Service: the Service gets no rules`,
        ),
      );
      continue;
    }
    taken.add(ip);
    out.set(keyOf(s), explicit);
  }
  for (const s of sorted) {
    if (s.spec.clusterIP) continue;
    if (taken.size >= count) {
      problems.push(
        problem(s, 'ClusterIPRangeFull', `no free address left in the service range ${cidr.text}`),
      );
      continue;
    }
    let slot = fnv1a32(keyOf(s)) % count;
    while (taken.has(first + slot)) slot = (slot + 1) % count;
    taken.add(first + slot);
    out.set(keyOf(s), formatIPv4(first + slot));
  }
  return out;
}

/**
 * Node ports by `namespace/name#portIndex` for NodePort and LoadBalancer Services: explicit
 * ones first, then hash-and-probe over 30000-32767. One number serves one Service on every
 * host; the same Service may use one number for its TCP and UDP port, as upstream allows.
 */
export function allocateNodePorts(
  services: readonly Service[],
  problems: ServiceProblem[] = [],
): Map<string, number> {
  const sorted = services
    .filter((s) => s.spec.type === 'NodePort' || s.spec.type === 'LoadBalancer')
    .sort((a, b) => compare(keyOf(a), keyOf(b)));
  const owner = new Map<number, string>();
  const out = new Map<string, number>();
  const count = NODE_PORT_MAX - NODE_PORT_MIN + 1;
  for (const s of sorted) {
    s.spec.ports.forEach((p, i) => {
      if (p.nodePort === undefined) return;
      const held = owner.get(p.nodePort);
      if (held !== undefined && held !== keyOf(s)) {
        problems.push(
          problem(
            s,
            'NodePortAlreadyAllocated',
            `nodePort ${p.nodePort} is already used by service ${held}: port ${p.port} gets no node port`,
          ),
        );
        return;
      }
      owner.set(p.nodePort, keyOf(s));
      out.set(`${keyOf(s)}#${i}`, p.nodePort);
    });
  }
  for (const s of sorted) {
    s.spec.ports.forEach((p, i) => {
      if (p.nodePort !== undefined) return;
      if (owner.size >= count) {
        problems.push(
          problem(s, 'NodePortRangeFull', `no free node port left in ${NODE_PORT_MIN}-${NODE_PORT_MAX}`),
        );
        return;
      }
      let slot = fnv1a32(`${keyOf(s)}/${p.name ?? ''}/${p.port}/${p.protocol}`) % count;
      while (owner.has(NODE_PORT_MIN + slot)) slot = (slot + 1) % count;
      owner.set(NODE_PORT_MIN + slot, keyOf(s));
      out.set(`${keyOf(s)}#${i}`, NODE_PORT_MIN + slot);
    });
  }
  return out;
}

/** The Services of admitted apps, as resolveServices takes them. */
export function serviceSourcesOf(
  apps: readonly { name: string; objects: readonly { kind: string }[] }[],
): ServiceSource[] {
  return apps.flatMap((a) =>
    a.objects.filter((o): o is Service => o.kind === 'Service').map((service) => ({ app: a.name, service })),
  );
}
