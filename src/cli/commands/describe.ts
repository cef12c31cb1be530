// `skiff describe KIND/NAME`: kubectl describe for pods, deployments, services and HPAs, with
// events.
import type { Command } from 'commander';
import { SkiffError, UsageError } from '../../model/errors.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { printText } from '../output.js';
import { readClusterView, readEvents } from '../read-cluster.js';
import {
  describeApp,
  describeClaim,
  describeDeployment,
  describePod,
  describeService,
} from '../views/index.js';
import { printHpaDescription } from './get-hpa.js';

export function registerDescribe(program: Command): void {
  clusterFlags(
    program
      .command('describe')
      .description(
        'show one object in detail, with its events (app/NAME, pod/NAME, deployment/NAME, service/NAME, pvc/NAME, hpa/NAME)',
      )
      .argument('<object>', 'KIND/NAME, e.g. deployment/web')
      .option('-n, --namespace <ns>', 'namespace', 'default'),
  ).action(async (ref: string, opts: ClusterOptions & { namespace: string }) => {
    const m = /^([a-z]+)\/(.+)$/i.exec(ref);
    if (!m) throw new UsageError(`"${ref}" is not KIND/NAME`, 'e.g. skiff describe deployment/web');
    const kind = m[1]!.toLowerCase();
    const name = m[2]!;
    const config = await loadCliConfig(opts);
    if (kind === 'hpa' || kind === 'horizontalpodautoscaler')
      return printHpaDescription(
        config,
        { namespace: opts.namespace, name },
        await readEvents(config),
        Date.now(),
      );
    const [view, events] = await Promise.all([readClusterView(config), readEvents(config)]);
    const now = Date.now();
    if (kind === 'app' || kind === 'apps' || kind === 'application') {
      const app = view.apps.find((a) => a.name === name);
      if (!app)
        throw new SkiffError('not-found', `app "${name}" not found`, {
          hint: `apps are listed in skiff.yaml: ${view.apps.map((a) => a.name).join(', ') || 'none'}`,
        });
      printText(describeApp(app, now));
      return;
    }
    if (kind === 'pod' || kind === 'pods' || kind === 'po') {
      const pod = view.pods.find((p) => p.name === name && p.namespace === opts.namespace);
      if (!pod) throw new SkiffError('not-found', `pod "${name}" not found`);
      printText(describePod(pod, events, { now, hosts: view.hosts }));
      return;
    }
    if (kind === 'deployment' || kind === 'deploy' || kind === 'deployments') {
      const dep = view.deployments.find((d) => d.name === name && d.namespace === opts.namespace);
      if (!dep) throw new SkiffError('not-found', `deployment "${name}" not found`);
      printText(describeDeployment(dep, view.pods, events, { now }));
      return;
    }
    if (kind === 'service' || kind === 'svc' || kind === 'services') {
      const svc = view.services.find((s) => s.name === name && s.namespace === opts.namespace);
      if (!svc) throw new SkiffError('not-found', `service "${name}" not found`);
      const eps = view.endpoints.find((e) => e.name === name && e.namespace === opts.namespace);
      printText(describeService(svc, eps, events, { now }));
      return;
    }
    if (kind === 'pvc' || kind === 'persistentvolumeclaim' || kind === 'persistentvolumeclaims') {
      const claim = (view.claims ?? []).find((c) => c.name === name && c.namespace === opts.namespace);
      if (!claim) throw new SkiffError('not-found', `persistentvolumeclaim "${name}" not found`);
      printText(describeClaim(claim, events, { now }));
      return;
    }
    throw new UsageError(
      `describe does not know kind "${kind}"`,
      'use app/NAME, pod/NAME, deployment/NAME, service/NAME, pvc/NAME or hpa/NAME',
    );
  });
}
