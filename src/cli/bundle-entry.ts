// Entry point of the CLI bundle (dist/bin/skiff.cjs, scripts/bundle-cli.ts). bin/skiff.js runs
// the bundle through bin/compile-cache.js and calls `run` with that loader, so the generated
// validators (kept out of the bundle: 1.4 MB of kind validators most commands never run) get a
// V8 code cache of their own too.
import { fileURLToPath } from 'node:url';
import { commandNamed } from './commands/index.js';
import { main } from './program.js';

/** Loads a CommonJS file by path (bin/compile-cache.js's loader, or require). */
export type LoadCommonJs = (file: string) => unknown;

/** `loadCommonJs` for an id relative to the bundle, failing as require does for a missing one. */
function loaderFrom(loadCommonJs: LoadCommonJs): (id: string) => unknown {
  return (id) => {
    try {
      return loadCommonJs(fileURLToPath(new URL(id, import.meta.url)));
    } catch (err) {
      if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    }
  };
}

async function runCommand(argv: string[], loadCommonJs: LoadCommonJs): Promise<number> {
  // `--version` and `--help` run no config or schema code (a command may run both).
  if (commandNamed(argv) === undefined) return main(argv);
  const load = loaderFrom(loadCommonJs);
  const [{ useGeneratedConfigLoader }, { loadPrecompiledValidators }] = await Promise.all([
    import('../config/config-validator.js'),
    import('./precompiled-schemas.js'),
  ]);
  useGeneratedConfigLoader(load);
  return main(argv, () => loadPrecompiledValidators(load));
}

export function run(argv: string[], loadCommonJs: LoadCommonJs): void {
  void runCommand(argv, loadCommonJs).then((code) => process.exit(code));
}
