// Every Ready host's Service ruleset for one moment: the endpoints of the resolved Services over
// the observed pods (minus the pods whose deletion is starting), then one complete ruleset per
// Ready host. The reconcile pass calls it once per pass; the data plane's one-shot sync (tests,
// bench, cleanup) calls the same function. Pure.
import type { ObservedHost, ObservedPod } from '../../model/observed.js';
import type { HostRuleset } from '../../model/service-rules.js';
import { computeEndpoints, type ServiceEndpoints } from './endpoints.js';
import { planHostRules } from './host-rules.js';
import type { ResolvedService } from './resolve.js';

export interface ServiceRulesPlan {
  endpoints: ServiceEndpoints[];
  /** One ruleset per Ready host, in the hosts' order. */
  rulesets: HostRuleset[];
}

export function planServiceRules(
  services: readonly ResolvedService[],
  pods: readonly ObservedPod[],
  hosts: readonly ObservedHost[],
  serviceCIDR: string,
  /** Pods (`host/namespace/name`) to drop from every endpoint list now. */
  exclude?: ReadonlySet<string>,
): ServiceRulesPlan {
  const endpoints = computeEndpoints(services, pods, hosts, exclude);
  const rulesets = hosts
    .filter((h) => h.ready)
    .map((h) => planHostRules(h, services, endpoints, serviceCIDR));
  return { endpoints, rulesets };
}
