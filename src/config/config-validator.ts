// The skiff.yaml schema check as one ajv validator: the standalone code `npm run build` generates
// beside the compiled code (dist/config/schema-validator.cjs, scripts/build-schemas.ts), else
// compiled at first use (a checkout run through tsx). Either way ajv's compiler is loaded only
// when there is no generated validator, so a CLI start does not pay for it. Shell.
import { createRequire } from 'node:module';
import type { Options, ValidateFunction } from 'ajv';
import { CLUSTER_CONFIG_SCHEMA } from './schema.js';

/** One ajv setup for both ways, so both report the same errors. */
export const CONFIG_AJV_OPTIONS: Options = { allErrors: true, strict: true, allowUnionTypes: true };
// From dist/config and from the CLI bundle in dist/bin alike (both one level under dist/).
export const GENERATED_CONFIG_VALIDATOR = '../config/schema-validator.cjs';

const require = createRequire(import.meta.url);
let validator: ValidateFunction | undefined;
let loadGenerated: (id: string) => unknown = require;

/** How to load the generated module: the CLI bundle loads it with its code cache. */
export function useGeneratedConfigLoader(load: (id: string) => unknown): void {
  loadGenerated = load;
}

/** The schema the generated module was made from, to refuse one from another build. */
export function configSchemaSource(): string {
  return JSON.stringify(CLUSTER_CONFIG_SCHEMA);
}

/** The generated validator when it exists and was made from this schema. */
export function generatedConfigValidator(
  load: (id: string) => unknown = loadGenerated,
): ValidateFunction | undefined {
  let mod: { validate?: unknown; SOURCE?: unknown };
  try {
    mod = load(GENERATED_CONFIG_VALIDATOR) as typeof mod;
  } catch (err) {
    // None beside the code (a checkout): compile. One that cannot load its own imports is a
    // broken install, said as such.
    const missing = (err as { code?: string }).code === 'MODULE_NOT_FOUND';
    if (missing && String((err as Error).message).includes(`'${GENERATED_CONFIG_VALIDATOR}'`))
      return undefined;
    throw err;
  }
  if (mod.SOURCE !== configSchemaSource() || typeof mod.validate !== 'function') return undefined;
  return mod.validate as ValidateFunction;
}

/** ajv's compiler, loaded now (synchronously: ajv is CommonJS) and only here. */
export function compileConfigValidator(): ValidateFunction {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(CONFIG_AJV_OPTIONS).compile(CLUSTER_CONFIG_SCHEMA);
}

export function configValidator(): ValidateFunction {
  validator ??= generatedConfigValidator() ?? compileConfigValidator();
  return validator;
}
