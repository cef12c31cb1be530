// `skiff history`: the syncs the daemon recorded (commit, result, duration, actions).
import type { Command } from 'commander';
import type { AuditRecord } from '../../history/audit-log.js';
import { UsageError } from '../../model/errors.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { type OutputFormat, outputFormat, printJson, printLine, printText } from '../output.js';
import { readAuditLog, readSyncHistory } from '../read-cluster.js';
import { since } from '../views/age.js';
import { renderTable } from '../views/table.js';

export function registerHistory(program: Command): void {
  clusterFlags(
    program
      .command('history')
      .description(
        'recorded syncs: commit, result, duration, actions (--audit: the API calls that changed something)',
      )
      .option('--limit <n>', 'how many', '20')
      .option('--audit', 'the audit log: every mutating API call, who (token id), what, result')
      .option('-o, --output <format>', 'text | json', 'text'),
  ).action(async (opts: ClusterOptions & { limit: string; output: string; audit?: boolean }) => {
    const format = outputFormat(opts.output);
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new UsageError(
        `invalid --limit ${JSON.stringify(opts.limit)}`,
        'give a whole number from 1 to 10000',
      );
    const config = await loadCliConfig(opts);
    if (opts.audit) {
      printAudit(await readAuditLog(config, limit), format);
      return;
    }
    const syncs = await readSyncHistory(config, opts.app, limit);
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

function printAudit(records: AuditRecord[], format: OutputFormat): void {
  if (format === 'json') {
    printJson(records);
    return;
  }
  if (records.length === 0) {
    printLine('No API calls recorded.');
    return;
  }
  const now = Date.now();
  const rows = records.map((r) => [
    since(r.at, now),
    r.tokenId,
    r.route,
    String(r.status),
    r.result,
    JSON.stringify(r.params),
  ]);
  printText(renderTable(['AGE', 'WHO', 'ROUTE', 'STATUS', 'RESULT', 'PARAMS'], rows));
}
