// `skiff diff REV_A REV_B`: what a change (a pull request, a range of commits) does to the app's
// objects, object by object and field by field, from the manifests at both commits. Both sides
// are validated as the daemon would; an invalid side prints its errors and exits 1. Secret
// values are masked (`***`). Shell: reads git, then the pure diff.
import type { Command } from 'commander';
import { diffObjectSets } from '../../diff/object-diff.js';
import { openAppRepo, readValidCommit } from '../app-repo.js';
import { type ClusterOptions, clusterFlags } from '../cli-context.js';
import { outputFormat, printJson, printLine, printText } from '../output.js';
import { renderObjectDiffText } from '../views/plan.js';

interface DiffOptions extends ClusterOptions {
  output: string;
  all?: boolean;
}

export function registerDiff(program: Command): void {
  clusterFlags(
    program
      .command('diff')
      .description("what changes between two revisions of the app's manifests, object by object")
      .argument('<revA>', 'the old revision (commit, branch, tag, HEAD~N)')
      .argument('<revB>', 'the new revision')
      .option('-o, --output <format>', 'text | json', 'text')
      .option('--all', 'also list unchanged objects'),
  ).action(async (revA: string, revB: string, opts: DiffOptions) => {
    const format = outputFormat(opts.output);
    const { app, source } = await openAppRepo(opts);
    const [a, b] = [await source.resolveCommit(revA), await source.resolveCommit(revB)];
    const before = await readValidCommit(source, a, revA);
    const after = await readValidCommit(source, b, revB);
    const diff = diffObjectSets(before, after, { app: app.name, secrets: { mode: 'mask' } });
    if (format === 'json') {
      printJson({ app: app.name, from: a, to: b, changes: diff.changes, warnings: diff.warnings });
      return;
    }
    printLine(`diff ${a.slice(0, 7)}..${b.slice(0, 7)} (app ${app.name})`);
    const color = process.stdout.isTTY;
    printText(renderObjectDiffText(diff.changes, { includeUnchanged: opts.all, color }), { color });
    for (const w of diff.warnings) printLine(`! ${w}`);
  });
}
