// Schema validation of one document with ajv: the kind schemas are compiled once (lazily,
// on first use), or generated at build time (schema-compile.ts), and each ajv error becomes a
// stable schema.*/unsupported.* finding with the field path. Pure. Messages never quote values (a Secret's data could be anywhere).
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Severity } from '../model/diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import { normalizeNulls } from './nulls.js';
import type { PathSegment } from './parse.js';
import { compileKindSchemas } from './schema-compile.js';
import { precompiledValidators } from './schema-source.js';
import { INT32_MAX, INT32_MIN, INT64_MAX, type JsonSchema, KIND_SCHEMAS, SHARED_SCHEMAS } from './schemas.js';

export interface SchemaFinding {
  path: PathSegment[];
  severity: Severity;
  code: string;
  message: string;
}

let compiled: Map<string, ValidateFunction> | undefined;

/** Generated at build time when the shell has them (schema-source.ts), else compiled now. */
function validators(): Map<string, ValidateFunction> {
  compiled ??= precompiledValidators() ?? compileKindSchemas();
  return compiled;
}

const sharedById = new Map(SHARED_SCHEMAS.map((s) => [s.$id as string, s]));
const resolveRef = (s: JsonSchema): JsonSchema =>
  typeof s.$ref === 'string' ? (sharedById.get(s.$ref) ?? s) : s;

/** The document with its nulls read as Kubernetes reads them (nulls.ts); the kind must
 *  have a schema. */
export function normalizeDocument(apiVersion: string, kind: string, value: Record<string, unknown>) {
  return normalizeNulls(value, KIND_SCHEMAS[`${apiVersion}/${kind}`]!, resolveRef) as Record<string, unknown>;
}

/** `apiVersion/Kind` keys that have a schema. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return Object.hasOwn(KIND_SCHEMAS, `${apiVersion}/${kind}`);
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function schemaError(path: PathSegment[], code: string, message: string): SchemaFinding {
  return { path, severity: 'error', code, message };
}

/** additionalProperties: a field skiff rejects, or does not know at all (with the nearest
 *  known name as a hint). Ignored fields are properties (typed), see x-ignored-field. */
function unknownField(e: ErrorObject, path: PathSegment[], parent: JsonSchema, title: string): SchemaFinding {
  const field = (e.params as { additionalProperty: string }).additionalProperty;
  const rejected = (parent['x-rejected'] ?? {}) as Record<string, string>;
  const at = [...path, field];
  if (Object.hasOwn(rejected, field))
    return schemaError(
      at,
      'unsupported.field',
      `${title}.${field} is not supported by skiff: ${rejected[field]}`,
    );
  const known = [...Object.keys((parent.properties ?? {}) as object), ...Object.keys(rejected)];
  const hint = didYouMean(field, known);
  return schemaError(
    at,
    'schema.unknown-field',
    `unknown field "${field}" in ${title}${hint ? ` (did you mean "${hint}"?)` : ''}`,
  );
}

/** type: what was expected and what was written; a scalar where a string is expected is
 *  usually YAML reading `1.10` or `yes` as a number or boolean, so: quote it. */
function wrongType(e: ErrorObject, path: PathSegment[]): SchemaFinding {
  const expected = (e.params as { type: string | string[] }).type;
  const want = Array.isArray(expected) ? expected.join(' or ') : expected;
  const hint = (Array.isArray(expected) ? expected : [expected]).includes('string') ? ' (quote it)' : '';
  const got = typeOf(e.data);
  return schemaError(
    path,
    'schema.type',
    `expected ${want}, got ${got}${got !== 'object' && got !== 'array' ? hint : ''}`,
  );
}

/** One ajv error as a finding with skiff's code and wording; undefined to drop it. */
function translate(e: ErrorObject): SchemaFinding | undefined {
  const path = pointerToPath(e.instancePath);
  const parent = (e.parentSchema ?? {}) as JsonSchema;
  const title = (parent.title as string | undefined) ?? 'object';
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownField(e, path, parent, title);
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return schemaError(path, 'schema.required', `missing required field "${field}" in ${title}`);
    }
    case 'type':
      return wrongType(e, path);
    case 'x-ignored-field':
      return { path, severity: 'warning', code: 'unsupported.field', message: e.schema as string };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return schemaError(
        path,
        'schema.enum',
        `unsupported value ${JSON.stringify(e.data)}: must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      );
    }
    case 'const':
      return undefined; // apiVersion/kind are dispatched before schema validation
    case 'minimum':
    case 'maximum': {
      const { comparison, limit } = e.params as { comparison: string; limit: number };
      const type = limit === INT32_MAX || limit === INT32_MIN ? 'int32' : limit === INT64_MAX ? 'int64' : '';
      if (type !== '')
        return schemaError(
          path,
          'schema.range',
          `cannot unmarshal number ${String(e.data)} into a field of type ${type}: must be ${comparison} ${limit}`,
        );
      return schemaError(path, 'schema.range', `must be ${comparison} ${limit}, got ${String(e.data)}`);
    }
    case 'minItems':
      return schemaError(
        path,
        'schema.required',
        `must have at least ${(e.params as { limit: number }).limit} item(s)`,
      );
    default:
      return schemaError(path, `schema.${e.keyword}`, e.message ?? 'is invalid');
  }
}

/** Validate a document against the schema of its apiVersion/kind (which must exist). */
export function checkSchema(apiVersion: string, kind: string, value: unknown): SchemaFinding[] {
  const validate = validators().get(`${apiVersion}/${kind}`);
  if (!validate) throw new Error(`bug: no schema for ${apiVersion}/${kind}`);
  if (validate(value)) return [];
  const out: SchemaFinding[] = [];
  for (const e of validate.errors ?? []) {
    const f = translate(e);
    if (f) out.push(f);
  }
  return out;
}
