// The one app a GitOps command works on (`diff`, `plan`, `scale`, `set image`, `rollout`): picked
// from the config (`--app NAME`, or the only app) or defined with `--repo`, with its Git source
// fetched, and its commits read and validated. Shell (git I/O).

import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AppConfig, ClusterConfig } from '../config/cluster-config.js';
import { gitSourceFor } from '../daemon/skiff-instance.js';
import { DEFAULT_MAX_MANIFEST_BYTES, type GitSource } from '../git/git-source.js';
import type { RepoGitSource } from '../git/open-source.js';
import { normalizeAppPath } from '../git/repo-paths.js';
import { createValidator } from '../manifest/index.js';
import { type Diagnostic, formatDiagnostic, hasErrors } from '../model/diagnostics.js';
import { SkiffError, UsageError } from '../model/errors.js';
import type { KubeObject } from '../model/k8s.js';
import { type ClusterOptions, loadCliConfig } from './cli-context.js';
import { printErrorLine } from './output.js';
import { readManifestFiles } from './read-manifest-files.js';

export interface AppRepo {
  config: ClusterConfig;
  app: AppConfig;
  source: RepoGitSource;
  /** The branch head, fetched just now. */
  head: string;
}

/** `--path` without `--repo` narrows the configured app's folder (e.g. `skiff diff --path`).
 *  `look`: the head is read without being recorded as seen (`skiff plan` only reads). */
export async function openAppRepo(opts: ClusterOptions, { look = false } = {}): Promise<AppRepo> {
  const pathOverride = !opts.repo ? opts.path : undefined;
  const config = await loadCliConfig({ ...opts, path: opts.repo ? opts.path : undefined });
  const app = pickApp(config, opts.app);
  const chosen = pathOverride === undefined ? app : { ...app, path: pathOverride };
  const source = gitSourceFor(chosen, config.daemon.stateDir);
  const head = look ? await source.peekHead() : (await source.resolveHead()).commit;
  return { config, app: chosen, source, head };
}

export function pickApp(config: ClusterConfig, name: string | undefined): AppConfig {
  if (name !== undefined) {
    const app = config.apps.find((a) => a.name === name);
    if (!app)
      throw new UsageError(
        `no app named "${name}"`,
        `configured apps: ${config.apps.map((a) => a.name).join(', ') || '(none)'}`,
      );
    return app;
  }
  if (config.apps.length === 1) return config.apps[0]!;
  if (config.apps.length === 0)
    throw new UsageError('no app to work on', 'give --repo URL|PATH, or add an app to skiff.yaml');
  throw new UsageError(
    `${config.apps.length} apps are configured: say which one`,
    `--app ${config.apps.map((a) => a.name).join(' | --app ')}`,
  );
}

export interface CommitObjects {
  commit: string;
  objects: KubeObject[];
  diagnostics: Diagnostic[];
  valid: boolean;
  /** Whether the app's path exists in it (the daemon refuses a commit without it). */
  appPathFound: boolean;
}

/** A commit's manifests under the app path, validated as one bundle (as the daemon would). */
export async function readCommitObjects(source: GitSource, commit: string): Promise<CommitObjects> {
  const set = await source.readManifestFiles(commit);
  const result = createValidator().validate(
    set.files.map((f) => ({ path: f.path, text: f.text, id: f.blobId })),
  );
  const diagnostics = [...set.diagnostics, ...result.diagnostics];
  return {
    commit,
    objects: result.objects,
    diagnostics,
    valid: !hasErrors(diagnostics),
    appPathFound: set.appPathFound,
  };
}

/** What `--local DIR` plans instead of a commit. */
export const LOCAL_TREE = 'local';

/**
 * A working tree's manifests (a CI checkout, uncommitted edits included) under the app's path
 * inside `dir`, validated as a commit is: the same walk bounds, the same file cap, every name
 * read but `.git` (a commit's tree holds hidden folders too). Diagnostics name files relative
 * to `dir`.
 */
export async function readLocalTree(dir: string, appPath: string): Promise<CommitObjects> {
  const root = resolve(dir);
  const appDir = join(root, normalizeAppPath(appPath));
  const found = await stat(appDir).catch(() => undefined);
  if (!found?.isDirectory())
    throw new UsageError(
      `${appDir} is not a folder: --local names the repository's working tree`,
      `give the checkout's root; the app's path (${appPath || '.'}) is looked up inside it`,
    );
  const set = await readManifestFiles([appDir], root, undefined, {
    maxFileBytes: DEFAULT_MAX_MANIFEST_BYTES,
    skipName: (name) => name === '.git',
  });
  const result = createValidator().validate(set.files);
  const diagnostics = [...set.diagnostics, ...result.diagnostics];
  return {
    commit: LOCAL_TREE,
    objects: result.objects,
    diagnostics,
    valid: !hasErrors(diagnostics),
    appPathFound: true,
  };
}

/** Reads and validates; an invalid commit prints its errors and fails the command (exit 1). */
export async function readValidCommit(
  source: GitSource,
  commit: string,
  label: string,
): Promise<KubeObject[]> {
  return requireValid(await readCommitObjects(source, commit), label, source.subject);
}

/** The objects of a valid read; an invalid one prints its errors and fails the command (exit 1). */
export function requireValid(r: CommitObjects, label: string, subject: string): KubeObject[] {
  const commit = r.commit;
  if (r.valid) return r.objects;
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  printErrorLine(`${commit === LOCAL_TREE ? label : `${label} (${commit.slice(0, 7)})`} does not validate:`);
  for (const d of errors) printErrorLine(`  ${formatDiagnostic(d)}`);
  throw new SkiffError('manifest.invalid', `${label} has ${errors.length} error(s); nothing to compare`, {
    subject,
  });
}
