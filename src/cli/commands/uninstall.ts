// `skiff uninstall --hosts --yes`: takes skiff off every host of the config, and every host still
// being removed from it (the state directory's inventory: it still runs skiff's containers and
// rules), over the same SSH transport the daemon uses: the Service rules (skiff's iptables chains and routes), every
// container skiff labelled (each pod, found by its labels, removed at once), with --volumes the
// claims' Docker volumes, and each host's data dir (pod files, the host lease). Refused while a
// daemon runs for this state dir: it would put everything back. Shell.
import type { Command } from 'commander';
import type { ClusterConfig, HostConfig } from '../../config/cluster-config.js';
import { SkiffError, UsageError } from '../../model/errors.js';
import type { Observed } from '../../model/observed.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { HostSyncResult } from '../../runtime/service-data-plane.js';
import { shellQuote } from '../../runtime/shell-quote.js';
import { HostInventory } from '../../state-dir/host-inventory.js';
import { type ClusterOptions, clusterFlags, connectDaemon, loadCliConfig } from '../cli-context.js';
import { printText } from '../output.js';
import { removingHosts, withRemovingHosts } from '../reachable-hosts.js';

export interface UninstallPorts {
  runtime: Pick<Runtime, 'observe' | 'deletePod' | 'removeClaimVolume' | 'execOnHost'>;
  /** Removes every rule, chain and route skiff put on the Ready hosts (ServiceDataPlane). */
  removeRules: (observed: Observed) => Promise<HostSyncResult[]>;
}

/** What was removed from one host, and what could not be. */
export interface HostUninstall {
  host: string;
  /** Gone from skiff.yaml, still in the inventory (being removed). */
  removing?: true;
  pods: number;
  volumes: number;
  problems: string[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs `step` for each item, counting successes and noting each failure. */
async function each<T>(items: T[], problems: string[], step: (item: T) => Promise<void>): Promise<number> {
  let done = 0;
  for (const item of items)
    await step(item).then(
      () => void done++,
      (err: unknown) => void problems.push(message(err)),
    );
  return done;
}

async function uninstallHost(
  host: HostConfig,
  observed: Observed,
  rules: HostSyncResult | undefined,
  ports: UninstallPorts,
  volumes: boolean,
): Promise<HostUninstall> {
  const seen = observed.hosts.find((h) => h.name === host.name);
  if (!seen?.ready)
    return {
      host: host.name,
      pods: 0,
      volumes: 0,
      problems: [`not reachable (${seen?.reason ?? 'unknown'})`],
    };
  const problems: string[] = [];
  if (rules?.outcome === 'failed') problems.push(`Service rules: ${rules.error?.message ?? 'not removed'}`);
  const pods = await each(
    observed.pods.filter((p) => p.host === host.name),
    problems,
    (p) => ports.runtime.deletePod(p, 0),
  );
  const claims = volumes ? (observed.claimVolumes ?? []).filter((v) => v.host === host.name) : [];
  const removed = await each(claims, problems, (v) => ports.runtime.removeClaimVolume(host.name, v.volume));
  const rm = await ports.runtime.execOnHost(host.name, `rm -rf -- ${shellQuote(host.dataDir)}`);
  if (rm.exitCode !== 0) problems.push(`cannot remove ${host.dataDir}: ${rm.stderr.trim()}`);
  return { host: host.name, pods, volumes: removed, problems };
}

/** Takes skiff off every configured host, then every host being removed; one result per host,
 *  in that order. */
export async function uninstallHosts(
  config: Pick<ClusterConfig, 'hosts'>,
  ports: UninstallPorts,
  opts: { volumes: boolean; removing?: readonly HostConfig[] },
): Promise<HostUninstall[]> {
  const observed = await ports.runtime.observe();
  // Rules first: traffic leaves the pods before they stop, as in a rollout.
  const rules = await ports.removeRules(observed);
  const removing = opts.removing ?? [];
  const out: HostUninstall[] = [];
  for (const host of [...config.hosts, ...removing]) {
    const r = await uninstallHost(
      host,
      observed,
      rules.find((x) => x.host === host.name),
      ports,
      opts.volumes,
    );
    out.push(removing.includes(host) ? { ...r, removing: true } : r);
  }
  return out;
}

/** One line per host: what went, and what did not. */
export function renderUninstall(results: HostUninstall[], dataDirOf: (host: string) => string): string {
  return results
    .map((r) => {
      const host = `host/${r.host}${r.removing ? ' (being removed from skiff.yaml)' : ''}`;
      if (r.problems.length > 0 && r.pods === 0 && r.problems[0]!.startsWith('not reachable'))
        return `${host}: ${r.problems[0]}: nothing removed\n`;
      const done = `${r.pods} pod(s) deleted, ${r.volumes} volume(s) removed, Service rules and ${dataDirOf(r.host)} removed`;
      return r.problems.length === 0
        ? `${host}: ${done}\n`
        : `${host}: incomplete: ${r.problems.join('; ')}\n`;
    })
    .join('');
}

async function openPorts(config: ClusterConfig): Promise<UninstallPorts & { close: () => Promise<void> }> {
  const [{ DockerRuntime }, { ServiceDataPlane }, { systemClock }] = await Promise.all([
    import('../../runtime/docker-runtime.js'),
    import('../../runtime/service-data-plane.js'),
    import('../../runtime/clock.js'),
  ]);
  const runtime = new DockerRuntime(config);
  const plane = new ServiceDataPlane(runtime, {
    serviceCIDR: config.network.serviceCIDR,
    clock: systemClock,
  });
  return { runtime, removeRules: (o) => plane.removeAll(o), close: () => runtime.close() };
}

/** Takes skiff off the config's hosts and those the state directory's inventory still has as
 *  being removed (they still run skiff's containers and rules), prints a line per host, and
 *  forgets each removed host it fully cleaned (nothing is left there to remove). */
export async function uninstallEverywhere(
  config: ClusterConfig,
  open: (config: ClusterConfig) => Promise<UninstallPorts & { close: () => Promise<void> }>,
  opts: { volumes: boolean },
  print: (text: string) => void,
): Promise<HostUninstall[]> {
  const inventory = new HostInventory(config.daemon.stateDir);
  const retiring = removingHosts(config, inventory);
  const removing = retiring.map((r) => r.config);
  const reached = withRemovingHosts(config, retiring);
  const hosts = reached.hosts;
  const ports = await open(reached);
  try {
    const results = await uninstallHosts(config, ports, { volumes: opts.volumes, removing });
    print(renderUninstall(results, (h) => hosts.find((x) => x.name === h)!.dataDir));
    for (const r of results) if (r.removing && r.problems.length === 0) inventory.forget(r.host);
    return results;
  } finally {
    await ports.close();
  }
}

interface UninstallFlags extends ClusterOptions {
  hosts?: boolean;
  yes?: boolean;
  volumes?: boolean;
}

export function registerUninstall(program: Command): void {
  clusterFlags(
    program
      .command('uninstall')
      .description('remove skiff from every host: its containers, Service rules and data dirs')
      .option('--hosts', 'act on every host of the config, and those being removed from it (required)')
      .option('--volumes', "also remove the claims' Docker volumes, and their data")
      .option('--yes', 'confirm: this deletes every pod skiff runs'),
  ).action(async (opts: UninstallFlags) => {
    if (!opts.hosts || !opts.yes)
      throw new UsageError(
        'uninstall removes every skiff container, Service rule and data dir from all hosts',
        "run skiff uninstall --hosts --yes (add --volumes to delete the claims' data too)",
      );
    const config = await loadCliConfig(opts);
    if (await connectDaemon(config))
      throw new SkiffError('uninstall.daemon-running', 'a skiff daemon is running for this state dir', {
        hint: 'stop it first (systemctl stop skiff, or docker stop skiff): it would recreate what is removed',
      });
    const results = await uninstallEverywhere(
      config,
      openPorts,
      { volumes: opts.volumes === true },
      printText,
    );
    if (results.some((r) => r.problems.length > 0))
      throw new SkiffError('uninstall.incomplete', 'skiff is not removed from every host', {
        hint: 'fix what the lines above say (a host down, a permission), then run the same command again',
      });
  });
}
