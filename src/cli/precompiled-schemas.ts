// Loads the kind validators `npm run build` generated (dist/manifest/schema-validators.cjs,
// written by scripts/build-schemas.ts) beside the compiled code. From a checkout run through
// tsx there is none, and schema-check compiles the schemas at first use instead. Shell.
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { kindValidatorsOf } from '../manifest/schema-source.js';

export const GENERATED_VALIDATORS = '../manifest/schema-validators.cjs';

/** The generated validators, loaded by `load` (require, or the bundle's cached loader). */
export function loadPrecompiledValidators(
  load: (id: string) => unknown = createRequire(import.meta.url),
): Map<string, ValidateFunction> | undefined {
  let mod: Record<string, unknown>;
  try {
    mod = load(GENERATED_VALIDATORS) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  return kindValidatorsOf(mod);
}
