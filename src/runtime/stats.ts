// CPU and memory of one container from the Docker stats API, the way metrics-server and the
// docker CLI compute them. Pure: two samples in, one number out.

/** The fields of a Docker stats answer (GET /containers/{id}/stats) that skiff reads. */
export interface DockerStatsSample {
  read: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats: { usage?: number; stats?: Record<string, number> };
}

export interface CpuPoint {
  /** Container CPU time, ns. */
  total: number;
  /** Host CPU time over all CPUs, ns. */
  system: number;
}

/**
 * Millicores used between two points: the container's share of host CPU time, times the
 * number of CPUs (docker CLI's formula: cpuDelta / systemDelta * onlineCPUs), times 1000.
 */
export function cpuMillicores(cur: CpuPoint, prev: CpuPoint, onlineCpus: number): number {
  const cpuDelta = cur.total - prev.total;
  const systemDelta = cur.system - prev.system;
  if (systemDelta <= 0 || cpuDelta < 0) return 0;
  return Math.round((cpuDelta / systemDelta) * onlineCpus * 1000);
}

/**
 * The answer when it is a complete sample. A container removed or stopped while its stats were
 * read gives an empty or zeroed body (no `cpu_stats`, or the zero `read` time): that is a
 * container without metrics this sweep, not a failure of the host's sweep.
 */
export function completeSample(s: unknown): DockerStatsSample | undefined {
  const x = s as Partial<DockerStatsSample> | null | undefined;
  if (!x || typeof x !== 'object') return undefined;
  if (typeof x.cpu_stats?.cpu_usage?.total_usage !== 'number' || !x.memory_stats) return undefined;
  if (typeof x.read !== 'string' || x.read.startsWith('0001-')) return undefined;
  return x as DockerStatsSample;
}

export function cpuPointOf(s: DockerStatsSample): CpuPoint {
  return { total: s.cpu_stats.cpu_usage.total_usage, system: s.cpu_stats.system_cpu_usage ?? 0 };
}

/** The engine's own previous point (filled when the read was not one-shot), if any. */
export function enginePreviousPoint(s: DockerStatsSample): CpuPoint | undefined {
  const total = s.precpu_stats?.cpu_usage?.total_usage;
  const system = s.precpu_stats?.system_cpu_usage;
  return total === undefined || !system ? undefined : { total, system };
}

export function onlineCpusOf(s: DockerStatsSample, fallback: number): number {
  return s.cpu_stats.online_cpus && s.cpu_stats.online_cpus > 0 ? s.cpu_stats.online_cpus : fallback;
}

/**
 * Working set bytes, as the kubelet/metrics-server report memory: usage minus inactive file
 * cache (cgroup v1 `total_inactive_file`, v2 `inactive_file`), never below zero.
 */
export function workingSetBytes(s: DockerStatsSample): number {
  const usage = s.memory_stats.usage ?? 0;
  const st = s.memory_stats.stats ?? {};
  const inactive = st.total_inactive_file ?? st.inactive_file ?? 0;
  return Math.max(0, usage - inactive);
}
