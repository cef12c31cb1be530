// initContainers as the API server takes them (validateInitContainers): accepted and defaulted
// like containers, a sidecar by restartPolicy Always, and what a run-to-completion init
// container may not carry refused with the path to it.
import { describe, expect, it } from 'vitest';
import { validateBundle } from '../../../src/manifest/index.js';
import type { Pod } from '../../../src/model/k8s.js';

function pod(init: string, containers = '    - { name: app, image: busybox:1.36 }'): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  initContainers:
${init}
  containers:
${containers}
`;
}
const validate = (text: string) => validateBundle([{ path: 'pod.yaml', text }]);
const errors = (text: string) =>
  validate(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.path}: ${d.message}`);

describe('initContainers', () => {
  it('are accepted and defaulted as containers, a sidecar keeps its restartPolicy', () => {
    const r = validate(
      pod(`    - { name: wait, image: busybox:1.36, command: [sh, -c, 'true'] }
    - { name: proxy, image: envoy:latest, restartPolicy: Always, readinessProbe: { tcpSocket: { port: 9901 } } }`),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const spec = (r.objects[0] as Pod).spec;
    expect(spec.initContainers?.map((c) => [c.name, c.imagePullPolicy, c.restartPolicy])).toEqual([
      ['wait', 'IfNotPresent', undefined],
      ['proxy', 'Always', 'Always'],
    ]);
    expect(spec.initContainers?.[1]?.readinessProbe?.periodSeconds).toBe(10);
  });

  it('null is unset', () => {
    expect(errors(pod('    null'))).toEqual([]);
  });

  it.each([
    ['lifecycle', "lifecycle: { preStop: { exec: { command: ['true'] } } }"],
    ['livenessProbe', "livenessProbe: { exec: { command: ['true'] } }"],
    ['readinessProbe', "readinessProbe: { exec: { command: ['true'] } }"],
    ['startupProbe', "startupProbe: { exec: { command: ['true'] } }"],
  ])('a run-to-completion init container may not set %s', (field, yaml) => {
    expect(errors(pod(`    - { name: wait, image: busybox:1.36, ${yaml} }`))).toEqual([
      `spec.initContainers[0].${field}: may not be set for init containers without restartPolicy=Always`,
    ]);
  });

  it.each([
    [
      'an init container restartPolicy other than Always',
      pod('    - { name: w, image: busybox:1.36, restartPolicy: Never }'),
      'spec.initContainers[0].restartPolicy',
    ],
    [
      'restartPolicy on an app container',
      pod(
        '    - { name: w, image: busybox:1.36 }',
        '    - { name: app, image: busybox:1.36, restartPolicy: Always }',
      ),
      'spec.containers[0].restartPolicy',
    ],
    [
      'a name shared with an app container',
      pod('    - { name: app, image: busybox:1.36 }'),
      'spec.initContainers[0].name',
    ],
    ['an init container without image', pod('    - { name: w }'), 'spec.initContainers[0].image'],
    [
      'a mount of an unknown volume',
      pod('    - { name: w, image: busybox:1.36, volumeMounts: [{ name: nope, mountPath: /x }] }'),
      'spec.initContainers[0].volumeMounts[0].name',
    ],
  ])('refuses %s', (_name, text, path) => {
    expect(errors(text).some((e) => e.startsWith(`${path}:`))).toBe(true);
  });

  it('checks references to ConfigMaps and Secrets from init containers', () => {
    const e = validate(
      pod(
        '    - { name: w, image: busybox:1.36, env: [{ name: X, valueFrom: { secretKeyRef: { name: missing, key: k } } }] }',
      ),
    ).diagnostics.map((d) => d.path);
    expect(e).toContain('spec.initContainers[0].env[0].valueFrom.secretKeyRef.name');
  });
});
