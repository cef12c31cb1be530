// The service rules of one host, as kube-proxy's iptables mode writes them: the complete
// iptables-restore text of skiff's own chains (nat: portals, node ports, per-service and
// per-endpoint chains, SNAT; filter: forwarding accepts and a guard for the service range)
// plus the route host-originated traffic needs, and a hash of it all. Pure.
//
// Shape (chain names as kube-proxy's with SKIFF- instead of KUBE-):
//   nat PREROUTING, OUTPUT -> SKIFF-SERVICES: `-d <clusterIP> --dport <port>` -> SKIFF-SVC-<h>,
//     last `-m addrtype --dst-type LOCAL` -> SKIFF-NODEPORTS: `--dport <nodePort>` -> SKIFF-SVC-<h>
//   SKIFF-SVC-<h>: mark for SNAT; ClientIP affinity (`-m recent --rcheck`); then endpoint i of n
//     taken with probability 1/(n-i) (`-m statistic --mode random`), the last unconditionally
//   SKIFF-SEP-<h>: DNAT to <host address>:<published port>, or on the pod's own host straight
//     to <pod IP>:<container port> (kernel only; the pod reaching itself goes through its
//     published port, as the bridge does not hairpin)
//   nat POSTROUTING -> SKIFF-POSTROUTING: MASQUERADE what was marked, so replies come back
//     through the host that translated them (a NodePort hop to another host needs this)
//   filter DOCKER-USER -> SKIFF-FORWARD: REJECT service addresses nothing translated, ACCEPT
//     marked and RELATED,ESTABLISHED traffic (Docker's FORWARD policy is DROP)
//   filter OUTPUT -> SKIFF-OUTPUT: REJECT service addresses nothing translated
// Every service address is thereby either translated or refused: nothing addressed to the
// service range leaves a host. Masquerading all service traffic is kube-proxy's
// --masquerade-all: pods see the translating host as the client, never the real one.
import type { HostRuleState, HostRuleset, RuleTable } from '../../model/service-rules.js';
import { contentHash } from '../../model/stable-hash.js';
import type { ServiceEndpoint, ServiceEndpoints } from './endpoints.js';
import { parseCidr } from './ipv4.js';
import type { ResolvedService, ResolvedServicePort } from './resolve.js';

/** Packet mark bit meaning "masquerade me" (kube-proxy uses 0x4000; skiff keeps its own). */
export const MASQ_MARK = '0x10000';
/** Routing protocol number tagging skiff's route for the service range. */
export const ROUTE_PROTO = 213;

export type { HostRuleState, HostRuleset, RuleTable };

/** A jump from a chain skiff does not own into one of skiff's chains. */
export interface RuleHook {
  table: RuleTable;
  chain: string;
  target: string;
  comment: string;
}

export const HOOKS: readonly RuleHook[] = [
  { table: 'nat', chain: 'PREROUTING', target: 'SKIFF-SERVICES', comment: 'skiff service portals' },
  { table: 'nat', chain: 'OUTPUT', target: 'SKIFF-SERVICES', comment: 'skiff service portals' },
  { table: 'nat', chain: 'POSTROUTING', target: 'SKIFF-POSTROUTING', comment: 'skiff service SNAT' },
  { table: 'filter', chain: 'DOCKER-USER', target: 'SKIFF-FORWARD', comment: 'skiff service forwarding' },
  { table: 'filter', chain: 'OUTPUT', target: 'SKIFF-OUTPUT', comment: 'skiff service range guard' },
];

export const hookKey = (h: { table: string; chain: string; target: string }) =>
  `${h.table} ${h.chain} ${h.target}`;

export interface HostAddress {
  name: string;
  address: string;
}

const HASH_COMMENT = 'skiff-ruleset';

/** kube-proxy's probability(n): 1/n printed with ten decimals. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

/** Chain name for one service port: `SKIFF-SVC-` and 16 hex digits (iptables allows 28). */
export function serviceChain(service: ResolvedService, port: ResolvedServicePort): string {
  return `SKIFF-SVC-${contentHash(`${service.key}:${port.name ?? ''}:${port.port}/${port.protocol}`).toUpperCase()}`;
}

export function endpointChain(
  service: ResolvedService,
  port: ResolvedServicePort,
  e: ServiceEndpoint,
): string {
  return `SKIFF-SEP-${contentHash(
    `${service.key}:${port.name ?? ''}:${port.port}/${port.protocol}>${e.namespace}/${e.pod}@${e.host}:${e.address}:${e.port}`,
  ).toUpperCase()}`;
}

function portLabel(s: ResolvedService, p: ResolvedServicePort): string {
  return `${s.key}:${p.name || String(p.port)}`;
}

/**
 * The complete ruleset for `host`. `services` and `endpoints` as resolveServices and
 * computeEndpoints return them (matched by Service key). Deterministic: equal inputs give
 * equal text and hash.
 */
export function planHostRules(
  host: HostAddress,
  services: readonly ResolvedService[],
  endpoints: readonly ServiceEndpoints[],
  serviceCIDR: string,
): HostRuleset {
  const cidr = parseCidr(serviceCIDR);
  const byKey = new Map(endpoints.map((e) => [e.key, e]));
  const sorted = [...services].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const withIP = sorted.filter((s) => s.clusterIP !== undefined);
  const withNodePorts = sorted.filter((s) => s.ports.some((p) => p.nodePort !== undefined) && !s.headless);
  if ((withIP.length === 0 || !cidr) && withNodePorts.length === 0) {
    return {
      host: host.name,
      empty: true,
      chains: { nat: [], filter: [] },
      rules: { nat: [], filter: [] },
      hash: 'empty',
    };
  }
  const nat: NatRules = {
    chains: ['SKIFF-SERVICES', 'SKIFF-NODEPORTS', 'SKIFF-POSTROUTING', 'SKIFF-MARK-MASQ'],
    portals: [],
    nodePorts: [],
    perService: [],
  };
  for (const s of sorted) {
    const eps = byKey.get(s.key);
    s.ports.forEach((p, i) => {
      const list = eps?.ports[i]?.endpoints ?? [];
      if (list.length === 0) return; // nothing to translate to: the filter guard refuses it
      if (s.clusterIP === undefined && p.nodePort === undefined) return;
      planServicePort(nat, host, s, p, list);
    });
  }
  const guard = cidr && withIP.length > 0 ? cidr.text : undefined;
  const natRules = [
    ...nat.portals,
    ...(withNodePorts.length > 0
      ? [
          `-A SKIFF-SERVICES -m comment --comment "skiff node ports; must be last" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j SKIFF-NODEPORTS`,
        ]
      : []),
    ...nat.nodePorts,
    `-A SKIFF-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
    `-A SKIFF-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A SKIFF-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    `-A SKIFF-POSTROUTING -m comment --comment "skiff service traffic requiring SNAT" -j MASQUERADE`,
    ...nat.perService,
  ];
  const filter = filterRules(guard);
  const route = guard ? { cidr: guard, src: host.address } : undefined;
  const chains = { nat: nat.chains, filter: ['SKIFF-FORWARD', 'SKIFF-OUTPUT'] };
  const hash = contentHash(JSON.stringify({ chains, nat: natRules, filter, route }));
  return {
    host: host.name,
    empty: false,
    chains,
    rules: {
      nat: [`-A SKIFF-SERVICES -m comment --comment "${HASH_COMMENT} ${hash}"`, ...natRules],
      filter: [`-A SKIFF-FORWARD -m comment --comment "${HASH_COMMENT} ${hash}"`, ...filter],
    },
    route,
    hash,
  };
}

/** The nat table being built: chains, then rules in the order they are written. */
interface NatRules {
  chains: string[];
  portals: string[];
  nodePorts: string[];
  perService: string[];
}

/** One Service port with endpoints: its portal and node port jumps, its SKIFF-SVC chain
 *  (masquerade mark, ClientIP affinity, random pick of an endpoint) and one SKIFF-SEP chain per
 *  endpoint. */
function planServicePort(
  nat: NatRules,
  host: HostAddress,
  s: ResolvedService,
  p: ResolvedServicePort,
  list: readonly ServiceEndpoint[],
): void {
  const svc = serviceChain(s, p);
  nat.chains.push(svc);
  const proto = p.protocol.toLowerCase();
  if (s.clusterIP !== undefined) {
    nat.portals.push(
      `-A SKIFF-SERVICES -d ${s.clusterIP}/32 -p ${proto} -m comment --comment "${portLabel(s, p)} cluster IP" -m ${proto} --dport ${p.port} -j ${svc}`,
    );
  }
  if (p.nodePort !== undefined) {
    nat.nodePorts.push(
      `-A SKIFF-NODEPORTS -p ${proto} -m comment --comment "${portLabel(s, p)} node port" -m ${proto} --dport ${p.nodePort} -j ${svc}`,
    );
  }
  nat.perService.push(`-A ${svc} -j SKIFF-MARK-MASQ`);
  const seps = list.map((e) => endpointChain(s, p, e));
  const affinity = s.sessionAffinity === 'ClientIP';
  if (affinity) {
    for (const sep of seps)
      nat.perService.push(
        `-A ${svc} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${s.affinityTimeoutSeconds} --reap -j ${sep}`,
      );
  }
  const n = seps.length;
  seps.forEach((sep, k) => {
    const pick = k < n - 1 ? ` -m statistic --mode random --probability ${probability(n - k)}` : '';
    nat.perService.push(
      `-A ${svc} -m comment --comment "${portLabel(s, p)} -> ${list[k]!.address}:${list[k]!.port}"${pick} -j ${sep}`,
    );
  });
  list.forEach((e, k) => {
    const sep = seps[k]!;
    nat.chains.push(sep);
    const recent = affinity ? ` -m recent --name ${sep} --mask 255.255.255.255 --rsource --set` : '';
    const remote = `${e.address}:${e.port}`;
    if (e.host === host.name && e.podIP) {
      nat.perService.push(
        `-A ${sep} -s ${e.podIP}/32 -p ${proto}${recent} -m ${proto} -j DNAT --to-destination ${remote}`,
      );
      nat.perService.push(
        `-A ${sep} -p ${proto}${recent} -m ${proto} -j DNAT --to-destination ${e.podIP}:${e.containerPort}`,
      );
    } else {
      nat.perService.push(`-A ${sep} -p ${proto}${recent} -m ${proto} -j DNAT --to-destination ${remote}`);
    }
  });
}

/** The filter table: refuse service addresses nothing translated (`guard`: the service range,
 *  when a Service has a cluster IP), accept marked and related traffic. */
function filterRules(guard: string | undefined): string[] {
  return [
    ...(guard
      ? [
          `-A SKIFF-FORWARD -d ${guard} -m comment --comment "service address not translated" -j REJECT --reject-with icmp-port-unreachable`,
        ]
      : []),
    `-A SKIFF-FORWARD -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -m comment --comment "skiff service traffic" -j ACCEPT`,
    `-A SKIFF-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    ...(guard
      ? [
          `-A SKIFF-OUTPUT -d ${guard} -m comment --comment "service address not translated" -j REJECT --reject-with icmp-port-unreachable`,
        ]
      : []),
  ];
}

const SECTION_FILTER = '#skiff:filter';
const SECTION_ROUTE = '#skiff:route';

/** One round trip reading skiff's chains, hooks, hash comments and route on a host. */
export const readHostRulesCommand = `set -e
iptables-save -t nat | grep -F SKIFF || true
echo '${SECTION_FILTER}'
iptables-save -t filter | grep -F SKIFF || true
echo '${SECTION_ROUTE}'
ip -4 route show table local proto ${ROUTE_PROTO}`;

export function parseHostRuleState(output: string): HostRuleState {
  const state: HostRuleState = { chains: { nat: [], filter: [] }, hashes: {}, hooks: {}, routes: [] };
  let section: RuleTable | 'route' = 'nat';
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === SECTION_FILTER) section = 'filter';
    else if (line === SECTION_ROUTE) section = 'route';
    else if (!line) continue;
    else if (section === 'route') {
      const m = /^(\S+)\s.*?(?:\bsrc (\S+))?$/.exec(line);
      if (m) state.routes.push({ cidr: m[1]!, src: m[2] });
    } else if (line.startsWith(':SKIFF-')) state.chains[section].push(line.slice(1).split(' ')[0]!);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1]!;
      const hash = new RegExp(`${HASH_COMMENT} ([0-9a-f]+)`).exec(line);
      if (hash && (chain === 'SKIFF-SERVICES' || chain === 'SKIFF-FORWARD')) state.hashes[section] = hash[1];
      const jump = / -j (SKIFF-\S+)/.exec(line);
      if (jump && !chain.startsWith('SKIFF-')) {
        const k = hookKey({ table: section, chain, target: jump[1]! });
        state.hooks[k] = (state.hooks[k] ?? 0) + 1;
      }
    }
  }
  return state;
}

/** What a host holds once `ruleset` was written to it: the state a read would return, so the
 *  shell can report a host it just wrote without reading it back. */
export function ruleStateOf(ruleset: HostRuleset): HostRuleState {
  if (ruleset.empty) return { chains: { nat: [], filter: [] }, hashes: {}, hooks: {}, routes: [] };
  return {
    chains: { nat: [...ruleset.chains.nat], filter: [...ruleset.chains.filter] },
    hashes: { nat: ruleset.hash, filter: ruleset.hash },
    hooks: Object.fromEntries(HOOKS.map((h) => [hookKey(h), 1])),
    routes: ruleset.route ? [{ ...ruleset.route }] : [],
  };
}

/** True when the host holds exactly `ruleset`: nothing to do. */
export function hostRulesMatch(ruleset: HostRuleset, state: HostRuleState): boolean {
  if (ruleset.empty) {
    return (
      state.chains.nat.length === 0 &&
      state.chains.filter.length === 0 &&
      Object.keys(state.hooks).length === 0 &&
      state.routes.length === 0
    );
  }
  const sameSet = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');
  const r = ruleset.route;
  const routeOk = r
    ? state.routes.length === 1 && state.routes[0]!.cidr === r.cidr && state.routes[0]!.src === r.src
    : state.routes.length === 0;
  return (
    state.hashes.nat === ruleset.hash &&
    state.hashes.filter === ruleset.hash &&
    sameSet(state.chains.nat, ruleset.chains.nat) &&
    sameSet(state.chains.filter, ruleset.chains.filter) &&
    HOOKS.every((h) => state.hooks[hookKey(h)] === 1) &&
    Object.keys(state.hooks).length === HOOKS.length &&
    routeOk
  );
}

export interface HostRulesApply {
  /** Shell script run on the host; reads the restore text on stdin. */
  script: string;
  stdin: string;
}

const hookSpec = (h: RuleHook) => `${h.chain} -m comment --comment "${h.comment}" -j ${h.target}`;

/**
 * The one shell command that moves a host from `state` to `ruleset`, atomically per table:
 * jumps that must go are removed first (a referenced chain cannot be deleted), then one
 * `iptables-restore --noflush` rewrites skiff's chains and deletes stale ones (declaring a
 * chain flushes it), then missing jumps are inserted first in their chain, then the route.
 */
export function planHostRulesApply(ruleset: HostRuleset, state: HostRuleState): HostRulesApply {
  const lines: string[] = ['set -e'];
  const unhook = (h: RuleHook) => `while iptables -w -t ${h.table} -D ${hookSpec(h)} 2>/dev/null; do :; done`;
  const wanted = new Set(ruleset.empty ? [] : HOOKS.map(hookKey));
  // Hooks present but unwanted, or duplicated.
  for (const [k, count] of Object.entries(state.hooks)) {
    const known = HOOKS.find((h) => hookKey(h) === k);
    if (known && (!wanted.has(k) || count !== 1)) lines.push(unhook(known));
    if (!known) {
      // A jump into a skiff chain that this version does not make: remove by its spec.
      const [table, chain, target] = k.split(' ');
      lines.push(`while iptables -w -t ${table} -D ${chain} -j ${target} 2>/dev/null; do :; done`);
    }
  }
  const restore: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const stale = state.chains[table].filter((c) => !ruleset.chains[table].includes(c));
    if (ruleset.chains[table].length === 0 && stale.length === 0) continue;
    restore.push(`*${table}`);
    for (const c of [...ruleset.chains[table], ...stale]) restore.push(`:${c} - [0:0]`);
    restore.push(...ruleset.rules[table]);
    for (const c of stale) restore.push(`-X ${c}`);
    restore.push('COMMIT');
  }
  if (restore.length > 0) lines.push('iptables-restore -w 5 --noflush');
  for (const h of HOOKS) {
    if (!wanted.has(hookKey(h))) continue;
    if (state.hooks[hookKey(h)] !== 1)
      lines.push(
        `iptables -w -t ${h.table} -I ${h.chain} 1 -m comment --comment "${h.comment}" -j ${h.target}`,
      );
  }
  const r = ruleset.route;
  for (const old of state.routes) {
    if (!r || old.cidr !== r.cidr || old.src !== r.src)
      lines.push(`ip route del ${old.cidr} table local proto ${ROUTE_PROTO} 2>/dev/null || true`);
  }
  if (r && !state.routes.some((x) => x.cidr === r.cidr && x.src === r.src)) {
    lines.push(
      `dev=$(ip -o -4 addr show | awk -v a=${r.src} '{split($4, x, "/"); if (x[1] == a) {print $2; exit}}')`,
      `if [ -z "$dev" ]; then echo "no interface holds ${r.src}" >&2; exit 3; fi`,
      `ip route replace ${r.cidr} dev "$dev" src ${r.src} proto ${ROUTE_PROTO} table local`,
    );
  }
  return { script: lines.join('\n'), stdin: restore.length > 0 ? `${restore.join('\n')}\n` : '' };
}
