// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core against
// the real API server (fake backend, real tokens and history) serving the assets esbuild builds
// from src/dashboard. Logs in with a token, sees the app, a rejected commit's file:line error
// arriving by the event stream without a reload, the admin-only "Sync now", the rollout and host
// pages. Screenshots go to test-artifacts/ (gitignored).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../../../src/daemon/dashboard-assets.js';
import {
  baseView,
  type FakeDaemon,
  SECRET,
  shopApp,
  startFakeDaemon,
  webDeployment,
  webHpa,
} from './fake-backend.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../../..');
const ARTIFACTS = join(ROOT, 'test-artifacts');

let d: FakeDaemon;
let browser: Browser;
let assets: string;

beforeAll(async () => {
  assets = mkdtempSync(join(tmpdir(), 'skiff-dash-assets-'));
  await buildDashboard(join(ROOT, 'src', 'dashboard'), assets);
  d = await startFakeDaemon({ assetsDir: assets });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  d?.close();
  if (assets) rmSync(assets, { recursive: true, force: true });
});

async function loggedIn(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(d.url);
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('section[data-app=shop]');
  await page.waitForSelector('.live.on');
  return page;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });

describe.skipIf(!existsSync(CHROMIUM))('dashboard in Chromium', () => {
  it('a wrong token is refused with a hint, and no session', async () => {
    const page = await browser.newPage();
    await page.goto(d.url);
    await page.fill('input[name=token]', 'skiff_wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('.error')).toContain('the token is not valid');
    await page.close();
  }, 30_000);

  it('a read token sees the app, no admin action, and a rejected commit arriving live', async () => {
    d.setView(baseView());
    const page = await loggedIn(d.read);
    expect(await page.textContent('section[data-app=shop]')).toContain('Synced');
    expect(await page.locator('text=Sync now').count()).toBe(0);
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });
    d.setView(
      baseView({
        apps: [
          shopApp({
            sync: 'OutOfSync',
            headCommit: 'ffffffffffffffffffffffffffffffffffffffff',
            liveCommitInfo: { author: 'Ada <ada@example.com>', subject: 'web: 3 replicas', at: 1_000 },
            headCommitInfo: { author: 'Bob <bob@example.com>', subject: `replicas: x ${SECRET}`, at: 1_500 },
            message: `db password ${SECRET}`,
            rejected: {
              commit: 'ffffffffffffffffffffffffffffffffffffffff',
              diagnostics: [
                {
                  file: 'deploy/web.yaml',
                  line: 12,
                  column: 9,
                  document: 0,
                  path: 'spec.replicas',
                  severity: 'error',
                  code: 'SchemaType',
                  message: 'must be integer',
                },
              ],
            },
          }),
        ],
      }),
    );
    await page.waitForSelector('.rejected >> text=deploy/web.yaml:12:9', { timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { marker: number }).marker)).toBe(42);
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain('Rejected commit ffffff');
    const card = page.locator('section[data-app=shop]');
    expect(await card.locator('dd', { hasText: 'a1b2c3d' }).textContent()).toContain(
      'web: 3 replicas by Ada <ada@example.com>',
    );
    expect(await card.locator('dd', { hasText: 'fffffff' }).first().textContent()).toContain(
      'by Bob <bob@example.com>',
    );
    expect(text).not.toContain(SECRET);
    await shot(page, 'apps-rejected');
    await page.close();
  }, 60_000);

  it('an admin sees "Sync now", and it syncs the app', async () => {
    d.setView(baseView());
    const page = await loggedIn(d.admin);
    await page.click('text=Sync now');
    await expect.poll(() => d.synced.includes('shop')).toBe(true);
    await expect.poll(() => page.textContent('.notice')).toContain('shop: 0 actions');
    await shot(page, 'apps-admin');
    await page.goto(`${d.url}/#/rollout/default/web`);
    await page.waitForSelector('text=Roll back');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('text=Roll back');
    // This fake daemon recorded no revisions: the refusal is shown as the daemon worded it.
    await expect
      .poll(() => page.textContent('.notice'))
      .toContain('no rollout history found for deployment/web');
    await page.close();
  }, 60_000);

  it('the rollout page follows the ready count, the hosts page maps pods with requests vs capacity', async () => {
    d.setView(baseView());
    const page = await loggedIn(d.read);
    await page.goto(`${d.url}/#/rollout/default/web`);
    await page.waitForSelector('[data-testid=ready]');
    expect(await page.textContent('[data-testid=ready]')).toBe('2');
    expect(await page.locator('text=Roll back').count()).toBe(0);
    d.setView(baseView({ at: 9_000, deployments: [webDeployment(3)] }));
    d.history.recordEvent({
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      object: 'deployment/web',
      namespace: 'default',
      message: 'Scaled up replica set web-abc123 to 3',
      at: Date.now(),
    });
    await expect.poll(() => page.textContent('[data-testid=ready]'), { timeout: 10_000 }).toBe('3');
    await page.waitForSelector('text=Scaled up replica set web-abc123 to 3', { timeout: 10_000 });
    await shot(page, 'rollout');
    await page.goto(`${d.url}/#/hosts`);
    await page.waitForSelector('.host >> text=h1');
    const h1 = (await page.locator('.host', { hasText: 'h1' }).textContent()) ?? '';
    expect(h1).toContain('web-abc123-0');
    expect(h1).toContain('1.0 / 2.0'); // CPU: 2 x 500m requested of 2 cores
    await shot(page, 'hosts');
    await page.goto(`${d.url}/#/plan`);
    await page.waitForSelector('.plan >> text=pod/default/web-abc123-2@h2');
    expect(await page.textContent('main')).toContain('deployment/web wants 3 replicas');
    expect(await page.textContent('main')).not.toContain(SECRET);
    await shot(page, 'plan');
    await page.close();
  }, 60_000);

  it('the HPA page plots utilization over time next to the replicas, with the target dashed', async () => {
    d.setView(baseView({ at: Date.now() }));
    d.setHpas([webHpa(Date.now())]);
    const page = await loggedIn(d.read);
    await page.goto(`${d.url}/#/hpa`);
    const utilization = page.locator('svg[aria-label="utilization over time"]');
    await utilization.waitFor();
    expect(await page.locator('svg[aria-label="replicas over time"]').count()).toBe(1);
    expect(await utilization.locator('g[data-series=cpu] circle').count()).toBe(5);
    expect(await utilization.locator('g[data-series=cpu] title').first().textContent()).toMatch(
      /^cpu: 140% at /,
    );
    expect(await utilization.locator('g[data-series="cpu target"] polyline').count()).toBe(1);
    expect(await page.textContent('.legend >> nth=1')).toContain('cpu target');
    expect(d.hpaSamplesAsked()).toBe(360);
    await shot(page, 'hpa');
    d.setHpas([]);
    await page.close();
  }, 60_000);
});
