// Where schema-check gets validators generated at build time: the shell installs a loader
// (cli/precompiled-schemas.ts) at start; without one, or when it finds none, schema-check
// compiles the schemas itself. Kept apart from ajv so installing the loader loads nothing. Pure.
import type { ValidateFunction } from 'ajv';
import { KIND_SCHEMAS } from './schemas.js';

type Load = () => Map<string, ValidateFunction> | undefined;
let load: Load | undefined;

export function usePrecompiledValidators(loader: Load | undefined): void {
  load = loader;
}

export function precompiledValidators(): Map<string, ValidateFunction> | undefined {
  return load?.();
}

/** The export name of each kind's validator in the generated module (k0, k1... in
 *  KIND_SCHEMAS' order). */
export const KIND_EXPORTS: ReadonlyArray<readonly [kind: string, exportName: string]> = Object.keys(
  KIND_SCHEMAS,
).map((k, i) => [k, `k${i}`] as const);

/** The generated module's validators by kind; undefined when it lacks one (another build). */
export function kindValidatorsOf(mod: Record<string, unknown>): Map<string, ValidateFunction> | undefined {
  if (JSON.stringify(mod.KINDS) !== JSON.stringify(KIND_EXPORTS.map(([k]) => k))) return undefined;
  const out = new Map<string, ValidateFunction>();
  for (const [kind, name] of KIND_EXPORTS) {
    const v = mod[name];
    if (typeof v !== 'function') return undefined;
    out.set(kind, v as ValidateFunction);
  }
  return out;
}
