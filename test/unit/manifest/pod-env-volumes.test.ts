// Env resourceFieldRef/fieldRef and the hostPath, emptyDir, downwardAPI, projected volume
// sources: accepted and defaulted as the API server does, refused with its messages.
import { describe, expect, it } from 'vitest';
import { type ValidationResult, validateBundle } from '../../../src/manifest/index.js';
import type { Pod } from '../../../src/model/k8s.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: busybox:1.36
      resources:
        limits: { cpu: 500m, memory: 64Mi }
      env:
        - name: CPU
          valueFrom:
            resourceFieldRef: { resource: limits.cpu, divisor: 1m }
        - name: MEM
          valueFrom:
            resourceFieldRef: { resource: requests.memory, containerName: app, divisor: 1Mi }
        - name: POD_IP
          valueFrom:
            fieldRef: { fieldPath: status.podIP }
      volumeMounts:
        - { name: host, mountPath: /host }
        - { name: mem, mountPath: /mem }
        - { name: proj, mountPath: /etc/proj }
        - { name: info, mountPath: /etc/info }
        - { name: host, mountPath: /sub, subPathExpr: $(POD_IP) }
  volumes:
    - name: host
      hostPath: { path: /var/lib/demo, type: DirectoryOrCreate }
    - name: mem
      emptyDir: { medium: Memory, sizeLimit: 16Mi }
    - name: proj
      projected:
        defaultMode: 288
        sources:
          - configMap: { name: cfg, items: [{ key: a, path: a.txt, mode: 256 }] }
          - secret: { name: sec }
          - downwardAPI:
              items:
                - { path: labels, fieldRef: { fieldPath: metadata.labels } }
    - name: info
      downwardAPI:
        items:
          - path: cpu
            resourceFieldRef: { containerName: app, resource: limits.cpu, divisor: 1m }
`;

function run(text: string): ValidationResult {
  return validateBundle([{ path: 'pod.yaml', text }], { allowMissingRefs: true });
}
function errors(r: ValidationResult): string[] {
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.path}: ${d.message}`);
}

describe('pod env and volume sources', () => {
  it('accepts them and defaults as the API server does', () => {
    const r = run(POD);
    expect(errors(r)).toEqual([]);
    const pod = r.objects.find((o) => o.kind === 'Pod') as Pod;
    const [host, mem, proj, info] = pod.spec.volumes;
    expect(host!.hostPath).toEqual({ path: '/var/lib/demo', type: 'DirectoryOrCreate' });
    expect(mem!.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '16Mi' });
    expect(proj!.projected!.defaultMode).toBe(0o440);
    expect(proj!.projected!.sources[0]!.configMap).toEqual({
      name: 'cfg',
      items: [{ key: 'a', path: 'a.txt', mode: 0o400 }],
    });
    expect(info!.downwardAPI!.defaultMode).toBe(0o644);
    expect(pod.spec.containers[0]!.env[1]!.valueFrom!.resourceFieldRef).toEqual({
      containerName: 'app',
      resource: 'requests.memory',
      divisor: '1Mi',
    });
    expect(pod.spec.containers[0]!.volumeMounts[4]!.subPathExpr).toBe('$(POD_IP)');
  });

  it('defaults the divisor to 1 and the hostPath type to ""', () => {
    const r = run(
      POD.replace('resource: limits.cpu, divisor: 1m }', 'resource: limits.cpu }').replace(
        ', type: DirectoryOrCreate',
        '',
      ),
    );
    const pod = r.objects.find((o) => o.kind === 'Pod') as Pod;
    expect(pod.spec.containers[0]!.env[0]!.valueFrom!.resourceFieldRef!.divisor).toBe('1');
    expect(pod.spec.volumes[0]!.hostPath!.type).toBe('');
  });

  it.each([
    [
      'an unknown resource',
      ['resource: limits.cpu, divisor: 1m', 'resource: limits.gpu'],
      'spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: unsupported value "limits.gpu"',
    ],
    [
      'a cpu divisor other than 1m or 1',
      ['divisor: 1m }', 'divisor: 2 }'],
      "resourceFieldRef.divisor: only divisor's values 1m and 1 are supported with the cpu resource",
    ],
    [
      'a memory divisor that is not a unit',
      ['divisor: 1Mi', 'divisor: 3Mi'],
      "resourceFieldRef.divisor: only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource",
    ],
    [
      'a volume resourceFieldRef without containerName',
      ['{ containerName: app, resource: limits.cpu, divisor: 1m }', '{ resource: limits.cpu }'],
      'spec.volumes[3].downwardAPI.items[0].resourceFieldRef.containerName: containerName is required',
    ],
    [
      'a volume fieldRef only env allows',
      ['fieldPath: metadata.labels }', 'fieldPath: spec.nodeName }'],
      'spec.volumes[2].projected.sources[2].downwardAPI.items[0].fieldRef.fieldPath: unsupported fieldPath "spec.nodeName"',
    ],
    [
      'an env fieldRef only volumes allow',
      ['fieldPath: status.podIP', 'fieldPath: metadata.labels'],
      'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: unsupported fieldPath "metadata.labels"',
    ],
    [
      'a hostPath type Kubernetes does not know',
      ['type: DirectoryOrCreate', 'type: Dir'],
      'spec.volumes[0].hostPath.type',
    ],
    [
      'a hostPath with ..',
      ['path: /var/lib/demo', 'path: /var/../etc'],
      "spec.volumes[0].hostPath.path: must not contain '..'",
    ],
    [
      'duplicate paths across projected sources',
      ['path: labels', 'path: a.txt'],
      'spec.volumes[2].projected.sources[2].downwardAPI.items[0].path: conflicting duplicate paths "a.txt"',
    ],
    [
      'subPath and subPathExpr together',
      ['subPathExpr: $(POD_IP) }', 'subPathExpr: $(POD_IP), subPath: x }'],
      'spec.containers[0].volumeMounts[4].subPathExpr: subPathExpr and subPath are mutually exclusive',
    ],
    [
      'an absolute subPathExpr',
      ['subPathExpr: $(POD_IP) }', 'subPathExpr: /abs }'],
      'spec.containers[0].volumeMounts[4].subPathExpr: "/abs" must be a relative path',
    ],
    [
      'a downwardAPI file without a source',
      ['- { path: labels, fieldRef: { fieldPath: metadata.labels } }', '- { path: labels }'],
      'must specify one of: `fieldRef` or `resourceFieldRef`',
    ],
  ])('refuses %s', (_what, [from, to], want) => {
    expect(POD).toContain(from);
    const errs = errors(run(POD.replace(from!, to!)));
    expect(errs.some((e) => e.includes(want))).toBe(true);
  });

  it('still refuses the volume types skiff cannot run, naming them', () => {
    const r = run(
      POD.replace(
        'hostPath: { path: /var/lib/demo, type: DirectoryOrCreate }',
        'nfs: { server: s, path: /x }',
      ),
    );
    expect(r.diagnostics.find((d) => d.path === 'spec.volumes[0].nfs')?.message).toMatch(
      /skiff supports configMap/,
    );
  });
});
