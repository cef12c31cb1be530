// Build step: the kind schemas as ajv standalone code (dist/manifest/schema-validators.cjs), so
// an installed skiff loads ready validators instead of compiling every schema at each start.
// Same ajv setup as the compile at start (src/manifest/schema-compile.ts). Run by build.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import standalone from 'ajv/dist/standalone/index.js';
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

/** Writes the generated module to `file`. */
export function writeValidators(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, generateValidatorsSource());
}
