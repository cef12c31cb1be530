// Timing for benchmarks on a shared machine: median wall and CPU time over runs, each from a
// collected heap, and the fastest run. Benchmark support only.

export const RUNS = 7;

// CPU time of this process (user + system): the machine is shared, and other processes' load
// would otherwise land in the numbers. Wall time is printed beside it.
export function measure(fn: () => unknown): { cpu: number; wall: number } {
  const w0 = performance.now();
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return { cpu: (d.user + d.system) / 1000, wall: performance.now() - w0 };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const gc = (globalThis as { gc?: () => void }).gc;

/** Each run starts from a collected heap (when --expose-gc allows it), as a daemon's pass does
 *  10 s after the previous one, instead of paying for the previous run's garbage. */
export interface Timing {
  cpu: number;
  wall: number;
  /** The fastest run's wall time: on a shared machine, the closest to the uncontended cost. */
  fastest: number;
}

export function timed(fn: () => unknown, count = RUNS): Timing {
  const runs = Array.from({ length: count }, () => {
    gc?.();
    return measure(fn);
  });
  return {
    cpu: median(runs.map((r) => r.cpu)),
    wall: median(runs.map((r) => r.wall)),
    fastest: Math.min(...runs.map((r) => r.wall)),
  };
}
