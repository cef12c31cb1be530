// Test helper for rollout end-to-end tests: the CLI run as a user runs it, a readiness check
// made by the test itself (GET /ready over TCP from each pod's own host, as a kubelet probes;
// skiff's own view is not trusted), a watcher sampling the hosts' pods and their readiness
// throughout a rollout, and the check of Kubernetes' bounds (never more than replicas+maxSurge
// pods, never fewer than replicas-maxUnavailable ready ones) over its samples.
// Shell code for tests only.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';

const exec = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `skiff ARGS --config FILE` as a process; never throws on a non-zero exit. */
export async function runSkiff(configFile: string, ...args: string[]): Promise<CliResult> {
  try {
    const r = await exec('npx', ['tsx', 'src/cli/main.ts', ...args, '--config', configFile], {
      cwd: join(import.meta.dirname, '../..'),
      env: {
        ...process.env,
        SKIFF_LOG_LEVEL: 'warn',
        GIT_AUTHOR_NAME: 'Ops Bot',
        GIT_AUTHOR_EMAIL: 'ops@example.test',
      },
      timeout: 240_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export type Readiness = 'ready' | 'unready' | 'unknown';

/** GET /ready on the pod, from its own host (as a kubelet's probe): 200 is ready, another
 *  answer or a refused connection is not; a transport failure or timeout (the SSH channel,
 *  a loaded machine) tells nothing, and such samples are left out of the bounds check. */
export async function probeReady(runtime: DockerRuntime, p: ObservedPod, port = 8080): Promise<Readiness> {
  if (!p.ip || !p.containers.every((c) => c.state === 'running')) return 'unready';
  let sock: Awaited<ReturnType<DockerRuntime['connectTcp']>>;
  try {
    // A pod whose address is going away can leave the connect hanging: bounded, it is unknown.
    const opening = runtime.connectTcp(p.host, p.ip, port);
    const slow = new Promise<undefined>((r) => setTimeout(() => r(undefined), 1500));
    const opened = await Promise.race([opening, slow]);
    if (!opened) {
      void opening.then((late) => late.destroy()).catch(() => undefined);
      return 'unknown';
    }
    sock = opened;
  } catch (err) {
    return /refused/i.test(String((err as Error).message)) ? 'unready' : 'unknown';
  }
  return new Promise<Readiness>((resolve) => {
    let text = '';
    // The status line is all we need: answer as soon as it is in (the forwarded channel may
    // stay half-open after the server is done).
    const finish = (r: Readiness) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const judge = () => finish(/^HTTP\/1\.[01] 200/.test(text) ? 'ready' : 'unready');
    const timer = setTimeout(() => finish(text ? 'unready' : 'unknown'), 3000);
    sock.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      if (text.includes('\r\n')) judge();
    });
    sock.on('error', () => undefined);
    sock.on('end', judge);
    sock.on('close', judge);
    sock.write('GET /ready HTTP/1.0\r\n\r\n');
  });
}

export interface Sample {
  at: number;
  /** Pods not terminating (see startWatcher). */
  pods: number;
  /** How many pods not terminating when the sample began answered ready. */
  ready: number;
  /** Pods whose readiness could not be measured this time. */
  unknown: number;
  images: string[];
  /** Each pod's template hash (known before its containers exist). */
  hashes: string[];
  /** How long taking this sample took. */
  ms: number;
}

/** Samples the hosts every ~200 ms until stopped: the pods `select` picks and how many answer
 *  ready. Samples taken while a host is NotReady (another test may cut one) are dropped.
 *  `terminating` (the daemon's view) names pods being deleted: Kubernetes' bounds count only
 *  the others (maxSurge counts non-terminating pods). The view is published by the pass after
 *  the one that deleted a pod, so a pod counts as terminating when the view said so around
 *  its sample or in the next one. */
export function startWatcher(
  runtime: DockerRuntime,
  select: (pods: ObservedPod[]) => ObservedPod[],
  terminating: () => ReadonlySet<string> = () => new Set(),
) {
  const raw: RawSample[] = [];
  const dropped: string[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      const dyingBefore = new Set(terminating());
      const dying = new Set(dyingBefore);
      const observed = await runtime.observe().catch((err: Error) => {
        dropped.push(`observe: ${err.message}`);
        return undefined;
      });
      const notReady = observed?.hosts.filter((h) => !h.ready) ?? [];
      if (notReady.length > 0)
        dropped.push(`not ready: ${notReady.map((h) => `${h.name} (${h.reason})`).join(', ')}`);
      if (observed && notReady.length === 0) {
        const pods = select(observed.pods);
        const states = await Promise.all(pods.map((p) => probeReady(runtime, p)));
        for (const n of terminating()) dying.add(n);
        raw.push({ at: started, pods, states, dyingBefore, dying, ms: Date.now() - started });
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - started))));
    }
  })();
  return {
    /** Whether a sample that began at or after `t` has been taken (a sample may take seconds:
     *  probing a dying pod waits for its timeout, so the last one can predate the end state). */
    sampledSince: (t: number) => raw.some((r) => r.at >= t),
    async stop(): Promise<Sample[]> {
      running = false;
      await done;
      if (dropped.length > 0)
        console.warn(`watcher dropped ${dropped.length} samples: ${[...new Set(dropped)].join('; ')}`);
      return raw.map((r, i) => sampleOf(r, raw[i + 1]));
    },
  };
}

interface RawSample {
  at: number;
  pods: ObservedPod[];
  states: Readiness[];
  /** Terminating when the sample began (before the hosts were read and probed). */
  dyingBefore: Set<string>;
  /** ...or by the time it ended. */
  dying: Set<string>;
  ms: number;
}

/** Each bound gets the benefit of the sampling lag, as a sample can only prove a violation
 *  with what it saw: the ceiling counts pods not terminating at any time around the sample
 *  (its start, its end, the next one: the view lags), the floor counts the ready pods that were
 *  not terminating when the sample began (a deletion starting mid-sample was decided on the
 *  daemon's readiness, up to a probe period old, not on the test's probe). */
function sampleOf(r: RawSample, next: RawSample | undefined): Sample {
  const states = r.pods.map((p, i) => ({ p, state: r.states[i]! }));
  const live = states.filter(({ p }) => !r.dying.has(p.name) && !next?.dying.has(p.name));
  const counted = states.filter(({ p }) => !r.dyingBefore.has(p.name));
  return {
    at: r.at,
    pods: live.length,
    ready: counted.filter((l) => l.state === 'ready').length,
    unknown: counted.filter((l) => l.state === 'unknown').length,
    images: r.pods.map((p) => p.containers[0]?.image ?? ''),
    hashes: r.pods.map((p) => p.templateHash),
    ms: r.ms,
  };
}

export interface RolloutBounds {
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
}

/** Fewest samples for the bounds to say anything. A rollout takes 10-20 s now (waves run in
 *  one pass) and a sample that probes a dying pod waits up to 3 s for its timeout, so a short
 *  rollout under load gives 6-7 samples; the callers also check what the samples saw. */
const MIN_SAMPLES = 5;

/** The issue's bounds, over every sample: never more than replicas+maxSurge pods, never fewer
 *  than replicas-maxUnavailable ready ones. A pod whose readiness could not be measured counts
 *  as not ready in the check of fully measured samples, and as possibly ready otherwise (a
 *  sample can only prove a violation with what it measured). */
export function expectWithinBounds(samples: Sample[], b: RolloutBounds, minSamples = MIN_SAMPLES) {
  const took = samples.map((s) => s.ms).sort((x, y) => x - y);
  expect(samples.length, `sample durations (ms): ${took.join(' ')}`).toBeGreaterThanOrEqual(minSamples);
  expect(Math.max(...samples.map((s) => s.pods))).toBeLessThanOrEqual(b.replicas + b.maxSurge);
  const measured = samples.filter((s) => s.unknown === 0);
  expect(measured.length).toBeGreaterThan(samples.length / 2);
  for (const s of samples) {
    expect(s.ready + s.unknown, JSON.stringify(s)).toBeGreaterThanOrEqual(b.replicas - b.maxUnavailable);
  }
  const worst = measured.reduce((x, y) => (y.ready < x.ready ? y : x));
  expect(worst.ready, JSON.stringify(worst)).toBeGreaterThanOrEqual(b.replicas - b.maxUnavailable);
}

/** The image of each pod's first container, sorted. */
export function runningImages(pods: ObservedPod[]): string[] {
  return pods.map((p) => p.containers[0]?.image ?? '').sort();
}

/** The names of `app`'s pods being deleted (startWatcher's third argument): those whose
 *  deletion the daemon's executor has started (at once) and those its view shows Terminating
 *  (published after the pass's creates finish, seconds later under load). */
export function terminatingIn(daemon: Daemon | undefined, app: string): () => ReadonlySet<string> {
  return () => {
    const reconciler = daemon?.inst.reconciler;
    const viewed = (reconciler?.view?.pods ?? []).filter((p) => p.app === app && p.status === 'Terminating');
    // In-flight keys are host/namespace/name; names are unique per app's namespace here.
    const started = (reconciler?.inflight.keys() ?? []).map((k) => k.split('/').at(-1)!);
    return new Set([...viewed.map((p) => p.name), ...started]);
  };
}

export interface ReadyPods {
  pods: ObservedPod[];
  /** Those answering their readiness port now. */
  ready: ObservedPod[];
  /** How many could not be judged (no answer either way). */
  unknown: number;
}

/** Which of `pods` answer their readiness port now (probeReady). */
export async function readyAmong(runtime: DockerRuntime, pods: ObservedPod[]): Promise<ReadyPods> {
  const states = await Promise.all(pods.map((p) => probeReady(runtime, p)));
  return {
    pods,
    ready: pods.filter((_, i) => states[i] === 'ready'),
    unknown: states.filter((s) => s === 'unknown').length,
  };
}

/** Samples the ready count every 250 ms until stopped (a caller keeps aside samples with an
 *  unknown pod whose count is below its floor: they prove nothing either way). */
export function startReadySampler(read: () => Promise<ReadyPods>) {
  const samples: { at: number; ready: number; unknown: number }[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = Date.now();
      const r = await read().catch(() => undefined);
      if (r) samples.push({ at: started, ready: r.ready.length, unknown: r.unknown });
      await new Promise((res) => setTimeout(res, Math.max(0, 250 - (Date.now() - started))));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}
