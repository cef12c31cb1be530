// The testbed's network: a bridge in the root namespace and one network namespace per host,
// joined to it by a veth pair. Hosts get no default route, so nothing they or their containers
// send can leave 10.213.0.0/24; the service range is blackholed everywhere so that a Service
// address skiff has not programmed fails fast instead of leaking.

import { existsSync, readdirSync } from 'node:fs';
import {
  BRIDGE,
  BRIDGE_ADDRESS,
  BRIDGE_PREFIX,
  type ClientLayout,
  clientLayouts,
  type HostLayout,
  hostIndexOf,
  SERVICE_CIDR,
} from './layout.js';
import { attempt, run } from './shell.js';

/**
 * With br_netfilter loaded, frames crossing the bridge traverse the root namespace's FORWARD
 * chain; a Docker engine in the root namespace sets its policy to DROP. This rule keeps
 * host-to-host traffic flowing regardless.
 */
const FORWARD_RULE = ['FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT'];

export async function createBridge(): Promise<void> {
  await run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `${BRIDGE_ADDRESS}/${BRIDGE_PREFIX}`, 'dev', BRIDGE]);
  await run('ip', ['link', 'set', BRIDGE, 'up']);
  await run('iptables', ['-w', '-I', ...FORWARD_RULE]);
  await run('ip', ['route', 'add', 'blackhole', SERVICE_CIDR]);
}

/** A namespace joined to the bridge by a veth pair (`eth0` inside), with one address. */
async function createNamespaceOnBridge(p: { netns: string; veth: string; address: string }): Promise<void> {
  const ns = p.netns;
  await run('ip', ['netns', 'add', ns]);
  await run('ip', ['link', 'add', p.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await run('ip', ['link', 'set', p.veth, 'master', BRIDGE, 'up']);
  await run('ip', ['-n', ns, 'addr', 'add', `${p.address}/${BRIDGE_PREFIX}`, 'dev', 'eth0']);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
}

export async function createHostNetwork(host: HostLayout): Promise<void> {
  await createNamespaceOnBridge(host);
  await run('ip', ['-n', host.netns, 'route', 'add', 'blackhole', SERVICE_CIDR]);
}

/** A client namespace (layout.ts): on the bridge like a host, with nothing running in it. */
export async function createClientNetwork(client: ClientLayout): Promise<void> {
  await createNamespaceOnBridge(client);
}

/** Creates the client namespaces that are missing (a testbed made before they existed). */
export async function ensureClientNetworks(): Promise<string[]> {
  const present = new Set(existingClientNamespaces());
  const made: string[] = [];
  for (const c of clientLayouts()) {
    if (present.has(c.name)) continue;
    await attempt('ip', ['link', 'del', c.veth]);
    await createClientNetwork(c);
    made.push(c.name);
  }
  return made;
}

/** The client names whose namespaces exist now (`skiff-c1` -> c1). */
export function existingClientNamespaces(): string[] {
  if (!existsSync('/run/netns')) return [];
  return readdirSync('/run/netns')
    .map((n) => /^skiff-(c\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** The host names whose namespaces exist now (`skiff-h1` -> h1), whatever created them. */
export function existingHostNamespaces(): string[] {
  if (!existsSync('/run/netns')) return [];
  return readdirSync('/run/netns')
    .map((n) => /^skiff-(h\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined && hostIndexOf(n) !== undefined);
}

/** Removes namespaces, links, the bridge, the FORWARD rule and routes. Safe to repeat. */
export async function removeNetwork(): Promise<void> {
  for (const name of [...existingHostNamespaces(), ...existingClientNamespaces()])
    await attempt('ip', ['netns', 'del', `skiff-${name}`]);
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
  for (const m of links.matchAll(/^\d+: (veth-[hc]\d+)[@:]/gm)) await attempt('ip', ['link', 'del', m[1]!]);
  if (new RegExp(`^\\d+: ${BRIDGE}[@:]`, 'm').test(links)) await attempt('ip', ['link', 'del', BRIDGE]);
  while (await attempt('iptables', ['-w', '-D', ...FORWARD_RULE])) {
    // a crashed run may have inserted it more than once
  }
  while (await attempt('ip', ['route', 'del', 'blackhole', SERVICE_CIDR])) {
    // idem
  }
}

export async function setLink(host: HostLayout, state: 'up' | 'down'): Promise<void> {
  await run('ip', ['link', 'set', host.veth, state]);
}

export async function linkIsUp(host: HostLayout): Promise<boolean> {
  const out = await run('ip', ['-o', 'link', 'show', host.veth], { allowFailure: true });
  return out.code === 0 && /[<,]UP[,>]/.test(out.stdout);
}
