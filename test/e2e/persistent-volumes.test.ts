// Issue 12, PersistentVolumeClaims end to end on the testbed through the real git server and
// daemon: a Deployment (1 replica) mounts a ReadWriteOnce claim, which is provisioned as a
// Docker named volume on the host its first pod lands on. A file written there survives a
// rollout (an env change) and a daemon restart, and the pod never leaves the claim's host.
// `skiff get pvc -o wide` shows it Bound with its host; `skiff delete pvc` refuses while the
// claim is in Git, and once the claim left Git (Released, its volume kept) removes the volume.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon/daemon.js';
import { claimVolumeName } from '../../src/model/labels.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { fetchNow } from '../support/daemon-api.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { runSkiff } from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-pvc';
const NS = 'pvc';
const VOLUME = claimVolumeName(NS, 'data');
const image = '10.213.0.1:5000/skiff/web:1.0.0';

const claim = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: ${NS} }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
`;
// The app keeps one object when db and its claim leave: an empty commit is refused whole.
const keep = `apiVersion: v1
kind: ConfigMap
metadata: { name: keep, namespace: ${NS} }
data: { a: b }
`;
const deployment = (rev: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: db
          image: ${image}
          env: [{ name: REV, value: "${rev}" }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
          volumeMounts: [{ name: data, mountPath: /data }]
      volumes:
        - name: data
          persistentVolumeClaim: { claimName: data }
`;

let gitops: GitopsApp;
let restarted: Daemon | undefined;
let boundHost = '';

async function runningPod(rev: string): Promise<ObservedPod> {
  return eventually(
    `one pod of rev ${rev} running, alone`,
    async () => {
      const pods = await gitops.pods();
      if (pods.length !== 1) return undefined;
      const p = pods[0]!;
      if (!p.containers.every((c) => c.state === 'running')) return undefined;
      const env = await gitops.runtime.exec({ host: p.host, namespace: NS, name: p.name }, 'db', [
        'sh',
        '-c',
        'echo $REV',
      ]);
      return env.stdout.trim() === rev ? p : undefined;
    },
    45_000,
  );
}

/** Commit and push, then wake whichever daemon runs now (gitops.push wakes only the first). */
async function push(files: Record<string, string | null>, message: string): Promise<void> {
  await gitops.fx.commit(
    Object.fromEntries(Object.entries(files).map(([f, text]) => [`deploy/${f}`, text])),
    message,
  );
  await gitops.fx.push();
  const daemon = restarted ?? gitops.daemon;
  fetchNow(daemon);
}

async function sh(p: ObservedPod, script: string): Promise<string> {
  const r = await gitops.runtime.exec({ host: p.host, namespace: NS, name: p.name }, 'db', [
    'sh',
    '-c',
    script,
  ]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.trim();
}

beforeAll(async () => {
  gitops = await startGitopsApp({
    app: APP,
    files: { 'claim.yaml': claim, 'db.yaml': deployment('1'), 'keep.yaml': keep },
  });
}, 60_000);

afterAll(async () => {
  if (restarted) {
    await restarted.stop();
    // The first daemon is already stopped: close() must not stop it twice.
    (gitops.daemon as { stop: () => Promise<void> }).stop = async () => {};
  }
  const config = gitops?.config;
  await gitops?.close();
  if (config && boundHost) {
    const rt = new DockerRuntime(config);
    await rt.removeClaimVolume(boundHost, VOLUME).catch(() => {});
    await rt.close();
  }
}, 90_000);

describe('persistent volume claims (issue 12)', () => {
  it('provisions the claim on the first pod host and keeps its data across a rollout and a daemon restart', async () => {
    const first = await runningPod('1');
    boundHost = first.host;
    const volumes = (await gitops.runtime.observe()).claimVolumes ?? [];
    expect(volumes.filter((v) => v.claim === 'data' && v.namespace === NS)).toEqual([
      expect.objectContaining({
        host: boundHost,
        volume: VOLUME,
        storage: '1Gi',
        accessModes: ['ReadWriteOnce'],
      }),
    ]);
    await sh(first, 'echo kept > /data/f');

    await push({ 'db.yaml': deployment('2') }, 'Roll db (env change)');
    const second = await runningPod('2');
    expect(second.name).not.toBe(first.name);
    expect(second.host).toBe(boundHost);
    expect(await sh(second, 'cat /data/f')).toBe('kept');

    await gitops.daemon.stop();
    restarted = await Daemon.start({
      config: gitops.config,
      log: pino({ level: process.env.SKIFF_E2E_LOG_LEVEL ?? 'warn' }),
      listen: '127.0.0.1:0',
    });
    await push({ 'db.yaml': deployment('3') }, 'Roll db after the daemon restart');
    const third = await runningPod('3');
    expect(third.host).toBe(boundHost);
    expect(await sh(third, 'cat /data/f')).toBe('kept');
  }, 150_000);

  it('get pvc shows it Bound on its host; delete refuses while it is in Git', async () => {
    const get = await runSkiff(gitops.configFile, 'get', 'pvc', '-n', NS, '-o', 'wide');
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(
      new RegExp(`^data\\s+Bound\\s+${VOLUME}\\s+1Gi\\s+RWO\\s+docker-local\\s+\\S+\\s+${boundHost}\\s`, 'm'),
    );
    const del = await runSkiff(gitops.configFile, 'delete', 'pvc', 'data', '-n', NS);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('is still in Git');
  }, 60_000);

  it('keeps the volume when the claim leaves Git (Released) until skiff delete pvc', async () => {
    await push({ 'claim.yaml': null, 'db.yaml': null }, 'Remove db and its claim');
    await eventually(
      'db pruned',
      async () => ((await gitops.pods()).length === 0 ? true : undefined),
      45_000,
    );
    const get = await eventually(
      'claim Released',
      async () => {
        const r = await runSkiff(gitops.configFile, 'get', 'pvc', '-n', NS);
        return /^data\s+Released\s/m.test(r.stdout) ? r : undefined;
      },
      30_000,
    );
    expect(get.stdout).toContain(VOLUME);
    const del = await runSkiff(gitops.configFile, 'delete', 'pvc', 'data', '-n', NS);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain(`persistentvolumeclaim "data" deleted (volume ${VOLUME} on ${boundHost})`);
    const left = (await gitops.runtime.observe()).claimVolumes ?? [];
    expect(left.some((v) => v.volume === VOLUME)).toBe(false);
  }, 90_000);
});
