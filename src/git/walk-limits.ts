// Bounds on a walk of an app's manifests (a commit's tree, or a folder on disk): how many entries
// it examines, how deep it descends, how long a path may be. A repository is input from whoever
// can push to it; without these a tree a few kilobytes big (a million empty files, a directory
// nested thousands deep) costs minutes and gigabytes before a single manifest is parsed. The
// defaults are far beyond any real manifests folder. Pure values and messages.

export interface WalkLimits {
  /** Files and folders examined under the app path (manifests or not). */
  maxEntries: number;
  /** Folder nesting below the app path. */
  maxDepth: number;
  /** Bytes of a path from the walk's root (Linux's PATH_MAX is 4096). */
  maxPathBytes: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxEntries: 20_000, maxDepth: 64, maxPathBytes: 4096 };

export type WalkLimitCode = 'too-many-entries' | 'too-deep' | 'path-too-long';

/** The first limit that `path`, at `depth` and as the walk's `entries`-th entry, exceeds. */
export function exceededWalkLimit(
  limits: WalkLimits,
  path: string,
  depth: number,
  entries: number,
): { code: WalkLimitCode; message: string } | undefined {
  if (entries > limits.maxEntries) {
    return {
      code: 'too-many-entries',
      message: `more than ${limits.maxEntries} files and folders under the app path; the rest is not read (split the repository, or point the app's path at the manifests folder)`,
    };
  }
  if (depth > limits.maxDepth) {
    return {
      code: 'too-deep',
      message: `folder nested more than ${limits.maxDepth} levels deep; it is not read`,
    };
  }
  const bytes = Buffer.byteLength(path);
  if (bytes > limits.maxPathBytes) {
    return {
      code: 'path-too-long',
      message: `path is ${bytes} bytes, over the ${limits.maxPathBytes}-byte limit; it is not read`,
    };
  }
  return undefined;
}

/** A path as it may appear in a diagnostic: an over-long one is cut, keeping its end. */
export function displayPath(path: string, max = 200): string {
  return path.length <= max ? path : `…${path.slice(path.length - max)}`;
}
