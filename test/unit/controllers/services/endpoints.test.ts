import { describe, expect, it } from 'vitest';
import { computeEndpoints } from '../../../../src/controllers/services/endpoints.js';
import { resolveServices } from '../../../../src/controllers/services/resolve.js';
import { HOSTS, host, pod, service, sources } from './fixtures.js';

const resolved = (...svcs: Parameters<typeof sources>) =>
  resolveServices(sources(...svcs), '10.213.200.0/24').services;
const addresses = (eps: ReturnType<typeof computeEndpoints>, port = 0) =>
  eps[0]!.ports[port]!.endpoints.map((e) => `${e.pod}@${e.address}:${e.port}`);

describe('computeEndpoints', () => {
  const web = service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] });

  it.each([
    ['a ready matching pod', pod('a', 'h2'), ['a@10.213.0.12:32768']],
    ['a pod failing readiness', pod('a', 'h2', { ready: false }), []],
    ['a terminating pod', pod('a', 'h2', { terminating: true }), []],
    ['a pod with other labels', pod('a', 'h2', { labels: { app: 'api' } }), []],
    ['a pod of another namespace', pod('a', 'h2', { namespace: 'other' }), []],
    [
      'a pod whose port is not published',
      pod('a', 'h2', { ports: [{ containerPort: 9090, hostPort: 32770 }] }),
      [],
    ],
  ])('%s', (_what, p, expected) => {
    expect(addresses(computeEndpoints(resolved(web), [p], HOSTS))).toEqual(expected);
  });

  it('leaves out excluded pods (deletion starting) and pods on NotReady hosts', () => {
    const pods = [
      pod('a', 'h1'),
      pod('b', 'h2', { ports: [{ containerPort: 8080, hostPort: 32771 }] }),
      pod('c', 'h3'),
    ];
    const hosts = [HOSTS[0]!, HOSTS[1]!, host('h3', '10.213.0.13', false)];
    const eps = computeEndpoints(resolved(web), pods, hosts, new Set(['h1/default/a']));
    expect(addresses(eps)).toEqual(['b@10.213.0.12:32771']);
  });

  it('resolves a named targetPort per pod, with the protocol', () => {
    const named = service('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'UDP' },
      ],
      selector: { app: 'web' },
    });
    const p1 = pod('a', 'h1', {
      ports: [
        { name: 'http', containerPort: 8080, hostPort: 32768 },
        { name: 'metrics', containerPort: 9100, hostPort: 32769, protocol: 'TCP' },
      ],
    });
    const p2 = pod('b', 'h2', { ports: [{ name: 'http', containerPort: 8081, hostPort: 33000 }] });
    const eps = computeEndpoints(resolved(named), [p1, p2], HOSTS);
    expect(addresses(eps, 0)).toEqual(['a@10.213.0.11:32768', 'b@10.213.0.12:33000']);
    expect(eps[0]!.ports[0]!.endpoints.map((e) => e.containerPort)).toEqual([8080, 8081]);
    // metrics is TCP on the pod but UDP in the Service: no match, as FindPort.
    expect(addresses(eps, 1)).toEqual([]);
  });

  it('selects nothing for a Service without selector and for ExternalName', () => {
    const none = service('manual', { selector: {} });
    const ext = service('ext', { type: 'ExternalName', externalName: '10.1.2.3', selector: { app: 'web' } });
    const eps = computeEndpoints(resolved(none, ext), [pod('a', 'h1')], HOSTS);
    expect(eps.map((e) => e.ports[0]!.endpoints.length)).toEqual([0, 0]);
  });

  it('orders endpoints by address so rule text does not depend on observation order', () => {
    const pods = [pod('c', 'h3'), pod('a', 'h1'), pod('b', 'h2')];
    expect(addresses(computeEndpoints(resolved(web), pods, HOSTS))).toEqual([
      'a@10.213.0.11:32768',
      'b@10.213.0.12:32768',
      'c@10.213.0.13:32768',
    ]);
  });
});
