// `skiff scale deployment/web --replicas=5`, the GitOps way: edits spec.replicas where the
// Deployment is declared (comments and formatting kept), commits, pushes; the daemon then
// rolls it out like any commit. When an HPA targets the Deployment, it owns replicas: the
// command explains that and changes nothing unless --force. Shell.
import type { Command } from 'commander';
import { GitWriter } from '../../git/git-writer.js';
import { UsageError } from '../../model/errors.js';
import { openAppRepo } from '../app-repo.js';
import { type ClusterOptions, clusterFlags } from '../cli-context.js';
import { commitAuthor, deploymentTarget, reportWrite } from '../git-edit.js';

interface ScaleOptions extends ClusterOptions {
  replicas?: string;
  dryRun?: boolean;
  force?: boolean;
  namespace?: string;
  author?: string;
}

export function registerScale(program: Command): void {
  clusterFlags(
    program
      .command('scale')
      .description("set a Deployment's replicas by a commit to its manifest (pushed)")
      .argument('<deployment>', 'deployment/NAME')
      .requiredOption('--replicas <n>', 'the new number of replicas')
      .option('--dry-run', 'print the patch, commit nothing')
      .option('--force', 'edit even when an HPA owns the replicas (it will override them)')
      .option('-n, --namespace <ns>', "the Deployment's namespace")
      .option('--author <who>', 'commit author, "Name <email>"'),
  ).action(async (target: string, opts: ScaleOptions) => {
    const replicas = Number(opts.replicas);
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new UsageError(`--replicas must be a whole number >= 0, got ${opts.replicas}`);
    const ref = deploymentTarget(target, opts.namespace);
    const { source, app } = await openAppRepo(opts);
    const writer = new GitWriter(source, {
      author: commitAuthor(opts.author),
      signedCommitsOnly: !!app.verify,
    });
    const r = await writer.setReplicas(ref, replicas, { dryRun: opts.dryRun, force: opts.force });
    reportWrite(r, `deployment.apps/${ref.name}`, 'scaled', source.kind === 'remote');
  });
}
