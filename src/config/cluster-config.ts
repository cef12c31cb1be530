// The cluster config (`skiff.yaml`): which Docker hosts skiff drives and how it reaches them,
// the registries it pulls from, the Git apps it deploys, and the daemon's own settings.
// Shell: loading reads files (load-config.ts); this file holds the typed, defaulted shape and
// the embedded default used when no file exists (one `local` host on the local Docker socket).
// Invariants: every relative path in a loaded config has been resolved against the config
// file's folder; secrets (registry passwords, git tokens) are never stored here, only where
// to find them (file or environment variable), read when used.
import { DEFAULT_MAX_PODS } from '../controllers/scheduler-capacity.js';
import type { Labels } from '../model/k8s.js';
import type { Taint } from '../model/observed.js';
import type { AppNotificationsConfig, NotificationsConfig } from '../notify/notify-config.js';
import type { AllowedSigner } from './allowed-signers.js';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
export const DEFAULT_DATA_DIR = '/var/lib/skiff';

interface HostConfigBase {
  name: string;
  /** Folder skiff owns on the host: ConfigMap/Secret volume files, emptyDirs. */
  dataDir: string;
  /** Path of the Docker engine's socket on the host. */
  dockerSocket: string;
  labels: Labels;
  /** Includes node.kubernetes.io/unschedulable:NoSchedule when the host is cordoned. */
  taints: Taint[];
  /** The kubelet's --max-pods: pods the scheduler places here at most (absent: 110). */
  maxPods?: number;
  /** Extended resources the host offers, in whole units ("nvidia.com/gpu": 2). */
  resources?: Record<string, number>;
  /** Cordoned (`unschedulable: true`): no new pods, as `kubectl cordon`. */
  unschedulable?: boolean;
}

/** A Docker host reached over SSH (the normal case). */
export interface SshHostConfig extends HostConfigBase {
  kind: 'ssh';
  address: string;
  port: number;
  user: string;
  /** Absolute path of the private key; absent when an SSH agent is used. */
  privateKeyFile?: string;
  /** Path of the agent's socket (`agent: true` in YAML means $SSH_AUTH_SOCK). */
  agent?: string;
  /** The host's public key, `ssh-ed25519 AAAA...` (comment allowed). */
  hostKey?: string;
  /** An OpenSSH known_hosts file holding the host's key. */
  knownHostsFile?: string;
  /** Trust whatever key the host presents. Only when explicitly set for this host. */
  insecureAcceptHostKey: boolean;
}

/** The machine skiff runs on, through its local Docker socket, no SSH. */
export interface LocalHostConfig extends HostConfigBase {
  kind: 'local';
  /** Address other hosts and clients use to reach published ports (default 127.0.0.1). */
  address: string;
}

export type HostConfig = SshHostConfig | LocalHostConfig;

export interface RegistryConfig {
  /** `host[:port]` as it appears in image references. */
  server: string;
  insecure: boolean;
  username?: string;
  /** Inline password: allowed, but passwordFile/passwordEnv keep it out of the file. */
  password?: string;
  passwordFile?: string;
  passwordEnv?: string;
}

export interface AppAuthConfig {
  usernameEnv?: string;
  passwordEnv?: string;
  tokenEnv?: string;
  tokenFile?: string;
}

export interface AppConfig {
  name: string;
  /** http(s) URL, or an absolute local path (relative paths were resolved on load). */
  repoURL: string;
  revision: string;
  path: string;
  auth?: AppAuthConfig;
  syncPolicy: { automated: boolean; prune: boolean; selfHeal: boolean; allowEmpty: boolean };
  /** Exactly one of interval (duration like "30s", "2m") or cron. */
  poll: { interval?: string; cron?: string };
  webhook?: { secretEnv?: string };
  rollback: { autoRestore: boolean };
  /** Bounds on what the app's git server may send (the daemon's gitLimits, overridden per key;
   *  the loader always fills it, absent means DEFAULT_GIT_LIMITS). */
  gitLimits?: GitLimitsConfig;
  /** Signed-commit verification: the commit admitted must be signed by one of these keys. */
  verify?: VerifyConfig;
  /** Which notification services the app reports to, on which triggers. */
  notifications?: AppNotificationsConfig;
}

/** `apps[].verify`, with every file already read (keys are public: no secret here). */
export interface VerifyConfig {
  /** Armored OpenPGP public keys; `source` is the file they came from, or "inline". */
  openpgpKeys: { source: string; text: string }[];
  /** SSH signing keys in git's allowed_signers format, parsed. */
  allowedSigners?: { source: string; signers: AllowedSigner[] };
}

/** Bounds on one fetch from a git server (see README "Limits"). */
export interface GitLimitsConfig {
  /** Bytes received in one fetch. */
  maxPackBytes: number;
  /** Inflated size of any one object in a fetched pack. */
  maxObjectBytes: number;
  /** Wall-clock time of one fetch. */
  fetchTimeoutSeconds: number;
}

export interface DaemonConfig {
  stateDir: string;
  listen: string;
  reconcileIntervalSeconds: number;
  hostGracePeriodSeconds: number;
  metricsIntervalSeconds: number;
  /** How long the lease a daemon records on the hosts lasts without renewal (default 30 s):
   *  a daemon that dies without releasing it is replaced by a standby one after this. */
  leaseDurationSeconds?: number;
  /** Default bounds on every app's fetches (absent means DEFAULT_GIT_LIMITS). */
  gitLimits?: GitLimitsConfig;
  /** Serve the API (and webhookListen) over HTTPS with these PEM files (absolute paths). */
  tls?: { cert: string; key: string };
  /** Listen beyond loopback without TLS: allowed, with a warning at every start. */
  insecure?: boolean;
  /** A second listener that serves only POST /webhook (to expose the webhook alone). */
  webhookListen?: string;
  /** `public: true` serves /metrics without a token (default: a read token is needed). */
  metrics?: { public: boolean };
}

/** How the runtime talks to hosts: timeouts, keepalive, concurrency. */
export interface ConnectionConfig {
  connectTimeoutSeconds: number;
  keepaliveIntervalSeconds: number;
  /** Missed keepalives before the connection is declared dead. */
  keepaliveCountMax: number;
  /** Upper bound for any single Docker/SSH call (pulls excepted: they have pullTimeoutSeconds). */
  callTimeoutSeconds: number;
  /** Upper bound for one host's part of observe(): a slow host becomes NotReady, not a stall. */
  observeTimeoutSeconds: number;
  pullTimeoutSeconds: number;
  maxConcurrentPerHost: number;
  maxConcurrent: number;
  /** Reconnect backoff after a dropped connection: doubles from min to max. */
  reconnectMinSeconds: number;
  reconnectMaxSeconds: number;
}

export interface ClusterConfig {
  /** Absolute path of the file this came from (absent for the embedded default). */
  file?: string;
  hosts: HostConfig[];
  registries: RegistryConfig[];
  network: { serviceCIDR: string };
  apps: AppConfig[];
  daemon: DaemonConfig;
  connection: ConnectionConfig;
  /** Commit statuses and notifications (absent: none sent). */
  notifications?: NotificationsConfig;
}

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/24';

export const DEFAULT_GIT_LIMITS: GitLimitsConfig = {
  maxPackBytes: 256 * 1024 * 1024,
  maxObjectBytes: 64 * 1024 * 1024,
  fetchTimeoutSeconds: 300,
};

export const DEFAULT_DAEMON: DaemonConfig = {
  stateDir: '.skiff',
  listen: '127.0.0.1:7420',
  reconcileIntervalSeconds: 10,
  hostGracePeriodSeconds: 40,
  metricsIntervalSeconds: 15,
  gitLimits: DEFAULT_GIT_LIMITS,
};

export const DEFAULT_CONNECTION: ConnectionConfig = {
  connectTimeoutSeconds: 10,
  keepaliveIntervalSeconds: 5,
  keepaliveCountMax: 3,
  callTimeoutSeconds: 30,
  observeTimeoutSeconds: 5,
  pullTimeoutSeconds: 300,
  maxConcurrentPerHost: 8,
  maxConcurrent: 32,
  reconnectMinSeconds: 0.5,
  reconnectMaxSeconds: 8,
};

/** The embedded default for a laptop: the local Docker engine, no SSH, state in ./.skiff. */
export function defaultClusterConfig(cwd: string): ClusterConfig {
  return {
    hosts: [
      {
        kind: 'local',
        name: 'local',
        address: '127.0.0.1',
        dockerSocket: DEFAULT_DOCKER_SOCKET,
        dataDir: `${cwd}/.skiff/data`,
        labels: {},
        taints: [],
        maxPods: DEFAULT_MAX_PODS,
        resources: {},
        unschedulable: false,
      },
    ],
    registries: [],
    network: { serviceCIDR: DEFAULT_SERVICE_CIDR },
    apps: [],
    daemon: { ...DEFAULT_DAEMON, stateDir: `${cwd}/.skiff` },
    connection: { ...DEFAULT_CONNECTION },
  };
}

/** The registry entry whose server matches an image reference's registry part, if any. */
export function registryForImage(
  registries: readonly RegistryConfig[],
  image: string,
): RegistryConfig | undefined {
  const first = image.split('/')[0] ?? '';
  // Docker's rule: the first component names a registry only if it has a dot, a colon, or is localhost.
  const hasRegistry =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const server = hasRegistry ? first : 'docker.io';
  return registries.find((r) => r.server === server);
}
