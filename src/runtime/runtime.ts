// The Runtime port: everything the rest of skiff may ask of the Docker hosts. One real
// implementation (Docker over persistent SSH, see docker-runtime.ts) and one in-memory fake
// for unit tests of the shell (fake-runtime.ts); a shared contract test keeps them alike.

import type { Duplex } from 'node:stream';
import type { PodRef } from '../model/actions.js';
import type { DesiredPod } from '../model/desired.js';
import type { Labels } from '../model/k8s.js';
import type { Observed, Taint } from '../model/observed.js';

/** Which per-host long-lived shell a host command waits in: `work` (Service rules, pod
 *  folders, host checks) or `control` (the host lease and the metrics sweep), so a renewal
 *  never queues behind slower work. */
export type ExecLane = 'work' | 'control';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

import type { ContainerStats } from '../model/container-stats.js';

export type { ContainerStats };

/** Where a ContainerUsage was read: the container's cgroup files on the host (what cAdvisor
 *  reads), or the Docker stats API (the fallback). */
export type UsageSource = 'cgroup' | 'docker-api';

/**
 * Cumulative usage of one running container, read in one sweep of its host: what kubelet hands
 * metrics-server (a MetricsPoint). A CPU rate needs two reads of the same container and source.
 */
export interface ContainerUsage {
  host: string;
  containerId: string;
  namespace: string;
  pod: string;
  container: string;
  /** CPU time used since the container started, ns (cgroup usage; never decreases). */
  cpuUsageNanos: number;
  /** Working set now: usage minus inactive file cache, bytes (as the kubelet reports memory). */
  memoryBytes: number;
  /** ms since epoch when the read was made. */
  at: number;
  source: UsageSource;
  /** ms on a clock of the source (host uptime for cgroup, the engine's read time for the API):
   *  a rate divides the CPU difference of two reads by the difference of this. */
  counterClockMs: number;
}

export interface LogOptions {
  container?: string;
  tail?: number;
  follow?: boolean;
  timestamps?: boolean;
}

/** A host as the cluster config lists it (no connection needed). */
export interface HostInfo {
  name: string;
  kind: 'ssh' | 'local';
  address: string;
  labels: Labels;
  taints: Taint[];
  maxPods?: number;
  extendedResources?: Record<string, number>;
  unschedulable?: boolean;
}

export interface Runtime {
  /** Every host with its readiness, and every pod skiff owns, from Docker labels. */
  observe(): Promise<Observed>;
  createPod(host: string, pod: DesiredPod): Promise<void>;
  /** Graceful: preStop hook, SIGTERM, wait gracePeriodSeconds, SIGKILL, then remove. */
  deletePod(pod: PodRef, gracePeriodSeconds: number): Promise<void>;
  restartContainer(pod: PodRef, container: string): Promise<void>;
  /** Remove a PersistentVolumeClaim's Docker volume (its data). Refused by Docker, with
   *  runtime.volume-in-use, while a container mounts it. */
  removeClaimVolume(host: string, volume: string): Promise<void>;
  /** Start a container created with the pod that never ran (init containers' turns, then the
   *  app containers); a no-op for one that already started. */
  startContainer(pod: PodRef, container: string): Promise<void>;
  logs(pod: PodRef, opts: LogOptions): Promise<NodeJS.ReadableStream>;
  exec(pod: PodRef, container: string, command: string[], timeoutMs?: number): Promise<ExecResult>;
  /** CPU rates from the Docker stats API, one call per container (slow: the engine answers at
   *  its 1 s stats tick). The metrics sweep uses sampleStats. */
  stats(host: string): Promise<ContainerStats[]>;
  /** Cumulative usage counters of every running skiff app container on the host, in one read
   *  (the cgroup files; the Docker stats API for containers whose files cannot be read). A
   *  container removed mid-read is left out, not an error. */
  sampleStats(host: string): Promise<ContainerUsage[]>;
  /** Run a shell command on the host itself (e.g. iptables-restore with the rules on stdin).
   *  Lane `control` (the host lease) never queues behind the work lane's commands. */
  execOnHost(host: string, command: string, stdin?: string, lane?: ExecLane): Promise<ExecResult>;
  /** A TCP connection opened from the host to ip:port (probes of a pod, from its own host). */
  connectTcp(host: string, ip: string, port: number): Promise<Duplex>;
  /** The configured hosts, in config order. */
  hostInfo(): HostInfo[];
  /** Stops observing a host removed from the inventory and closes its connection (calls on it
   *  fail as for an unknown host from then on). */
  forgetHost?(host: string): void;
  close(): Promise<void>;
}
