// `skiff get deployments [-o wide]`: kubectl's deployment table. Pure.
// Columns as kubectl: NAME READY UP-TO-DATE AVAILABLE AGE; wide adds CONTAINERS IMAGES
// SELECTOR. When an HPA owns some Deployment's replicas, a SCALED-BY column says which
// (`hpa/web-hpa`), so nobody edits replicas in Git expecting them to apply.
import type { DeploymentView, PodView } from '../../model/views.js';
import { since } from './age.js';
import { byNamespaceAndName, type GetOptions } from './pods.js';
import { orNone, renderTable } from './table.js';

/** Container names: from the view, else from a pod of the current revision. */
export function deploymentContainers(d: DeploymentView, pods: readonly PodView[] = []): string[] {
  if (d.containers) return d.containers;
  const current = pods.find(
    (p) =>
      p.owner.kind === 'Deployment' &&
      p.owner.name === d.name &&
      p.namespace === d.namespace &&
      p.templateHash === d.templateHash,
  );
  return current ? current.containers.map((c) => c.name) : [];
}

export function renderDeployments(
  deployments: readonly DeploymentView[],
  opts: GetOptions & { pods?: readonly PodView[] },
): string {
  if (deployments.length === 0) return 'No resources found.\n';
  const scaledBy = deployments.some((d) => d.replicasOwnedBy);
  const headers = ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'];
  if (opts.wide) headers.push('CONTAINERS', 'IMAGES', 'SELECTOR');
  if (scaledBy) headers.push('SCALED-BY');
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = byNamespaceAndName(deployments).map((d) => {
    const row = [
      d.name,
      `${d.readyReplicas}/${d.replicas}`,
      String(d.updatedReplicas),
      String(d.availableReplicas),
      since(d.createdAt, opts.now),
    ];
    if (opts.wide) {
      row.push(
        orNone(deploymentContainers(d, opts.pods).join(',')),
        orNone(d.images.join(',')),
        orNone(d.selector),
      );
    }
    if (scaledBy) row.push(orNone(d.replicasOwnedBy));
    if (opts.allNamespaces) row.unshift(d.namespace);
    return row;
  });
  return renderTable(headers, rows);
}
