// policy/v1 PodDisruptionBudget: accepted as the API server accepts it, refused with its
// messages (ValidatePodDisruptionBudgetSpec upstream); no "unsupported" word about it.
import { describe, expect, it } from 'vitest';
import { type ValidationResult, validateBundle } from '../../../src/manifest/index.js';
import type { PodDisruptionBudget } from '../../../src/model/k8s.js';

const pdb = (spec: string, apiVersion = 'policy/v1') => `apiVersion: ${apiVersion}
kind: PodDisruptionBudget
metadata:
  name: web
spec:
${spec}
`;

function run(text: string): ValidationResult {
  return validateBundle([{ path: 'pdb.yaml', text }]);
}
const lines = (r: ValidationResult) => r.diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}`);

describe('PodDisruptionBudget', () => {
  it.each([
    [
      'minAvailable as a count',
      '  minAvailable: 2\n  selector: { matchLabels: { app: web } }',
      { minAvailable: 2 },
    ],
    [
      'maxUnavailable as a percent',
      '  maxUnavailable: 25%\n  selector: { matchLabels: { app: web } }',
      { maxUnavailable: '25%' },
    ],
    ['minAvailable 100%', '  minAvailable: 100%\n  selector: {}', { minAvailable: '100%' }],
    ['neither (upstream accepts it)', '  selector: { matchLabels: { app: web } }', {}],
    [
      'unhealthyPodEvictionPolicy',
      '  minAvailable: 0\n  unhealthyPodEvictionPolicy: AlwaysAllow\n  selector: { matchExpressions: [{ key: app, operator: In, values: [web] }] }',
      { minAvailable: 0, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    ],
  ])('accepts %s without a word', (_name, spec, expected) => {
    const r = run(pdb(spec));
    expect(lines(r)).toEqual([]);
    expect((r.objects[0] as PodDisruptionBudget).spec).toMatchObject(expected);
  });

  it.each([
    [
      'both set',
      '  minAvailable: 1\n  maxUnavailable: 1',
      'spec',
      'minAvailable and maxUnavailable cannot be both set',
    ],
    ['a negative count', '  minAvailable: -1', 'spec.minAvailable', 'must be greater than or equal to 0'],
    ['over 100%', '  maxUnavailable: 150%', 'spec.maxUnavailable', 'must not be greater than 100%'],
    [
      'a string that is no percent',
      '  minAvailable: half',
      'spec.minAvailable',
      `"half": a valid percent string must be a numeric string followed by an ending '%'`,
    ],
    [
      'an unknown eviction policy',
      '  unhealthyPodEvictionPolicy: Never',
      'spec.unhealthyPodEvictionPolicy',
      'IfHealthyBudget',
    ],
    [
      'a bad selector operator',
      '  selector: { matchExpressions: [{ key: app, operator: Exists, values: [web] }] }',
      'spec.selector.matchExpressions',
      'values',
    ],
  ])('refuses %s', (_name, spec, path, message) => {
    const errors = run(pdb(spec)).diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.path).toContain(path);
    expect(errors[0]!.message).toContain(message);
    expect(errors[0]!.line).toBeGreaterThan(0);
  });

  it('points policy/v1beta1 at policy/v1', () => {
    const errors = run(pdb('  minAvailable: 1', 'policy/v1beta1')).diagnostics;
    expect(errors.map((d) => d.message).join('\n')).toContain('use policy/v1');
  });
});
