// The CLI's folder walk against a real filesystem: anything that is not a regular file or a
// folder is refused before it is opened (a FIFO would block, /dev/zero would stream forever),
// and the walk is bounded in entries, depth and path length.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readManifestFiles } from '../../../src/cli/read-manifest-files.js';
import { DEFAULT_WALK_LIMITS } from '../../../src/git/walk-limits.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-walk-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

describe('non-regular files are refused before they are opened', () => {
  it.each([
    ['a FIFO given directly', () => fifo('pipe.yaml'), 'pipe.yaml', 'named pipe'],
    ['a FIFO found in a folder', () => fifo('d/pipe.yaml') && 'd', 'd/pipe.yaml', 'named pipe'],
    [
      'a symlink to a FIFO in a folder',
      () => fifo('d/p') && link('p', 'd/l.yaml') && 'd',
      'd/l.yaml',
      'named pipe',
    ],
    ['a character device given directly', () => '/dev/zero', undefined, 'character device'],
  ])('%s', async (_name, make, file, kind) => {
    const target = make() as string;
    const r = await readManifestFiles([target], dir);
    expect(codes(r)).toEqual(['file.not-regular']);
    expect(r.files).toEqual([]);
    if (file) expect(r.diagnostics[0]?.file).toBe(file);
    expect(r.diagnostics[0]?.message).toContain(kind);
  });

  it('regular files and folders are read as before', async () => {
    write('a/b/cm.yaml', CM);
    write('top.yml', CM);
    const r = await readManifestFiles(['.'], dir);
    expect(r.files.map((f) => f.path).sort()).toEqual(['a/b/cm.yaml', 'top.yml']);
    expect(r.diagnostics).toEqual([]);
  });
});

describe('the walk is bounded', () => {
  it.each([
    ['depth', { maxDepth: 3 }, 'a/b/c/d', 'file.too-deep'],
    ['entries', { maxEntries: 3 }, 'a/b/c/d', 'file.too-many-entries'],
    ['path length', { maxPathBytes: 6 }, 'abcdefgh', 'file.path-too-long'],
  ])('%s', async (_name, limit, folder, code) => {
    write(`${folder}/cm.yaml`, CM);
    const r = await readManifestFiles(['.'], dir, { ...DEFAULT_WALK_LIMITS, ...limit });
    expect(codes(r)).toEqual([code]);
    expect(r.files).toEqual([]);
  });

  it('a tree deeper than the default limit stops at it, quickly', async () => {
    const deep = Array.from({ length: 200 }, () => 'd').join('/');
    write(`${deep}/cm.yaml`, CM);
    const r = await readManifestFiles(['.'], dir);
    expect(codes(r)).toEqual(['file.too-deep']);
  });

  it('is linear in depth: 600 levels with the limits raised read the one file', async () => {
    const deep = Array.from({ length: 600 }, () => 'd').join('/');
    write(`${deep}/cm.yaml`, CM);
    const t = performance.now();
    const r = await readManifestFiles(['.'], dir, { maxEntries: 1e6, maxDepth: 1e6, maxPathBytes: 1e6 });
    expect(r.files.map((f) => f.path)).toEqual([`${deep}/cm.yaml`]);
    // Quadratic in realpath lookups this took seconds; linear it takes milliseconds.
    expect(performance.now() - t).toBeLessThan(3000);
  });

  it('a symlink cycle is walked once', async () => {
    write('a/cm.yaml', CM);
    symlinkSync('..', join(dir, 'a/up'));
    const r = await readManifestFiles(['.'], dir);
    expect(r.files.map((f) => f.path)).toEqual(['a/cm.yaml']);
  });
});

function write(rel: string, text: string): void {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

function fifo(rel: string): string {
  const file = join(dir, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  execFileSync('mkfifo', [file]);
  return rel;
}

function link(target: string, rel: string): string {
  symlinkSync(target, join(dir, rel));
  return rel;
}
