// Commit-to-running latency on the 3-host testbed: a commit changing one env value of a
// 3-replica Deployment is pushed to a real git HTTP server, the daemon's webhook is called, and
// the clock stops when all 3 pods of the new revision have their container running, as the
// hosts' Docker engines report it (DockerRuntime.observe from a runtime of the bench's own,
// polled every 25 ms). The Deployment surges all 3 new pods at once (maxSurge 100%,
// maxUnavailable 0), so the comparison with the baseline is one wave against one wave.
// Baseline in the same run: the same 3 pods created straight through DockerRuntime.createPod,
// in parallel, one per host, and polled the same way. Where the time goes is taken from the
// daemon itself: when the commit was admitted, when each pass ran and what it did.
// Target (issue 4): p50 under 3 s.
//
// Usage: npx tsx bench/push-to-running.bench.ts  (brings the testbed up if needed, as root;
// deletes its pods and its data folders on the hosts; leaves a testbed it found up)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { down, status, up } from '../scripts/testbed/lifecycle.js';
import { loadClusterConfig } from '../src/config/load-config.js';
import { Daemon } from '../src/daemon/daemon.js';
import type { PassSummary } from '../src/daemon/reconciler.js';
import { indexConfig } from '../src/manifest/config-refs.js';
import { validateBundle } from '../src/manifest/index.js';
import type { Deployment } from '../src/model/k8s.js';
import type { ObservedPod } from '../src/model/observed.js';
import { materializePod } from '../src/reconcile/materialize-pod.js';
import { DockerRuntime } from '../src/runtime/docker-runtime.js';
import { fetchNow } from '../test/support/daemon-api.js';
import { makeGitFixture } from '../test/support/git-server.js';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const REPLICAS = 3;
const APP = 'bench-push';
const NS = `bench-push-${process.pid}`;
const BASE_NS = `bench-push-base-${process.pid}`;
const POLL_MS = 25;

const manifest = (image: string, round: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${REPLICAS}
  selector: { matchLabels: { app: web } }
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 100%, maxUnavailable: 0 }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: ${image}
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
          env: [{ name: ROUND, value: "${round}" }]
`;

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) =>
  sorted(xs)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const running = (p: ObservedPod) =>
  !p.terminating && p.containers.length > 0 && p.containers.every((c) => c.state === 'running');

/** Polls the hosts until `done` holds for the pods it selects; returns when it first did. */
async function waitPods(
  runtime: DockerRuntime,
  select: (p: ObservedPod) => boolean,
  done: (pods: ObservedPod[]) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const pods = (await runtime.observe()).pods.filter(select);
    if (done(pods)) return Date.now();
    if (performance.now() > deadline) throw new Error(`pods not ready in time: ${pods.map((p) => p.name)}`);
    await sleep(POLL_MS);
  }
}

interface Round {
  total: number;
  push: number;
  /** webhook call -> the tracker admitted the commit (fetch, read, validate). */
  admit: number;
  /** admitted -> start of the pass that created the pods. */
  toPass: number;
  /** that pass, start to end (observe, plan, Service rules, createPod x3). */
  pass: number;
  /** the slowest of its 3 createPod calls (they run in parallel). */
  create: number;
  /** end of that pass -> all 3 seen running by the bench. */
  seen: number;
  passes: number;
}

async function main(): Promise<void> {
  const log = (l: string) => process.stderr.write(`[bench] ${l}\n`);
  const wasUp = (await status().catch(() => undefined))?.up === true;
  const tb = wasUp ? (await status())! : await up({ hostCount: 3, log });
  const image = tb.images.web.find((i) => i.endsWith(':1.0.0'))!;

  const fx = await makeGitFixture();
  const configFile = join(fx.base, 'skiff.yaml');
  // A data folder of the bench's own on each host: its lease never meets another daemon's
  // (the testbed is shared with other tests), and removing it leaves the hosts clean.
  const dataDirs: string[] = [];
  const hostsYaml = readFileSync(tb.config, 'utf8').replace(
    /dataDir: "([^"]+)\/skiff"/g,
    (_m, dir: string) => {
      dataDirs.push(`${dir}/skiff-${APP}`);
      return `dataDir: "${dir}/skiff-${APP}"`;
    },
  );
  writeFileSync(
    configFile,
    `${hostsYaml}
apps:
  - name: ${APP}
    repoURL: ${fx.repoURL}
    revision: main
    path: deploy
    poll: { interval: 1h }
daemon:
  stateDir: ${fx.stateDir}
`,
  );
  const config = await loadClusterConfig(configFile);
  const runtime = new DockerRuntime(config);
  const hosts = config.hosts.map((h) => h.name);
  let daemon: Daemon | undefined;
  const rounds: Round[] = [];
  const baseline: number[] = [];
  try {
    await fx.commit({ 'deploy/web.yaml': manifest(image, 0) }, 'web round 0');
    await fx.push();
    const started = Date.now();
    daemon = await Daemon.start({ config, log: pino({ level: 'warn' }), listen: '127.0.0.1:0' });
    const d = daemon;
    // Every pass the daemon runs, in order (a bench may look inside: the loop calls pass()).
    const allPasses: PassSummary[] = [];
    const reconciler = d.inst.reconciler;
    const pass = reconciler.pass.bind(reconciler);
    reconciler.pass = async () => {
      const summary = await pass();
      if (!allPasses.includes(summary)) allPasses.push(summary);
      return summary;
    };
    const ofCommit = (sha: string) => (p: ObservedPod) => p.namespace === NS && p.commit === sha;
    const head0 = await fx.head();
    await waitPods(
      runtime,
      ofCommit(head0),
      (pods) => pods.length === REPLICAS && pods.every(running),
      120_000,
    );
    log(`round 0 running ${s(Date.now() - started)} after the daemon started`);

    for (let round = 1; round <= ROUNDS; round++) {
      // Let the previous revision's pods go first: each round starts from a settled cluster.
      await waitPods(
        runtime,
        (p) => p.namespace === NS,
        (pods) => pods.length === REPLICAS,
        60_000,
      );
      await sleep(500);
      const sha = await fx.commit({ 'deploy/web.yaml': manifest(image, round) }, `web round ${round}`);
      let stopWatch = false;
      let admittedAt = 0;
      // Watches the daemon from inside: when the commit is admitted.
      const watch = (async () => {
        while (!stopWatch) {
          if (!admittedAt && d.inst.trackers[0]!.snapshot().admitted?.commit === sha) admittedAt = Date.now();
          await sleep(2);
        }
      })();
      const t0 = Date.now();
      await fx.push();
      const pushed = Date.now();
      fetchNow(d);
      const doneAt = await waitPods(
        runtime,
        ofCommit(sha),
        (pods) => pods.length === REPLICAS && pods.every(running),
        120_000,
      );
      stopWatch = true;
      await watch;
      const passes = allPasses.filter((p) => p.at >= t0);
      const creating = passes.find((p) => p.at >= t0 && p.actions.some((a) => a.type === 'createPod'));
      const r: Round = {
        total: doneAt - t0,
        push: pushed - t0,
        admit: admittedAt - pushed,
        toPass: creating ? creating.at - admittedAt : Number.NaN,
        pass: creating ? creating.durationMs : Number.NaN,
        create: creating
          ? Math.max(...creating.results.filter((x) => x.action === 'createPod').map((x) => x.durationMs))
          : Number.NaN,
        seen: creating ? doneAt - (creating.at + creating.durationMs) : Number.NaN,
        passes: passes.filter((p) => p.at <= doneAt).length,
      };
      rounds.push(r);
      log(
        `round ${round}: ${s(r.total)} (push ${s(r.push)}, admitted +${s(r.admit)}, pass starts +${s(r.toPass)}, pass ${s(r.pass)} (create ${s(r.create)}), seen +${s(r.seen)})`,
      );
    }
    await daemon.stop();
    daemon = undefined;
    // The daemon's pods go before the baseline runs on the same hosts.
    for (const p of (await runtime.observe()).pods.filter((x) => x.namespace === NS))
      await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0);

    // Baseline: the same 3 pods (same template, resolved the same way), one per host, created
    // straight through the runtime in parallel, seen running by the same polling.
    const r = validateBundle([{ path: 'web.yaml', text: manifest(image, 0) }]);
    const dep = r.objects.find((o): o is Deployment => o.kind === 'Deployment')!;
    for (let round = 1; round <= ROUNDS; round++) {
      const pods = hosts.map((host, i) =>
        materializePod({
          app: `${APP}-baseline`,
          commit: `baseline-${round}`,
          name: `base-${round}-${i}`,
          namespace: BASE_NS,
          owner: { kind: 'Pod', name: `base-${round}-${i}` },
          templateHash: `base${round}`,
          labels: dep.spec.template.metadata.labels,
          spec: dep.spec.template.spec,
          host: { name: host, address: '' },
          config: indexConfig([], []),
          serviceEnv: [],
          extraHosts: [],
        }),
      );
      const t0 = Date.now();
      await Promise.all(pods.map((m, i) => runtime.createPod(hosts[i]!, m.pod)));
      const doneAt = await waitPods(
        runtime,
        (p) => p.namespace === BASE_NS && p.commit === `baseline-${round}`,
        (ps) => ps.length === REPLICAS && ps.every(running),
        60_000,
      );
      baseline.push(doneAt - t0);
      log(`baseline ${round}: ${s(doneAt - t0)}`);
      await Promise.all(
        pods.map((m, i) => runtime.deletePod({ host: hosts[i]!, namespace: BASE_NS, name: m.pod.name }, 0)),
      );
    }
  } finally {
    await daemon?.stop();
    const left = (await runtime.observe()).pods.filter((p) => p.namespace === NS || p.namespace === BASE_NS);
    await Promise.all(
      left.map((p) =>
        runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined),
      ),
    );
    await runtime.close();
    await fx.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    if (!wasUp) await down(log);
  }

  const totals = rounds.map((r) => r.total);
  const p50 = pct(totals, 50);
  const b50 = pct(baseline, 50);
  const med = (f: (r: Round) => number) => s(pct(rounds.map(f), 50));
  const row = (r: Round, i: number) =>
    `| ${i + 1} | ${s(r.total)} | ${s(r.push)} | ${s(r.admit)} | ${s(r.toPass)} | ${s(r.pass)} | ${s(r.create)} | ${s(r.seen)} | ${r.passes} |`;
  process.stdout.write(`## Reconcile: push to running (bench/push-to-running.bench.ts)

${new Date().toUTCString()}; machine: 2 cores / 24 GiB, Node ${process.versions.node}; testbed of 3 hosts (Docker over
SSH), shared with other work. \`npx tsx bench/push-to-running.bench.ts\` reproduces it.

A Deployment of ${REPLICAS} replicas of \`skiff/web:1.0.0\` (image already on the hosts; maxSurge 100%, so the
new revision's pods start together), the real daemon (default reconcile interval 10 s, poll 1 h: only
the webhook triggers). Each round commits a new env value, then times \`git push\` to the git HTTP
server + a fetch request (\`POST /api/v1/sync\` with the CLI's token: the webhook now takes only signed deliveries) until all ${REPLICAS} new pods' containers run, as Docker reports them (the
bench's own DockerRuntime.observe every ${POLL_MS} ms). ${ROUNDS} rounds.

| round | push to running | git push | webhook -> admitted | admitted -> creating pass starts | creating pass | its slowest createPod | pass end -> seen running | passes |
|---|---|---|---|---|---|---|---|---|
${rounds.map(row).join('\n')}
| median | ${s(p50)} | ${med((r) => r.push)} | ${med((r) => r.admit)} | ${med((r) => r.toPass)} | ${med((r) => r.pass)} | ${med((r) => r.create)} | ${med((r) => r.seen)} | |

| measure | p50 | p90 | vs baseline p50 |
|---|---|---|---|
| push to running through skiff | ${s(p50)} | ${s(pct(totals, 90))} | ${(p50 / b50).toFixed(2)}x |
| baseline: the same ${REPLICAS} pods created straight through DockerRuntime, in parallel | ${s(b50)} | ${s(pct(baseline, 90))} | 1.00x |

Target: p50 under 3 s (${p50 < 3000 ? 'met' : 'not met'}).
`);
}

await main();
