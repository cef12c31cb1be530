// podAffinity and podAntiAffinity: accepted and kept in the spec, and refused where the API
// server refuses them (validatePodAffinityTerm, validateWeightedPodAffinityTerms,
// validateMatchLabelKeysAndMismatchLabelKeys in pkg/apis/core/validation).
import { describe, expect, it } from 'vitest';
import { validateBundle } from '../../../src/manifest/index.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, version: v1}
spec:
  containers:
    - name: web
      image: nginx:1.25
  affinity:
`;

function findings(affinity: string): string[] {
  return validateBundle([{ path: 'a.yaml', text: POD + affinity }]).diagnostics.map(
    (d) => `${d.severity} ${d.code} ${d.path} ${d.line}:${d.column} ${d.message}`,
  );
}

const ANTI = 'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]';
const PREF = 'spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]';

describe('inter-pod affinity validation', () => {
  it('accepts required and preferred terms and keeps them in the spec', () => {
    const text = `${POD}    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector: {matchLabels: {app: web}}
          topologyKey: kubernetes.io/hostname
          matchLabelKeys: [version]
    podAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 50
          podAffinityTerm:
            labelSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}
            namespaceSelector: {}
            topologyKey: topology.kubernetes.io/zone
`;
    const r = validateBundle([{ path: 'a.yaml', text }]);
    expect(r.diagnostics).toEqual([]);
    const pod = r.objects[0]!;
    if (pod.kind !== 'Pod') throw new Error('expected a Pod');
    expect(Object.keys(pod.spec.affinity ?? {}).sort()).toEqual(['podAffinity', 'podAntiAffinity']);
    expect(pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]).toEqual({
      labelSelector: { matchLabels: { app: 'web' } },
      topologyKey: 'kubernetes.io/hostname',
      matchLabelKeys: ['version'],
    });
  });

  it.each<[string, string, string[]]>([
    [
      'an empty topologyKey',
      `    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector: {matchLabels: {app: web}}
          topologyKey: ""
`,
      [`error semantic.affinity ${ANTI}.topologyKey 14:11 topologyKey: Required value: can not be empty`],
    ],
    [
      'a missing topologyKey',
      `    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector: {matchLabels: {app: web}}
`,
      [`error semantic.affinity ${ANTI}.topologyKey 13:11 topologyKey: Required value: can not be empty`],
    ],
    [
      'a weight out of range',
      `    podAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 0
          podAffinityTerm: {labelSelector: {}, topologyKey: zone}
`,
      [`error semantic.affinity ${PREF}.weight 13:11 weight 0: must be in the range 1-100`],
    ],
    [
      'a bad namespace name',
      `    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - {labelSelector: {}, topologyKey: zone, namespaces: [Team_A]}
`,
      [
        expect.stringContaining(
          `error semantic.affinity ${ANTI}.namespaces[0] 13:63 invalid namespace "Team_A"`,
        ),
      ],
    ],
    [
      'matchLabelKeys without a labelSelector',
      `    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - {topologyKey: zone, matchLabelKeys: [version]}
`,
      [
        `error semantic.affinity ${ANTI}.matchLabelKeys 13:31 must not be specified when labelSelector is not set`,
      ],
    ],
    [
      'a key in both matchLabelKeys and the labelSelector',
      `    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - {labelSelector: {matchLabels: {version: v1}}, topologyKey: zone, matchLabelKeys: [version]}
`,
      [
        `error semantic.affinity ${ANTI}.matchLabelKeys[0] 13:93 "version" exists in both matchLabelKeys and labelSelector`,
      ],
    ],
    [
      'a key in both matchLabelKeys and mismatchLabelKeys',
      `    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - {labelSelector: {}, topologyKey: zone, matchLabelKeys: [version], mismatchLabelKeys: [version]}
`,
      [
        `error semantic.affinity ${ANTI}.matchLabelKeys[0] 13:67 "version" exists in both matchLabelKeys and mismatchLabelKeys`,
      ],
    ],
    [
      'a malformed labelSelector',
      `    podAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector: {matchExpressions: [{key: app, operator: In}]}
          topologyKey: zone
`,
      [expect.stringContaining('error semantic.selector spec.affinity.podAffinity.requiredDuringScheduling')],
    ],
  ])('%s', (_name, affinity, want) => {
    expect(findings(affinity)).toEqual(want);
  });
});
