// `skiff history`: the syncs the daemon recorded (commit, result, duration, actions).
import type { Command } from 'commander';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { outputFormat, printJson, printLine, printText } from '../output.js';
import { readSyncHistory } from '../read-cluster.js';
import { since } from '../views/age.js';
import { renderTable } from '../views/table.js';

export function registerHistory(program: Command): void {
  clusterFlags(
    program
      .command('history')
      .description('recorded syncs: commit, result, duration, actions')
      .option('--limit <n>', 'how many', '20')
      .option('-o, --output <format>', 'text | json', 'text'),
  ).action(async (opts: ClusterOptions & { limit: string; output: string }) => {
    const format = outputFormat(opts.output);
    const config = await loadCliConfig(opts);
    const syncs = await readSyncHistory(config, opts.app, Number(opts.limit));
    if (format === 'json') return printJson(syncs);
    if (syncs.length === 0) {
      printLine('No syncs recorded.');
      return;
    }
    const now = Date.now();
    const rows = syncs.map((s) => [
      s.app,
      s.commit.slice(0, 7),
      s.result,
      `${s.durationMs}ms`,
      Object.entries(s.actions)
        .map(
          ([type, outcomes]) => `${type}:${Object.values(outcomes ?? {}).reduce((a, b) => a + (b ?? 0), 0)}`,
        )
        .join(' ') || '-',
      s.passes > 1 ? `${since(s.lastFinishedAt, now)} (x${s.passes})` : since(s.finishedAt, now),
      s.error ?? '',
    ]);
    printText(renderTable(['APP', 'COMMIT', 'RESULT', 'DURATION', 'ACTIONS', 'AGE', 'ERROR'], rows));
  });
}
