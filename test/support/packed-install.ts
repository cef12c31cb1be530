// The package as a user installs it: build (scripts/build.ts) into a staging copy of the
// package's own files, `npm pack`, then `npm install --offline` of the tarball into an empty
// project whose node_modules holds copies of skiff's production dependencies only (this machine
// has no registry: the copies stand in for what npm would download; no tsx, no dev dependency).
// Used by test/unit/package/pack-install.test.ts and test/e2e/installed-package.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '../..');

export interface PackedInstall {
  /** The temporary folder holding the stage, the tarball and the project. */
  tmp: string;
  tarball: string;
  /** The project skiff is installed into (its node_modules/.bin/skiff). */
  project: string;
  /** skiff's production dependencies as copied (top-level package names). */
  deps: string[];
  /** The installed `skiff` command. */
  skiff: string;
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** skiff's production dependency tree (npm ls --omit=dev), copied into `dir`/node_modules. */
function copyProductionDeps(dir: string): string[] {
  // npm ls also complains about what the dev tree lacks (exit 1); its list is what counts.
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const paths = ls.stdout.trim().split('\n').slice(1);
  const modules = join(REPO_ROOT, 'node_modules');
  const tops = paths.map((p) => relative(modules, p)).filter((r) => !r.includes('node_modules'));
  for (const r of tops) cpSync(join(modules, r), join(dir, 'node_modules', r), { recursive: true });
  return tops;
}

/** Builds, packs and installs this checkout's package into a new empty project. */
export function packAndInstall(): PackedInstall {
  const tmp = mkdtempSync(join(tmpdir(), 'skiff-pack-'));
  const stage = join(tmp, 'stage');
  const project = join(tmp, 'project');
  mkdirSync(stage);
  for (const f of ['package.json', 'README.md', 'bin', 'examples', 'docs'])
    cpSync(join(REPO_ROOT, f), join(stage, f), { recursive: true });
  run(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'scripts/build.ts'), '--out', join(stage, 'dist')],
    REPO_ROOT,
  );
  // prepack builds from a checkout; the staging copy is built already.
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], stage);
  const tarball = join(tmp, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "try-skiff", "private": true }\n');
  const deps = copyProductionDeps(project);
  run('npm', ['install', '--offline', '--no-save', '--no-audit', '--no-fund', tarball], project);
  return { tmp, tarball, project, deps, skiff: join(project, 'node_modules/.bin/skiff') };
}
