// PersistentVolumeClaim: accepted and defaulted as the API server does; what skiff's one class
// (a Docker local volume on one host, as local-path) cannot provide is refused with the field.
import { describe, expect, it } from 'vitest';
import { type ValidationResult, validateBundle } from '../../../src/manifest/index.js';
import type { PersistentVolumeClaim } from '../../../src/model/k8s.js';

const claim = (spec: string) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
${spec}
`;
const OK_SPEC = `  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi`;

const pod = (claimName: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: busybox:1.36
      volumeMounts:
        - { name: d, mountPath: /data }
  volumes:
    - name: d
      persistentVolumeClaim: { claimName: ${claimName}, readOnly: true }
`;

function run(...texts: string[]): ValidationResult {
  return validateBundle(texts.map((text, i) => ({ path: `f${i}.yaml`, text })));
}
const lines = (r: ValidationResult, severity: 'error' | 'warning') =>
  r.diagnostics.filter((d) => d.severity === severity).map((d) => `${d.path}: ${d.message}`);

describe('PersistentVolumeClaim', () => {
  it('accepts a ReadWriteOnce claim and defaults volumeMode to Filesystem', () => {
    const r = run(claim(OK_SPEC));
    expect(lines(r, 'error')).toEqual([]);
    const pvc = r.objects[0] as PersistentVolumeClaim;
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], storage: '1Gi', volumeMode: 'Filesystem' });
  });

  it.each([
    [
      'empty accessModes',
      `  accessModes: []\n  resources: { requests: { storage: 1Gi } }`,
      'spec.accessModes',
      'at least 1 access mode',
    ],
    ['no accessModes', `  resources: { requests: { storage: 1Gi } }`, 'spec', 'accessModes'],
    [
      'no storage',
      `  accessModes: [ReadWriteOnce]\n  resources: { requests: {} }`,
      'spec.resources.requests',
      'storage',
    ],
    [
      'bad storage',
      `  accessModes: [ReadWriteOnce]\n  resources: { requests: { storage: lots } }`,
      'spec.resources.requests.storage',
      'not a valid quantity',
    ],
    [
      'zero storage',
      `  accessModes: [ReadWriteOnce]\n  resources: { requests: { storage: "0" } }`,
      'spec.resources.requests.storage',
      'greater than zero',
    ],
    [
      'ReadWriteMany',
      `  accessModes: [ReadWriteMany]\n  resources: { requests: { storage: 1Gi } }`,
      'spec.accessModes[0]',
      'lives on one host',
    ],
    [
      'ReadOnlyMany',
      `  accessModes: [ReadWriteOnce, ReadOnlyMany]\n  resources: { requests: { storage: 1Gi } }`,
      'spec.accessModes[1]',
      'ReadOnlyMany is not supported',
    ],
    [
      'RWOP with others',
      `  accessModes: [ReadWriteOncePod, ReadWriteOnce]\n  resources: { requests: { storage: 1Gi } }`,
      'spec.accessModes',
      'ReadWriteOncePod with other',
    ],
    ['Block', `${OK_SPEC}\n  volumeMode: Block`, 'spec.volumeMode', 'Block is not supported'],
    [
      'dataSource',
      `${OK_SPEC}\n  dataSource: { kind: VolumeSnapshot, name: s }`,
      'spec.dataSource',
      'snapshots',
    ],
    [
      'dataSourceRef',
      `${OK_SPEC}\n  dataSourceRef: { kind: X, name: s }`,
      'spec.dataSourceRef',
      'populators',
    ],
    ['selector', `${OK_SPEC}\n  selector: { matchLabels: { a: b } }`, 'spec.selector', 'PersistentVolume'],
    ['volumeName', `${OK_SPEC}\n  volumeName: pv-1`, 'spec.volumeName', 'PersistentVolume'],
  ])('refuses %s', (_name, spec, path, message) => {
    const errs = lines(run(claim(spec)), 'error');
    expect(
      errs.some((e) => e.startsWith(`${path}`) && e.includes(message)),
      errs.join('\n'),
    ).toBe(true);
  });

  it('warns what a named storage class means here', () => {
    const r = run(claim(`${OK_SPEC}\n  storageClassName: fast-ssd`));
    expect(lines(r, 'error')).toEqual([]);
    expect(lines(r, 'warning')).toEqual([
      expect.stringMatching(/^spec\.storageClassName: .*"fast-ssd" is treated as skiff's only class/),
    ]);
  });

  it('accepts a pod volume whose claim is in the bundle', () => {
    const r = run(claim(OK_SPEC), pod('data'));
    expect(lines(r, 'error')).toEqual([]);
    const p = r.objects.find((o) => o.kind === 'Pod');
    expect(p?.kind === 'Pod' && p.spec.volumes[0]?.persistentVolumeClaim).toEqual({
      claimName: 'data',
      readOnly: true,
    });
  });

  it('refuses a pod volume whose claim is not in the bundle, at the claimName', () => {
    const r = run(pod('nope'));
    const d = r.diagnostics.find((x) => x.code === 'ref.missing-persistentvolumeclaim');
    expect(d?.severity).toBe('error');
    expect(d?.path).toBe('spec.volumes[0].persistentVolumeClaim.claimName');
    expect(d?.line).toBe(13);
    expect(d?.message).toContain('pod/p refers to persistentvolumeclaim/nope in namespace default');
  });
});
