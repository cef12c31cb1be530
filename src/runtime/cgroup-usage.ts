// Container CPU and memory straight from the cgroup files on a host, what cAdvisor (and so the
// kubelet and metrics-server) reads: one shell script per host and sweep finds every Docker
// container's cgroup directory and prints its counters, whatever the count (one `find`, one
// `awk`). Pure here: the script text and the parser of its output; the runtime runs it.
//
// Layouts read (the Docker container's directory is named by its full id, or `docker-<id>.scope`
// under the systemd cgroup driver, anywhere below the hierarchy root, so --cgroup-parent and
// rootless paths are found too):
// - cgroup v2 (/sys/fs/cgroup/cgroup.controllers exists): cpu.stat `usage_usec`, memory.current,
//   memory.stat `inactive_file`.
// - cgroup v1 (also the hybrid layout, where Docker uses v1): cpuacct/cpuacct.usage (ns),
//   memory/memory.usage_in_bytes, memory/memory.stat `total_inactive_file`.
// Working set = usage - inactive file cache, never below zero, as cAdvisor computes it
// (container_memory_working_set_bytes, which the kubelet reports as the pod's memory).

/** 64 single-character wildcards: a full container id in a `find -name` pattern (POSIX find has
 *  no portable regex; the parser checks the directory really is a hex id). */
const ID = '?'.repeat(64);

/** The container directories below `roots`. `-prune`: find lists no container's own files
 *  (thirty-odd each in v1's memory hierarchy), which measured half the read's time. */
function findContainerDirs(roots: string): string {
  return `find ${roots} -maxdepth 12 -type d \\( -name '${ID}' -o -name 'docker-${ID}.scope' \\) -prune -print`;
}

/** An awk program that reads, for each directory on its input, the files `filesOf` names and
 *  prints their counter lines as `path:line` (what `grep -H` would print, without a process
 *  per batch of files). An unreadable file is skipped. */
function readCounters(lines: string, filesOf: string): string {
  return (
    `awk 'function rd(f,  l) { while ((getline l < f) > 0) if (l ~ /${lines}/) print f ":" l; close(f) } ` +
    `${filesOf}'`
  );
}

/**
 * The read, as one POSIX sh script. First line: the host's uptime (a monotonic clock for CPU
 * rates, read by the shell itself, no process); then the layout; then `path:line` per counter;
 * last, the uptime again.
 * `cpuacct/` and `memory/` end in a slash so that find follows the usual `cpu,cpuacct` symlink.
 */
export const CGROUP_USAGE_SCRIPT = [
  'read skiff_up skiff_idle </proc/uptime && echo "skiff-uptime $skiff_up"',
  'cd /sys/fs/cgroup 2>/dev/null || { echo "skiff-cgroup none"; exit 0; }',
  'if [ -f cgroup.controllers ]; then',
  '  echo "skiff-cgroup v2"',
  `  ${findContainerDirs('.')} | ${readCounters(
    '^([0-9]+|usage_usec [0-9]+|inactive_file [0-9]+)$',
    '{ rd($0 "/cpu.stat"); rd($0 "/memory.current"); rd($0 "/memory.stat") }',
  )}`,
  'else',
  '  echo "skiff-cgroup v1"',
  `  ${findContainerDirs('cpuacct/ memory/')} | ${readCounters(
    '^([0-9]+|total_inactive_file [0-9]+)$',
    '/^cpuacct\\// { rd($0 "/cpuacct.usage"); next } { rd($0 "/memory.usage_in_bytes"); rd($0 "/memory.stat") }',
  )}`,
  'fi',
  // Again after the files: the counters were read in between, so the midpoint is their time.
  'read skiff_up skiff_idle </proc/uptime && echo "skiff-uptime-end $skiff_up"',
  'exit 0',
].join('\n');

export type CgroupLayout = 'v1' | 'v2' | 'none' | 'unknown';

export interface CgroupCounters {
  /** Cumulative CPU time, ns. */
  cpuUsageNanos: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

export interface CgroupUsageRead {
  layout: CgroupLayout;
  /** The host's uptime when the counters were read, ms: the midpoint of the uptime read before
   *  and after the files (10 ms resolution), so a slow `find` shifts it by half at most. */
  uptimeMs?: number;
  /** Container id -> its counters; only containers whose CPU and both memory numbers were read. */
  containers: Map<string, CgroupCounters>;
}

const CONTAINER_DIR = /^(?:docker-)?([0-9a-f]{64})(?:\.scope)?$/;

interface CounterParts {
  cpu?: number;
  usage?: number;
  inactive?: number;
}

/** Parses CGROUP_USAGE_SCRIPT's output. Lines it does not know (errors find or grep printed, a
 *  file of a nested cgroup below a container's) are skipped. */
export function parseCgroupUsage(output: string): CgroupUsageRead {
  let layout: CgroupLayout = 'unknown';
  let uptimeMs: number | undefined;
  let uptimeEndMs: number | undefined;
  const parts = new Map<string, CounterParts>();
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('skiff-uptime ')) {
      uptimeMs = secondsToMs(line.slice('skiff-uptime '.length));
      continue;
    }
    if (line.startsWith('skiff-uptime-end ')) {
      uptimeEndMs = secondsToMs(line.slice('skiff-uptime-end '.length));
      continue;
    }
    if (line.startsWith('skiff-cgroup ')) {
      const l = line.slice('skiff-cgroup '.length);
      if (l === 'v1' || l === 'v2' || l === 'none') layout = l;
      continue;
    }
    // `path:value`: a value never holds a colon, a path might (other runtimes' slice names).
    const colon = line.lastIndexOf(':');
    if (colon < 0) continue;
    const segments = line.slice(0, colon).split('/');
    const file = segments[segments.length - 1];
    const id = CONTAINER_DIR.exec(segments[segments.length - 2] ?? '')?.[1];
    if (!id || !file) continue;
    const value = line.slice(colon + 1);
    const p = parts.get(id) ?? {};
    if (!applyLine(p, file, value)) continue;
    parts.set(id, p);
  }
  const containers = new Map<string, CgroupCounters>();
  for (const [id, p] of parts) {
    if (p.cpu === undefined || p.usage === undefined || p.inactive === undefined) continue;
    containers.set(id, { cpuUsageNanos: p.cpu, memoryBytes: Math.max(0, p.usage - p.inactive) });
  }
  if (uptimeMs !== undefined && uptimeEndMs !== undefined && uptimeEndMs >= uptimeMs)
    uptimeMs = Math.round((uptimeMs + uptimeEndMs) / 2);
  return { layout, uptimeMs, containers };
}

function secondsToMs(text: string): number | undefined {
  const s = Number(text);
  return Number.isFinite(s) && text.trim() !== '' ? Math.round(s * 1000) : undefined;
}

/** Records one counter line into `p`; false when the line is not one of ours. */
function applyLine(p: CounterParts, file: string, value: string): boolean {
  const space = value.indexOf(' ');
  const key = space < 0 ? '' : value.slice(0, space);
  const n = Number(space < 0 ? value : value.slice(space + 1));
  if (!Number.isFinite(n) || n < 0) return false;
  switch (file) {
    case 'cpuacct.usage':
      if (key !== '') return false;
      p.cpu = n;
      return true;
    case 'cpu.stat':
      if (key !== 'usage_usec') return false;
      p.cpu = n * 1000;
      return true;
    case 'memory.usage_in_bytes':
    case 'memory.current':
      if (key !== '') return false;
      p.usage = n;
      return true;
    case 'memory.stat':
      if (key !== 'total_inactive_file' && key !== 'inactive_file') return false;
      p.inactive = n;
      return true;
    default:
      return false;
  }
}
