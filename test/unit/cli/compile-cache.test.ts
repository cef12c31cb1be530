// bin/compile-cache.js, as bin/skiff.js uses it: each case a fresh node process loading a small
// CommonJS file through it, since a cache is written at a process's exit.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOADER = join(import.meta.dirname, '../../../bin/compile-cache.js');

/** Loads `file` through the cache as bin/skiff.js does; returns what it printed and the outcome. */
function start(file: string, env: Record<string, string>, argv: string[] = ['get', 'pods']) {
  const script = `const c = require(${JSON.stringify(LOADER)});
const argv = ${JSON.stringify(argv)};
const folder = c.openCodeCache(${JSON.stringify(file)});
const m = c.loadCommonJs(${JSON.stringify(file)}, folder, c.commandWord(argv) + '.v8');
console.log(JSON.stringify({ answer: m.answer(), outcome: c.cacheOutcomes.get(${JSON.stringify(file)}) }));`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH!, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { answer: number; outcome: string };
}

function bundle(dir: string, body = 'return 6 * 7;'): string {
  const file = join(dir, 'bundle.cjs');
  writeFileSync(
    file,
    `const path = require('node:path');\nexports.answer = () => { ${body} };\nexports.dir = path.basename(__dirname);\n`,
  );
  return file;
}

describe('the CLI bundle code cache', () => {
  it('is written by the first start and used by the next, one file per command word', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cc-'));
    const file = bundle(dir);
    const env = { SKIFF_CACHE_DIR: join(dir, 'cache') };
    expect(start(file, env)).toEqual({ answer: 42, outcome: 'none' });
    expect(start(file, env)).toEqual({ answer: 42, outcome: 'used' });
    expect(start(file, env, ['--version'])).toEqual({ answer: 42, outcome: 'none' });
    const [folder] = readdirSync(join(dir, 'cache'));
    expect(readdirSync(join(dir, 'cache', folder!)).sort()).toEqual(['get.v8', 'skiff.v8']);
  });

  it('a cache V8 rejects is replaced, and the code still runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cc-'));
    const file = bundle(dir);
    const env = { SKIFF_CACHE_DIR: join(dir, 'cache') };
    start(file, env);
    const [folder] = readdirSync(join(dir, 'cache'));
    const cached = join(dir, 'cache', folder!, 'get.v8');
    writeFileSync(cached, Buffer.from('not a code cache'));
    expect(start(file, env)).toEqual({ answer: 42, outcome: 'rejected' });
    expect(readFileSync(cached).toString()).not.toBe('not a code cache');
    expect(start(file, env)).toEqual({ answer: 42, outcome: 'used' });
  });

  it('a new build starts a new folder and removes the old one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cc-'));
    const env = { SKIFF_CACHE_DIR: join(dir, 'cache') };
    start(bundle(dir), env);
    const [old] = readdirSync(join(dir, 'cache'));
    const file = bundle(dir, 'return 6 * 7 + 1;');
    expect(start(file, env)).toEqual({ answer: 43, outcome: 'none' });
    const folders = readdirSync(join(dir, 'cache'));
    expect(folders).toHaveLength(1);
    expect(folders[0]).not.toBe(old);
  });

  it('two installs keep their own caches side by side', () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'skiff-cc-')), mkdtempSync(join(tmpdir(), 'skiff-cc-'))];
    const env = { SKIFF_CACHE_DIR: join(a, 'cache') };
    const [fileA, fileB] = [bundle(a), bundle(b, 'return 1;')];
    start(fileA, env);
    start(fileB, env);
    expect(readdirSync(join(a, 'cache'))).toHaveLength(2);
    expect(start(fileA, env).outcome).toBe('used');
    expect(start(fileB, env).outcome).toBe('used');
  });

  it('runs without a cache when told to, or when the cache folder cannot be made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cc-'));
    const file = bundle(dir);
    writeFileSync(join(dir, 'a-file'), '');
    expect(start(file, { SKIFF_CACHE_DIR: join(dir, 'a-file', 'cache') })).toEqual({
      answer: 42,
      outcome: 'off',
    });
    expect(start(file, { SKIFF_CACHE_DIR: join(dir, 'c'), SKIFF_NO_COMPILE_CACHE: '1' })).toEqual({
      answer: 42,
      outcome: 'off',
    });
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'bundle.cjs']);
  });

  it('defaults to $XDG_CACHE_HOME/skiff, else ~/.cache/skiff', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-cc-'));
    const file = bundle(dir);
    start(file, { XDG_CACHE_HOME: join(dir, 'xdg') });
    expect(readdirSync(join(dir, 'xdg', 'skiff'))).toHaveLength(1);
    start(file, { HOME: join(dir, 'home') });
    expect(readdirSync(join(dir, 'home', '.cache', 'skiff'))).toHaveLength(1);
  });
});
