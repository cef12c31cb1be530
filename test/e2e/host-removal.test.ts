// Issue 16 end to end on the 3-host testbed: removing a host from skiff.yaml is a drain bounded
// by the PodDisruptionBudgets, then the host's deletion. A 3-replica Deployment with a
// PodDisruptionBudget minAvailable 2 runs with a pod on h1; the daemon is restarted with a
// skiff.yaml without h1 (same state dir); the test samples, every 250 ms, how many of the app's
// pods answer ready over TCP from their own host (not taken from skiff): never fewer than 2.
// h1 ends empty, 3 pods Ready on h2/h3, skiff forgets h1 (`skiff hosts` no longer lists it, the
// state dir's inventory no longer holds it), with a HostRemovalStarted and a HostRemoved event.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { INVENTORY_FILE } from '../../src/state-dir/host-inventory.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { type ReadyPods, readyAmong, runSkiff, startReadySampler } from '../support/rollout-watch.js';
import { eventually } from '../support/testbed.js';
import { webDeployment } from '../support/web-manifests.js';

const APP = 'e2e-host-removal';
const NS = 'removal';
const MIN_AVAILABLE = 2;
const REMOVED = 'h1';

const manifests = `${webDeployment({ namespace: NS, replicas: 3, tag: '1.0.0', cpu: '50m' })}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: ${NS} }
spec:
  minAvailable: ${MIN_AVAILABLE}
  selector: { matchLabels: { app: web } }
`;

let gitops: GitopsApp;
let runtime: DockerRuntime;
/** The daemon restarted with h1 gone from skiff.yaml. */
let after: Daemon | undefined;
let reducedConfigFile: string;

const readyPods = async (): Promise<ReadyPods> => readyAmong(runtime, await gitops.pods());
const startSampler = () => startReadySampler(readyPods);

/** skiff.yaml without the host `name`'s block (its `  - name:` line to the next one). */
function withoutHost(yaml: string, name: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of yaml.split('\n')) {
    if (/^ {2}- name: /.test(line) || /^\S/.test(line)) skipping = line === `  - name: ${name}`;
    if (!skipping) out.push(line);
  }
  return out.join('\n');
}

beforeAll(async () => {
  gitops = await startGitopsApp({ app: APP, files: { 'web.yaml': manifests } });
  runtime = gitops.runtime;
  await eventually(
    `3 ready pods, one on ${REMOVED}`,
    async () => {
      const r = await readyPods();
      return r.ready.length === 3 && r.pods.some((p) => p.host === REMOVED) ? r : undefined;
    },
    180_000,
  );
  reducedConfigFile = join(gitops.fx.base, 'skiff-without-h1.yaml');
  writeFileSync(reducedConfigFile, withoutHost(readFileSync(gitops.configFile, 'utf8'), REMOVED));
}, 240_000);

afterAll(async () => {
  await after?.stop().catch(() => undefined);
  await gitops?.close().catch(() => undefined);
});

describe('removing a host from skiff.yaml (issue 16)', () => {
  it('drains it under the budget, never below minAvailable, then forgets it', async () => {
    const config = await loadClusterConfig(reducedConfigFile);
    expect(config.hosts.map((h) => h.name)).not.toContain(REMOVED);
    const sampler = startSampler();
    const startedAt = Date.now();
    const removingSeen: string[] = [];
    try {
      await gitops.daemon.stop();
      after = await Daemon.start({
        config,
        log: pino({ level: process.env.SKIFF_E2E_LOG_LEVEL ?? 'warn' }),
        listen: '127.0.0.1:0',
      });
      await eventually(
        `${REMOVED} empty and forgotten`,
        async () => {
          const hosts = await runSkiff(reducedConfigFile, 'hosts');
          const line = hosts.stdout.split('\n').find((l) => l.startsWith(`${REMOVED} `));
          if (line?.includes('removing')) removingSeen.push(line);
          const r = await readyPods();
          const inventory = readFileSync(join(config.daemon.stateDir, INVENTORY_FILE), 'utf8');
          const forgotten = !line && !inventory.includes(`"name": "${REMOVED}"`);
          return forgotten && r.pods.every((p) => p.host !== REMOVED) ? r : undefined;
        },
        240_000,
      );
    } finally {
      await sampler.stop();
    }
    const judged = sampler.samples.filter((s) => s.unknown === 0 || s.ready >= MIN_AVAILABLE);
    expect(judged.length).toBeGreaterThan(4);
    expect(Math.min(...judged.map((s) => s.ready))).toBeGreaterThanOrEqual(MIN_AVAILABLE);
    // `skiff hosts` shows h1 removing while pods remain (its rows are unit-tested; a one-pod
    // drain may end between two looks, so this is logged, not asserted).
    if (removingSeen.length > 0) console.log(`skiff hosts during the removal: ${removingSeen[0]}`);

    const end = await eventually(
      '3 ready pods on h2/h3',
      async () => {
        const r = await readyPods();
        return r.ready.length === 3 && r.pods.length === 3 ? r : undefined;
      },
      120_000,
    );
    expect(new Set(end.pods.map((p) => p.host))).toEqual(new Set(['h2', 'h3']));
    const events = after!.inst.history!.listEvents({
      object: `host/${REMOVED}`,
      since: startedAt,
      limit: 50,
    });
    const reasons = events.map((e) => e.reason);
    expect(reasons).toContain('HostRemovalStarted');
    expect(reasons).toContain('HostRemoved');
  }, 420_000);
});
