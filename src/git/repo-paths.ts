// Pure path arithmetic inside a repository tree: normalizing an app's path, deciding which files
// are manifests, and resolving a symlink's target without ever touching a filesystem (the tree
// is read from git objects, so a link is only text). Pure: no I/O.
import { posix } from 'node:path';
import { appPathProblem } from '../config/app-path.js';
import { UsageError } from '../model/errors.js';

/** `./apps/web/` -> `apps/web`; `.`, `/` and `` -> `` (the repository root). */
export function normalizeAppPath(path: string): string {
  const problem = appPathProblem(path);
  if (problem) throw new UsageError(problem, 'give a folder inside the repository, e.g. apps/web or .');
  return posix.normalize(`/${path.trim()}`).replace(/\/+$/, '').slice(1);
}

export function isManifestFileName(name: string): boolean {
  return /\.(ya?ml|json)$/i.test(name);
}

export function joinRepoPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Is `repoPath` the app path itself or inside it? */
export function isInside(appPath: string, repoPath: string): boolean {
  return appPath === '' || repoPath === appPath || repoPath.startsWith(`${appPath}/`);
}

/** Path of `repoPath` relative to the app path (manifests are named this way in diagnostics). */
export function relativeToApp(appPath: string, repoPath: string): string {
  return appPath === '' ? repoPath : repoPath.slice(appPath.length + 1);
}

/**
 * Where a symlink stored at `linkPath` points, as a repository path; `undefined` when the
 * target is absolute or climbs above the repository root (never followed).
 */
export function resolveSymlinkTarget(linkPath: string, target: string): string | undefined {
  if (target.startsWith('/') || target === '') return undefined;
  const parts = posix.dirname(linkPath) === '.' ? [] : posix.dirname(linkPath).split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}
