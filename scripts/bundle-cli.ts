// Build step: the CLI as one CommonJS file, dist/bin/skiff.cjs, from src/cli/bundle-entry.ts.
// Why one file: a start through dist/'s 360 ES modules spent ~100 ms of CPU resolving, reading
// and linking them (and yaml's and commander's CommonJS files), more than `get pods` does itself.
// Bundled: skiff's code, yaml and commander (pure, used by every command), and dockerode (to
// load its BuildKit session code lazily). Left to node_modules: every other dependency (native addons, worker files, or
// loaded only by the command that needs it: each stays behind the lazy import that loads it).
// CommonJS, so bin/compile-cache.js can run it through vm.Script with a V8 code cache.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

const BUNDLED_PACKAGES = new Set(['yaml', 'commander', 'ajv', 'ajv-formats', 'diff', 'dockerode']);
/** Packages of a bundled one's that stay in node_modules: loaded only where it is used. */
const UNBUNDLED_DEPENDENCIES = ['@grpc/grpc-js', '@grpc/proto-loader'];

/** A plugin that makes one top-level require of a bundled package's file lazy: `line` is
 *  replaced by `lazy`. Fails the build when the package's line changes, so an upgrade is looked
 *  at. */
function lazyRequire(name: string, file: RegExp, line: string, lazy: string): Plugin {
  return {
    name,
    setup(b) {
      b.onLoad({ filter: file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(line)) throw new Error(`${args.path}: "${line}" not found; see bundle-cli.ts`);
        return { contents: text.replace(line, lazy), loader: 'js' };
      });
    },
  };
}

/** commander loads child_process at its start (12 ms, more than a third of what commander
 *  costs) for executable subcommands, which skiff has none of: loaded when first spawned. */
const lazyChildProcess = lazyRequire(
  'lazy-child-process',
  /[\\/]commander[\\/]lib[\\/]command\.js$/,
  "const childProcess = require('node:child_process');",
  "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
);

/** dockerode loads its BuildKit session code at its start, and with it gRPC and a protobuf
 *  loader: about 4 MB of heap and code a daemon held for life, for image builds skiff never
 *  runs. Loaded when first called. */
const lazyDockerodeSession = lazyRequire(
  'lazy-dockerode-session',
  /[\\/]dockerode[\\/]lib[\\/]docker\.js$/,
  "withSession = require('./session'),",
  "withSession = (...a) => require('./session')(...a),",
);

/** Bundles the CLI of the checkout at `root` into `dist`/bin/skiff.cjs. `entry` and `name`
 *  bundle another entry the same way, next to it (the memory bench's daemon, as shipped). */
export async function bundleCli(
  root: string,
  dist: string,
  entry = 'src/cli/bundle-entry.ts',
  name = 'skiff.cjs',
): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const external = [
    ...Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((p) => !BUNDLED_PACKAGES.has(p)),
    ...UNBUNDLED_DEPENDENCIES,
  ];
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, 'bin', name),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external,
    plugins: [lazyChildProcess, lazyDockerodeSession],
    // bin/skiff.js calls the entry's `run` (module.exports.run).
    // The code finds package.json, the dashboard's assets and the config validator relative to
    // its own file; dist/bin/ is one level under dist/ as dist/cli/ is, so those paths still hold.
    define: { 'import.meta.url': '__skiffFileUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __skiffFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
}
