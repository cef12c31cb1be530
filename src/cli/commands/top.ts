// `skiff top pods|hosts`: current CPU and memory as `kubectl top` shows them. From the daemon's
// latest metrics sweep when one runs; else one sweep here, straight through the runtime (it
// reads the cgroup counters twice, a second apart, for the CPU rates).
// Host usage is the sum of skiff's pods on the host, against the engine's capacity.
import type { Command } from 'commander';
import type { ClusterConfig } from '../../config/cluster-config.js';
import { UsageError } from '../../model/errors.js';
import type { ObservedHost } from '../../model/observed.js';
import { systemClock } from '../../runtime/clock.js';
import { DockerRuntime } from '../../runtime/docker-runtime.js';
import { MetricsSampler, type MetricsSweep } from '../../runtime/metrics-sampler.js';
import { type ClusterOptions, clusterFlags, connectDaemon, loadCliConfig } from '../cli-context.js';
import { outputFormat, printErrorLine, printJson, printText } from '../output.js';
import { withRemovingHosts } from '../reachable-hosts.js';
import { renderTopHosts, renderTopPods, topHostRows, topPodRows } from '../views/top.js';

export async function readUsage(
  config: ClusterConfig,
): Promise<{ hosts: ObservedHost[]; sweep: MetricsSweep }> {
  const daemon = await connectDaemon(config);
  if (daemon) {
    const r = await daemon.get<{ hosts: ObservedHost[]; sweep?: MetricsSweep }>('/api/v1/top');
    if (r.sweep) return { hosts: r.hosts, sweep: r.sweep };
  }
  const runtime = new DockerRuntime(withRemovingHosts(config));
  try {
    const observed = await runtime.observe();
    const sampler = new MetricsSampler({
      runtime,
      clock: systemClock,
      windowMs: config.daemon.metricsIntervalSeconds * 1000,
    });
    const ready = observed.hosts.filter((h) => h.ready).map((h) => h.name);
    return { hosts: observed.hosts, sweep: await sampler.sweep(ready, observed.pods) };
  } finally {
    await runtime.close();
  }
}

export function registerTop(program: Command): void {
  clusterFlags(
    program
      .command('top')
      .description('show CPU and memory in use, as kubectl top does: pods or hosts')
      .argument('<kind>', 'pods | hosts')
      .option('-o, --output <format>', 'text | json', 'text')
      .option('-n, --namespace <ns>', 'only this namespace (pods)')
      .option('-A, --all-namespaces', 'every namespace (pods)'),
  ).action(
    async (
      kindArg: string,
      opts: ClusterOptions & { output: string; namespace?: string; allNamespaces?: boolean },
    ) => {
      const kind = (
        {
          po: 'pods',
          pod: 'pods',
          pods: 'pods',
          host: 'hosts',
          hosts: 'hosts',
          node: 'hosts',
          nodes: 'hosts',
        } as Record<string, string>
      )[kindArg.toLowerCase()];
      if (!kind) throw new UsageError(`unknown resource type "${kindArg}"`, 'use pods or hosts');
      const format = outputFormat(opts.output, ['text', 'json']);
      const config = await loadCliConfig(opts);
      const { hosts, sweep } = await readUsage(config);
      for (const f of sweep.failures) printErrorLine(`warning: host ${f.host}: ${f.message}`);
      if (kind === 'hosts') {
        const rows = topHostRows(hosts, sweep.containers);
        if (format === 'json') return printJson(rows);
        printText(renderTopHosts(rows));
        return;
      }
      const ns = opts.allNamespaces ? undefined : (opts.namespace ?? 'default');
      const rows = topPodRows(sweep.containers).filter((r) => !ns || r.namespace === ns);
      if (format === 'json') return printJson(rows);
      printText(renderTopPods(rows, { allNamespaces: !ns }));
    },
  );
}
