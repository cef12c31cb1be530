// The one ajv setup for the kind schemas: compiled at start (a checkout) or generated as
// standalone code at build time (scripts/build-schemas.ts), same options and keywords, so both
// report the same errors. Pure.
import { _, Ajv, type ValidateFunction } from 'ajv';
import { KIND_SCHEMAS, SHARED_SCHEMAS } from './schemas.js';

export function createSchemaAjv(standalone: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    ...(standalone ? { code: { source: true, esm: false } } : {}),
  });
  ajv.addKeyword({ keyword: 'x-ignored', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'x-rejected', schemaType: 'object' });
  // Present on an ignored field's schema: evaluated only when the field is written, so it
  // always "fails", and schema-check's translate() makes that the field's warning (its type is
  // checked beside it by the ordinary keywords). Generated code, so standalone code has it.
  ajv.addKeyword({ keyword: 'x-ignored-field', schemaType: 'string', code: (cxt) => cxt.fail(_`true`) });
  for (const s of SHARED_SCHEMAS) ajv.addSchema(s);
  return ajv;
}

export function compileKindSchemas(): Map<string, ValidateFunction> {
  const ajv = createSchemaAjv(false);
  return new Map(Object.entries(KIND_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));
}
