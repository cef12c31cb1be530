// `skiff status`: each app's live commit vs branch head, sync and health, and why.
import type { Command } from 'commander';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { outputFormat, printJson, printText } from '../output.js';
import { readClusterView } from '../read-cluster.js';
import { renderStatus } from '../views/index.js';

export function registerStatus(program: Command): void {
  clusterFlags(
    program
      .command('status')
      .description('apps: commit live vs HEAD, sync and health state, rejected commits')
      .option('-o, --output <format>', 'text | json', 'text'),
  ).action(async (opts: ClusterOptions & { output: string }) => {
    const format = outputFormat(opts.output);
    const view = await readClusterView(await loadCliConfig(opts));
    if (format === 'json') return printJson({ apps: view.apps, hosts: view.hosts, lease: view.lease });
    printText(renderStatus(view.apps, { now: Date.now(), lease: view.lease, hosts: view.hosts }));
    if (view.apps.some((a) => a.health === 'Degraded' || a.rejected)) process.exitCode = 1;
  });
}
