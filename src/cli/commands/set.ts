// `skiff set image deployment/web web=my-app:2.0.0 [sidecar=...]`, the GitOps way: edits the
// container's image where the Deployment is declared, one commit per CONTAINER=IMAGE pair
// (GitWriter edits one container per commit), pushed. `*=IMAGE` sets every container, as
// kubectl does. Shell.
import type { Command } from 'commander';
import { GitWriter, type WriteResult } from '../../git/git-writer.js';
import { UsageError } from '../../model/errors.js';
import { openAppRepo } from '../app-repo.js';
import { type ClusterOptions, clusterFlags } from '../cli-context.js';
import { commitAuthor, deploymentTarget, reportWrite } from '../git-edit.js';

interface SetImageOptions extends ClusterOptions {
  dryRun?: boolean;
  namespace?: string;
  author?: string;
}

export function parseImagePairs(pairs: readonly string[]): { container: string; image: string }[] {
  if (pairs.length === 0) throw new UsageError('no CONTAINER=IMAGE given', 'e.g. web=my-app:2.0.0');
  return pairs.map((p) => {
    const i = p.indexOf('=');
    if (i <= 0 || i === p.length - 1)
      throw new UsageError(`cannot read ${JSON.stringify(p)} as CONTAINER=IMAGE`, 'e.g. web=my-app:2.0.0');
    return { container: p.slice(0, i), image: p.slice(i + 1) };
  });
}

export function registerSet(program: Command): void {
  const set = program.command('set').description('change a field of a Deployment by a commit (pushed)');
  clusterFlags(
    set
      .command('image')
      .description("set containers' images of a Deployment by a commit to its manifest")
      .argument('<deployment>', 'deployment/NAME')
      .argument('<pairs...>', 'CONTAINER=IMAGE (`*=IMAGE` for every container)')
      .option('--dry-run', 'print the patch, commit nothing')
      .option('-n, --namespace <ns>', "the Deployment's namespace")
      .option('--author <who>', 'commit author, "Name <email>"'),
  ).action(async (target: string, pairs: string[], opts: SetImageOptions) => {
    const ref = deploymentTarget(target, opts.namespace);
    const wanted = parseImagePairs(pairs);
    const { source, app } = await openAppRepo(opts);
    const writer = new GitWriter(source, {
      author: commitAuthor(opts.author),
      signedCommitsOnly: !!app.verify,
    });
    // Several pairs in a real run: one commit each, in order (each re-reads the new tip). In a
    // dry run only the first can be shown against the current tip, so one pair is required.
    if (opts.dryRun && wanted.length > 1)
      throw new UsageError('--dry-run takes one CONTAINER=IMAGE at a time');
    let last: WriteResult | undefined;
    for (const w of wanted) {
      last = await writer.setImage(ref, w.container, w.image, { dryRun: opts.dryRun });
      reportWrite(last, `deployment.apps/${ref.name}`, 'image updated', source.kind === 'remote');
    }
  });
}
