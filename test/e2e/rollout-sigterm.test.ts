// Issue 12, "Rollouts must not wait on dying pods", end to end on the 3-host testbed through
// the real git HTTP server and the real daemon: the web tier's pods run with SIGTERM ignored
// (a shell entrypoint as PID 1, as many real images have), so each deleted pod lives out its
// whole 30 s grace period. A rollout of 4 replicas, maxSurge 1 / maxUnavailable 1, with a
// 25 s progress deadline, pushed through Git, must finish in about its new pods' readiness
// time (Kubernetes' default podReplacementPolicy: replacements start as soon as old pods start
// terminating), not 30 s per wave; it is never declared failed nor quarantined; at every
// sample the non-terminating pods stay within replicas + maxSurge and the ready ones (measured
// by the test itself, GET /ready from each pod's host) at replicas - maxUnavailable or more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { probeReady, runSkiff, terminatingIn } from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-sigterm';
const NS = 'sigterm';
const REPLICAS = 4;
const MAX_SURGE = 1;
const MAX_UNAVAILABLE = 1;
const GRACE_SECONDS = 30;
const image = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;

// The image's entrypoint runs arguments that are not KEY=VALUE instead of its server: this
// shell ignores SIGTERM, then becomes the server, whose own traps cannot undo an ignore the
// shell inherited (POSIX: a signal ignored on entry to a non-interactive shell stays ignored).
// `docker stop` therefore has to wait the grace period out and SIGKILL.
const deployment = (tag: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${REPLICAS}
  progressDeadlineSeconds: 25
  selector: { matchLabels: { app: web } }
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: ${MAX_SURGE}, maxUnavailable: ${MAX_UNAVAILABLE} }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: ${GRACE_SECONDS}
      containers:
        - name: web
          image: ${image(tag)}
          args: ["sh", "-c", "trap '' TERM; exec /app/server.sh"]
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 1
`;

interface Sample {
  at: number;
  /** Pod names on the hosts, as Docker shows them. */
  names: string[];
  /** Pods the daemon reports Terminating in its view around this time (start or end). */
  terminating: Set<string>;
  /** ...when the sample began, before the hosts were read and probed. */
  terminatingAtStart: Set<string>;
  images: Record<string, string>;
  /** Each pod's readiness as the test measured it. */
  readiness: Record<string, 'ready' | 'unready' | 'unknown'>;
}

let gitops: GitopsApp;
let runtime: DockerRuntime;
let daemon: Daemon;

const appPods = async (): Promise<ObservedPod[]> =>
  (await runtime.observe()).pods.filter((p) => p.app === APP);

/** `skiff rollout status deployment/web` as a user runs it. */
const rolloutStatus = (timeout: string) =>
  runSkiff(gitops.configFile, 'rollout', 'status', 'deployment/web', '-n', NS, '--timeout', timeout);

const terminatingInView = (): ReadonlySet<string> => terminatingIn(daemon, APP)();

function webView() {
  return daemon.inst.reconciler.view?.deployments.find((d) => d.app === APP && d.name === 'web');
}

/** Samples Docker, the test's own readiness checks and the daemon's view every ~200 ms. */
function startWatcher() {
  const samples: Sample[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      const terminatingAtStart = new Set(terminatingInView());
      const terminating = new Set(terminatingAtStart);
      const observed = await runtime.observe().catch(() => undefined);
      if (observed?.hosts.every((h) => h.ready)) {
        const pods = observed.pods.filter((p) => p.app === APP);
        const ready = await Promise.all(pods.map((p) => probeReady(runtime, p)));
        for (const n of terminatingInView()) terminating.add(n);
        samples.push({
          at: started,
          names: pods.map((p) => p.name),
          terminating,
          terminatingAtStart,
          images: Object.fromEntries(pods.map((p) => [p.name, p.containers[0]?.image ?? ''])),
          readiness: Object.fromEntries(pods.map((p, i) => [p.name, ready[i]!])),
        });
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return samples;
    },
  };
}

/** A pod counts as terminating in a sample when the daemon's view says so then or in the
 *  next sample: the view is published by the pass after the one that deleted the pod. */
function nonTerminating(samples: Sample[], i: number): string[] {
  const s = samples[i]!;
  const next = samples[i + 1];
  return s.names.filter((n) => !s.terminating.has(n) && !next?.terminating.has(n));
}

beforeAll(async () => {
  gitops = await startGitopsApp({ app: APP, files: { 'web.yaml': deployment('1.0.0') }, poll: '1h' });
  ({ runtime, daemon } = gitops);
  const status = await rolloutStatus('3m');
  expect(status.code, status.stderr).toBe(0);
  await eventually('4 ready pods of 1.0.0', async () => {
    const pods = await appPods();
    return pods.length === REPLICAS && pods.every((p) => p.containers[0]?.image === image('1.0.0'))
      ? pods
      : undefined;
  });
}, 240_000);

afterAll(async () => {
  await gitops?.close();
}, 120_000);

describe('rollouts do not wait on dying pods (issue 12)', () => {
  it('rolls 4 replicas whose old pods ignore SIGTERM in about readiness time, within bounds', async () => {
    const watcher = startWatcher();
    let samples: Sample[] = [];
    let tookMs = 0;
    let oldStillDying = 0;
    let sha = '';
    const phases = new Set<string>();
    try {
      const t0 = Date.now();
      sha = await gitops.push({ 'web.yaml': deployment('2.0.0') }, 'Roll web to 2.0.0');
      await eventually(
        'deployment/web complete on 2.0.0',
        async () => {
          const v = webView();
          if (v) phases.add(v.phase);
          if (v?.phase === 'Failed') return v;
          return v?.phase === 'Complete' &&
            v.images.every((i) => i === image('2.0.0')) &&
            v.availableReplicas === REPLICAS
            ? v
            : undefined;
        },
        120_000,
      );
      tookMs = Date.now() - t0;
      // The old pods really do ignore SIGTERM: some are still on the hosts when it is done.
      oldStillDying = (await appPods()).filter((p) => p.containers[0]?.image === image('1.0.0')).length;
    } finally {
      samples = await watcher.stop();
    }
    console.info(`rollout of ${REPLICAS} replicas, old pods ignoring SIGTERM: ${tookMs} ms`);
    // Never declared failed (a 25 s deadline against 30 s terminations).
    expect([...phases]).not.toContain('Failed');
    expect(webView()?.phase).toBe('Complete');
    expect(oldStillDying).toBeGreaterThan(0);
    // Two waves of new pods: far under one 30 s grace period per wave.
    expect(tookMs).toBeLessThan(40_000);

    const rolling = samples.filter((s) => new Set(Object.values(s.images)).size > 1);
    expect(rolling.length).toBeGreaterThanOrEqual(3); // it saw the rollout
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      const live = nonTerminating(samples, i);
      // A pod that ignores SIGTERM still answers ready while it terminates: only pods not
      // terminating when the sample began count toward the floor (a deletion starting
      // mid-sample was decided on the daemon's readiness, up to a probe period newer than the
      // test's; a pod not measured this time may have been ready).
      const counted = s.names.filter((n) => !s.terminatingAtStart.has(n));
      const shown = JSON.stringify({
        ...s,
        terminating: [...s.terminating],
        terminatingAtStart: [...s.terminatingAtStart],
        live,
      });
      expect(live.length, shown).toBeLessThanOrEqual(REPLICAS + MAX_SURGE);
      const up = counted.filter((n) => s.readiness[n] !== 'unready').length;
      expect(up, shown).toBeGreaterThanOrEqual(REPLICAS - MAX_UNAVAILABLE);
    }
    const measured = samples.filter((s) => Object.values(s.readiness).every((r) => r !== 'unknown'));
    expect(measured.length).toBeGreaterThan(samples.length / 2);

    const status = await rolloutStatus('1m');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.trim().split('\n').at(-1)).toBe('deployment "web" successfully rolled out');
    const history = daemon.inst.history!;
    expect(history.isQuarantined(APP, sha)).toBe(false);
    const app = daemon.inst.reconciler.view?.apps.find((a) => a.name === APP);
    expect(app?.liveCommit).toBe(sha);

    // And the dying pods do go, SIGKILLed at the end of their grace period.
    await eventually(
      'old pods gone after their grace period',
      async () =>
        (await appPods()).some((p) => p.containers[0]?.image === image('1.0.0')) ? undefined : true,
      (GRACE_SECONDS + 30) * 1000,
    );
  }, 300_000);
});
