// Issue 14's dashboard end to end: the real daemon on the 3-host testbed serves the page (its
// assets built at start from src/dashboard), and headless Chromium (Debian's, through
// playwright-core) logs in with a read token, sees the demo app, follows a rollout that a pushed
// commit starts (the ready count and the events update with no reload), and sees a bad commit's
// error at file:line. Screenshots in test-artifacts/.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../../src/config/cluster-config.js';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { createToken } from '../../src/state-dir/token-store.js';
import { fetchNow } from '../support/daemon-api.js';
import { type GitFixture, makeGitFixture } from '../support/git-server.js';
import { eventually, testbed } from '../support/testbed.js';
import { webDeployment } from '../support/web-manifests.js';

const APP = 'e2e-dashboard';
const NS = 'dashboard';
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

const deployment = (replicas: number, tag = '1.0.0') =>
  webDeployment({ namespace: NS, replicas, tag, cpu: '50m' });

let fx: GitFixture;
let config: ClusterConfig;
let daemon: Daemon;
let runtime: DockerRuntime;
let browser: Browser;
let page: Page;
let readToken: string;

async function push(files: Record<string, string | null>, message: string): Promise<string> {
  const sha = await fx.commit(files, message);
  await fx.push();
  fetchNow(daemon);
  return sha;
}

const shot = (name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `e2e-dashboard-${name}.png`), fullPage: true });

beforeAll(async () => {
  fx = await makeGitFixture();
  const base = await loadClusterConfig(testbed().config);
  config = {
    ...base,
    apps: [
      {
        name: APP,
        repoURL: fx.repoURL,
        revision: 'main',
        path: 'deploy',
        syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: true },
        poll: { interval: '2s' },
      },
    ],
    daemon: { ...base.daemon, stateDir: fx.stateDir, reconcileIntervalSeconds: 1 },
  } as ClusterConfig;
  runtime = new DockerRuntime(config);
  await fx.commit({ 'deploy/web.yaml': deployment(2) }, 'Deploy web');
  await fx.push();
  daemon = await Daemon.start({ config, log: pino({ level: 'warn' }), listen: '127.0.0.1:0' });
  readToken = createToken(fx.stateDir, { role: 'read', name: 'e2e-browser' }, Date.now()).token;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await daemon?.stop();
  const o = await runtime.observe().catch(() => undefined);
  for (const p of o?.pods.filter((p) => p.app === APP) ?? [])
    await runtime.deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0).catch(() => undefined);
  await runtime?.close();
  await fx?.close();
});

describe('the dashboard against the real daemon (issue 14)', () => {
  it('logs in with a read token and shows the demo app synced, without admin actions', async () => {
    await page.goto(`http://${daemon.address}/`);
    await page.fill('input[name=token]', readToken);
    await page.click('button[type=submit]');
    await page.waitForSelector(`section[data-app=${APP}]`, { timeout: 30_000 });
    await page.waitForSelector(`section[data-app=${APP}] >> text=Synced`, { timeout: 120_000 });
    expect(await page.locator('text=Sync now').count()).toBe(0);
    await shot('apps');
  }, 180_000);

  it('a pushed commit rolls out, and the rollout page follows it live', async () => {
    await page.goto(`http://${daemon.address}/#/rollout/${NS}/web`);
    await expect.poll(() => page.textContent('[data-testid=ready]'), { timeout: 120_000 }).toBe('2');
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 1;
    });
    await push({ 'deploy/web.yaml': deployment(4, '2.0.0') }, 'Roll web to 2.0.0, 4 replicas');
    await expect.poll(() => page.textContent('[data-testid=ready]'), { timeout: 180_000 }).toBe('4');
    await page.waitForSelector('text=2.0.0', { timeout: 60_000 });
    await page.waitForSelector('.events >> text=ScalingReplicaSet', { timeout: 60_000 });
    // Updated by the event stream, not by a reload.
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(1);
    await shot('rollout');
  }, 300_000);

  it("a bad commit's error shows at file:line on the apps page, and the good commit stays live", async () => {
    await page.goto(`http://${daemon.address}/#/apps`);
    await push(
      { 'deploy/web.yaml': deployment(4, '2.0.0').replace('replicas: 4', 'replicas: four') },
      'Break web',
    );
    // Diagnostics name files relative to the app's path (deploy/), as `skiff status` does.
    await page.waitForSelector('.rejected >> text=web.yaml:', { timeout: 60_000 });
    const rejected = (await page.textContent('.rejected')) ?? '';
    expect(rejected).toMatch(/web\.yaml:\d+:\d+/);
    expect(rejected).toContain('stays live');
    await shot('rejected');
    const view = await eventually('the daemon still runs 4 pods', async () => {
      const o = await runtime.observe();
      const pods = o.pods.filter((p) => p.app === APP);
      return pods.length === 4 ? pods : undefined;
    });
    expect(view).toHaveLength(4);
  }, 180_000);
});
