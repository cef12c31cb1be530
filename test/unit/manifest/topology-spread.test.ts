// Pod topologySpreadConstraints: accepted and kept as the API server keeps them, refused with
// its messages (validateTopologySpreadConstraints in pkg/apis/core/validation/validation.go;
// the cases follow TestValidateTopologySpreadConstraints there).
import { describe, expect, it } from 'vitest';
import { type ValidationResult, validateBundle } from '../../../src/manifest/index.js';
import type { Deployment } from '../../../src/model/k8s.js';

const deployment = (constraints: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      topologySpreadConstraints:
${constraints}
      containers:
        - name: app
          image: nginx:1.25
`;

function run(text: string): ValidationResult {
  return validateBundle([{ path: 'web.yaml', text }]);
}
const lines = (r: ValidationResult) => r.diagnostics.map((d) => `${d.severity} ${d.path}: ${d.message}`);
const AT = 'spec.template.spec.topologySpreadConstraints';

describe('topologySpreadConstraints', () => {
  it('accepts every field and keeps them, no warning', () => {
    const r = run(
      deployment(`        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: DoNotSchedule
          labelSelector: { matchLabels: { app: web } }
          minDomains: 3
          nodeAffinityPolicy: Ignore
          nodeTaintsPolicy: Honor
          matchLabelKeys: [pod-template-hash]
        - maxSkew: 2
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway`),
    );
    expect(lines(r)).toEqual([]);
    const spec = (r.objects[0] as Deployment).spec.template.spec;
    expect(spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: 'web' } },
        minDomains: 3,
        nodeAffinityPolicy: 'Ignore',
        nodeTaintsPolicy: 'Honor',
        matchLabelKeys: ['pod-template-hash'],
      },
      { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
    ]);
  });

  it('leaves a spec without constraints as it was (no empty list: template hashes unchanged)', () => {
    const r = run(deployment('        []'));
    expect(lines(r)).toEqual([]);
    expect((r.objects[0] as Deployment).spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  it.each([
    [
      'maxSkew 0',
      '        - {maxSkew: 0, topologyKey: k, whenUnsatisfiable: DoNotSchedule}',
      [`error ${AT}[0].maxSkew: Invalid value: 0: must be greater than zero`],
    ],
    [
      'an empty topologyKey',
      '        - {maxSkew: 1, topologyKey: "", whenUnsatisfiable: DoNotSchedule}',
      [`error ${AT}[0].topologyKey: Required value: can not be empty`],
    ],
    [
      'a repeated {topologyKey, whenUnsatisfiable}',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule}\n        - {maxSkew: 2, topologyKey: k, whenUnsatisfiable: DoNotSchedule}',
      [`error ${AT}[0]: Duplicate value: "{k, DoNotSchedule}"`],
    ],
    [
      'minDomains 0',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, minDomains: 0}',
      [`error ${AT}[0].minDomains: Invalid value: 0: must be greater than zero`],
    ],
    [
      'minDomains with ScheduleAnyway',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: ScheduleAnyway, minDomains: 2}',
      [
        `error ${AT}[0].minDomains: Invalid value: 2: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
      ],
    ],
    [
      'matchLabelKeys without a labelSelector',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, matchLabelKeys: [app]}',
      [`error ${AT}[0].matchLabelKeys: must not be specified when labelSelector is not set`],
    ],
    [
      'a matchLabelKeys key also in the selector',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [app]}',
      [
        `error ${AT}[0].matchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
      ],
    ],
    [
      'a matchLabelKeys key that is no label name',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, labelSelector: {}, matchLabelKeys: ["-bad"]}',
      [
        `error ${AT}[0].matchLabelKeys[0]: Invalid value: "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc')`,
      ],
    ],
  ])('refuses %s', (_name, constraints, want) => {
    expect(lines(run(deployment(constraints)))).toEqual(want);
  });

  it.each([
    ['whenUnsatisfiable', '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: Sometimes}'],
    [
      'nodeTaintsPolicy',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Maybe}',
    ],
    ['a missing topologyKey', '        - {maxSkew: 1, whenUnsatisfiable: DoNotSchedule}'],
    [
      'a selector operator',
      '        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchExpressions: [{key: a, operator: In}]}}',
    ],
  ])('refuses a bad %s with an error at its line', (_name, constraints) => {
    const r = run(deployment(constraints));
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics.every((d) => d.severity === 'error' && d.path.startsWith(`${AT}[0]`))).toBe(true);
    expect(r.diagnostics.every((d) => d.line >= 11)).toBe(true);
  });
});
