// Where every piece of the testbed lives: names, addresses and paths, all derived from the
// repository root and a host's index. One place, so `up`, `down`, `status` and the tests agree.
// Invariants: everything on disk is under <repo>/.testbed/ or RUN_DIR (short, because dockerd's
// exec-root holds unix sockets whose paths are limited to 108 bytes); every kernel object
// (netns, link, cgroup) carries a `skiff` name, so `down` never touches anything else.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TESTBED_DIR = join(REPO_DIR, '.testbed');
/** Sockets, pid files and dockerd exec-roots: short paths. */
export const RUN_DIR = '/run/skiff-tb';

export const STATE_FILE = join(TESTBED_DIR, 'state.json');
export const CLUSTER_CONFIG_FILE = join(TESTBED_DIR, 'skiff.yaml');
export const SSH_DIR = join(TESTBED_DIR, 'ssh');
export const CLIENT_KEY_FILE = join(SSH_DIR, 'id_ed25519');
export const AUTHORIZED_KEYS_FILE = join(SSH_DIR, 'authorized_keys');
export const KNOWN_HOSTS_FILE = join(SSH_DIR, 'known_hosts');
/** Held while `up` or `down` runs, so two runs never build and tear down at once. */
export const LOCK_FILE = '/run/skiff-tb.lock';

export const BRIDGE = 'skb0';
export const BRIDGE_ADDRESS = '10.213.0.1';
export const BRIDGE_PREFIX = 24;
export const SERVICE_CIDR = '10.213.200.0/24';
export const REGISTRY_PORT = 5000;
export const REGISTRY = `${BRIDGE_ADDRESS}:${REGISTRY_PORT}`;
export const REGISTRY_DIR = join(TESTBED_DIR, 'registry');

/** The cgroup subtree holding every process the testbed starts (daemons and containers). */
export const CGROUP_NAME = 'skiff-tb';

export const DEFAULT_HOST_COUNT = 3;
/** Host addresses are 10.213.0.(10+i) and docker bridges 172.30.i.0/24: keep i small. */
export const MAX_HOST_COUNT = 40;
export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;

export interface HostLayout {
  /** 1-based. */
  index: number;
  name: string;
  netns: string;
  /** The root-namespace end of the host's veth pair; `cut` downs it. */
  veth: string;
  address: string;
  zone: string;
  dockerBridgeCidr: string;
  /** Persistent files: docker data-root, sshd config, host key, logs, skiff's dataDir. */
  dir: string;
  dockerDataRoot: string;
  dockerConfigFile: string;
  dockerKeyFile: string;
  dockerLog: string;
  skiffDataDir: string;
  sshdConfigFile: string;
  sshdLog: string;
  hostKeyFile: string;
  /** Volatile files under RUN_DIR. */
  runDir: string;
  dockerExecRoot: string;
  dockerSocket: string;
  dockerPidFile: string;
  sshdPidFile: string;
  /** cgroup-parent for this host's containers, relative to the cgroup root. */
  containerCgroup: string;
}

export function hostLayout(index: number): HostLayout {
  const name = `h${index}`;
  const dir = join(TESTBED_DIR, name);
  const runDir = join(RUN_DIR, name);
  return {
    index,
    name,
    netns: `skiff-${name}`,
    veth: `veth-${name}`,
    address: `10.213.0.${10 + index}`,
    zone: ZONES[(index - 1) % ZONES.length]!,
    dockerBridgeCidr: `172.30.${index}.1/24`,
    dir,
    dockerDataRoot: join(dir, 'docker'),
    dockerConfigFile: join(dir, 'daemon.json'),
    dockerKeyFile: join(dir, 'key.json'),
    dockerLog: join(dir, 'dockerd.log'),
    skiffDataDir: join(dir, 'skiff'),
    sshdConfigFile: join(dir, 'sshd_config'),
    sshdLog: join(dir, 'sshd.log'),
    hostKeyFile: join(dir, 'ssh_host_ed25519_key'),
    runDir,
    dockerExecRoot: join(runDir, 'e'),
    dockerSocket: join(runDir, 'docker.sock'),
    dockerPidFile: join(runDir, 'docker.pid'),
    sshdPidFile: join(runDir, 'sshd.pid'),
    containerCgroup: `/${CGROUP_NAME}/${name}`,
  };
}

export function hostLayouts(count: number): HostLayout[] {
  return Array.from({ length: count }, (_, i) => hostLayout(i + 1));
}

/** `h3` -> 3; anything else -> undefined. */
export function hostIndexOf(name: string): number | undefined {
  const m = /^h([1-9][0-9]*)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** A client namespace: a place of its own on the bridge for a process that should reach the
 *  hosts over the network like another machine (a second skiff daemon in the lease partition
 *  test), so iptables inside it can cut it off from some hosts and not others. */
export interface ClientLayout {
  name: string;
  netns: string;
  veth: string;
  address: string;
}

/** Client namespaces made by `up`: c1, c2 at 10.213.0.101, .102 (hosts end at .50). */
export const CLIENT_COUNT = 2;

export function clientLayout(index: number): ClientLayout {
  const name = `c${index}`;
  return { name, netns: `skiff-${name}`, veth: `veth-${name}`, address: `10.213.0.${100 + index}` };
}

export function clientLayouts(): ClientLayout[] {
  return Array.from({ length: CLIENT_COUNT }, (_, i) => clientLayout(i + 1));
}
