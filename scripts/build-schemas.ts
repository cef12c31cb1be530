// Build step: the kind schemas as ajv standalone code (dist/manifest/schema-validators.cjs) and
// the skiff.yaml schema too (dist/config/schema-validator.cjs), so an installed skiff loads ready
// validators instead of compiling schemas at each start. Same ajv setups as the compile at start
// (src/manifest/schema-compile.ts, src/config/config-validator.ts). Run by build.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { CONFIG_AJV_OPTIONS, configSchemaSource } from '../src/config/config-validator.js';
import { CLUSTER_CONFIG_SCHEMA } from '../src/config/schema.js';
import { createSchemaAjv } from '../src/manifest/schema-compile.js';
import { KIND_EXPORTS } from '../src/manifest/schema-source.js';
import { KIND_SCHEMAS } from '../src/manifest/schemas.js';

export function generateValidatorsSource(): string {
  const ajv = createSchemaAjv(true);
  const refs: Record<string, string> = {};
  for (const [kind, name] of KIND_EXPORTS) {
    ajv.addSchema(KIND_SCHEMAS[kind]!, `skiff-kind:${kind}`);
    refs[name] = `skiff-kind:${kind}`;
  }
  const kinds = JSON.stringify(KIND_EXPORTS.map(([k]) => k));
  return `${standalone.default(ajv, refs)}\nexports.KINDS = ${kinds};\n`;
}

/** The skiff.yaml validator as `exports.validate`, with the schema it was made from. */
export function generateConfigValidatorSource(): string {
  const ajv = new Ajv({ ...CONFIG_AJV_OPTIONS, code: { source: true, esm: false } });
  ajv.addSchema(CLUSTER_CONFIG_SCHEMA, 'skiff-config');
  const source = JSON.stringify(configSchemaSource());
  return `${standalone.default(ajv, { validate: 'skiff-config' })}\nexports.SOURCE = ${source};\n`;
}

/** Writes a generated module to `file`. */
export function writeValidators(file: string, source = generateValidatorsSource()): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, source);
}
