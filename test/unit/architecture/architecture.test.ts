// The architecture rules of ../shared/design.md, checked on the source itself: a pure core that
// imports only the core and reads nothing of the world, imports that point one way (no cycle
// between folders or files), every renderer under cli/, and core functions short enough to
// read like their upstream. A failure names the file and line to fix.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  fileEdges,
  findCycles,
  folderEdges,
  importsBetween,
  readSourceTree,
} from '../../support/source-graph.js';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const files = readSourceTree(srcDir);

/** Pure folders: no I/O, no clock, no randomness. */
const CORE = new Set(['model', 'manifest', 'diff', 'controllers', 'reconcile']);
/** Packages the core may use: parsing and validating text are pure. */
const CORE_PACKAGES = new Set(['yaml', 'ajv', 'ajv-formats', 'diff']);
const MAX_CORE_FUNCTION_LINES = 100;

const coreFiles = files.filter((f) => CORE.has(f.folder));
/** Renderers: pure too (values in, strings out), but shaped for the CLI. */
const isView = (file: string) => file.startsWith('cli/views/');
const folderOfFile = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

describe('architecture', () => {
  it('reads a tree of the expected size (the scan found the source)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(coreFiles.length).toBeGreaterThan(40);
  });

  it('the core imports only the core', () => {
    const crossings = coreFiles.flatMap((f) =>
      f.imports.filter((t) => !CORE.has(folderOfFile(t))).map((t) => `${f.file} -> ${t}`),
    );
    expect(crossings).toEqual([]);
  });

  it('renderers (cli/views) and the package API (src/index.ts) import only the core and renderers', () => {
    const pure = files.filter((f) => isView(f.file) || f.file === 'index.ts');
    const crossings = pure.flatMap((f) =>
      f.imports.filter((t) => !CORE.has(folderOfFile(t)) && !isView(t)).map((t) => `${f.file} -> ${t}`),
    );
    const used = pure.flatMap((f) =>
      f.packages.filter((p) => !CORE_PACKAGES.has(p)).map((p) => `${f.file} imports ${p}`),
    );
    expect([...crossings, ...used]).toEqual([]);
  });

  it('the core uses no I/O package (node:, dockerode, ssh2, isomorphic-git, pino, ...)', () => {
    const used = coreFiles.flatMap((f) =>
      f.packages.filter((p) => !CORE_PACKAGES.has(p)).map((p) => `${f.file} imports ${p}`),
    );
    expect(used).toEqual([]);
  });

  it('the core reads no clock, randomness, process or timer', () => {
    const reads = coreFiles.flatMap((f) => f.worldReads.map((r) => `${f.file}:${r.line} ${r.name}`));
    expect(reads).toEqual([]);
  });

  it('no cycle between folders', () => {
    const cycles = findCycles(folderEdges(files));
    const detail = cycles.map((c) =>
      c.flatMap((a) => c.filter((b) => b !== a).flatMap((b) => importsBetween(files, a, b))),
    );
    expect(detail).toEqual([]);
  });

  it('no cycle between files', () => {
    expect(findCycles(fileEdges(files))).toEqual([]);
  });

  it('nothing outside cli/ imports cli/ but the package API (every renderer lives in cli/views)', () => {
    const reached = files
      .filter((f) => f.folder !== 'cli' && f.file !== 'index.ts')
      .flatMap((f) => f.imports.filter((t) => t.startsWith('cli/')).map((t) => `${f.file} -> ${t}`));
    expect(reached).toEqual([]);
  });

  it(`no core function is longer than ${MAX_CORE_FUNCTION_LINES} lines`, () => {
    const long = coreFiles
      .flatMap((f) => f.functions)
      .filter((fn) => fn.lines > MAX_CORE_FUNCTION_LINES)
      .map((fn) => `${fn.file}:${fn.line} ${fn.name} (${fn.lines} lines)`);
    expect(long).toEqual([]);
  });
});

describe('source graph', () => {
  it('finds a cycle and only the cycle', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(edges)).toEqual([['a', 'b', 'c']]);
  });

  it('finds none in a chain', () => {
    expect(
      findCycles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });
});
