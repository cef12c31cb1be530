// What the runtime reports about its own calls, for the daemon's metrics: each Docker API call's
// latency and outcome, each SSH connection attempt and drop, by host. A port the shell above
// implements (daemon/metrics.ts); the runtime works the same without one. Shell.

export interface RuntimeObserver {
  /** One Docker API call on `host` (`operation`: a fixed name such as `create container`),
   *  its time on the engine (after any queueing), and whether it succeeded. */
  dockerCall(host: string, operation: string, seconds: number, ok: boolean): void;
  /** One SSH connection attempt; `reconnect` when it is not the host's first. */
  sshConnect(host: string, reconnect: boolean, ok: boolean): void;
  /** An established SSH connection was lost (a reconnect follows). */
  sshDropped(host: string): void;
}
