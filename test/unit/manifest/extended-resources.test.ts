// Extended resources in a container's requests and limits, validated as the API server does
// (pkg/apis/core/validation ValidateResourceRequirements, validateContainerResourceName,
// ValidateResourceQuantityValue; the cases follow TestValidateResourceRequirements and
// TestValidateContainers' extended-resource rows): whole units, never overcommitted.
import { describe, expect, it } from 'vitest';
import { isExtendedResourceName } from '../../../src/manifest/extended-resources.js';
import { validateBundle } from '../../../src/manifest/index.js';

function pod(resources: string): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: trainer
spec:
  containers:
    - name: app
      image: registry.example.com/trainer:1
      resources:
${resources
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}
`;
}

function findings(resources: string): string[] {
  const r = validateBundle([{ path: 'pod.yaml', text: pod(resources) }]);
  return r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.path}: ${d.message}`);
}

const C = 'spec.containers[0].resources';

describe('extended resources in requests and limits', () => {
  it.each<[string, string, string[]]>([
    ['limit only (requests default to it)', 'limits:\n  nvidia.com/gpu: 1', []],
    ['request equal to limit', 'requests:\n  nvidia.com/gpu: 2\nlimits:\n  nvidia.com/gpu: 2', []],
    ['beside cpu and memory', 'limits:\n  cpu: 500m\n  memory: 64Mi\n  example.com/foo: "4"', []],
    [
      'request below limit: no overcommit',
      'requests:\n  nvidia.com/gpu: 1\nlimits:\n  nvidia.com/gpu: 2',
      [
        `error semantic.resources ${C}.requests["nvidia.com/gpu"]: request 1 must be equal to nvidia.com/gpu limit of 2: extended resources cannot be overcommitted`,
      ],
    ],
    [
      'request without a limit',
      'requests:\n  nvidia.com/gpu: 1',
      [
        `error semantic.resources ${C}.limits: limit must be set for nvidia.com/gpu: extended resources cannot be overcommitted (set limits.nvidia.com/gpu; requests default to it)`,
      ],
    ],
    [
      'fractional',
      'limits:\n  nvidia.com/gpu: 500m',
      [
        `error semantic.resources ${C}.limits["nvidia.com/gpu"]: "500m" must be an integer: nvidia.com/gpu is counted in whole units`,
      ],
    ],
    [
      'negative',
      'limits:\n  nvidia.com/gpu: "-1"',
      [`error semantic.quantity ${C}.limits["nvidia.com/gpu"]: "-1" must be greater than or equal to 0`],
    ],
    [
      'a kubernetes.io resource skiff does not schedule',
      'limits:\n  kubernetes.io/foo: 1',
      [
        `error unsupported.resource ${C}.limits["kubernetes.io/foo"]: resource "kubernetes.io/foo" is not supported by skiff (cpu, memory and extended resources such as nvidia.com/gpu are scheduled)`,
      ],
    ],
    [
      'a name without a domain',
      'limits:\n  gpu: 1',
      [
        `error unsupported.resource ${C}.limits.gpu: resource "gpu" is not supported by skiff (cpu, memory and extended resources such as nvidia.com/gpu are scheduled)`,
      ],
    ],
    [
      'an invalid extended name',
      'limits:\n  example.com/a/b: 1',
      [
        `error unsupported.resource ${C}.limits["example.com/a/b"]: resource "example.com/a/b" doesn't follow extended resource name standard (a domain outside kubernetes.io, then a name: "example.com/foo")`,
      ],
    ],
  ])('%s', (_name, resources, want) => {
    expect(findings(resources)).toEqual(want);
  });

  it.each<[string, boolean]>([
    ['nvidia.com/gpu', true],
    ['example.com/foo', true],
    ['cpu', false],
    ['hugepages-2Mi', false],
    ['kubernetes.io/foo', false],
    ['requests.example.com/foo', false],
    ['example.com/', false],
    ['-bad.com/foo', false],
  ])('IsExtendedResourceName(%s) = %s', (name, want) => {
    expect(isExtendedResourceName(name)).toBe(want);
  });
});
