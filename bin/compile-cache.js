// Runs a CommonJS file (the CLI bundle) with a V8 code cache, so a start deserializes the
// compiled code of the functions the command ran last time instead of parsing and compiling
// them again. Node 22 has module.enableCompileCache(); Node 20 does not, and the npm package
// v8-compile-cache keeps only each file's top-level code, not the functions a command then runs
// (where the time goes). One cache per command word: `skiff get` and `skiff validate` run
// different code, and a cache is made once, at the first exit of a run that had none.
// The cache lives in $SKIFF_CACHE_DIR, else $XDG_CACHE_HOME/skiff, else ~/.cache/skiff, in a
// folder named after the bundle's path, the Node version and the bundle's size and time, so a
// new build or a new Node starts afresh (and the folders of older ones are removed). V8 checks the source and its
// flags itself and rejects a cache that does not match. Any failure to read or write a cache
// only costs the time it would have saved. SKIFF_NO_COMPILE_CACHE=1 turns it off.
// CommonJS (bin/package.json): an ES module entry costs a start 5-15 ms of loader set-up.
const { isAscii } = require('node:buffer');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } =
  require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

/** The folder that holds caches of skiff builds, or undefined when there is no home to use. */
function cacheRoot(env = process.env) {
  if (env.SKIFF_CACHE_DIR) return env.SKIFF_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'skiff');
  const home = homedir();
  return home ? join(home, '.cache', 'skiff') : undefined;
}

/** 32-bit FNV-1a, in hex: node:crypto would cost a start 3 ms to load. */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The cache folder of this bundle on this Node: `code-<hash of its path>-<node>-<hash of its
 *  size and time>`; a rebuild or another Node at the same path replaces it (writeCache). */
function cacheFolder(root, file) {
  const s = statSync(file);
  return join(
    root,
    `${installPrefix(file)}${process.version}-${fnv1a(`${process.arch}|${s.size}|${s.mtimeMs}`)}`,
  );
}

/** What the cache folders of one installed bundle (one path) start with. */
function installPrefix(file) {
  return `code-${fnv1a(file)}-`;
}

/** The command word of a command line (its first plain word), to name its cache by. */
function commandWord(argv) {
  const word = argv.find((a) => !a.startsWith('-'));
  return word && /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'skiff';
}

function readCache(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically, in a folder only this user reads; the first cache of a new
 *  build (or Node) of a bundle removes the folders of its older ones, not other installs'. */
function writeCache(folder, path, data) {
  try {
    if (!existsSync(folder)) {
      const root = dirname(folder);
      const prefix = folder
        .slice(root.length + 1)
        .split('-')
        .slice(0, 2)
        .join('-');
      for (const e of readdirSync(root))
        if (e.startsWith(`${prefix}-`)) rmSync(join(root, e), { recursive: true, force: true });
      mkdirSync(folder, { mode: 0o700 });
    }
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // no cache this time: the next start compiles again
  }
}

/** The cache folder for this build of `bundle` (undefined: no cache, by choice or for want of
 *  a writable home). */
function openCodeCache(bundle, env = process.env) {
  const root = env.SKIFF_NO_COMPILE_CACHE === '1' ? undefined : cacheRoot(env);
  if (root === undefined) return undefined;
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
    return cacheFolder(root, bundle);
  } catch {
    return undefined;
  }
}

/** What V8 did with the cache of each file loaded so far: 'used', 'rejected', 'none' or 'off'. */
const cacheOutcomes = new Map();

/**
 * Loads `file` as CommonJS, with the cache `name` in `folder` (read, or written at exit when
 * there was none or V8 rejected it), and returns its exports.
 */
function loadCommonJs(file, folder, name) {
  if (!existsSync(file))
    throw Object.assign(new Error(`Cannot find module '${file}'`), { code: 'MODULE_NOT_FOUND' });
  const bytes = readFileSync(file);
  // Generated code is ASCII: read as such it skips UTF-8 decoding (5 ms of a 1.3 MB bundle).
  const source = isAscii(bytes) ? bytes.latin1Slice() : bytes.utf8Slice();
  const path = folder && join(folder, name);
  const cachedData = path && readCache(path);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const outcome = !path ? 'off' : !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  cacheOutcomes.set(file, outcome);
  // At exit V8 has compiled what the command ran: that is what the next start wants.
  if (outcome === 'none' || outcome === 'rejected')
    process.once('exit', () => writeCache(folder, path, script.createCachedData()));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

module.exports = { cacheRoot, cacheFolder, commandWord, openCodeCache, loadCommonJs, cacheOutcomes };
