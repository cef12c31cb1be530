// The daemon's V8 heap policy. A control loop is idle between passes and shares its machine
// with the workloads it places, so it should hold close to what it keeps, not what a
// throughput-tuned heap lets garbage grow to: with Node's defaults a daemon holding 15,000
// pods (about 120 MB live) grew to 380-440 MB RSS between major GCs; with
// `--optimize-for-size` it stays at 230 MB, passes taking about twice as long (BENCHMARKS.md,
// bench/daemon-memory.bench.ts). `--flush-baseline-code` lets V8 drop the compiled code (and
// bytecode) of functions not run lately, as it does for functions never tiered up: without it a
// function run once in a while (a commit's validation, a fetch) keeps its code for good, 8-10 MB
// of heap at that scale. The flags are set when `skiff run` starts (V8 reads them at each
// collection); SKIFF_DAEMON_V8_FLAGS replaces them, empty for Node's defaults.
import { setFlagsFromString } from 'node:v8';
import { UsageError } from '../model/errors.js';

export const DEFAULT_DAEMON_V8_FLAGS = ['--optimize-for-size', '--flush-baseline-code'];
const ENV = 'SKIFF_DAEMON_V8_FLAGS';

/** Garbage collection and heap sizing only: a typo must not pass as a flag, nor anything
 *  that changes what the daemon does. */
const SWITCHES = ['optimize-for-size', 'flush-baseline-code', 'memory-reducer', 'compact-on-every-full-gc'];
const ALLOWED = new RegExp(`^--((no-)?(${SWITCHES.join('|')})|heap-growing-percent=\\d{1,3})$`);

/** The flags the daemon runs with: the default, or the environment's (space separated). */
export function daemonV8Flags(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = env[ENV];
  if (raw === undefined) return DEFAULT_DAEMON_V8_FLAGS;
  const flags = raw.split(/\s+/).filter(Boolean);
  const bad = flags.find((f) => !ALLOWED.test(f));
  if (bad !== undefined)
    throw new UsageError(
      `${ENV}: ${JSON.stringify(bad)} is not a heap flag skiff accepts`,
      `use ${SWITCHES.map((f) => `--${f}`).join(', ')} (each also as --no-...) or --heap-growing-percent=N; or set it empty for Node's defaults`,
    );
  return flags;
}

/** Sets the daemon's heap flags in this process; returns them (for the start-up log). */
export function applyDaemonV8Flags(env: NodeJS.ProcessEnv = process.env): string[] {
  const flags = daemonV8Flags(env);
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
