// Plan time of the pure core at scale: one reconcile pass (src/reconcile/pass.ts) for 5,000
// Deployments x 3 replicas on 500 simulated hosts, from an in-memory observed state (no Docker,
// no SSH), and the memory a process holding that state needs. Two passes are timed:
// - the first pass from nothing (every pod scheduled, named, materialized: 15,000 createPod);
// - a steady-state pass over the converged cluster (every pod running): the idle pass the
//   daemon runs every 10 s, which must plan nothing.
// Baselines measured in the same run: the same passes at a tenth of the size (500 Deployments
// on 50 hosts: the ratio says whether cost grows linearly), and JSON.stringify of the same
// desired + observed state (touching every field once, the least any planner must do).
//
//   node --expose-gc --import tsx bench/plan.bench.ts   (npx tsx works too, without forced GCs)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build, FULL, MiB, passOver as plan, REPLICAS, TENTH } from './support/scale-world.js';
import { gc, RUNS, type Timing, timed } from './support/timing.js';

const settleMemory = () => {
  gc?.();
  return process.memoryUsage();
};

interface MemoryReport {
  empty: NodeJS.MemoryUsage;
  holding: NodeJS.MemoryUsage;
  pods: number;
}

// Memory is measured in a child process of its own, so the timed runs' garbage and the
// baselines' state are not in it: code loaded, then the state a daemon holds between passes at
// full size (the admitted objects, the observed hosts and pods, the pass memory and the last
// idle pass's result: pod and Deployment views), after three idle passes and a forced GC.
/** What a daemon keeps between passes: the admitted objects, the hosts, the last observation
 *  (each pod with its own spec, as the runtime parses it from the container's labels), and the
 *  last idle pass (its memory and views). The pass from nothing and its actions are dropped. */
function daemonState() {
  const world = build(FULL);
  const pods = structuredClone(world.pods);
  let last = world.steady;
  for (let i = 0; i < 3; i++) last = plan(world.apps, world.hosts, pods, last.memory);
  return { apps: world.apps, hosts: world.hosts, pods, last };
}

if (process.argv[2] === '--memory') {
  const empty = settleMemory();
  const held = daemonState();
  const holding = settleMemory();
  const report: MemoryReport = { empty, holding, pods: held.pods.length };
  process.stdout.write(JSON.stringify(report));
  process.exit(0);
}

const child = spawnSync(
  process.execPath,
  ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--memory'],
  { encoding: 'utf8', maxBuffer: 1024 * 1024 },
);
if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr}`);
const mem = JSON.parse(child.stdout) as MemoryReport;

const full = build(FULL);
const creates = full.first.actions.filter((a) => a.type === 'createPod').length;
if (full.steady.actions.length !== 0)
  throw new Error(`steady pass planned ${full.steady.actions.length} actions: the bench world is wrong`);
const tenth = build(TENTH);

// Warm-up so every side runs optimized code.
plan(tenth.apps, tenth.hosts, []);
plan(tenth.apps, tenth.hosts, tenth.pods, tenth.first.memory);

const firstFull = timed(() => plan(full.apps, full.hosts, []));
const steadyFull = timed(() => plan(full.apps, full.hosts, full.pods, full.first.memory));
const firstTenth = timed(() => plan(tenth.apps, tenth.hosts, []));
const steadyTenth = timed(() => plan(tenth.apps, tenth.hosts, tenth.pods, tenth.first.memory));
let jsonBytes = 0;
const json = timed(() => {
  jsonBytes = JSON.stringify({ apps: full.apps, hosts: full.hosts, pods: full.pods }).length;
});

const ms = (x: number) => `${x.toFixed(1)} ms`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const mb = (b: number) => `${(b / MiB).toFixed(0)} MB`;
const row = (what: string, t: Timing, base: Timing, target = '') =>
  `| ${what} | ${ms(t.wall)} | ${ms(t.fastest)} | ${ms(t.cpu)} | ${x(t.wall, base.wall)} | ${target} |`;

console.log(`## Reconcile: plan at scale (bench/plan.bench.ts)

${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; ${RUNS} runs each, each from a
collected heap. Wall time is the plan's latency; process CPU time also counts V8's parallel GC
threads. The machine is shared with other work: the fastest run is the closest to the uncontended cost.
${FULL.deployments} Deployments x ${REPLICAS} replicas in ${FULL.apps} apps (one ConfigMap and one Secret per 10
Deployments, referenced by envFrom and env valueFrom; 10% with a nodeSelector) on ${FULL.hosts} hosts
(1 in 50 tainted), in-memory observed state. \`node --expose-gc --import tsx bench/plan.bench.ts\`.

| measure | wall (median) | wall (fastest) | CPU (median) | vs JSON.stringify (wall) | target |
|---|---:|---:|---:|---:|---|
${row(`first pass from nothing: ${creates} createPod planned`, firstFull, json, '< 1 s')}
${row('steady pass over the converged cluster (0 actions)', steadyFull, json, '< 1 s')}
${row(`JSON.stringify of desired + observed (${mb(jsonBytes)} of JSON)`, json, json)}

Scaling, fastest wall times (the same passes at a tenth: ${TENTH.deployments} Deployments on ${TENTH.hosts} hosts):

| pass | full | tenth | full / tenth (10 = linear) |
|---|---:|---:|---:|
| first | ${ms(firstFull.fastest)} | ${ms(firstTenth.fastest)} | ${(firstFull.fastest / firstTenth.fastest).toFixed(1)} |
| steady | ${ms(steadyFull.fastest)} | ${ms(steadyTenth.fastest)} | ${(steadyFull.fastest / steadyTenth.fastest).toFixed(1)} |

Memory (a child process of its own, forced GC): RSS ${mb(mem.empty.rss)} (heap used ${mb(mem.empty.heapUsed)}) with the code
loaded and no state; RSS ${mb(mem.holding.rss)} (heap used ${mb(mem.holding.heapUsed)}, heap reserved ${mb(mem.holding.heapTotal)}) holding the admitted objects, the observed
${mem.pods} pods on ${FULL.hosts} hosts (each with its own copy of its spec, as parsed from container labels), the
pass memory and the last idle pass's views, after building them (validation of the manifests, one
pass from nothing, four idle passes; the pass from nothing and its actions dropped). The live state is
the heap used less the empty process's; the rest of the RSS is code (tsx compiles the TypeScript in
process) and heap V8 keeps reserved after the build's garbage. Target: daemon RSS < 150 MB.`);
