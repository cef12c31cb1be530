// `skiff plan [--rev REV]`: what applying REV (default: the branch head) would do to the live
// hosts — per object the change class and the field that forces it, placement per host before
// and after (a scheduler dry run of the whole rollout), unschedulable pods with the reason,
// prunes, which Secret keys change (values masked) and what they roll. Text for a terminal,
// markdown for a PR comment, JSON for machines. Shell: observes, never acts.
import type { Command } from 'commander';
import { UsageError } from '../../model/errors.js';
import { openAppRepo } from '../app-repo.js';
import { type ClusterOptions, cliLogger, clusterFlags } from '../cli-context.js';
import { printText } from '../output.js';
import { buildPlan } from '../plan-builder.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../views/plan.js';

interface PlanOptions extends ClusterOptions {
  rev?: string;
  output: string;
}

const FORMATS = ['text', 'markdown', 'json'] as const;

export function registerPlan(program: Command): void {
  clusterFlags(
    program
      .command('plan')
      .description('what applying a revision would do to the live hosts (a dry run of the rollout)')
      .option('--rev <rev>', 'the revision to plan (default: the branch head)')
      .option('-o, --output <format>', 'text | markdown | json', 'text'),
  ).action(async (opts: PlanOptions) => {
    const format = opts.output as (typeof FORMATS)[number];
    if (!FORMATS.includes(format))
      throw new UsageError(`unknown output format "${opts.output}"`, `use one of: ${FORMATS.join(', ')}`);
    const repo = await openAppRepo(opts);
    const plan = await buildPlan({ repo, rev: opts.rev, log: cliLogger() });
    const color = format === 'text' && process.stdout.isTTY;
    const out =
      format === 'json'
        ? renderPlanJson(plan)
        : format === 'markdown'
          ? renderPlanMarkdown(plan)
          : renderPlanText(plan, { color });
    printText(out.endsWith('\n') ? out : `${out}\n`, { color });
  });
}
