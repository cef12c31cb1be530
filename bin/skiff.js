#!/usr/bin/env node
// Entry point of the `skiff` command. An installed package runs the CLI bundle
// (dist/bin/skiff.cjs, `npm run build`; its entry is src/cli/bundle-entry.ts) with a V8 code
// cache (compile-cache.js). A checkout runs it too when dist/ is newer than every file under
// src/, and otherwise the TypeScript through tsx (a development dependency), so a checkout works
// right after `npm ci` and never runs code older than its sources. CommonJS (bin/package.json):
// an ES module entry costs every start 5-15 ms of loader set-up.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { basename, join } = require('node:path');
const { commandWord, loadCommonJs, openCodeCache } = require('./compile-cache.js');

const bundle = join(__dirname, '..', 'dist', 'bin', 'skiff.cjs');
const src = join(__dirname, '..', 'src');

/** Whether a file under `dir` changed after `time` (ms). */
function changedAfter(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    if (statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs > time) return true;
  }
  return false;
}

const built = existsSync(bundle) ? statSync(bundle).mtimeMs : undefined;
if (built !== undefined && !(existsSync(src) && changedAfter(src, built))) {
  const argv = process.argv.slice(2);
  const cache = openCodeCache(bundle);
  // A cache per command word (each runs its own code); a generated validator's is shared.
  const { run } = loadCommonJs(bundle, cache, `${commandWord(argv)}.v8`);
  run(argv, (file) => loadCommonJs(file, cache, `${basename(file)}.v8`));
} else {
  import('tsx/esm/api').then(({ register }) => {
    register();
    return import('../src/cli/main.ts');
  });
}
