// `npm run build`: the compiled package in dist/ (JS, declarations), the CLI as one bundle
// (dist/bin/skiff.cjs, bundle-cli.ts), the kind validators and
// the skiff.yaml validator as ajv standalone code (build-schemas.ts), and the dashboard's assets
// (dist/dashboard: index.html, app.js, app.css bundled and minified by esbuild from
// src/dashboard). Built beside dist/ and swapped in at the end, so
// `bin/skiff.js` never runs a half-written dist/ (it runs src/ through tsx while none is there).
// Usage: tsx scripts/build.ts [--out DIR]   (default: dist/ of this checkout)
import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { buildDashboard } from '../src/daemon/dashboard-assets.js';
import { generateConfigValidatorSource, writeValidators } from './build-schemas.js';
import { bundleCli } from './bundle-cli.js';

const ROOT = resolve(import.meta.dirname, '..');

export async function build(out: string): Promise<void> {
  const next = `${out}.next`;
  rmSync(next, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', next], {
    stdio: 'inherit',
  });
  writeValidators(join(next, 'manifest', 'schema-validators.cjs'));
  writeValidators(join(next, 'config', 'schema-validator.cjs'), generateConfigValidatorSource());
  await bundleCli(ROOT, next);
  await buildDashboard(join(ROOT, 'src', 'dashboard'), join(next, 'dashboard'));
  const old = `${out}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(out)) renameSync(out, old);
  renameSync(next, out);
  rmSync(old, { recursive: true, force: true });
}

const at = process.argv.indexOf('--out');
await build(at >= 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]!) : join(ROOT, 'dist'));
