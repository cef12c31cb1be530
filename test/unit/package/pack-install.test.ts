// The package as a user installs it: build (scripts/build.ts) into a staging copy of the
// package's own files, `npm pack`, then `npm install --offline` of the tarball into an empty
// project whose node_modules holds copies of skiff's production dependencies only (this machine
// has no registry: the copies stand in for what npm would download; no tsx, no dev dependency).
// The installed `skiff` then answers --version and validates examples/repo, and --version loads
// none of Docker, SSH, git, SQLite or ajv. (A daemon from the installed package against the
// testbed is the e2e suite's, not this test's.) Own vitest project `package`: it takes a minute.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const HEAVY = ['dockerode', 'ssh2', 'isomorphic-git', 'better-sqlite3', 'ajv', 'docker-modem', 'pino'];

const tmp = mkdtempSync(join(tmpdir(), 'skiff-pack-'));
const stage = join(tmp, 'stage');
const project = join(tmp, 'project');

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** skiff's production dependency tree (npm ls --omit=dev), copied into `dir`/node_modules. */
function copyProductionDeps(dir: string): string[] {
  // npm ls also complains about what the dev tree lacks (exit 1); its list is what counts.
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  const paths = ls.stdout.trim().split('\n').slice(1);
  const modules = join(ROOT, 'node_modules');
  const tops = paths.map((p) => relative(modules, p)).filter((r) => !r.includes('node_modules'));
  for (const r of tops) cpSync(join(modules, r), join(dir, 'node_modules', r), { recursive: true });
  return tops;
}

let tarball: string;
let deps: string[];

beforeAll(() => {
  mkdirSync(stage);
  for (const f of ['package.json', 'README.md', 'bin', 'examples', 'docs'])
    cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  run(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/build.ts'), '--out', join(stage, 'dist')],
    ROOT,
  );
  // prepack builds from a checkout; the staging copy is built already.
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], stage);
  tarball = join(tmp, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "try-skiff", "private": true }\n');
  deps = copyProductionDeps(project);
  run('npm', ['install', '--offline', '--no-save', '--no-audit', '--no-fund', tarball], project);
});

describe('the packed package, installed', () => {
  it('holds compiled code and generated validators, no sources, and needs no tsx', () => {
    const files = run('tar', ['tzf', tarball], tmp).split('\n');
    expect(files).toContain('package/dist/bin/skiff.cjs');
    expect(files).toContain('package/bin/compile-cache.js');
    expect(files).toContain('package/bin/package.json');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/cli/main.d.ts');
    expect(files).toContain('package/dist/manifest/schema-validators.cjs');
    expect(files).toContain('package/dist/config/schema-validator.cjs');
    expect(
      files.filter((f) => f.startsWith('package/src/') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    ).toEqual([]);
    expect(deps).not.toContain('tsx');
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('tsx');
  });

  it('skiff --version prints the package version', () => {
    expect(run(join(project, 'node_modules/.bin/skiff'), ['--version'], project).trim()).toBe(VERSION);
  });

  it('skiff validate examples/repo validates it with the generated validators', () => {
    const out = run(
      join(project, 'node_modules/.bin/skiff'),
      ['validate', join(ROOT, 'examples/repo')],
      project,
    );
    expect(out).toMatch(/^valid: \d+ files, \d+ objects, 0 errors/m);
  });

  it('skiff --version and --help load no Docker, SSH, git, SQLite or ajv', () => {
    // A preloaded hook that records every CommonJS module the run loads (bin/ and the bundle are
    // CommonJS; an ES module dependency would reach the log through require's resolution too).
    const log = join(tmp, 'loaded.txt');
    const hook = join(tmp, 'hook.cjs');
    writeFileSync(
      hook,
      `const Module = require('node:module');\nconst { appendFileSync } = require('node:fs');\nconst resolve = Module._resolveFilename;\nModule._resolveFilename = function (...args) {\n  const file = resolve.apply(this, args);\n  appendFileSync(${JSON.stringify(log)}, file + '\\n');\n  return file;\n};\n`,
    );
    const bin = join(project, 'node_modules/skiff/bin/skiff.js');
    for (const args of [['--version'], ['--help']]) {
      writeFileSync(log, '');
      const env = { ...process.env, SKIFF_CACHE_DIR: join(tmp, 'cache') };
      execFileSync(process.execPath, ['--require', hook, bin, ...args], { cwd: project, env, stdio: 'pipe' });
      const loaded = readFileSync(log, 'utf8');
      expect(loaded).toMatch(/skiff\/bin\/compile-cache\.js/);
      for (const m of HEAVY) expect(loaded).not.toMatch(new RegExp(`node_modules/${m}/`));
    }
  });

  it('keeps a V8 code cache per command, used from the second start on', () => {
    const cache = join(tmp, 'cache-check');
    const env = { ...process.env, SKIFF_CACHE_DIR: cache };
    const skiff = join(project, 'node_modules/.bin/skiff');
    const validate = ['validate', join(ROOT, 'examples/repo')];
    expect(execFileSync(skiff, validate, { cwd: project, env, encoding: 'utf8' })).toMatch(/^valid: /m);
    const [folder] = readdirSync(cache);
    expect(folder).toMatch(new RegExp(`^code-[0-9a-f]{8}-${process.version}-[0-9a-f]{8}$`));
    // validate reads no skiff.yaml: the bundle and the kind validators only.
    expect(readdirSync(join(cache, folder!)).sort()).toEqual(['schema-validators.cjs.v8', 'validate.v8']);
    // The second start reads them (V8 would reject one made from other code) and answers alike.
    expect(execFileSync(skiff, validate, { cwd: project, env, encoding: 'utf8' })).toMatch(/^valid: /m);
    expect(execFileSync(skiff, ['--version'], { cwd: project, env, encoding: 'utf8' }).trim()).toBe(VERSION);
    expect(readdirSync(join(cache, folder!))).toContain('skiff.v8');
  });
});
