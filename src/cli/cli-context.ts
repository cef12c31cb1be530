// What every CLI command that touches a cluster needs: the cluster config (from --config,
// plus an app given on the command line with --repo), a logger, and — when a daemon runs for
// the same state directory — a client for its API, so the CLI never acts beside it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { appPathProblem } from '../config/app-path.js';
import type { AppConfig, ClusterConfig } from '../config/cluster-config.js';
import { loadClusterConfig } from '../config/load-config.js';
import { terminalJson } from '../diff/terminal-text.js';
import { readDaemonInfo } from '../lease/state-dir-lock.js';
import { SkiffError, UsageError } from '../model/errors.js';
import { readLocalAdminToken } from '../state-dir/token-store.js';
import { DaemonClient } from './daemon-client.js';

export interface ClusterOptions {
  config?: string;
  repo?: string;
  branch?: string;
  path?: string;
  app?: string;
}

/** Adds the cluster-selection flags kubectl/argocd users expect. */
export function clusterFlags<T extends { option: (flags: string, desc: string, def?: string) => T }>(
  cmd: T,
): T {
  return cmd
    .option('--config <file>', 'cluster config (hosts, apps)', undefined)
    .option('--repo <url|path>', 'define one app on the command line: its Git repository')
    .option('--branch <name>', 'with --repo: the branch or tag to follow', undefined)
    .option('--path <dir>', 'with --repo: the folder of manifests inside the repository', undefined)
    .option('--app <name>', 'with --repo: the app name (default "default")', undefined);
}

export async function loadCliConfig(opts: ClusterOptions): Promise<ClusterConfig> {
  const config = await loadClusterConfig(opts.config);
  if (!opts.repo) {
    if (opts.branch || opts.path) throw new UsageError('--branch and --path go with --repo');
    return config;
  }
  const problem = opts.path === undefined ? undefined : appPathProblem(opts.path);
  if (problem) throw new UsageError(problem, 'give --path a folder inside the repository, e.g. apps/web');
  const repoURL = /^https?:\/\//.test(opts.repo) ? opts.repo : resolve(opts.repo);
  const app: AppConfig = {
    name: opts.app ?? 'default',
    repoURL,
    revision: opts.branch ?? 'main',
    path: opts.path ?? '.',
    syncPolicy: { automated: true, prune: true, selfHeal: true, allowEmpty: false },
    poll: { interval: '30s' },
    rollback: { autoRestore: true },
  };
  return { ...config, apps: [...config.apps.filter((a) => a.name !== app.name), app] };
}

export function cliLogger(
  level = process.env.SKIFF_LOG_LEVEL ?? 'warn',
  scrub: (text: string) => string = (text) => text,
): Logger {
  // JSON escapes C0 only: DEL, C1 (a raw U+009B is CSI to a terminal) and bidi controls too.
  // `scrub` takes out Secret values a command that acts (sync) may see in runtime errors.
  // pino is loaded here, where a command logs, not by every command that imports this file
  // (a `get` a daemon answers logs nothing); it is CommonJS, so this stays synchronous.
  const pino = createRequire(import.meta.url)('pino') as typeof import('pino').default;
  return pino({ level, hooks: { streamWrite: (line) => terminalJson(scrub(line)) } }, pino.destination(2));
}

/** A client for the daemon of this state directory, if one is alive. */
export async function connectDaemon(config: ClusterConfig): Promise<DaemonClient | undefined> {
  const info = readDaemonInfo(config.daemon.stateDir);
  if (!info?.apiAddress) return undefined;
  const client = new DaemonClient(info.apiAddress, {
    token: daemonToken(config.daemon.stateDir),
    certPem: config.daemon.tls && readCert(config.daemon.tls.cert),
  });
  return (await client.alive()) ? client : undefined;
}

/** The token the CLI sends: SKIFF_TOKEN, else the local admin token of the state dir. */
export function daemonToken(stateDir: string, env: Record<string, string | undefined> = process.env) {
  return env.SKIFF_TOKEN || readLocalAdminToken(stateDir);
}

function readCert(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SkiffError('daemon.tls', `cannot read daemon.tls.cert ${path}`, {
      cause: err,
      hint: "the CLI trusts the daemon's certificate file: make it readable",
    });
  }
}
