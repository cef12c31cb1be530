// The dashboard's built assets (index.html, app.js, app.css in dist/dashboard): where they are,
// and building them from src/dashboard with esbuild. An installed package ships them built; a
// daemon run from a checkout (tsx) builds them at start when they are missing or older than the
// sources. esbuild is a development dependency: imported only to build. Shell (files).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DASHBOARD_FILES = ['index.html', 'app.js', 'app.css'] as const;
export type DashboardFile = (typeof DASHBOARD_FILES)[number];

const HERE = import.meta.dirname;
/** Run from src/ (a checkout through tsx): the checkout's root; from dist/: undefined. */
const CHECKOUT = import.meta.url.endsWith('.ts') ? resolve(HERE, '..', '..') : undefined;

/** Where the built assets are: dist/dashboard beside the compiled daemon, or the checkout's. */
export function defaultAssetsDir(): string {
  return CHECKOUT ? join(CHECKOUT, 'dist', 'dashboard') : resolve(HERE, '..', 'dashboard');
}

/** The front end's sources (a checkout only). */
export function dashboardSourceDir(): string | undefined {
  return CHECKOUT && join(CHECKOUT, 'src', 'dashboard');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  return newest;
}

/** Whether `out` lacks a file or is older than a file under `src`. */
export function assetsStale(src: string, out: string): boolean {
  if (!DASHBOARD_FILES.every((f) => existsSync(join(out, f)))) return true;
  const built = Math.min(...DASHBOARD_FILES.map((f) => statSync(join(out, f)).mtimeMs));
  return newestMtime(src) > built;
}

/** Bundles src/dashboard into `out`: app.js and app.css minified, index.html naming them. */
export async function buildDashboard(src: string, out: string): Promise<void> {
  const esbuild = await import('esbuild');
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    entryPoints: { app: join(src, 'main.tsx') },
    outdir: out,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(src, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'silent',
  });
  writeFileSync(join(out, 'index.html'), readFileSync(join(src, 'index.html')));
}

/** At a checkout's daemon start: builds the assets when stale; never fails the start (the
 *  dashboard then answers that it is not built). */
export async function ensureDashboardAssets(warn: (message: string) => void): Promise<void> {
  const src = dashboardSourceDir();
  if (!src || !existsSync(src)) return;
  const out = defaultAssetsDir();
  try {
    if (assetsStale(src, out)) await buildDashboard(src, out);
  } catch (err) {
    warn(`cannot build the dashboard: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** The built files, read once; undefined when not built. */
export function readDashboardAssets(dir: string): Record<DashboardFile, string> | undefined {
  try {
    return Object.fromEntries(DASHBOARD_FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')])) as Record<
      DashboardFile,
      string
    >;
  } catch {
    return undefined;
  }
}
