// Plan time of a pull request on the scale world: `skiff plan`'s pure core (simulatePlan: the
// object diff and the real reconcile pass driven over an in-memory copy of the world until the
// rollout settles) for a PR to one app of 5,000 Deployments x 3 replicas on 500 hosts that
// scales one Deployment 3->5, bumps its image and changes a ConfigMap value that 10 Deployments
// read (11 Deployments roll), and the PR comment rendered from it. Baselines in the same run:
// the daemon's idle pass over the whole converged cluster (what every pass costs anyway) and
// JSON.stringify of desired + observed state.
//
//   node --expose-gc --import tsx bench/plan-pr.bench.ts
import { renderPlanMarkdown } from '../src/cli/views/plan.js';
import { seededRandom } from '../src/controllers/seeded-random.js';
import { validateBundle } from '../src/manifest/index.js';
import type { KubeObject } from '../src/model/k8s.js';
import { simulatePlan } from '../src/reconcile/simulate-plan.js';
import { appYaml, build, FULL, NOW, passOver } from './support/scale-world.js';
import { RUNS, type Timing, timed } from './support/timing.js';

const full = build(FULL);
const per = FULL.deployments / FULL.apps;
const app = full.apps[0]!;

/** The pull request: app-15 scaled 3->5 with a new image, cfg-0's FEATURE changed. */
function pullRequestObjects(): KubeObject[] {
  const yaml = appYaml(0, 0, per)
    .replace(
      'metadata: { name: app-15, namespace: ns-0 }\nspec:\n  replicas: 3',
      'metadata: { name: app-15, namespace: ns-0 }\nspec:\n  replicas: 5',
    )
    .replace('image: registry.local/app-15:1.0.1', 'image: registry.local/app-15:1.1.0')
    .replace('FEATURE: "on-0"', 'FEATURE: "on-0-b"');
  const r = validateBundle([{ path: 'app-0.yaml', text: yaml }]);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors[0]!.message);
  return r.objects;
}

const next = pullRequestObjects();
const simulate = () =>
  simulatePlan({
    app: app.name,
    prune: true,
    fromCommit: app.commit,
    toCommit: 'f'.repeat(40),
    liveObjects: app.objects,
    nextObjects: next,
    observed: { at: NOW, hosts: full.hosts, pods: full.pods },
    now: NOW,
    random: seededRandom(42),
    hostGracePeriodMs: 40_000,
  });

const sample = simulate();
const rolled = sample.plan.changes.filter((c) => c.change === 'replace-pods').length;
if (!sample.settled || rolled !== 11)
  throw new Error(
    `the PR plan rolled ${rolled} Deployments (settled: ${sample.settled}): the bench world is wrong`,
  );

// Warm-up so every side runs optimized code.
simulate();
renderPlanMarkdown(sample.plan);

const plan = timed(simulate);
const comment = timed(() => renderPlanMarkdown(sample.plan));
const idle = timed(() => passOver(full.apps, full.hosts, full.pods, full.first.memory));
let jsonBytes = 0;
const json = timed(() => {
  jsonBytes = JSON.stringify({ apps: full.apps, hosts: full.hosts, pods: full.pods }).length;
});

const ms = (x: number) => `${x.toFixed(1)} ms`;
const row = (what: string, t: Timing, target = '') =>
  `| ${what} | ${ms(t.wall)} | ${ms(t.fastest)} | ${ms(t.cpu)} | ${(t.wall / idle.wall).toFixed(2)}x | ${(t.wall / json.wall).toFixed(2)}x | ${target} |`;

console.log(`## Plan of a pull request at scale (bench/plan-pr.bench.ts)

${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; ${RUNS} runs each, each from a
collected heap (median and fastest wall time; CPU time also counts V8's GC threads).
World: ${FULL.deployments} Deployments x 3 replicas in ${FULL.apps} apps on ${FULL.hosts} hosts, converged (${full.pods.length} pods).
The PR changes app-0 (${per} Deployments): app-15 scaled 3->5 with a new image, and a ConfigMap value
that 10 Deployments read. The simulation ran ${sample.passes} passes and rolled ${rolled} Deployments.

| measure | wall (median) | wall (fastest) | CPU (median) | vs idle pass | vs JSON.stringify | target |
|---|---:|---:|---:|---:|---:|---|
${row('simulatePlan: diff + rollout dry run until settled', plan, '< 1 s')}
${row(`PR comment (markdown, ${renderPlanMarkdown(sample.plan).length} chars)`, comment)}
${row('idle pass over the whole cluster (baseline)', idle)}
${row(`JSON.stringify of desired + observed (${(jsonBytes / 1024 ** 2).toFixed(0)} MB)`, json)}`);
