import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../../../src/controllers/services/ipv4.js';
import {
  allocateClusterIPs,
  allocateNodePorts,
  resolveServices,
} from '../../../../src/controllers/services/resolve.js';
import { service, sources } from './fixtures.js';

const CIDR = '10.213.200.0/24';

describe('parseCidr', () => {
  it.each([
    ['10.213.200.0/24', '10.213.200.0/24', 256],
    ['10.213.200.77/24', '10.213.200.0/24', 256],
    ['10.96.0.0/12', '10.96.0.0/12', 2 ** 20],
    ['192.168.1.4/30', '192.168.1.4/30', 4],
  ])('%s is %s with %d addresses', (text, norm, size) => {
    expect(parseCidr(text)).toMatchObject({ text: norm, size });
  });
  it.each(['10.0.0.300/24', '10.0.0/24', '10.0.0.0/33', '10.0.0.0', 'x/8'])('rejects %s', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('allocateClusterIPs', () => {
  const cidr = parseCidr(CIDR)!;
  const many = Array.from({ length: 60 }, (_, i) => service(`svc-${i}`));

  it('gives every Service a distinct usable address of the range', () => {
    const ips = [...allocateClusterIPs(many, cidr).values()];
    expect(ips).toHaveLength(60);
    expect(new Set(ips).size).toBe(60);
    for (const ip of ips) {
      expect(ip).toMatch(/^10\.213\.200\.\d+$/);
      expect(ip).not.toBe('10.213.200.0');
      expect(ip).not.toBe('10.213.200.255');
    }
  });

  it('is a function of the set of Services: any input order gives the same addresses', () => {
    const a = allocateClusterIPs(many, cidr);
    const b = allocateClusterIPs([...many].reverse(), cidr);
    expect(Object.fromEntries(b)).toEqual(Object.fromEntries(a));
  });

  it('keeps existing addresses when an unrelated Service is added (no slot collision)', () => {
    const before = allocateClusterIPs(many.slice(0, 5), cidr);
    const after = allocateClusterIPs([...many.slice(0, 5), service('zz-new')], cidr);
    for (const [k, ip] of before) expect(after.get(k)).toBe(ip);
  });

  it('honours an explicit clusterIP and never hands it to another Service', () => {
    const fixed = service('fixed', { clusterIP: '10.213.200.10' });
    const ips = allocateClusterIPs([fixed, ...many], cidr);
    expect(ips.get('default/fixed')).toBe('10.213.200.10');
    expect([...ips.values()].filter((ip) => ip === '10.213.200.10')).toHaveLength(1);
  });

  it.each([
    ['outside the range', '10.96.0.10', 'ClusterIPOutOfRange'],
    ['the network address', '10.213.200.0', 'ClusterIPOutOfRange'],
    ['the broadcast address', '10.213.200.255', 'ClusterIPOutOfRange'],
  ])('reports an explicit clusterIP %s and gives no address', (_what, ip, reason) => {
    const problems: { reason: string }[] = [];
    const ips = allocateClusterIPs([service('x', { clusterIP: ip })], cidr, problems as never);
    expect(ips.has('default/x')).toBe(false);
    expect(problems.map((p) => p.reason)).toEqual([reason]);
  });

  it('reports a clusterIP claimed twice; the Service sorting first keeps it', () => {
    const { services, problems } = resolveServices(
      sources(service('b', { clusterIP: '10.213.200.9' }), service('a', { clusterIP: '10.213.200.9' })),
      CIDR,
    );
    expect(services.find((s) => s.name === 'a')?.clusterIP).toBe('10.213.200.9');
    expect(services.find((s) => s.name === 'b')?.clusterIP).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ name: 'b', reason: 'ClusterIPAlreadyAllocated' })]);
  });

  it('reports a full range', () => {
    const problems: { reason: string }[] = [];
    const ips = allocateClusterIPs(
      [service('a'), service('b'), service('c')],
      parseCidr('10.0.0.0/30')!,
      problems as never,
    );
    expect(ips.size).toBe(2);
    expect(problems.map((p) => p.reason)).toEqual(['ClusterIPRangeFull']);
  });

  it('gives headless and ExternalName Services no address', () => {
    const ips = allocateClusterIPs(
      [
        service('h', { clusterIP: 'None' }),
        service('e', { type: 'ExternalName', externalName: 'db.example.com' }),
      ],
      cidr,
    );
    expect(ips.size).toBe(0);
  });
});

describe('allocateNodePorts', () => {
  it('allocates distinct ports in 30000-32767 for NodePort and LoadBalancer, none for ClusterIP', () => {
    const svcs = [
      ...Array.from({ length: 40 }, (_, i) =>
        service(`np-${i}`, {
          type: 'NodePort',
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 443 },
          ],
        }),
      ),
      service('lb', { type: 'LoadBalancer' }),
      service('cip'),
    ];
    const ports = allocateNodePorts(svcs);
    expect(ports.size).toBe(81);
    expect(new Set(ports.values()).size).toBe(81);
    for (const p of ports.values()) {
      expect(p).toBeGreaterThanOrEqual(30000);
      expect(p).toBeLessThanOrEqual(32767);
    }
    expect([...ports.keys()].some((k) => k.startsWith('default/cip'))).toBe(false);
    expect(Object.fromEntries(allocateNodePorts([...svcs].reverse()))).toEqual(Object.fromEntries(ports));
  });

  it('honours explicit node ports first and reports one used by two Services', () => {
    const problems: { reason: string; name: string }[] = [];
    const ports = allocateNodePorts(
      [
        service('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
        service('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
        service('c', { type: 'NodePort' }),
      ],
      problems as never,
    );
    expect(ports.get('default/a#0')).toBe(30080);
    expect(ports.has('default/b#0')).toBe(false);
    expect(ports.get('default/c#0')).not.toBe(30080);
    expect(problems).toEqual([expect.objectContaining({ name: 'b', reason: 'NodePortAlreadyAllocated' })]);
  });

  it('lets one Service use a node port for both its TCP and UDP port', () => {
    const ports = allocateNodePorts([
      service('dns', {
        type: 'NodePort',
        ports: [
          { name: 'udp', port: 53, protocol: 'UDP', nodePort: 30053 },
          { name: 'tcp', port: 53, protocol: 'TCP', nodePort: 30053 },
        ],
      }),
    ]);
    expect([...ports.values()]).toEqual([30053, 30053]);
  });
});

describe('resolveServices', () => {
  it('keeps one Service per namespace/name across apps and reports the other', () => {
    const { services, problems } = resolveServices(
      [
        { app: 'zeta', service: service('web') },
        { app: 'alpha', service: service('web') },
        { app: 'alpha', service: service('web', {}, 'other') },
      ],
      CIDR,
    );
    expect(services.map((s) => `${s.app}:${s.key}`)).toEqual(['alpha:default/web', 'alpha:other/web']);
    expect(problems).toEqual([expect.objectContaining({ reason: 'DuplicateService' })]);
  });

  it.each([
    [
      'ExternalName with a host name',
      service('db', { type: 'ExternalName', externalName: 'db.example.com' }),
      'ExternalNameUnsupported',
    ],
    ['headless', service('h', { clusterIP: 'None' }), 'HeadlessUnsupported'],
  ])('reports %s as unsupported', (_what, svc, reason) => {
    expect(resolveServices(sources(svc), CIDR).problems.map((p) => p.reason)).toEqual([reason]);
  });

  it('accepts an ExternalName that is an IPv4 address without a problem', () => {
    const r = resolveServices(
      sources(service('db', { type: 'ExternalName', externalName: '10.213.0.12' })),
      CIDR,
    );
    expect(r.problems).toEqual([]);
    expect(r.services[0]).toMatchObject({ externalName: '10.213.0.12', clusterIP: undefined });
  });

  it('carries the ClientIP timeout, defaulting to 10800 s', () => {
    const r = resolveServices(
      sources(
        service('a', { sessionAffinity: 'ClientIP' }),
        service('b', {
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
        }),
      ),
      CIDR,
    );
    expect(r.services.map((s) => s.affinityTimeoutSeconds)).toEqual([10800, 60]);
  });
});
