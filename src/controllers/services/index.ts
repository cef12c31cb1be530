// Services: Kubernetes Service semantics on plain Docker hosts, programmed into each host's
// kernel as kube-proxy's iptables mode does, over SSH, with no agent on the hosts.
// Pure planning, one controller beside the others: resolve (cluster IPs, node ports), endpoints,
// host-rules (each host's ruleset, reading and diffing a host's state, the apply script),
// pod-service-links (env vars, /etc/hosts), views. The SSH side is src/runtime/
// service-data-plane.ts; `get services|endpoints` render in src/cli/views/services.ts.
// Invariants: cluster IPs and node ports are a function of the
// Services alone (no stored allocation); endpoints are Ready, non-terminating pods only; every
// address of the service range is either translated or refused on every programmed host.

export type { ServiceEndpoint, ServiceEndpoints, ServicePortEndpoints } from './endpoints.js';
export { computeEndpoints, endpointPodKey, resolveTargetPort } from './endpoints.js';
export type { HostRuleState, HostRuleset } from './host-rules.js';
export { hostRulesMatch, parseHostRuleState, planHostRules, planHostRulesApply } from './host-rules.js';
export { envVariableName, serviceEnvVars, serviceHostAliases } from './pod-service-links.js';
export type { ResolvedService, ResolvedServicePort, ServiceProblem, ServiceSource } from './resolve.js';
export {
  allocateClusterIPs,
  allocateNodePorts,
  NODE_PORT_MAX,
  NODE_PORT_MIN,
  resolveServices,
} from './resolve.js';
export type { EndpointsView, ServiceView } from './views.js';
export { buildServiceViews } from './views.js';
