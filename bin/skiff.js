#!/usr/bin/env node
// Entry point of the `skiff` command. An installed package runs the compiled dist/ (`npm run
// build`). A checkout runs dist/ too when it is newer than every file under src/, and otherwise
// the TypeScript through tsx (a development dependency), so a checkout works right after
// `npm ci` and never runs code older than its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
const src = new URL('../src/', import.meta.url);

/** Whether a file under `dir` changed after `time` (ms). */
function changedAfter(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    if (statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs > time) return true;
  }
  return false;
}

const built = existsSync(dist) ? statSync(dist).mtimeMs : undefined;
if (built !== undefined && !(existsSync(src) && changedAfter(src, built))) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
