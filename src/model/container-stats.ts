// One container's resource usage as the runtime samples it (cgroup counters or the Docker stats
// API): plain data, produced by src/runtime, read by the HPA's pod metrics and `skiff top`.

export interface ContainerStats {
  host: string;
  containerId: string;
  namespace: string;
  pod: string;
  container: string;
  /** CPU used, in millicores, averaged since the previous sample (or over the engine's window). */
  cpuMilli: number;
  memoryBytes: number;
  at: number;
  /** ms: the window cpuMilli was averaged over, when known (metrics-server's TimeInfo.Window). */
  windowMs?: number;
}
