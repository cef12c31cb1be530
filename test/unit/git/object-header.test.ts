// Object sizes from headers, against real repositories made by the git CLI: every object's size
// (loose, packed, packed as a delta) must equal what `git cat-file -s` says, without the object
// being inflated; the manifest walk reports a blob over the cap from its header alone, and stops
// at its entry, depth and path-length limits.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitSource } from '../../../src/git/local-source.js';
import { readManifestTree } from '../../../src/git/manifest-tree.js';
import { readObjectSize } from '../../../src/git/object-header.js';
import { readBlobBytes } from '../../../src/git/object-store.js';
import { scanPackObjects } from '../../../src/git/pack-scan.js';
import { DEFAULT_WALK_LIMITS } from '../../../src/git/walk-limits.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n';
const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@b',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@b',
  GIT_CONFIG_NOSYSTEM: '1',
};
const run = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...ENV, HOME: cwd }, maxBuffer: 1 << 28 }).toString();

let base: string;
function makeRepo(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(base, name);
  fs.mkdirSync(dir);
  run(dir, 'init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries(files)) {
    fs.mkdirSync(join(dir, path, '..'), { recursive: true });
    fs.writeFileSync(join(dir, path), text);
  }
  run(dir, 'add', '-A');
  run(dir, 'commit', '-qm', 'x');
  return dir;
}

const store = (dir: string) => ({ fs, gitdir: join(dir, '.git'), cache: {} });

beforeAll(() => {
  base = fs.mkdtempSync(join(tmpdir(), 'skiff-objhdr-'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

describe('readObjectSize equals git cat-file -s', () => {
  const big = Buffer.alloc(300_000, 'a');
  const near = Buffer.concat([big, Buffer.from('one more line\n')]);
  it.each([
    ['loose', []],
    ['packed', ['gc', '-q']],
    ['packed with deltas', ['repack', '-adf', '-q', '--depth=50', '--window=50']],
  ])(
    '%s objects',
    async (name, repack) => {
      const dir = makeRepo(name.replace(/ /g, '-'), { 'a.yaml': CM, 'big.bin': big, 'sub/near.bin': near });
      fs.writeFileSync(join(dir, 'big.bin'), Buffer.concat([big, Buffer.from('x')]));
      run(dir, 'commit', '-qam', 'second');
      if (repack.length > 0) run(dir, ...repack);
      const lines = run(dir, 'cat-file', '--batch-all-objects', '--batch-check').trim().split('\n');
      expect(lines.length).toBeGreaterThan(6);
      for (const line of lines) {
        const [oid, , size] = line.split(' ');
        expect(await readObjectSize(store(dir), oid as string), oid).toEqual({ size: Number(size) });
      }
      if (name === 'packed with deltas')
        expect(run(dir, 'verify-pack', '-v', ...packs(dir))).toMatch(/ delta/);
    },
    30_000,
  );

  it('an object that is not there is undefined (isomorphic-git reports it missing as usual)', async () => {
    const dir = makeRepo('missing', { 'a.yaml': CM });
    expect(await readObjectSize(store(dir), 'f'.repeat(40))).toBeUndefined();
  });
});

describe('a blob over the cap is refused from its header, never inflated', () => {
  const bomb = Buffer.alloc(64 * 1024 * 1024); // compresses to ~64 KB
  it.each([
    ['loose', false],
    ['packed', true],
  ])(
    '%s',
    async (name, pack) => {
      const dir = makeRepo(`bomb-${name}`, { 'app/cm.yaml': CM, 'app/bomb.yaml': bomb });
      if (pack) run(dir, 'gc', '-q');
      const src = new LocalGitSource(
        { app: 'a', repoURL: dir, revision: 'main', path: 'app' },
        { fs, http: {} as never, stateDir: join(base, 'state') },
      );
      const { commit } = await src.fetchRevisionUnlocked();
      global.gc?.();
      const before = process.memoryUsage().rss;
      const set = await src.readManifestFiles(commit);
      const grew = process.memoryUsage().rss - before;
      expect(set.files.map((f) => f.path)).toEqual(['cm.yaml']);
      expect(set.diagnostics.map((d) => [d.file, d.code])).toEqual([['bomb.yaml', 'source.file-too-large']]);
      expect(set.diagnostics[0]?.message).toContain(`${bomb.length} bytes`);
      expect(grew).toBeLessThan(32 * 1024 * 1024);
      const oid = run(dir, 'rev-parse', 'HEAD:app/bomb.yaml').trim();
      await expect(readBlobBytes(store(dir), oid, 1024)).rejects.toMatchObject({
        code: 'git.object-too-large',
      });
    },
    60_000,
  );
});

describe('the tree walk is bounded', () => {
  it.each([
    ['depth', { maxDepth: 3 }, 'a/b/c/d/cm.yaml', 'source.too-deep'],
    ['entries', { maxEntries: 3 }, 'a/b/c/d/cm.yaml', 'source.too-many-entries'],
    ['path length', { maxPathBytes: 6 }, 'abcdefgh/cm.yaml', 'source.path-too-long'],
  ])('%s', async (name, limit, file, code) => {
    const dir = makeRepo(`walk-${name.replace(/ /g, '-')}`, { [file]: CM });
    const s = store(dir);
    const commit = run(dir, 'rev-parse', 'HEAD').trim();
    const tree = run(dir, 'rev-parse', 'HEAD^{tree}').trim();
    const limits = { ...DEFAULT_WALK_LIMITS, ...limit };
    const set = await readManifestTree(s, commit, tree, { appPath: '', maxFileBytes: 1 << 20, limits });
    expect(set.diagnostics.map((d) => d.code)).toEqual([code]);
    expect(set.files).toEqual([]);
  });
});

function packs(dir: string): string[] {
  const d = join(dir, '.git/objects/pack');
  return fs
    .readdirSync(d)
    .filter((n) => n.endsWith('.idx'))
    .map((n) => join(d, n));
}

describe('a pack as git sends it, with deltas behind dynamic-Huffman tables', () => {
  // Two similar manifests: git stores one as a delta of the other, and zlib writes that delta
  // (and the larger blob) with a dynamic-Huffman block whose tables fill the first 64
  // compressed bytes: reading only those yielded no delta header ('a corrupt delta header').
  // The e2e test's two Pods, byte for byte (the delta's layout depends on them).
  const HARDENED =
    'apiVersion: v1\nkind: Pod\nmetadata: { name: hardened, namespace: secctx }\nspec:\n  terminationGracePeriodSeconds: 1\n  securityContext: { runAsUser: 1000, runAsGroup: 3000 }\n  containers:\n    - name: main\n      image: 10.213.0.1:5000/skiff/busybox:1.36\n      command: ["sh","-c","trap \\"exit 0\\" TERM; while true; do sleep 1; done"]\n      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }\n      resources: { requests: { cpu: 10m, memory: 8Mi } }\n      volumeMounts: [{ name: scratch, mountPath: /scratch }]\n  volumes: [{ name: scratch, emptyDir: {} }]\n';
  const NONROOT =
    'apiVersion: v1\nkind: Pod\nmetadata: { name: nonroot, namespace: secctx }\nspec:\n  terminationGracePeriodSeconds: 1\n  securityContext: { runAsNonRoot: true }\n  containers:\n    - name: main\n      image: 10.213.0.1:5000/skiff/busybox:1.36\n      command: ["sh","-c","trap \\"exit 0\\" TERM; while true; do sleep 1; done"]\n      securityContext: {}\n      resources: { requests: { cpu: 10m, memory: 8Mi } }\n';
  const sideBand = (pack: Buffer) => {
    const parts: Buffer[] = [];
    for (let at = 0; at < pack.length; at += 1000) {
      const data = pack.subarray(at, at + 1000);
      parts.push(Buffer.from((data.length + 5).toString(16).padStart(4, '0')), Buffer.from([1]), data);
    }
    return Buffer.concat(parts);
  };

  it('scans clean, and every packed object (deltas too) has the size git reports', async () => {
    const dir = makeRepo('delta-pack', {
      'deploy/hardened.yaml': HARDENED,
      'deploy/nonroot.yaml': NONROOT,
    });
    const head = run(dir, 'rev-parse', 'HEAD').trim();
    const pack = execFileSync('git', ['pack-objects', '--revs', '--stdout', '-q'], {
      cwd: dir,
      input: `${head}\n`,
    });
    expect(pack.subarray(0, 4).toString()).toBe('PACK');
    expect(scanPackObjects([sideBand(pack)], 1 << 20)).toBeUndefined();
    run(dir, 'gc', '-q', '--aggressive');
    const objects = run(dir, 'rev-list', '--objects', '--all')
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]!);
    const store = { fs, gitdir: join(dir, '.git'), cache: {} };
    for (const oid of objects)
      expect(await readObjectSize(store, oid)).toEqual({ size: Number(run(dir, 'cat-file', '-s', oid)) });
  });
});
