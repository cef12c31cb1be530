// The front end (src/dashboard, bundled for the browser) is not part of the core nor of the
// shell: it may import the core's pure code and types (model/), preact, and itself, nothing that
// reads the world (node:, the daemon, the CLI); and nothing in the daemon imports it. The
// architecture test scans only .ts files; this one reads the .tsx ones too.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../../src');
const DASHBOARD = join(SRC, 'dashboard');
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

describe('the front end', () => {
  const files = readdirSync(DASHBOARD).filter((f) => /\.tsx?$/.test(f));

  it('imports only itself, the core model and preact', () => {
    const allowed = (spec: string) =>
      spec.startsWith('./') ||
      spec.startsWith('../model/') ||
      spec === 'preact' ||
      spec.startsWith('preact/');
    const bad = files.flatMap((f) =>
      importsOf(join(DASHBOARD, f))
        .filter((s) => !allowed(s))
        .map((s) => `${f} -> ${s}`),
    );
    expect(files.length).toBeGreaterThan(3);
    expect(bad).toEqual([]);
  });

  it('is imported by no source file (the daemon serves its build, never its code)', () => {
    const shell = readdirSync(SRC, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.startsWith(DASHBOARD))
      .flatMap((e) =>
        importsOf(join(e.parentPath, e.name))
          .filter((s) => /\/dashboard\//.test(s))
          .map((s) => `${e.name} -> ${s}`),
      );
    expect(shell).toEqual([]);
  });
});
