// `null` as Kubernetes decodes it: the API server reads JSON into Go structs, where a null
// leaves a field at its zero value, so `args: null`, `env:` or `labels: null` mean "unset",
// never a type error. Inside a map of strings a null entry is the empty string (Go stores
// the element's zero value: `labels: {tier: null}` is the label tier=""); a null list item
// is the item's zero value ("" or an empty object, whose required fields are then missing).
// Walked along the kind's schema before ajv, so every optional field gets this meaning at
// once. Pure; copy on write (a document without nulls is returned as is).
import type { JsonSchema } from './schemas.js';

/** A schema with its `$ref` resolved (`skiff:<Title>`, registered in SHARED_SCHEMAS). */
export type ResolveRef = (schema: JsonSchema) => JsonSchema;

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The Go zero value an item or map entry of this schema decodes a null into; undefined
 *  drops the entry (a map of quantities or of objects: no zero value worth inventing). */
function zeroOf(schema: JsonSchema | undefined, resolve: ResolveRef): unknown {
  const s = schema ? resolve(schema) : undefined;
  if (s?.type === 'string') return '';
  if (s?.type === 'object' && s.properties) return {};
  return undefined;
}

/** A real Kubernetes field skiff refuses: null leaves it unset, so there is nothing to refuse.
 *  A field Kubernetes does not have stays, to be reported as unknown. */
function isRejected(schema: JsonSchema, field: string): boolean {
  const rejected = schema['x-rejected'] as Record<string, string> | undefined;
  return rejected !== undefined && Object.hasOwn(rejected, field);
}

function normalizeArray(value: unknown[], schema: JsonSchema, resolve: ResolveRef): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    const next = item === null ? zeroOf(schema, resolve) : normalizeNulls(item, schema, resolve);
    if (next === item) continue;
    out ??= value.slice();
    out[i] = next;
  }
  return out ?? value;
}

function normalizeObject(
  value: Record<string, unknown>,
  schema: JsonSchema,
  resolve: ResolveRef,
): Record<string, unknown> {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const entries = schema.additionalProperties;
  const entrySchema = typeof entries === 'object' ? (entries as JsonSchema) : undefined;
  let out: Record<string, unknown> | undefined;
  for (const [k, item] of Object.entries(value)) {
    const field = properties && Object.hasOwn(properties, k) ? properties[k] : undefined;
    let next: unknown = item;
    if (item !== null) {
      if (field ?? entrySchema) next = normalizeNulls(item, (field ?? entrySchema)!, resolve);
    } else if (field || isRejected(schema, k))
      next = undefined; // a Kubernetes field: unset
    else if (entrySchema) next = zeroOf(entrySchema, resolve);
    if (next === item) continue;
    out ??= { ...value };
    if (next === undefined) delete out[k];
    else out[k] = next;
  }
  return out ?? value;
}

/** `value` with every null read as Kubernetes reads it under `schema`. */
export function normalizeNulls(value: unknown, schema: JsonSchema, resolve: ResolveRef): unknown {
  const s = resolve(schema);
  if (Array.isArray(value)) return s.items ? normalizeArray(value, s.items as JsonSchema, resolve) : value;
  if (isMapping(value)) return normalizeObject(value, s, resolve);
  return value;
}
