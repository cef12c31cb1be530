// Loading `skiff.yaml`: YAML with positions, ajv schema check, cross-field rules, defaults,
// and relative paths resolved against the file's folder. Every finding is collected with
// file:line:column and the field path, and all are reported at once in one ConfigError.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { DEFAULT_MAX_PODS, UNSCHEDULABLE_TAINT_KEY } from '../controllers/scheduler-capacity.js';
import { parseDuration } from '../manifest/duration.js';
import { isExtendedResourceName } from '../manifest/extended-resources.js';
import { type Diagnostic, formatDiagnostic } from '../model/diagnostics.js';
import { SkiffError } from '../model/errors.js';
import { LABEL_HOSTNAME } from '../model/labels.js';
import { appPathProblem } from './app-path.js';
import {
  type AppConfig,
  type ClusterConfig,
  DEFAULT_CONNECTION,
  DEFAULT_DAEMON,
  DEFAULT_DATA_DIR,
  DEFAULT_DOCKER_SOCKET,
  DEFAULT_GIT_LIMITS,
  DEFAULT_SERVICE_CIDR,
  defaultClusterConfig,
  type GitLimitsConfig,
  type HostConfig,
  type RegistryConfig,
} from './cluster-config.js';
import { configValidator } from './config-validator.js';
import { EXPOSED_LISTEN_HINT, exposureProblem } from './listen-address.js';
import { checkNotifications, notificationsOf, type RawNotifications } from './notifications-config.js';
import { type RawVerify, resolveVerify } from './verify-config.js';

export const DEFAULT_CONFIG_FILE = 'skiff.yaml';

/** A config file that cannot be used: every finding, each with file:line:column. */
export class ConfigError extends SkiffError {
  readonly diagnostics: Diagnostic[];
  constructor(file: string, diagnostics: Diagnostic[]) {
    super(
      'config.invalid',
      `invalid cluster config ${file}:\n${diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`,
      { subject: file, hint: 'fix the listed fields of the config file' },
    );
    this.diagnostics = diagnostics;
  }
}

type Path = (string | number)[];

/** Raw shapes after the schema check (everything optional that the schema allows to be). */
interface RawHost {
  name: string;
  kind?: 'ssh' | 'local';
  address?: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  agent?: boolean | string;
  hostKey?: string;
  knownHostsFile?: string;
  insecureAcceptHostKey?: boolean;
  dockerSocket?: string;
  dataDir?: string;
  labels?: Record<string, string>;
  taints?: HostConfig['taints'];
  maxPods?: number;
  resources?: Record<string, number>;
  unschedulable?: boolean;
}
interface RawConfig {
  hosts?: RawHost[];
  registries?: (Omit<RegistryConfig, 'insecure'> & { insecure?: boolean })[];
  network?: { serviceCIDR?: string };
  apps?: (Partial<Omit<AppConfig, 'verify'>> & {
    name: string;
    repoURL: string;
    verify?: RawVerify;
    syncPolicy?: Partial<AppConfig['syncPolicy']>;
    gitLimits?: Partial<GitLimitsConfig>;
  })[];
  daemon?: Partial<Omit<ClusterConfig['daemon'], 'gitLimits'>> & { gitLimits?: Partial<GitLimitsConfig> };
  connection?: Partial<ClusterConfig['connection']>;
  notifications?: RawNotifications;
}

export interface ParseResult {
  config?: ClusterConfig;
  diagnostics: Diagnostic[];
}

/**
 * Parse and check a config's text. `file` is used for messages and to resolve relative paths;
 * `env` decides `agent: true` ($SSH_AUTH_SOCK). Never throws for a bad config: findings are data.
 */
export function parseClusterConfig(
  text: string,
  file: string,
  env: Record<string, string | undefined> = {},
): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  const at = (path: Path, code: string, message: string, key = false) => {
    const offset = offsetOf(doc.contents as Node | null, path, key);
    const pos = lineCounter.linePos(offset);
    diagnostics.push({
      file,
      line: pos.line,
      column: pos.col,
      document: 0,
      path: renderPath(path),
      severity: 'error',
      code,
      message,
    });
  };
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    diagnostics.push({
      file,
      line: pos.line,
      column: pos.col,
      document: 0,
      path: '',
      severity: 'error',
      code: `yaml.${e.code}`,
      message: e.message.split('\n')[0] ?? e.message,
    });
  }
  if (diagnostics.length > 0) return { diagnostics };

  const raw: unknown = doc.toJS() ?? {};
  const validateSchema = configValidator();
  if (!validateSchema(raw)) {
    for (const e of validateSchema.errors ?? []) reportSchemaError(e, at);
    return { diagnostics: sortByPosition(diagnostics) };
  }
  const cfg = raw as RawConfig;
  checkRules(cfg, at);
  checkNotifications(cfg.notifications, cfg.apps ?? [], at);
  const verify = (cfg.apps ?? []).map(
    (a, i) => a.verify && resolveVerify(a.verify, dirname(file), at, ['apps', i]),
  );
  if (diagnostics.length > 0) return { diagnostics: sortByPosition(diagnostics) };
  const config = applyDefaults(cfg, file, env);
  config.apps.forEach((a, i) => {
    if (verify[i]) a.verify = verify[i];
  });
  return { config, diagnostics };
}

/**
 * Read the config file. With no explicit file and no ./skiff.yaml, the embedded default (the
 * local Docker engine) is used, so `skiff` works on a laptop with no setup.
 */
export async function loadClusterConfig(
  file: string | undefined,
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<ClusterConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const path = resolve(cwd, file ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    // Sync: node:fs/promises costs a CLI start 5 ms to load, for one small file.
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (file === undefined && code === 'ENOENT') return defaultClusterConfig(cwd);
    throw new SkiffError('config.unreadable', `cannot read cluster config ${path}: ${code ?? String(err)}`, {
      cause: err,
      subject: path,
      hint: unreadableConfigHint(code),
    });
  }
  const { config, diagnostics } = parseClusterConfig(text, path, env);
  if (!config) throw new ConfigError(path, diagnostics);
  return config;
}

/** What to do about a config file that cannot be read, by its errno code. */
function unreadableConfigHint(code: string | undefined): string {
  if (code === 'ENOENT') return 'give an existing file with --config';
  if (code === 'EISDIR') return 'give the config file, not a folder, with --config';
  if (code === 'EACCES' || code === 'EPERM') return 'make the file readable by the user skiff runs as';
  return 'check the config file (--config) and its permissions';
}

function reportSchemaError(e: ErrorObject, at: (p: Path, c: string, m: string, key?: boolean) => void): void {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      at(
        [...path, String(params.additionalProperty)],
        'config.unknown-field',
        `unknown field "${String(params.additionalProperty)}"`,
        true,
      );
      return;
    case 'required':
      at(path, 'config.required', `missing required field "${String(params.missingProperty)}"`);
      return;
    case 'enum':
      at(
        path,
        'config.enum',
        `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      );
      return;
    case 'anyOf':
      return; // the alternatives' own errors say more
    default:
      at(path, `config.${e.keyword}`, e.message ?? 'invalid value');
  }
}

/** A poll interval feeds a timer: below 1 s it is a busy loop, above 24 h it is a mistake. */
function pollIntervalInRange(interval: string): boolean {
  const ms = parseDuration(interval) ?? 0;
  return ms >= 1000 && ms <= 86_400_000;
}

/** A host's extended resources are named as the API server requires of a node's (a domain
 *  outside kubernetes.io, then a name: "nvidia.com/gpu"); cpu and memory come from Docker. */
function checkHostResources(h: RawHost, i: number, at: (p: Path, c: string, m: string) => void): void {
  for (const name of Object.keys(h.resources ?? {}))
    if (!isExtendedResourceName(name))
      at(
        ['hosts', i, 'resources', name],
        'config.resource-name',
        `"${name}" is not an extended resource name: give a domain outside kubernetes.io and a name, as "nvidia.com/gpu" (cpu and memory are read from Docker)`,
      );
}

function checkRules(cfg: RawConfig, at: (p: Path, c: string, m: string) => void): void {
  const seen = new Map<string, number>();
  (cfg.hosts ?? []).forEach((h, i) => {
    if (seen.has(h.name))
      at(['hosts', i, 'name'], 'config.duplicate-host', `host "${h.name}" is listed twice`);
    seen.set(h.name, i);
    checkHostResources(h, i, at);
    if ((h.kind ?? 'ssh') === 'local') {
      for (const f of [
        'port',
        'user',
        'privateKeyFile',
        'agent',
        'hostKey',
        'knownHostsFile',
        'insecureAcceptHostKey',
      ] as const)
        if (h[f] !== undefined)
          at(['hosts', i, f], 'config.local-host-field', `"${f}" has no meaning for a local host`);
      return;
    }
    if (h.address === undefined) at(['hosts', i], 'config.required', `host "${h.name}" needs an "address"`);
    if (h.privateKeyFile === undefined && (h.agent === undefined || h.agent === false))
      at(['hosts', i], 'config.ssh-auth', `host "${h.name}" needs "privateKeyFile" or "agent"`);
    if (h.hostKey === undefined && h.knownHostsFile === undefined && h.insecureAcceptHostKey !== true)
      at(
        ['hosts', i],
        'config.host-key',
        `host "${h.name}" needs "hostKey" or "knownHostsFile" (or "insecureAcceptHostKey: true" to trust any key)`,
      );
  });
  for (const key of ['listen', 'webhookListen'] as const) {
    const listen = cfg.daemon?.[key];
    if (listen === undefined) continue;
    try {
      const problem = exposureProblem(listen, cfg.daemon ?? {});
      if (problem) at(['daemon', key], 'config.listen-exposed', `${problem}: ${EXPOSED_LISTEN_HINT}`);
    } catch (err) {
      at(['daemon', key], 'config.listen', (err as Error).message);
    }
  }
  const cidr = cfg.network?.serviceCIDR;
  if (cidr !== undefined && !validCidr(cidr))
    at(['network', 'serviceCIDR'], 'config.cidr', `"${cidr}" is not an IPv4 CIDR`);
  const apps = new Set<string>();
  (cfg.apps ?? []).forEach((a, i) => {
    if (apps.has(a.name)) at(['apps', i, 'name'], 'config.duplicate-app', `app "${a.name}" is listed twice`);
    apps.add(a.name);
    if (a.poll?.interval !== undefined && a.poll.cron !== undefined)
      at(['apps', i, 'poll'], 'config.poll', 'give either "interval" or "cron", not both');
    const interval = a.poll?.interval;
    if (interval !== undefined && /^[0-9]+(ms|s|m|h)$/.test(interval) && !pollIntervalInRange(interval))
      at(['apps', i, 'poll', 'interval'], 'config.maximum', `"${interval}" is out of range: give 1s to 24h`);
    if (a.poll?.cron !== undefined && !validCron(a.poll.cron))
      at(['apps', i, 'poll', 'cron'], 'config.cron', `"${a.poll.cron}" is not a valid cron expression`);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(a.repoURL) && !/^https?:\/\//i.test(a.repoURL))
      at(['apps', i, 'repoURL'], 'config.repo-url', 'repoURL must be an http(s) URL or a local path');
    const pathProblem = a.path === undefined ? undefined : appPathProblem(a.path);
    if (pathProblem) at(['apps', i, 'path'], 'config.app-path', pathProblem);
    if (a.auth?.tokenEnv !== undefined && a.auth.tokenFile !== undefined)
      at(['apps', i, 'auth'], 'config.auth', 'give either "tokenEnv" or "tokenFile", not both');
  });
  (cfg.registries ?? []).forEach((r, i) => {
    const sources = [r.password, r.passwordFile, r.passwordEnv].filter((x) => x !== undefined).length;
    if (sources > 1)
      at(
        ['registries', i],
        'config.registry-password',
        'give only one of password, passwordFile, passwordEnv',
      );
    if (sources > 0 && r.username === undefined)
      at(['registries', i], 'config.registry-username', 'a registry password needs a "username"');
  });
}

/** A cordoned host carries the node.kubernetes.io/unschedulable:NoSchedule taint, as the node
 *  lifecycle controller gives a node with spec.unschedulable (TaintNodesByCondition). */
function hostTaints(h: RawHost): HostConfig['taints'] {
  const taints = h.taints ?? [];
  if (h.unschedulable !== true || taints.some((t) => t.key === UNSCHEDULABLE_TAINT_KEY)) return taints;
  return [...taints, { key: UNSCHEDULABLE_TAINT_KEY, effect: 'NoSchedule' }];
}

function applyDefaults(cfg: RawConfig, file: string, env: Record<string, string | undefined>): ClusterConfig {
  const base = dirname(file);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const hosts: HostConfig[] = (cfg.hosts ?? []).map((h): HostConfig => {
    const common = {
      name: h.name,
      dockerSocket: h.dockerSocket ?? DEFAULT_DOCKER_SOCKET,
      dataDir: h.dataDir ?? DEFAULT_DATA_DIR,
      // As the kubelet labels its node: nodeSelector/nodeAffinity on the hostname work (a label
      // set in skiff.yaml wins, as --hostname-override does).
      labels: { [LABEL_HOSTNAME]: h.name, ...h.labels },
      taints: hostTaints(h),
      maxPods: h.maxPods ?? DEFAULT_MAX_PODS,
      resources: { ...h.resources },
      unschedulable: h.unschedulable === true,
    };
    if (h.kind === 'local') return { kind: 'local', address: h.address ?? '127.0.0.1', ...common };
    return {
      kind: 'ssh',
      address: h.address!,
      port: h.port ?? 22,
      user: h.user ?? 'root',
      privateKeyFile: h.privateKeyFile === undefined ? undefined : abs(h.privateKeyFile),
      agent: h.agent === true ? env.SSH_AUTH_SOCK : typeof h.agent === 'string' ? h.agent : undefined,
      hostKey: h.hostKey,
      knownHostsFile: h.knownHostsFile === undefined ? undefined : abs(h.knownHostsFile),
      insecureAcceptHostKey: h.insecureAcceptHostKey === true,
      ...common,
    };
  });
  const gitLimits = { ...DEFAULT_GIT_LIMITS, ...cfg.daemon?.gitLimits };
  const apps: AppConfig[] = (cfg.apps ?? []).map((a) => ({
    name: a.name,
    repoURL: /^https?:\/\//i.test(a.repoURL) ? a.repoURL : abs(a.repoURL),
    revision: a.revision ?? 'main',
    path: a.path ?? '.',
    auth:
      a.auth === undefined ? undefined : { ...a.auth, tokenFile: a.auth.tokenFile && abs(a.auth.tokenFile) },
    syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false, ...a.syncPolicy },
    poll: a.poll?.cron !== undefined ? { cron: a.poll.cron } : { interval: a.poll?.interval ?? '30s' },
    webhook: a.webhook,
    rollback: { autoRestore: a.rollback?.autoRestore ?? true },
    gitLimits: { ...gitLimits, ...a.gitLimits },
    ...(a.notifications ? { notifications: a.notifications } : {}),
  }));
  return {
    file,
    hosts,
    registries: (cfg.registries ?? []).map((r) => ({
      ...r,
      insecure: r.insecure ?? false,
      passwordFile: r.passwordFile === undefined ? undefined : abs(r.passwordFile),
    })),
    network: { serviceCIDR: cfg.network?.serviceCIDR ?? DEFAULT_SERVICE_CIDR },
    apps,
    daemon: {
      ...DEFAULT_DAEMON,
      ...cfg.daemon,
      stateDir: abs(cfg.daemon?.stateDir ?? DEFAULT_DAEMON.stateDir),
      gitLimits,
      tls: cfg.daemon?.tls && { cert: abs(cfg.daemon.tls.cert), key: abs(cfg.daemon.tls.key) },
    },
    connection: { ...DEFAULT_CONNECTION, ...cfg.connection },
    ...(cfg.notifications ? { notifications: notificationsOf(cfg.notifications) } : {}),
  };
}

/** node-cron's own parser (the poller's), loaded only for a config that has a cron: it is
 *  CommonJS too, so a synchronous require keeps it off every other CLI start. */
function validCron(expression: string): boolean {
  const cron = createRequire(import.meta.url)('node-cron') as typeof import('node-cron');
  return cron.validate(expression);
}

function validCidr(s: string): boolean {
  const [ip, bits] = s.split('/');
  const octets = (ip ?? '').split('.').map(Number);
  return (
    octets.length === 4 && octets.every((o) => o >= 0 && o <= 255) && Number(bits) >= 0 && Number(bits) <= 32
  );
}

function pointerToPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function renderPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Source offset of the node at `path` (its key when `key`), or of the deepest existing parent. */
function offsetOf(root: Node | null, path: Path, key: boolean): number {
  let node: Node | null = root;
  let best = root?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (!pair) return best;
      const keyNode = pair.key as Node | null;
      if (last && key && keyNode?.range) return keyNode.range[0];
      node = pair.value as Node | null;
      best = node?.range?.[0] ?? keyNode?.range?.[0] ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg] as Node | null;
      best = node?.range?.[0] ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function sortByPosition(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.line - b.line || a.column - b.column);
}
