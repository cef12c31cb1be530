// Bounds on what a request may send: a body over its limit is answered 413 (after draining it,
// so the client reads the answer instead of a connection reset), JSON that is malformed or of
// the wrong shape 400 with the field at fault, query parameters checked the same way. Shell
// (reads the request stream); the shape checks are pure.
import type { IncomingMessage } from 'node:http';
import { type Answer, refuse } from './api-answer.js';

export const MAX_API_BODY = 64 * 1024;
/** A webhook push payload lists commits: GitHub caps them at 25 MB, a few MB is plenty. */
export const MAX_WEBHOOK_BODY = 4 * 1024 * 1024;
/** Past this many bytes over the limit, the rest is not drained: the connection is closed. */
const MAX_DRAIN = 8 * 1024 * 1024;

const tooLarge = (limit: number): Answer => ({
  ...refuse(413, `request body larger than ${limit} bytes`, 'send a smaller body'),
  headers: { connection: 'close' },
});

/** The body, or a 413 answer once it is drained (or cut off past MAX_DRAIN). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | Answer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit + MAX_DRAIN) {
      resolve(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > limit + MAX_DRAIN) {
        req.pause();
        resolve(tooLarge(limit));
      }
    });
    req.on('end', () => resolve(size > limit ? tooLarge(limit) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A field's expected type: a string (bounded length), a boolean, or a bounded number. */
export type FieldSpec =
  | { type: 'string'; maxLength: number }
  | { type: 'boolean' }
  | { type: 'number'; min: number; max: number; integer?: boolean };

export type Fields = Record<string, FieldSpec>;

function fieldProblem(name: string, value: unknown, spec: FieldSpec): string | undefined {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return `"${name}" must be a string`;
      return value.length > spec.maxLength ? `"${name}" is longer than ${spec.maxLength}` : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `"${name}" must be a boolean`;
    case 'number': {
      const ok =
        typeof value === 'number' && Number.isFinite(value) && (!spec.integer || Number.isInteger(value));
      if (!ok) return `"${name}" must be ${spec.integer ? 'an integer' : 'a number'}`;
      return value < spec.min || value > spec.max
        ? `"${name}" must be from ${spec.min} to ${spec.max}`
        : undefined;
    }
  }
}

/** Pure: the object's fields checked against `fields` (unknown fields refused, as the API
 *  server's strict field validation does); the first problem, or undefined. */
export function objectProblem(obj: Record<string, unknown>, fields: Fields): string | undefined {
  for (const [name, value] of Object.entries(obj)) {
    const spec = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (!spec) return `unknown field "${name}"`;
    const problem = fieldProblem(name, value, spec);
    if (problem) return problem;
  }
  return undefined;
}

/** A parsed input, or the 400 answer that says what is wrong with it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; answer: Answer };

const bad = (a: Answer): { ok: false; answer: Answer } => ({ ok: false, answer: a });

/** Pure: the JSON body as an object of `fields`, or a 400 answer naming what is wrong. */
export function parseJsonBody<T>(body: Buffer, fields: Fields): Parsed<T> {
  const text = body.toString('utf8').trim();
  let value: unknown;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch (err) {
    return bad(refuse(400, `malformed JSON body: ${(err as Error).message}`, 'send a JSON object'));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad(refuse(400, 'the body must be a JSON object', 'send a JSON object, e.g. {"app": "web"}'));
  const problem = objectProblem(value as Record<string, unknown>, fields);
  return problem ? bad(refuse(400, `invalid body: ${problem}`)) : { ok: true, value: value as T };
}

/** Pure: the query parameters as typed values (numbers parsed), or a 400 answer. */
export function parseQuery<T>(url: URL, fields: Fields): Parsed<T> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of url.searchParams) {
    if (Object.hasOwn(out, name)) return bad(refuse(400, `query parameter "${name}" given twice`));
    const spec = Object.hasOwn(fields, name) ? fields[name] : undefined;
    out[name] = spec?.type === 'number' && /^-?[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : raw;
    if (spec?.type === 'boolean' && (raw === 'true' || raw === 'false')) out[name] = raw === 'true';
  }
  const problem = objectProblem(out, fields);
  return problem
    ? bad(refuse(400, `invalid query: ${problem.replace('field', 'parameter')}`))
    : { ok: true, value: out as T };
}
