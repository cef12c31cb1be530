// What a new pod learns about Services when it starts: Kubernetes' service environment
// variables and skiff's stand-in for cluster DNS, /etc/hosts entries. Both are fixed at pod
// creation (the env vars are on Kubernetes too; the names are skiff's limit, having no DNS
// server): a Service created later is reachable from older pods by its cluster IP only. Pure.
import type { DesiredEnvVar } from '../../model/desired.js';
import { parseIPv4 } from './ipv4.js';
import { CLUSTER_DOMAIN, type ResolvedService } from './resolve.js';

/**
 * The kubelet's service link variables for a pod in `namespace`: every Service of that
 * namespace with a cluster IP (headless and ExternalName ones have none and are skipped).
 * Port of k8s.io/kubernetes pkg/kubelet/envvars/envvars.go (FromServices, makeLinkVariables);
 * the kubelet's map order is random, ours is by Service name.
 */
export function serviceEnvVars(namespace: string, services: readonly ResolvedService[]): DesiredEnvVar[] {
  const out: DesiredEnvVar[] = [];
  const add = (name: string, value: string) => out.push({ name, value, secret: false });
  const mine = services
    .filter((s) => s.namespace === namespace && s.clusterIP !== undefined && s.ports.length > 0)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const s of mine) {
    const ip = s.clusterIP!;
    const prefix = envVariableName(s.name);
    add(`${prefix}_SERVICE_HOST`, ip);
    const portVar = `${prefix}_SERVICE_PORT`;
    add(portVar, String(s.ports[0]!.port));
    for (const p of s.ports) if (p.name) add(`${portVar}_${envVariableName(p.name)}`, String(p.port));
    // Docker-compatible link variables; Docker special-cases the first port.
    s.ports.forEach((p, i) => {
      const proto = p.protocol.toLowerCase();
      const url = `${proto}://${ip}:${p.port}`;
      if (i === 0) add(`${prefix}_PORT`, url);
      const portPrefix = `${prefix}_PORT_${p.port}_${p.protocol.toUpperCase()}`;
      add(portPrefix, url);
      add(`${portPrefix}_PROTO`, proto);
      add(`${portPrefix}_PORT`, String(p.port));
      add(`${portPrefix}_ADDR`, ip);
    });
  }
  return out;
}

/** envvars.go makeEnvVariableName: upper case, dashes to underscores. */
export function envVariableName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

/**
 * /etc/hosts entries standing in for cluster DNS, for a pod in `namespace`:
 * `<svc>.<ns>`, `<svc>.<ns>.svc` and `<svc>.<ns>.svc.cluster.local` for every Service with an
 * address, and the bare `<svc>` only for Services of the pod's own namespace (what a pod's DNS
 * search path resolves). An ExternalName Service whose externalName is an IPv4 address maps its
 * names to that address; one with a host name cannot be expressed (no CNAME in /etc/hosts).
 */
export function serviceHostAliases(
  namespace: string,
  services: readonly ResolvedService[],
): { hostname: string; ip: string }[] {
  const out: { hostname: string; ip: string }[] = [];
  for (const s of services) {
    const ip =
      s.clusterIP ??
      (s.type === 'ExternalName' && s.externalName && parseIPv4(s.externalName) !== undefined
        ? s.externalName
        : undefined);
    if (!ip) continue;
    if (s.namespace === namespace) out.push({ hostname: s.name, ip });
    const qualified = `${s.name}.${s.namespace}`;
    out.push(
      { hostname: qualified, ip },
      { hostname: `${qualified}.svc`, ip },
      { hostname: `${qualified}.svc.${CLUSTER_DOMAIN}`, ip },
    );
  }
  return out;
}
