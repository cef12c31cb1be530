// `skiff plan [--rev REV]`: what applying REV (default: the branch head) would do to the live
// hosts — per object the change class and the field that forces it, placement per host before
// and after (a scheduler dry run of the whole rollout), unschedulable pods with the reason,
// prunes, which Secret keys change (values masked) and what they roll. Text for a terminal,
// markdown for a PR comment, JSON for machines. Shell: observes, never acts.
import type { Command } from 'commander';
import { planHasChanges } from '../../diff/plan.js';
import { UsageError } from '../../model/errors.js';
import { openAppRepo } from '../app-repo.js';
import { type ClusterOptions, cliLogger, clusterFlags } from '../cli-context.js';
import { EXIT, failureExit } from '../failure-exit.js';
import { printText } from '../output.js';
import { buildPlan } from '../plan-builder.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../views/plan.js';

interface PlanOptions extends ClusterOptions {
  rev?: string;
  local?: string;
  exitCode?: boolean;
  output: string;
}

const FORMATS = ['text', 'markdown', 'json'] as const;

export function registerPlan(program: Command): void {
  clusterFlags(
    program
      .command('plan')
      .description('what applying a revision would do to the live hosts (a dry run of the rollout)')
      .option(
        '--rev <rev>',
        'the revision to plan: branch, tag, SHA, pull/N/head, merge-requests/N/head (default: the branch head)',
      )
      .option(
        '--local <dir>',
        "plan a working tree (uncommitted edits included); the app's path is read inside it",
      )
      .option('--exit-code', '0 when the plan changes nothing, 2 when it changes something, 1 on error')
      .option('-o, --output <format>', 'text | markdown | json', 'text'),
  ).action(async (opts: PlanOptions) => {
    if (!opts.exitCode) {
      await runPlan(opts);
      return;
    }
    // terraform's -detailed-exitcode: 2 means changes, so no failure may end with 2.
    try {
      const changed = await runPlan(opts);
      process.exitCode = changed ? 2 : 0;
    } catch (err) {
      const exit = failureExit(err);
      process.stderr.write(exit.text);
      process.exitCode = exit.code === EXIT.usage ? EXIT.finding : exit.code;
    }
  });
}

/** Plans and prints; whether the plan changes anything. */
async function runPlan(opts: PlanOptions): Promise<boolean> {
  const format = opts.output as (typeof FORMATS)[number];
  if (!FORMATS.includes(format))
    throw new UsageError(`unknown output format "${opts.output}"`, `use one of: ${FORMATS.join(', ')}`);
  if (opts.rev !== undefined && opts.local !== undefined)
    throw new UsageError('--rev and --local name two different things to plan', 'give one of them');
  const repo = await openAppRepo(opts, { look: true });
  const plan = await buildPlan({ repo, rev: opts.rev, local: opts.local, log: cliLogger() });
  const color = format === 'text' && process.stdout.isTTY;
  const out =
    format === 'json'
      ? renderPlanJson(plan)
      : format === 'markdown'
        ? renderPlanMarkdown(plan)
        : renderPlanText(plan, { color });
  printText(out.endsWith('\n') ? out : `${out}\n`, { color });
  return planHasChanges(plan);
}
