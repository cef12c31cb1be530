// `skiff logs POD [-c CONTAINER] [-f] [--tail N]`: a container's output, from its host.
import type { Command } from 'commander';
import { SkiffError } from '../../model/errors.js';
import { DockerRuntime } from '../../runtime/docker-runtime.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { withRemovingHosts } from '../reachable-hosts.js';

export function registerLogs(program: Command): void {
  clusterFlags(
    program
      .command('logs')
      .description("print a pod's container logs")
      .argument('<pod>', 'pod name (pod/NAME also accepted)')
      .option('-c, --container <name>', 'container (default: the first)')
      .option('-f, --follow', 'stream new output')
      .option('--tail <n>', 'lines from the end', '-1')
      .option('--timestamps', 'prefix each line with its time')
      .option('-n, --namespace <ns>', 'namespace', 'default'),
  ).action(
    async (
      podArg: string,
      opts: ClusterOptions & {
        container?: string;
        follow?: boolean;
        tail: string;
        timestamps?: boolean;
        namespace: string;
      },
    ) => {
      const name = podArg.replace(/^pods?\//, '');
      const config = await loadCliConfig(opts);
      const runtime = new DockerRuntime(withRemovingHosts(config));
      try {
        const observed = await runtime.observe();
        const pod = observed.pods.find((p) => p.name === name && p.namespace === opts.namespace);
        if (!pod) throw new SkiffError('not-found', `pod "${name}" not found`);
        const tail = Number(opts.tail);
        const stream = await runtime.logs(
          { host: pod.host, namespace: pod.namespace, name: pod.name },
          {
            container: opts.container,
            follow: !!opts.follow,
            tail: tail >= 0 ? tail : undefined,
            timestamps: !!opts.timestamps,
          },
        );
        await new Promise<void>((resolve, reject) => {
          stream.on('data', (c: Buffer | string) => process.stdout.write(c));
          stream.on('end', () => resolve());
          stream.on('close', () => resolve());
          stream.on('error', reject);
          process.once('SIGINT', () => resolve());
        });
      } finally {
        await runtime.close();
      }
    },
  );
}
