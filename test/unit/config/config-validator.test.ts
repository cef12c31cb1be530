// The skiff.yaml validator `npm run build` generates (ajv standalone code, scripts/build-schemas.ts)
// answers exactly as the schema compiled at first use: same verdict, same errors, so a config
// reads the same from an installed package and from a checkout. One from another build is refused.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateConfigValidatorSource } from '../../../scripts/build-schemas.js';
import {
  compileConfigValidator,
  GENERATED_CONFIG_VALIDATOR,
  generatedConfigValidator,
} from '../../../src/config/config-validator.js';

/** The generated module, evaluated as CommonJS with this package's dependencies (ajv's runtime). */
const load = (id: string) => {
  expect(id).toBe(GENERATED_CONFIG_VALIDATOR);
  const module = { exports: {} as Record<string, unknown> };
  new Function('exports', 'require', 'module', generateConfigValidatorSource())(
    module.exports,
    createRequire(import.meta.url),
    module,
  );
  return module.exports;
};
const generated = generatedConfigValidator(load)!;
const compiled = compileConfigValidator();

const CASES: Array<[name: string, yaml: string]> = [
  [
    'a valid config',
    'hosts:\n  - name: h1\n    address: 10.0.0.1\n    hostKey: ssh-ed25519 AAAA\napps: []\n',
  ],
  ['an unknown field', 'hosts: []\nhostz: 1\n'],
  ['a wrong type', 'hosts:\n  - name: h1\n    port: "22"\n'],
  ['an empty string where minLength 1', 'hosts:\n  - name: h1\n    user: ""\n'],
  ['a bad pattern', 'hosts:\n  - name: H_1\n    dockerSocket: relative.sock\n'],
  ['an enum', 'hosts:\n  - name: h1\n    kind: ftp\n'],
];

describe('the generated skiff.yaml validator', () => {
  it.each(CASES)('%s: the same verdict and errors as compiled at first use', (name, text) => {
    const doc = parse(text);
    const a = { ok: compiled(structuredClone(doc)), errors: compiled.errors ?? [] };
    const b = { ok: generated(structuredClone(doc)), errors: generated.errors ?? [] };
    expect(a.ok).toBe(name.startsWith('a valid'));
    expect(b).toEqual(a);
  });

  it('a module made from another schema, or none, is not used', () => {
    expect(generatedConfigValidator(() => ({ SOURCE: '{}', validate: () => true }))).toBeUndefined();
    const missing = Object.assign(new Error(`Cannot find module '${GENERATED_CONFIG_VALIDATOR}'`), {
      code: 'MODULE_NOT_FOUND',
    });
    expect(
      generatedConfigValidator(() => {
        throw missing;
      }),
    ).toBeUndefined();
  });
});
