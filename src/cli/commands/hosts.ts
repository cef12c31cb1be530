// `skiff hosts [--config FILE] [-o text|json]`: connect to every configured host and show
// whether it is reachable, its Docker version, capacity, what skiff's pods there request,
// labels and taints. Shell around one runtime.observe(); the table is built by a pure function.
import type { Command } from 'commander';
import type { ClusterConfig } from '../../config/cluster-config.js';
import { loadClusterConfig } from '../../config/load-config.js';
import { requestedOn } from '../../controllers/pod-requests.js';
import type { HostRemovalStatus, Observed, ObservedHost } from '../../model/observed.js';
import { DockerRuntime } from '../../runtime/docker-runtime.js';
import { connectDaemon } from '../cli-context.js';
import { outputFormat, printJson, printText } from '../output.js';
import { removingHosts, withRemovingHosts } from '../reachable-hosts.js';
import { removalPhrase } from '../views/host-removal.js';
import { renderTable } from '../views/table.js';

export interface HostRow {
  name: string;
  address: string;
  ready: boolean;
  reason?: string;
  dockerVersion?: string;
  capacity: { cpuMilli: number; memoryBytes: number };
  /** Sum of the requests of skiff's pods on the host (requests default to limits). */
  allocated: { cpuMilli: number; memoryBytes: number };
  pods: number;
  labels: Record<string, string>;
  taints: string[];
  /** Cordoned in skiff.yaml: shown SchedulingDisabled, as kubectl shows a cordoned node. */
  unschedulable?: boolean;
  /** Extended resources the host declares (skiff.yaml resources). */
  extendedResources?: Record<string, number>;
  /** Gone from skiff.yaml, still drained by skiff before it forgets the host. */
  removing?: HostRemovalStatus;
}

/** The rows of the observed hosts; `removing`: the status of each host being removed from
 *  the inventory (absent for the others). */
export function hostRows(
  o: Observed,
  removing: ReadonlyMap<string, HostRemovalStatus> = new Map(),
): HostRow[] {
  return o.hosts.map((h) => {
    const removal = removing.get(h.name);
    const pods = o.pods.filter((p) => p.host === h.name);
    const allocated = requestedOn(pods, h.name);
    return {
      name: h.name,
      address: h.address,
      ready: h.ready,
      reason: h.reason,
      dockerVersion: h.dockerVersion,
      capacity: h.capacity,
      allocated,
      pods: pods.length,
      labels: h.labels,
      taints: h.taints.map((t) => `${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`),
      ...(h.unschedulable ? { unschedulable: true } : {}),
      ...(h.extendedResources ? { extendedResources: h.extendedResources } : {}),
      ...(removal ? { removing: removal } : {}),
    };
  });
}

/** Each removed host's status: the daemon's (which knows the budgets), else what this
 *  observation shows. */
export function removalStatuses(
  retiring: readonly { host: string; since: number }[],
  o: Observed,
  daemonHosts: readonly ObservedHost[] = [],
): Map<string, HostRemovalStatus> {
  const out = new Map<string, HostRemovalStatus>();
  for (const r of retiring) {
    const seen = o.hosts.find((h) => h.name === r.host);
    const fromDaemon = daemonHosts.find((h) => h.name === r.host)?.removing;
    const podsLeft = o.pods.filter((p) => p.host === r.host).length;
    const state = seen?.ready === false ? 'Unreachable' : 'Draining';
    out.set(r.host, fromDaemon ?? { since: r.since, state, podsLeft });
  }
  return out;
}

/** The daemon's hosts as its last pass judged them (none without a daemon). */
async function daemonHosts(config: ClusterConfig): Promise<ObservedHost[]> {
  try {
    return (await (await connectDaemon(config))?.view())?.hosts ?? [];
  } catch {
    return [];
  }
}

function cpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function memory(bytes: number): string {
  const gi = bytes / 1024 ** 3;
  return gi >= 1 ? `${gi.toFixed(1)}Gi` : `${Math.round(bytes / 1024 ** 2)}Mi`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? ` (${Math.round((part / whole) * 100)}%)` : '';
}

/** kubectl get nodes' STATUS: the readiness, then SchedulingDisabled for a cordoned host. */
function hostStatus(r: HostRow): string {
  const ready = r.ready ? 'Ready' : `NotReady${r.reason ? ` (${r.reason})` : ''}`;
  if (r.removing) return `${ready},${removalPhrase(r.removing)}`;
  return r.unschedulable ? `${ready},SchedulingDisabled` : ready;
}

export function renderHosts(rows: readonly HostRow[]): string {
  return renderTable(
    [
      'name',
      'address',
      'status',
      'docker',
      'cpu',
      'memory',
      'pods',
      'cpu requests',
      'memory requests',
      'labels',
      'taints',
    ],
    rows.map((r) => [
      r.name,
      r.address,
      hostStatus(r),
      r.dockerVersion ?? '<unknown>',
      r.capacity.cpuMilli ? cpu(r.capacity.cpuMilli) : '<unknown>',
      r.capacity.memoryBytes ? memory(r.capacity.memoryBytes) : '<unknown>',
      String(r.pods),
      `${cpu(r.allocated.cpuMilli)}${percent(r.allocated.cpuMilli, r.capacity.cpuMilli)}`,
      `${memory(r.allocated.memoryBytes)}${percent(r.allocated.memoryBytes, r.capacity.memoryBytes)}`,
      Object.entries(r.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>',
      r.taints.join(',') || '<none>',
    ]),
  );
}

export function registerHosts(program: Command): void {
  program
    .command('hosts')
    .description(
      'show every configured host: reachable, Docker version, capacity, allocated requests, labels, taints',
    )
    .option('--config <file>', 'cluster config (default ./skiff.yaml)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (opts: { config?: string; output?: string }) => {
      const format = outputFormat(opts.output, ['text', 'json']);
      const config = await loadClusterConfig(opts.config);
      // Hosts gone from skiff.yaml that the daemon still drains are shown too, as removing.
      const retiring = removingHosts(config);
      const runtime = new DockerRuntime(withRemovingHosts(config, retiring));
      try {
        const observed = await runtime.observe();
        const daemon = retiring.length > 0 ? await daemonHosts(config) : [];
        const rows = hostRows(observed, removalStatuses(retiring, observed, daemon));
        if (format === 'json') printJson(rows);
        else printText(renderHosts(rows));
        // Like `kubectl get nodes` feeding a script: a host down is a finding, not a crash.
        if (rows.some((r) => !r.ready)) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}
