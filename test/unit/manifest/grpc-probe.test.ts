// The grpc probe handler as the API server takes it (GRPCAction, validateHandler): port 1-65535
// (an int32 in the schema, never a port name), `service` optional and defaulted to "", one
// handler per probe counted in upstream's order, and no grpc in a lifecycle hook.
import { describe, expect, it } from 'vitest';
import { validateBundle } from '../../../src/manifest/index.js';
import type { Pod } from '../../../src/model/k8s.js';

function pod(container: string): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers:
    - { name: app, image: busybox:1.36, ${container} }
`;
}
const validate = (text: string) => validateBundle([{ path: 'pod.yaml', text }]);
const errors = (text: string) =>
  validate(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.code} ${d.path}: ${d.message}`);

describe('grpc probes', () => {
  it('are accepted and defaulted: service "" when unset, the probe timings as for any handler', () => {
    const r = validate(
      pod(
        'readinessProbe: { grpc: { port: 9000 } }, livenessProbe: { grpc: { port: 9000, service: skiff.test.Echo } }, startupProbe: { grpc: { port: 9000, service: "" } }',
      ),
    );
    expect(r.diagnostics).toEqual([]);
    const c = (r.objects[0] as Pod).spec.containers[0]!;
    expect(c.readinessProbe).toEqual({
      grpc: { port: 9000, service: '' },
      initialDelaySeconds: 0,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c.livenessProbe?.grpc).toEqual({ port: 9000, service: 'skiff.test.Echo' });
    expect(c.startupProbe?.grpc).toEqual({ port: 9000, service: '' });
  });

  it.each([
    [
      'port 0',
      'readinessProbe: { grpc: { port: 0 } }',
      'semantic.probe-port spec.containers[0].readinessProbe.grpc.port: port 0: must be between 1 and 65535, inclusive',
    ],
    [
      'port 65536',
      'livenessProbe: { grpc: { port: 65536 } }',
      'semantic.probe-port spec.containers[0].livenessProbe.grpc.port: port 65536: must be between 1 and 65535, inclusive',
    ],
    [
      'a negative port',
      'startupProbe: { grpc: { port: -1 } }',
      'semantic.probe-port spec.containers[0].startupProbe.grpc.port: port -1: must be between 1 and 65535, inclusive',
    ],
    ['a port name (GRPCAction.port is a number)', 'readinessProbe: { grpc: { port: grpc } }', 'schema.type'],
    ['no port', 'readinessProbe: { grpc: { service: x } }', 'schema.required'],
    [
      'a service that is not a string',
      'readinessProbe: { grpc: { port: 9000, service: [a] } }',
      'schema.type',
    ],
    [
      'grpc with another handler',
      "readinessProbe: { exec: { command: ['true'] }, grpc: { port: 9000 } }",
      'semantic.probe spec.containers[0].readinessProbe.grpc: readinessProbe may not specify more than 1 handler type',
    ],
    [
      'grpc in a lifecycle hook (LifecycleHandler has no grpc)',
      'lifecycle: { preStop: { grpc: { port: 9000 } } }',
      'spec.containers[0].lifecycle.preStop',
    ],
  ])('refuses %s', (_name, yaml, want) => {
    const found = errors(pod(yaml));
    expect(found.some((e) => e.startsWith(want) || e.includes(` ${want}`))).toBe(true);
  });

  it('a probe with no handler names grpc among the handlers it may use', () => {
    expect(errors(pod('readinessProbe: { periodSeconds: 5 }'))).toEqual([
      'semantic.probe spec.containers[0].readinessProbe: readinessProbe must specify a handler type (exec, httpGet, tcpSocket or grpc)',
    ]);
  });

  it('a lifecycle hook with no handler does not', () => {
    expect(errors(pod('lifecycle: { preStop: {} }'))).toEqual([
      'semantic.probe spec.containers[0].lifecycle.preStop: preStop must specify a handler type (exec, httpGet or tcpSocket)',
    ]);
  });
});
