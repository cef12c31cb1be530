// `npm run chaos`: the simulated chaos suite over many seeds, bounded in time; `--seed N`
// replays one seed and prints its fault trace; `--testbed` runs one round on the real testbed
// (test/chaos/testbed-round.ts). Exit 1 on any violation, with the seed to replay.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistoryStore } from '../../src/history/history-store.js';
import { runSeed, type SeedResult } from './run-seed.js';

interface Args {
  seed?: number;
  from: number;
  seeds: number;
  minutes: number;
  testbed: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { from: 1, seeds: 1000, minutes: 5, testbed: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => Number(argv[++i]);
    if (a === '--seed') args.seed = value();
    else if (a === '--from') args.from = value();
    else if (a === '--seeds') args.seeds = value();
    else if (a === '--minutes') args.minutes = value();
    else if (a === '--testbed') args.testbed = true;
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else {
      console.error(
        `chaos: unknown argument ${a}\nusage: npm run chaos -- [--seed N | --from N --seeds K --minutes M] [--verbose] [--testbed]`,
      );
      process.exit(2);
    }
  }
  return args;
}

async function simulate(seed: number): Promise<SeedResult> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-chaos-'));
  let store: ReturnType<typeof openHistoryStore> | undefined;
  try {
    return await runSeed(seed, () => (store = openHistoryStore({ stateDir: dir })));
  } finally {
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : 0;
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.testbed) {
    const { runTestbedRound } = await import('./testbed-round.js');
    process.exit(await runTestbedRound());
  }
  const seeds =
    args.seed !== undefined ? [args.seed] : Array.from({ length: args.seeds }, (_, i) => args.from + i);
  const deadline = Date.now() + args.minutes * 60_000;
  const results: SeedResult[] = [];
  for (const seed of seeds) {
    if (Date.now() > deadline) break;
    const r = await simulate(seed);
    results.push(r);
    if (r.violations.length || args.verbose || args.seed !== undefined) {
      console.log(`--- seed ${seed} trace ---\n${r.trace.join('\n')}`);
      for (const v of r.violations) console.log(`VIOLATION ${v}`);
      if (r.violations.length) console.log(`replay: npm run chaos -- --seed ${seed}`);
    }
  }
  const conv = results.flatMap((r) => r.converge);
  const faults: Record<string, number> = {};
  for (const r of results) for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
  const failed = results.filter((r) => r.violations.length);
  const slow = [...conv].sort((a, b) => b.passes - a.passes).slice(0, 5);
  if (args.verbose)
    for (const c of slow)
      console.log(`slowest: ${c.passes} passes, ${c.ms / 1000}s after ${c.faults.join(' + ')}`);
  console.log(
    [
      `chaos: ${results.length} seeds (${seeds[0]}..${results.at(-1)?.seed}), ${conv.length} rollouts converged, ${results.reduce((n, r) => n + r.kills, 0)} daemon kills`,
      `faults: ${Object.entries(faults)
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
      `passes to converge after the faults cleared: median ${quantile(
        conv.map((c) => c.passes),
        0.5,
      )}, p99 ${quantile(
        conv.map((c) => c.passes),
        0.99,
      )}, max ${Math.max(0, ...conv.map((c) => c.passes))}`,
      `fake seconds to converge: median ${
        quantile(
          conv.map((c) => c.ms),
          0.5,
        ) / 1000
      }, max ${Math.max(0, ...conv.map((c) => c.ms)) / 1000}`,
      `violations: ${failed.length ? failed.map((r) => r.seed).join(', ') : 'none'}`,
    ].join('\n'),
  );
  process.exit(failed.length ? 1 : 0);
}

await main();
