// The validators `npm run build` generates (ajv standalone code, scripts/build-schemas.ts) answer
// exactly as the schemas compiled at start: same verdict, same errors (keyword, path, params,
// schema), on valid documents and on each kind of finding skiff translates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { generateValidatorsSource } from '../../../scripts/build-schemas.js';
import { loadPrecompiledValidators } from '../../../src/cli/precompiled-schemas.js';
import { compileKindSchemas } from '../../../src/manifest/schema-compile.js';
import { KIND_EXPORTS, kindValidatorsOf } from '../../../src/manifest/schema-source.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-standalone-'));
const file = join(dir, 'schema-validators.cjs');
writeFileSync(file, generateValidatorsSource());
const generated = kindValidatorsOf(createRequire(import.meta.url)(file))!;
const compiled = compileKindSchemas();

const container = { name: 'web', image: 'nginx:1.27' };
const deployment = (spec: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
    ...spec,
  },
});

const CASES: Array<{ name: string; kind: string; doc: unknown }> = [
  { name: 'a valid Deployment', kind: 'apps/v1/Deployment', doc: deployment({ replicas: 3 }) },
  { name: 'an unknown field', kind: 'apps/v1/Deployment', doc: deployment({ replica: 3 }) },
  { name: 'a wrong type', kind: 'apps/v1/Deployment', doc: deployment({ replicas: 'three' }) },
  { name: 'beyond int32', kind: 'apps/v1/Deployment', doc: deployment({ replicas: 2 ** 31 }) },
  {
    name: 'an ignored field (x-ignored-field)',
    kind: 'v1/ConfigMap',
    doc: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'x' }, data: { a: 'b' } },
  },
  {
    name: 'a missing required field',
    kind: 'v1/Service',
    doc: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
  },
  {
    name: 'an enum',
    kind: 'v1/Service',
    doc: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'Nope', ports: [] } },
  },
  {
    name: 'a valid Pod',
    kind: 'v1/Pod',
    doc: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [container] } },
  },
];

function run(v: ValidateFunction, doc: unknown) {
  const ok = v(structuredClone(doc));
  return { ok, errors: v.errors ?? [] };
}

describe('standalone validators (generated at build time)', () => {
  it('cover every kind, by name', () => {
    expect([...generated.keys()]).toEqual(KIND_EXPORTS.map(([k]) => k));
  });

  it.each(CASES)('$name: the same verdict and errors as compiled at start', ({ name, kind, doc }) => {
    const a = run(compiled.get(kind)!, doc);
    const b = run(generated.get(kind)!, doc);
    expect(a.ok).toBe(name.startsWith('a valid'));
    expect(b).toEqual(a);
  });

  it('a module from another build (other kinds) is not used', () => {
    expect(kindValidatorsOf({ KINDS: ['v1/Pod'], k0: () => true })).toBeUndefined();
  });

  it('from a checkout without a build there are none: schemas compile at first use', () => {
    expect(loadPrecompiledValidators()).toBeUndefined();
  });
});
