// `skiff get pods|deployments|services|endpoints|configmaps|secrets|pvc|events|hpa [-o wide|json]`:
// kubectl's tables.
import type { Command } from 'commander';
import { UsageError } from '../../model/errors.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { outputFormat, printJson, printText } from '../output.js';
import { readClusterView, readEvents } from '../read-cluster.js';
import {
  renderClaims,
  renderConfigMaps,
  renderDeployments,
  renderEvents,
  renderPods,
  renderSecrets,
} from '../views/index.js';
import { renderEndpoints, renderServices } from '../views/services.js';
import { printHpas } from './get-hpa.js';

const ALIASES: Record<string, string> = {
  po: 'pods',
  pod: 'pods',
  pods: 'pods',
  deploy: 'deployments',
  deployment: 'deployments',
  deployments: 'deployments',
  cm: 'configmaps',
  configmap: 'configmaps',
  configmaps: 'configmaps',
  secret: 'secrets',
  secrets: 'secrets',
  ev: 'events',
  event: 'events',
  events: 'events',
  svc: 'services',
  service: 'services',
  services: 'services',
  ep: 'endpoints',
  endpoints: 'endpoints',
  pvc: 'pvc',
  persistentvolumeclaim: 'pvc',
  persistentvolumeclaims: 'pvc',
  hpa: 'hpa',
  horizontalpodautoscaler: 'hpa',
  horizontalpodautoscalers: 'hpa',
};

export function registerGet(program: Command): void {
  clusterFlags(
    program
      .command('get')
      .description(
        'list objects as kubectl does: pods, deployments, services, endpoints, configmaps, secrets, pvc, events, hpa',
      )
      .argument(
        '<kind>',
        'pods | deployments | services | endpoints | configmaps | secrets | pvc | events | hpa',
      )
      .option('-o, --output <format>', 'text | wide | json', 'text')
      .option('-n, --namespace <ns>', 'only this namespace')
      .option('-A, --all-namespaces', 'every namespace'),
  ).action(
    async (
      kindArg: string,
      opts: ClusterOptions & { output: string; namespace?: string; allNamespaces?: boolean },
    ) => {
      const kind = ALIASES[kindArg.toLowerCase()];
      if (!kind)
        throw new UsageError(
          `unknown resource type "${kindArg}"`,
          'use pods, deployments, services, endpoints, configmaps, secrets, pvc, events or hpa',
        );
      const format = outputFormat(opts.output, ['text', 'wide', 'json']);
      const config = await loadCliConfig(opts);
      const now = Date.now();
      const ns = opts.allNamespaces ? undefined : (opts.namespace ?? 'default');
      const inNs = <T extends { namespace: string }>(xs: T[]) =>
        ns ? xs.filter((x) => x.namespace === ns) : xs;
      const table = { now, wide: format === 'wide', allNamespaces: !!opts.allNamespaces };
      if (kind === 'hpa') return printHpas(config, { namespace: ns, json: format === 'json', now });
      if (kind === 'events') {
        const events = inNs(await readEvents(config));
        if (format === 'json') return printJson(events);
        printText(renderEvents(events, table));
        return;
      }
      const view = await readClusterView(config);
      switch (kind) {
        case 'pods': {
          const pods = inNs(view.pods);
          if (format === 'json') return printJson(pods);
          printText(renderPods(pods, table));
          return;
        }
        case 'deployments': {
          const deps = inNs(view.deployments);
          if (format === 'json') return printJson(deps);
          printText(renderDeployments(deps, { ...table, pods: view.pods }));
          return;
        }
        case 'services': {
          const services = inNs(view.services);
          if (format === 'json') return printJson(services);
          printText(renderServices(services, table));
          return;
        }
        case 'endpoints': {
          const endpoints = inNs(view.endpoints);
          if (format === 'json') return printJson(endpoints);
          printText(renderEndpoints(endpoints, table));
          return;
        }
        case 'pvc': {
          const claims = inNs(view.claims ?? []);
          if (format === 'json') return printJson(claims);
          printText(renderClaims(claims, table));
          return;
        }
        case 'configmaps':
        case 'secrets': {
          const configs = inNs(view.configs).filter(
            (c) => c.kind === (kind === 'configmaps' ? 'ConfigMap' : 'Secret'),
          );
          if (format === 'json') return printJson(configs);
          printText(kind === 'configmaps' ? renderConfigMaps(configs, table) : renderSecrets(configs, table));
          return;
        }
      }
    },
  );
}
