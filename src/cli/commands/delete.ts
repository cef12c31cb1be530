// `skiff delete pvc NAME [-n NS]`: remove a PersistentVolumeClaim's volume, and its data, from
// its host. Pruning a claim is never implicit: a claim removed from Git keeps its volume
// (Released) until this command; it refuses while the claim is still in Git (the next pass
// would bind it again, to an empty volume) or while a pod uses it.
import type { Command } from 'commander';
import { SkiffError, UsageError } from '../../model/errors.js';
import type { ClaimView, ClusterView } from '../../model/views.js';
import { DockerRuntime } from '../../runtime/docker-runtime.js';
import type { Runtime } from '../../runtime/runtime.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { printText } from '../output.js';
import { withRemovingHosts } from '../reachable-hosts.js';
import { readClusterView } from '../read-cluster.js';

const PVC_KINDS = new Set(['pvc', 'persistentvolumeclaim', 'persistentvolumeclaims']);

/** The Released claim to delete, or a user error saying why not (with what to do). */
export function claimToDelete(view: Pick<ClusterView, 'claims'>, namespace: string, name: string): ClaimView {
  const subject = `persistentvolumeclaim/${name}`;
  const claim = (view.claims ?? []).find((c) => c.name === name && c.namespace === namespace);
  if (!claim)
    throw new SkiffError('not-found', `${subject} not found in namespace ${namespace}`, {
      hint: 'list the claims with: skiff get pvc -A',
    });
  if (claim.inGit)
    throw new SkiffError(
      'pvc.in-git',
      `${subject} is still in Git (app ${claim.app}): its volume is in use by the claim`,
      {
        subject,
        hint: 'remove the PersistentVolumeClaim from Git and sync first; then delete it here',
      },
    );
  if (claim.usedBy.length > 0)
    throw new SkiffError('pvc.in-use', `${subject} is used by pod ${claim.usedBy.join(', ')}`, {
      subject,
      hint: 'remove the pods that mount it from Git (and sync) first',
    });
  if (!claim.host || !claim.volume)
    throw new SkiffError('not-found', `${subject} has no volume to delete`, { subject });
  return claim;
}

/** Remove the claim's volume; returns kubectl's confirmation line. */
export async function deleteClaim(
  view: Pick<ClusterView, 'claims'>,
  runtime: Pick<Runtime, 'removeClaimVolume'>,
  namespace: string,
  name: string,
): Promise<string> {
  const claim = claimToDelete(view, namespace, name);
  await runtime.removeClaimVolume(claim.host!, claim.volume!);
  return `persistentvolumeclaim "${name}" deleted (volume ${claim.volume} on ${claim.host})\n`;
}

export function registerDelete(program: Command): void {
  clusterFlags(
    program
      .command('delete')
      .description("delete a PersistentVolumeClaim's volume and its data, once the claim left Git")
      .argument('<kind>', 'pvc')
      .argument('<name>', 'the claim')
      .option('-n, --namespace <ns>', 'namespace', 'default'),
  ).action(async (kind: string, name: string, opts: ClusterOptions & { namespace: string }) => {
    if (!PVC_KINDS.has(kind.toLowerCase()))
      throw new UsageError(
        `delete does not know kind "${kind}"`,
        'skiff deletes only claims (skiff delete pvc NAME); every other object is deleted by removing it from Git',
      );
    const config = await loadCliConfig(opts);
    const view = await readClusterView(config);
    claimToDelete(view, opts.namespace, name);
    const runtime = new DockerRuntime(withRemovingHosts(config));
    try {
      printText(await deleteClaim(view, runtime, opts.namespace, name));
    } finally {
      await runtime.close();
    }
  });
}
