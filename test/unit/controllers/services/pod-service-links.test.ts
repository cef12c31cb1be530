import { describe, expect, it } from 'vitest';
import {
  envVariableName,
  serviceEnvVars,
  serviceHostAliases,
} from '../../../../src/controllers/services/pod-service-links.js';
import type { ResolvedService } from '../../../../src/controllers/services/resolve.js';

function svc(
  name: string,
  clusterIP: string | undefined,
  ports: ResolvedService['ports'],
  namespace = 'default',
): ResolvedService {
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    app: 'a',
    type: 'ClusterIP',
    selector: { bar: 'baz' },
    clusterIP,
    headless: clusterIP === undefined,
    ports,
    sessionAffinity: 'None',
    affinityTimeoutSeconds: 10800,
  };
}
const tcp = (port: number, name?: string) => ({ name, port, protocol: 'TCP' as const, targetPort: port });
const udp = (port: number, name?: string) => ({ name, port, protocol: 'UDP' as const, targetPort: port });

describe('serviceEnvVars (kubelet envvars.go, cases from its envvars_test.go)', () => {
  const services = [
    svc('foo-bar', '1.2.3.4', [tcp(8080)]),
    svc('abc-123', '5.6.7.8', [udp(8081, 'u-d-p'), tcp(8081, 't-c-p')]),
    svc('q-u-u-x', '9.8.7.6', [tcp(8082), tcp(8083, '8083')]),
    svc('svrc-clusterip-none', undefined, [tcp(8082)]),
    svc('elsewhere', '1.1.1.1', [tcp(80)], 'other'),
  ];
  const vars = Object.fromEntries(serviceEnvVars('default', services).map((v) => [v.name, v.value]));

  it.each([
    ['FOO_BAR_SERVICE_HOST', '1.2.3.4'],
    ['FOO_BAR_SERVICE_PORT', '8080'],
    ['FOO_BAR_PORT', 'tcp://1.2.3.4:8080'],
    ['FOO_BAR_PORT_8080_TCP', 'tcp://1.2.3.4:8080'],
    ['FOO_BAR_PORT_8080_TCP_PROTO', 'tcp'],
    ['FOO_BAR_PORT_8080_TCP_PORT', '8080'],
    ['FOO_BAR_PORT_8080_TCP_ADDR', '1.2.3.4'],
    ['ABC_123_SERVICE_HOST', '5.6.7.8'],
    ['ABC_123_SERVICE_PORT', '8081'],
    ['ABC_123_SERVICE_PORT_U_D_P', '8081'],
    ['ABC_123_SERVICE_PORT_T_C_P', '8081'],
    ['ABC_123_PORT', 'udp://5.6.7.8:8081'],
    ['ABC_123_PORT_8081_UDP', 'udp://5.6.7.8:8081'],
    ['ABC_123_PORT_8081_UDP_PROTO', 'udp'],
    ['ABC_123_PORT_8081_UDP_PORT', '8081'],
    ['ABC_123_PORT_8081_UDP_ADDR', '5.6.7.8'],
    ['ABC_123_PORT_8081_TCP', 'tcp://5.6.7.8:8081'],
    ['ABC_123_PORT_8081_TCP_PROTO', 'tcp'],
    ['ABC_123_PORT_8081_TCP_PORT', '8081'],
    ['ABC_123_PORT_8081_TCP_ADDR', '5.6.7.8'],
    ['Q_U_U_X_SERVICE_HOST', '9.8.7.6'],
    ['Q_U_U_X_SERVICE_PORT', '8082'],
    ['Q_U_U_X_SERVICE_PORT_8083', '8083'],
    ['Q_U_U_X_PORT', 'tcp://9.8.7.6:8082'],
    ['Q_U_U_X_PORT_8082_TCP', 'tcp://9.8.7.6:8082'],
    ['Q_U_U_X_PORT_8083_TCP_ADDR', '9.8.7.6'],
  ])('%s=%s', (name, value) => {
    expect(vars[name]).toBe(value);
  });

  it("has exactly upstream's 32 variables: none for headless Services or other namespaces", () => {
    expect(Object.keys(vars)).toHaveLength(7 + 13 + 12);
    expect(Object.keys(vars).some((k) => k.startsWith('SVRC') || k.startsWith('ELSEWHERE'))).toBe(false);
  });

  it('orders each Service block as upstream: host, port, named ports, then link variables', () => {
    const names = serviceEnvVars('default', [services[1]!]).map((v) => v.name);
    expect(names.slice(0, 5)).toEqual([
      'ABC_123_SERVICE_HOST',
      'ABC_123_SERVICE_PORT',
      'ABC_123_SERVICE_PORT_U_D_P',
      'ABC_123_SERVICE_PORT_T_C_P',
      'ABC_123_PORT',
    ]);
    expect(serviceEnvVars('default', services).every((v) => v.secret === false)).toBe(true);
  });

  it.each([
    ['web-service', 'WEB_SERVICE'],
    ['redis-master', 'REDIS_MASTER'],
    ['abc', 'ABC'],
  ])('names %s as %s', (name, env) => expect(envVariableName(name)).toBe(env));
});

describe('serviceHostAliases', () => {
  const services = [
    svc('web', '10.213.200.5', [tcp(80)]),
    svc('db', '10.213.200.6', [tcp(5432)], 'data'),
    svc('headless', undefined, [tcp(80)]),
    {
      ...svc('ext', undefined, []),
      type: 'ExternalName' as const,
      externalName: '10.213.0.12',
      headless: false,
    },
    {
      ...svc('exthost', undefined, []),
      type: 'ExternalName' as const,
      externalName: 'db.example.com',
      headless: false,
    },
  ];

  it('gives the short name only in the same namespace, the qualified names everywhere', () => {
    const names = serviceHostAliases('default', services).map((h) => `${h.hostname}=${h.ip}`);
    expect(names).toEqual([
      'web=10.213.200.5',
      'web.default=10.213.200.5',
      'web.default.svc=10.213.200.5',
      'web.default.svc.cluster.local=10.213.200.5',
      'db.data=10.213.200.6',
      'db.data.svc=10.213.200.6',
      'db.data.svc.cluster.local=10.213.200.6',
      'ext=10.213.0.12',
      'ext.default=10.213.0.12',
      'ext.default.svc=10.213.0.12',
      'ext.default.svc.cluster.local=10.213.0.12',
    ]);
  });

  it('gives a pod in data the short name db', () => {
    expect(
      serviceHostAliases('data', services)
        .filter((h) => !h.hostname.includes('.'))
        .map((h) => h.hostname),
    ).toEqual(['db']);
  });
});
