// The testbed's record of itself (.testbed/state.json): what `up` made and the pids it
// started, so `down` stops exactly those and `status` can tell a live testbed from a stale one.
// Also the shape of `status -o json`, which tests and the demo read.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ImageCatalog } from './images.js';
import {
  CLUSTER_CONFIG_FILE,
  type HostLayout,
  hostLayout,
  REGISTRY,
  SERVICE_CIDR,
  STATE_FILE,
} from './layout.js';

export interface HostPids {
  dockerd: number;
  containerd?: number;
  sshd: number;
}

export interface TestbedState {
  hostCount: number;
  createdAt: string;
  hosts: { name: string; pids: HostPids }[];
  registryPid: number;
  images: ImageCatalog;
}

/** `status -o json`: the contract tests, the demo and the runtime helper read. */
export interface TestbedStatus {
  up: boolean;
  /** Why the testbed is not (fully) up; absent when it is. */
  problems?: string[];
  hosts: {
    name: string;
    address: string;
    netns: string;
    sshPort: number;
    dockerSocket: string;
    linkUp: boolean;
    pids: HostPids;
  }[];
  registry: string;
  registryPid?: number;
  images: ImageCatalog;
  config: string;
  serviceCIDR: string;
}

export function readState(): TestbedState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as TestbedState;
  } catch {
    return undefined;
  }
}

export function writeState(state: TestbedState): void {
  const tmp = `${STATE_FILE}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, STATE_FILE);
}

export function layoutsOf(state: TestbedState): HostLayout[] {
  return state.hosts.map((_, i) => hostLayout(i + 1));
}

export function renderStatus(
  state: TestbedState,
  live: { problems: string[]; linkUp: Record<string, boolean> },
): TestbedStatus {
  return {
    up: live.problems.length === 0,
    ...(live.problems.length > 0 ? { problems: live.problems } : {}),
    hosts: state.hosts.map((h, i) => {
      const layout = hostLayout(i + 1);
      return {
        name: h.name,
        address: layout.address,
        netns: layout.netns,
        sshPort: 22,
        dockerSocket: layout.dockerSocket,
        linkUp: live.linkUp[h.name] ?? false,
        pids: h.pids,
      };
    }),
    registry: REGISTRY,
    registryPid: state.registryPid,
    images: state.images,
    config: CLUSTER_CONFIG_FILE,
    serviceCIDR: SERVICE_CIDR,
  };
}

export function downStatus(problems: string[]): TestbedStatus {
  return {
    up: false,
    problems,
    hosts: [],
    registry: REGISTRY,
    images: { web: [], nginx: [], busybox: [], grpcHealth: [], kvdb: [] },
    config: CLUSTER_CONFIG_FILE,
    serviceCIDR: SERVICE_CIDR,
  };
}
