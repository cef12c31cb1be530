// `skiff drain HOST` and `skiff uncordon HOST`: kubectl drain and uncordon, the GitOps way. The
// daemon carries a drain out (it cordons the host and evicts its pods, one pass at a time, as
// PodDisruptionBudgets allow: reconcile/drain.ts); this command asks it and follows the drain
// until the host is empty, or gives up after --timeout (the drain goes on). Shell.
import type { Command } from 'commander';
import type { ClusterConfig } from '../../config/cluster-config.js';
import { SkiffError, UsageError } from '../../model/errors.js';
import type { DrainView } from '../../model/views.js';
import { DrainStore } from '../../state-dir/drain-store.js';
import { HostInventory, removingHostRefusal } from '../../state-dir/host-inventory.js';
import { type ClusterOptions, clusterFlags, connectDaemon, loadCliConfig } from '../cli-context.js';
import type { DaemonClient } from '../daemon-client.js';
import { printLine } from '../output.js';
import { drainProgressLines, drainRemains, newDrainProgress } from '../views/drain.js';

interface DrainOptions extends ClusterOptions {
  force?: boolean;
  timeout: string;
}

/** What following a drain needs: the daemon's two drain calls, a clock, a pause, an output. */
export interface DrainFollowDeps {
  client: Pick<DaemonClient, 'drain' | 'drains'>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  print: (line: string) => void;
  pollMs?: number;
}

/** Asks for the drain, then prints its progress until the host is empty; throws on timeout
 *  (0: none) or when the drain ends before (an uncordon). */
export async function followDrain(
  host: string,
  opts: { force: boolean; timeoutMs: number },
  deps: DrainFollowDeps,
): Promise<void> {
  const deadline = opts.timeoutMs > 0 ? deps.now() + opts.timeoutMs : Number.POSITIVE_INFINITY;
  let view: DrainView = (await deps.client.drain(host, opts.force)).drain;
  deps.print(`host/${host} cordoned`);
  const progress = newDrainProgress();
  for (;;) {
    for (const line of drainProgressLines(view, progress)) deps.print(line);
    if (view.pods.length === 0) {
      deps.print(`host/${host} drained`);
      return;
    }
    if (deps.now() >= deadline)
      throw new SkiffError(
        'drain.timeout',
        `host/${host} not drained after ${opts.timeoutMs / 1000}s: ${view.pods.length} pod(s) remain: ${drainRemains(view)}`,
        {
          hint: `the host stays cordoned and the daemon goes on draining it; \`skiff uncordon ${host}\` ends it`,
        },
      );
    await deps.sleep(deps.pollMs ?? 1000);
    const answer = await deps.client.drains(host);
    const next = answer.drains.find((d) => d.host === host);
    if (next) view = next;
    else if (!answer.pending.includes(host))
      throw new SkiffError('drain.ended', `host/${host} was uncordoned before it was drained`, {
        hint: `run \`skiff drain ${host}\` again to drain it`,
      });
  }
}

/** The host is one of skiff.yaml's: one being removed from it is skiff's own drain (refused
 *  with that said), any other is unknown. */
export function checkHost(config: ClusterConfig, host: string): void {
  if (config.hosts.some((h) => h.name === host)) return;
  if (new HostInventory(config.daemon.stateDir).isRemoving(host)) {
    const { message, hint } = removingHostRefusal(host);
    throw new SkiffError('drain.removing', message, { hint });
  }
  throw new SkiffError('drain.host', `host "${host}" is not in the inventory`, {
    hint: `the hosts of skiff.yaml: ${config.hosts.map((h) => h.name).join(', ')}`,
  });
}

function timeoutMs(raw: string): number {
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new UsageError(
      `--timeout ${raw}: not a number of seconds`,
      'give seconds, e.g. --timeout 300 (0: wait for ever)',
    );
  return seconds * 1000;
}

export function registerDrain(program: Command): void {
  clusterFlags(
    program
      .command('drain')
      .description('cordon a host and evict its pods as PodDisruptionBudgets allow, until it is empty')
      .argument('<host>', 'a host of skiff.yaml')
      .option('--force', 'evict pods without a controller (standalone Pods) too')
      .option(
        '--timeout <seconds>',
        'give up waiting after this long (the drain goes on); 0: wait for ever',
        '0',
      ),
  ).action(async (host: string, opts: DrainOptions) => {
    const ms = timeoutMs(opts.timeout);
    const config = await loadCliConfig(opts);
    checkHost(config, host);
    const client = await connectDaemon(config);
    if (!client)
      throw new SkiffError(
        'drain.no-daemon',
        'no skiff daemon runs for this state directory: the daemon carries a drain out',
        {
          hint: 'start it (skiff run), then run skiff drain again',
        },
      );
    await followDrain(
      host,
      { force: !!opts.force, timeoutMs: ms },
      { client, now: Date.now, sleep: (t) => new Promise((r) => setTimeout(r, t)), print: printLine },
    );
  });
}

export function registerUncordon(program: Command): void {
  clusterFlags(
    program
      .command('uncordon')
      .description('end a drain: the host takes new pods again')
      .argument('<host>', 'a host of skiff.yaml'),
  ).action(async (host: string, opts: ClusterOptions) => {
    const config = await loadCliConfig(opts);
    checkHost(config, host);
    const client = await connectDaemon(config);
    // Without a daemon, nothing reads the drains meanwhile: the state directory is changed here.
    const ended = client
      ? (await client.uncordon(host)).uncordoned
      : new DrainStore(config.daemon.stateDir).uncordon(host);
    printLine(ended ? `host/${host} uncordoned` : `host/${host} already uncordoned`);
  });
}
