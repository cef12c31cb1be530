// Issue 4 end to end: git push deploys, on the 3-host testbed, through the real git HTTP
// server and the real daemon. Asserts the end state of the hosts (Docker, via the runtime),
// never the order of calls.

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-config.js';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { fetchNow } from '../support/daemon-api.js';
import { type GitFixture, git, makeGitFixture } from '../support/git-server.js';
import { cutHost, docker, eventually, healHost, testbed } from '../support/testbed.js';

const APP = 'e2e-gitops';
const NS = 'gitops';
const image = (tag: string) => `10.213.0.1:5000/skiff/web:${tag}`;

const config = (level = 'info') => `apiVersion: v1
kind: ConfigMap
metadata: { name: app-config, namespace: ${NS} }
data:
  LOG_LEVEL: "${level}"
---
apiVersion: v1
kind: Secret
metadata: { name: app-secrets, namespace: ${NS} }
type: Opaque
data:
  DATABASE_PASSWORD: cGFzc3dvcmQxMjM=  # password123
`;

const deployment = (replicas: number, tag = '1.0.0') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: ${image(tag)}
          ports: [{ containerPort: 8080 }]
          resources: { requests: { cpu: 50m, memory: 16Mi } }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
            periodSeconds: 1
          envFrom:
            - configMapRef: { name: app-config }
            - secretRef: { name: app-secrets }
`;

let fx: GitFixture;
let runtime: DockerRuntime;
let clusterConfig: ClusterConfig;
let daemon: Daemon | undefined;

async function startDaemon(): Promise<Daemon> {
  const log = pino({ level: 'warn' });
  return Daemon.start({ config: clusterConfig, log, listen: '127.0.0.1:0' });
}

async function pushAndNotify(files: Record<string, string | null>, message: string): Promise<string> {
  const sha = await fx.commit(files, message);
  await fx.push();
  // The git host's webhook: a POST that only triggers a fetch.
  if (daemon) fetchNow(daemon);
  return sha;
}

async function appPods(): Promise<ObservedPod[]> {
  const o = await runtime.observe();
  return o.pods.filter((p) => p.app === APP);
}

/** Waits until the app's running pods satisfy `ok`, returning them. */
function podsWhere(what: string, ok: (pods: ObservedPod[]) => boolean, timeoutMs = 60_000) {
  return eventually(
    what,
    async () => {
      const pods = (await appPods()).filter(
        (p) => p.containers.length > 0 && p.containers.every((c) => c.state === 'running'),
      );
      return ok(pods) ? pods : undefined;
    },
    timeoutMs,
  );
}

/** N running pods, all of one revision, and nothing else of the app on the hosts. */
function settled(n: number, timeoutMs = 120_000) {
  return eventually(
    `${n} pods of one revision, nothing else`,
    async () => {
      const all = await appPods();
      const ok =
        all.length === n &&
        new Set(all.map((p) => p.templateHash)).size === 1 &&
        // A pod is observed from its sandbox on, before its containers exist: wait for `web`.
        all.every((p) => p.containers.some((c) => c.name === 'web' && c.state === 'running'));
      return ok ? all : undefined;
    },
    timeoutMs,
  );
}

const images = (pods: ObservedPod[]) => new Set(pods.map((p) => p.containers[0]?.image));

beforeAll(async () => {
  fx = await makeGitFixture();
  const base = await loadClusterConfig(testbed().config);
  clusterConfig = {
    ...base,
    apps: [
      {
        name: APP,
        repoURL: fx.repoURL,
        revision: 'main',
        path: 'deploy',
        syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: true },
        poll: { interval: '2s' },
        rollback: { autoRestore: true },
      },
    ],
    daemon: {
      ...base.daemon,
      stateDir: fx.stateDir,
      reconcileIntervalSeconds: 1,
      hostGracePeriodSeconds: 6,
    },
  };
  runtime = new DockerRuntime(clusterConfig);
  await pushAndNotify({ 'deploy/config.yaml': config(), 'deploy/web.yaml': deployment(3) }, 'Deploy web');
  daemon = await startDaemon();
});

afterAll(async () => {
  await daemon?.stop();
  // Leave the hosts as found: remove every pod of this app.
  for (const p of await appPods().catch(() => [])) {
    await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined);
  }
  await runtime.close();
  await healHost('h1').catch(() => undefined);
  await healHost('h2').catch(() => undefined);
  await healHost('h3').catch(() => undefined);
  await fx?.close();
});

describe('git push deploys (issue 4)', () => {
  it('runs 3 replicas spread over the hosts with env from the ConfigMap and the Secret', async () => {
    const pods = await settled(3);
    expect(new Set(pods.map((p) => p.host)).size).toBe(3);
    const env = await runtime.exec({ host: pods[0]!.host, namespace: NS, name: pods[0]!.name }, 'web', [
      'env',
    ]);
    expect(env.stdout).toContain('LOG_LEVEL=info');
    expect(env.stdout).toContain('DATABASE_PASSWORD=password123');
    expect(pods[0]!.name).toMatch(/^web-[a-z0-9]+-[a-z0-9]{5}$/);
  });

  it('scales to 5 and back to 2 by commits', async () => {
    await pushAndNotify({ 'deploy/web.yaml': deployment(5) }, 'Scale web to 5');
    await settled(5);
    await pushAndNotify({ 'deploy/web.yaml': deployment(2) }, 'Scale web to 2');
    const pods = await settled(2);
    expect(new Set(pods.map((p) => p.templateHash)).size).toBe(1);
  });

  it('an image change is a new revision, and git revert brings the previous template back', async () => {
    const before = await settled(2);
    const v1Hash = before[0]!.templateHash;
    await pushAndNotify({ 'deploy/web.yaml': deployment(2, '2.0.0') }, 'Roll web to 2.0.0');
    const v2 = await eventually('2 pods of 2.0.0', async () => {
      const ps = await settled(2);
      return images(ps).has(image('2.0.0')) ? ps : undefined;
    });
    expect([...images(v2)]).toEqual([image('2.0.0')]);
    expect(v2[0]!.templateHash).not.toBe(v1Hash);
    await git(fx.work, 'revert', '--no-edit', 'HEAD');
    await fx.push();
    fetchNow(daemon!);
    const back = await eventually('2 pods of 1.0.0', async () => {
      const ps = await settled(2);
      return ps[0]!.templateHash === v1Hash ? ps : undefined;
    });
    expect([...images(back)]).toEqual([image('1.0.0')]);
    expect(back[0]!.templateHash).toBe(v1Hash);
  });

  it('a ConfigMap change rolls the Deployment to pods with the new value', async () => {
    await pushAndNotify({ 'deploy/config.yaml': config('debug') }, 'Debug logging');
    const pods = await settled(2);
    await eventually('LOG_LEVEL=debug in every pod', async () => {
      const now = await settled(2);
      const envs = await Promise.all(
        now.map((p) => runtime.exec({ host: p.host, namespace: NS, name: p.name }, 'web', ['env'])),
      );
      return envs.every((e) => e.stdout.includes('LOG_LEVEL=debug')) ? true : undefined;
    });
    expect(pods.length).toBe(2);
  });

  it('an invalid commit changes nothing and status shows the error with file:line', async () => {
    const before = (await settled(2)).map((p) => p.name).sort();
    const bad = deployment(4).replace('cpu: 50m', 'cpu: 50mi');
    const sha = await pushAndNotify({ 'deploy/web.yaml': bad }, 'Broken quantity');
    const status = await eventually('the commit rejected', async () => {
      const view = daemon!.inst.reconciler.view;
      const app = view?.apps.find((a) => a.name === APP);
      return app?.rejected?.commit === sha ? app : undefined;
    });
    const finding = status.rejected!.diagnostics.find((d) => d.severity === 'error')!;
    expect(finding.file).toBe('web.yaml');
    expect(finding.line).toBeGreaterThan(0);
    expect(finding.path).toContain('resources.requests.cpu');
    await new Promise((r) => setTimeout(r, 3000));
    expect((await appPods()).map((p) => p.name).sort()).toEqual(before);
    await pushAndNotify({ 'deploy/web.yaml': deployment(3) }, 'Fix the quantity, 3 replicas');
    await settled(3);
  });

  it('a container killed by hand is put back', async () => {
    const pods = await settled(3);
    const victim = pods[0]!;
    await docker(victim.host, ['rm', '-f', victim.containers[0]!.id]);
    const healed = await eventually('3 complete pods again', async () => {
      const ps = await settled(3);
      return ps.every((p) => p.containers.length === 1) && !ps.some((p) => p.name === victim.name)
        ? ps
        : undefined;
    });
    expect(healed.length).toBe(3);
  });

  it('a cut host has its pods recreated elsewhere after the grace period, and stale copies go when it returns', async () => {
    const pods = await settled(3);
    const victimHost = pods[0]!.host;
    await cutHost(victimHost);
    try {
      await podsWhere(
        `3 pods off ${victimHost}`,
        (ps) => ps.filter((p) => p.host !== victimHost).length === 3,
        120_000,
      );
    } finally {
      await healHost(victimHost);
    }
    const after = await settled(3);
    expect(new Set(after.map((p) => p.name)).size).toBe(3);
  });

  it('a daemon restarted mid-sync converges with no duplicate or orphan', async () => {
    await pushAndNotify({ 'deploy/web.yaml': deployment(5) }, 'Scale web to 5 (restart test)');
    await eventually('the scale-up under way', async () => ((await appPods()).length > 3 ? true : undefined));
    await daemon!.stop();
    daemon = await startDaemon();
    await settled(5);
    await new Promise((r) => setTimeout(r, 3000));
    const after = await appPods();
    expect(after.length).toBe(5);
    expect(new Set(after.map((p) => p.name)).size).toBe(5);
  });

  it('deleting the manifest prunes its pods', async () => {
    await pushAndNotify({ 'deploy/web.yaml': null }, 'Remove web');
    await eventually('no pod left', async () => ((await appPods()).length === 0 ? true : undefined), 60_000);
  });
});
