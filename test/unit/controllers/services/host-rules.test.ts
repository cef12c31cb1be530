import { describe, expect, it } from 'vitest';
import { computeEndpoints } from '../../../../src/controllers/services/endpoints.js';
import {
  hostRulesMatch,
  parseHostRuleState,
  planHostRules,
  planHostRulesApply,
  probability,
} from '../../../../src/controllers/services/host-rules.js';
import { resolveServices } from '../../../../src/controllers/services/resolve.js';
import { HOSTS, pod, service, sources } from './fixtures.js';

const CIDR = '10.213.200.0/24';
const H1 = { name: 'h1', address: '10.213.0.11' };

function plan(svcs: ReturnType<typeof service>[], pods: ReturnType<typeof pod>[], exclude?: Set<string>) {
  const { services } = resolveServices(sources(...svcs), CIDR);
  return planHostRules(H1, services, computeEndpoints(services, pods, HOSTS, exclude), CIDR);
}
const web = (extra: Parameters<typeof service>[1] = {}) =>
  service('web', { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...extra });
const threePods = () => [
  pod('a', 'h1', { ip: '172.30.1.5' }),
  pod('b', 'h2', { ip: '172.30.2.5' }),
  pod('c', 'h3', { ip: '172.30.3.5' }),
];
const jumps = (rules: string[], chainPrefix: string) =>
  rules.filter((r) => r.startsWith(`-A ${chainPrefix}`));

describe('probability (kube-proxy)', () => {
  it.each([
    [1, '1.0000000000'],
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [4, '0.2500000000'],
  ])('1/%d is %s', (n, p) => expect(probability(n)).toBe(p));
});

describe('planHostRules', () => {
  it('spreads over n endpoints with probabilities 1/n, 1/(n-1), ..., then the last unconditionally', () => {
    const rs = plan(
      [web()],
      [...threePods(), pod('d', 'h2', { ports: [{ containerPort: 8080, hostPort: 32999 }] })],
    );
    const svc = jumps(rs.rules.nat, 'SKIFF-SVC-').filter((r) => r.includes('-j SKIFF-SEP-'));
    expect(svc.map((r) => /--probability (\S+)/.exec(r)?.[1] ?? 'last')).toEqual([
      '0.2500000000',
      '0.3333333333',
      '0.5000000000',
      'last',
    ]);
  });

  it('translates the cluster IP and port to endpoints on other hosts by host address and published port', () => {
    const rs = plan([web()], threePods());
    const { services } = resolveServices(sources(web()), CIDR);
    const ip = services[0]!.clusterIP!;
    expect(rs.rules.nat).toContainEqual(
      expect.stringMatching(
        new RegExp(`^-A SKIFF-SERVICES -d ${ip}/32 -p tcp .*-m tcp --dport 80 -j SKIFF-SVC-[0-9A-F]{16}$`),
      ),
    );
    const dnat = rs.rules.nat
      .filter((r) => r.includes('DNAT'))
      .map((r) => r.replace(/^-A SKIFF-SEP-\S+ /, ''));
    expect(dnat).toEqual([
      '-s 172.30.1.5/32 -p tcp -m tcp -j DNAT --to-destination 10.213.0.11:32768',
      '-p tcp -m tcp -j DNAT --to-destination 172.30.1.5:8080',
      '-p tcp -m tcp -j DNAT --to-destination 10.213.0.12:32768',
      '-p tcp -m tcp -j DNAT --to-destination 10.213.0.13:32768',
    ]);
  });

  it('marks every service connection for SNAT and hooks MASQUERADE on the mark', () => {
    const rs = plan([web()], threePods());
    const svcChains = rs.chains.nat.filter((c) => c.startsWith('SKIFF-SVC-'));
    for (const c of svcChains) expect(rs.rules.nat).toContain(`-A ${c} -j SKIFF-MARK-MASQ`);
    expect(rs.rules.nat).toEqual(
      expect.arrayContaining([
        '-A SKIFF-MARK-MASQ -j MARK --or-mark 0x10000',
        '-A SKIFF-POSTROUTING -m mark ! --mark 0x10000/0x10000 -j RETURN',
        '-A SKIFF-POSTROUTING -j MARK --xor-mark 0x10000',
      ]),
    );
    expect(rs.rules.filter).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^-A SKIFF-FORWARD -d 10\.213\.200\.0\/24 .*-j REJECT/),
        expect.stringMatching(/^-A SKIFF-FORWARD -m mark --mark 0x10000\/0x10000 .*-j ACCEPT$/),
        '-A SKIFF-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        expect.stringMatching(/^-A SKIFF-OUTPUT -d 10\.213\.200\.0\/24 .*-j REJECT/),
      ]),
    );
    expect(rs.route).toEqual({ cidr: CIDR, src: '10.213.0.11' });
  });

  it('answers node ports on local destinations only, after every cluster IP', () => {
    const rs = plan(
      [web({ type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] })],
      threePods(),
    );
    const services = jumps(rs.rules.nat, 'SKIFF-SERVICES ');
    expect(services[services.length - 1]).toMatch(
      /-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j SKIFF-NODEPORTS$/,
    );
    expect(jumps(rs.rules.nat, 'SKIFF-NODEPORTS')).toEqual([
      expect.stringMatching(/^-A SKIFF-NODEPORTS -p tcp .*-m tcp --dport 30080 -j SKIFF-SVC-/),
    ]);
  });

  it('remembers the client for ClientIP affinity with -m recent, checked before the random spread', () => {
    const rs = plan(
      [web({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } })],
      threePods(),
    );
    const svc = jumps(rs.rules.nat, 'SKIFF-SVC-');
    expect(svc[0]).toMatch(/-j SKIFF-MARK-MASQ$/);
    for (let i = 1; i <= 3; i++)
      expect(svc[i]).toMatch(
        /-m recent --name (SKIFF-SEP-\S+) --mask 255\.255\.255\.255 --rsource --rcheck --seconds 600 --reap -j \1$/,
      );
    expect(svc[4]).toMatch(/--probability 0\.3333333333/);
    for (const r of rs.rules.nat.filter((x) => x.includes('DNAT')))
      expect(r).toMatch(/-m recent --name (SKIFF-SEP-\S+) --mask 255\.255\.255\.255 --rsource --set/);
  });

  it('makes no chains for a Service without ready endpoints; the guard refuses its address', () => {
    const rs = plan([web()], [pod('a', 'h2', { ready: false })]);
    expect(rs.empty).toBe(false);
    expect(rs.chains.nat.filter((c) => c.startsWith('SKIFF-SVC') || c.startsWith('SKIFF-SEP'))).toEqual([]);
    expect(rs.rules.filter.some((r) => r.includes('REJECT'))).toBe(true);
  });

  it('drops an excluded pod from the rules', () => {
    const all = plan([web()], threePods());
    const without = plan([web()], threePods(), new Set(['h2/default/b']));
    expect(all.rules.nat.some((r) => r.includes('10.213.0.12:32768'))).toBe(true);
    expect(without.rules.nat.some((r) => r.includes('10.213.0.12:32768'))).toBe(false);
    expect(without.hash).not.toBe(all.hash);
  });

  it.each([
    ['no Services', [] as ReturnType<typeof service>[]],
    ['only an ExternalName', [service('ext', { type: 'ExternalName', externalName: '10.1.2.3' })]],
    ['only a headless Service', [service('h', { clusterIP: 'None' })]],
  ])('is empty with %s', (_what, svcs) => {
    expect(plan(svcs, threePods())).toMatchObject({ empty: true, chains: { nat: [], filter: [] } });
  });

  it('is deterministic: the same inputs in another order give the same text and hash', () => {
    const a = plan([web(), service('api', { ports: [{ port: 8080 }] })], threePods());
    const b = plan([service('api', { ports: [{ port: 8080 }] }), web()], [...threePods()].reverse());
    expect(b).toEqual(a);
    expect(a.rules.nat[0]).toBe(`-A SKIFF-SERVICES -m comment --comment "skiff-ruleset ${a.hash}"`);
    expect(a.rules.filter[0]).toBe(`-A SKIFF-FORWARD -m comment --comment "skiff-ruleset ${a.hash}"`);
  });

  it("keeps chain names within iptables' 28 characters", () => {
    const rs = plan([web()], threePods());
    for (const c of [...rs.chains.nat, ...rs.chains.filter]) expect(c.length).toBeLessThanOrEqual(28);
  });
});

/** iptables-save output as the host would print it after applying `rs`. */
function savedOutput(rs: ReturnType<typeof planHostRules>, extraHooks: string[] = []): string {
  return [
    ...rs.chains.nat.map((c) => `:${c} - [0:0]`),
    '-A PREROUTING -m comment --comment "skiff service portals" -j SKIFF-SERVICES',
    '-A OUTPUT -m comment --comment "skiff service portals" -j SKIFF-SERVICES',
    '-A POSTROUTING -m comment --comment "skiff service SNAT" -j SKIFF-POSTROUTING',
    ...extraHooks,
    ...rs.rules.nat,
    '#skiff:filter',
    ...rs.chains.filter.map((c) => `:${c} - [0:0]`),
    '-A DOCKER-USER -m comment --comment "skiff service forwarding" -j SKIFF-FORWARD',
    '-A OUTPUT -m comment --comment "skiff service range guard" -j SKIFF-OUTPUT',
    ...rs.rules.filter,
    '#skiff:route',
    rs.route ? `${rs.route.cidr} dev eth0 scope link src ${rs.route.src} ` : '',
  ].join('\n');
}

describe('reading back and applying', () => {
  const rs = plan([web()], threePods());
  const nothing = parseHostRuleState('#skiff:filter\n#skiff:route\n');

  it('parses chains, hooks, hashes and the route from iptables-save and ip route', () => {
    const state = parseHostRuleState(savedOutput(rs));
    expect(state.hashes).toEqual({ nat: rs.hash, filter: rs.hash });
    expect(state.chains).toEqual(rs.chains);
    expect(Object.values(state.hooks)).toEqual([1, 1, 1, 1, 1]);
    expect(state.routes).toEqual([{ cidr: CIDR, src: '10.213.0.11' }]);
    expect(hostRulesMatch(rs, state)).toBe(true);
  });

  it.each([
    ['nothing is there', '#skiff:filter\n#skiff:route\n'],
    ['another ruleset is there', savedOutput(plan([web()], threePods().slice(1)))],
    [
      'a hook is doubled',
      savedOutput(rs, ['-A PREROUTING -m comment --comment "skiff service portals" -j SKIFF-SERVICES']),
    ],
    ['the route is missing', savedOutput(rs).replace(/10\.213\.200\.0\/24 dev eth0.*$/, '')],
  ])('does not match when %s', (_what, output) => {
    expect(hostRulesMatch(rs, parseHostRuleState(output))).toBe(false);
  });

  it('on an empty host: one restore with every chain, then the five hooks, then the route', () => {
    const a = planHostRulesApply(rs, nothing);
    const lines = a.script.split('\n');
    expect(lines[0]).toBe('set -e');
    expect(lines[1]).toBe('iptables-restore -w 5 --noflush');
    expect(lines.filter((l) => / -I \S+ 1 /.test(l))).toEqual([
      'iptables -w -t nat -I PREROUTING 1 -m comment --comment "skiff service portals" -j SKIFF-SERVICES',
      'iptables -w -t nat -I OUTPUT 1 -m comment --comment "skiff service portals" -j SKIFF-SERVICES',
      'iptables -w -t nat -I POSTROUTING 1 -m comment --comment "skiff service SNAT" -j SKIFF-POSTROUTING',
      'iptables -w -t filter -I DOCKER-USER 1 -m comment --comment "skiff service forwarding" -j SKIFF-FORWARD',
      'iptables -w -t filter -I OUTPUT 1 -m comment --comment "skiff service range guard" -j SKIFF-OUTPUT',
    ]);
    expect(lines[lines.length - 1]).toBe(
      'ip route replace 10.213.200.0/24 dev "$dev" src 10.213.0.11 proto 213 table local',
    );
    expect(a.stdin.startsWith('*nat\n:SKIFF-SERVICES - [0:0]\n')).toBe(true);
    expect(a.stdin.match(/^COMMIT$/gm)).toHaveLength(2);
  });

  it('deletes chains that are no longer wanted in the same restore, after flushing them', () => {
    const old = plan(
      [web(), service('gone', { selector: { app: 'web' }, ports: [{ port: 81, targetPort: 8080 }] })],
      threePods(),
    );
    const a = planHostRulesApply(rs, parseHostRuleState(savedOutput(old)));
    const stale = old.chains.nat.filter((c) => !rs.chains.nat.includes(c));
    expect(stale.length).toBeGreaterThan(0);
    for (const c of stale) {
      expect(a.stdin).toContain(`:${c} - [0:0]\n`);
      expect(a.stdin).toContain(`-X ${c}\n`);
    }
    // Hooks were there once each: none re-inserted, none removed.
    expect(a.script).not.toMatch(/ -I | -D /);
  });

  it('removes everything when no Service is left: unhook first, then flush and delete, then the route', () => {
    const empty = plan([], []);
    const a = planHostRulesApply(empty, parseHostRuleState(savedOutput(rs)));
    const lines = a.script.split('\n');
    const restoreAt = lines.indexOf('iptables-restore -w 5 --noflush');
    expect(lines.slice(1, restoreAt)).toHaveLength(5);
    for (const l of lines.slice(1, restoreAt))
      expect(l).toMatch(/^while iptables -w -t \S+ -D .* -j SKIFF-\S+ 2>\/dev\/null; do :; done$/);
    expect(lines[lines.length - 1]).toBe(
      'ip route del 10.213.200.0/24 table local proto 213 2>/dev/null || true',
    );
    for (const c of [...rs.chains.nat, ...rs.chains.filter]) expect(a.stdin).toContain(`-X ${c}\n`);
    expect(hostRulesMatch(empty, nothing)).toBe(true);
  });
});
