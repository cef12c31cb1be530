// The package as a user installs it (test/support/packed-install.ts: built, packed, installed
// offline into an empty project with only the production dependencies). The installed `skiff`
// answers --version and validates examples/repo, and --version loads none of Docker, SSH, git,
// SQLite or ajv. A daemon from the installed package against the testbed is
// test/e2e/installed-package.test.ts. Own vitest project `package`: it takes a minute.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PackedInstall, packAndInstall, REPO_ROOT as ROOT } from '../../support/packed-install.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const HEAVY = ['dockerode', 'ssh2', 'isomorphic-git', 'better-sqlite3', 'ajv', 'docker-modem', 'pino'];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

let installed: PackedInstall;
let tmp: string;
let project: string;
let tarball: string;
let deps: string[];

beforeAll(() => {
  installed = packAndInstall();
  ({ tmp, project, tarball, deps } = installed);
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
