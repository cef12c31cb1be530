// skiff.yaml hosts[].maxPods, resources (extended resources) and unschedulable (cordon): read,
// defaulted as the kubelet (110 pods) and the node lifecycle controller (a cordoned host
// carries node.kubernetes.io/unschedulable:NoSchedule), and refused with the field's line.
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../../src/config/load-config.js';

const host = (fields: string) => `hosts:\n  - name: h1\n    kind: local\n${fields}`;

describe('hosts: maxPods, resources, unschedulable', () => {
  it('defaults: 110 pods, no extended resources, schedulable, no taint', () => {
    const { config } = parseClusterConfig(host(''), 'skiff.yaml');
    expect(config!.hosts[0]).toMatchObject({ maxPods: 110, resources: {}, unschedulable: false, taints: [] });
  });

  it('reads them; a cordoned host gets the unschedulable taint once', () => {
    const text = host(
      '    maxPods: 20\n    resources: { nvidia.com/gpu: 2, example.com/foo: 4 }\n    unschedulable: true\n',
    );
    const { config, diagnostics } = parseClusterConfig(text, 'skiff.yaml');
    expect(diagnostics).toEqual([]);
    expect(config!.hosts[0]).toMatchObject({
      maxPods: 20,
      resources: { 'nvidia.com/gpu': 2, 'example.com/foo': 4 },
      unschedulable: true,
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    });
    const written = host(
      '    unschedulable: true\n    taints: [{ key: node.kubernetes.io/unschedulable, effect: NoSchedule }]\n',
    );
    expect(parseClusterConfig(written, 'skiff.yaml').config!.hosts[0]!.taints).toHaveLength(1);
  });

  it.each([
    [
      'a resource without a domain',
      '    resources: { gpu: 1 }\n',
      'hosts[0].resources.gpu',
      'config.resource-name',
    ],
    [
      'a kubernetes.io resource',
      '    resources: { kubernetes.io/foo: 1 }\n',
      'hosts[0].resources',
      'config.resource-name',
    ],
    ['a fractional count', '    resources: { nvidia.com/gpu: 0.5 }\n', 'hosts[0].resources', undefined],
    ['a negative maxPods', '    maxPods: -1\n', 'hosts[0].maxPods', undefined],
  ])('refuses %s', (_name, fields, path, code) => {
    const { config, diagnostics } = parseClusterConfig(host(fields), 'skiff.yaml');
    expect(config).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.path.startsWith(path)).toBe(true);
    if (code) expect(diagnostics[0]!.code).toBe(code);
    expect(diagnostics[0]!.line).toBeGreaterThan(0);
  });
});
