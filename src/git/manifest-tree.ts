// The manifest tree walk: every manifest file (*.yaml, *.yml, *.json) under an app's path in a
// commit's tree, read from git objects. Size caps and symlinks are decided here: a file over the
// cap, or a symlink that leaves the app path, loops or dangles, becomes a diagnostic for that
// file, never an error of the whole read. A blob's size is read from its header, before it is
// inflated; the walk is bounded in entries, depth and path length (walk-limits). Shell (reads git objects), over pure path arithmetic
// (repo-paths).
import type { TreeEntry } from 'isomorphic-git';
import { decodeManifestText } from '../manifest/decode-text.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { ManifestFileSet } from './git-source.js';
import { readObjectSize } from './object-header.js';
import {
  lookupPath,
  type ObjectStore,
  readBlobBytes,
  readBlobText,
  readTreeEntries,
} from './object-store.js';
import {
  isInside,
  isManifestFileName,
  joinRepoPath,
  relativeToApp,
  resolveSymlinkTarget,
} from './repo-paths.js';
import { DEFAULT_WALK_LIMITS, displayPath, exceededWalkLimit, type WalkLimits } from './walk-limits.js';

const MAX_SYMLINK_HOPS = 8;
/** A symlink's target is a path: longer than PATH_MAX is not one. */
const MAX_SYMLINK_BYTES = 4096;

export interface ManifestTreeOptions {
  /** The app's folder (normalized; `` for the repository root). */
  appPath: string;
  /** Manifests larger than this are reported, not read. */
  maxFileBytes: number;
  /** Bounds on the walk (default DEFAULT_WALK_LIMITS). */
  limits?: WalkLimits;
}

/** The manifests under the app path of the commit whose root tree is `rootTree`. */
export async function readManifestTree(
  store: ObjectStore,
  commit: string,
  rootTree: string,
  opts: ManifestTreeOptions,
): Promise<ManifestFileSet> {
  const appTree = await lookupPath(store, rootTree, opts.appPath);
  const out: ManifestFileSet = { commit, files: [], diagnostics: [], appPathFound: appTree?.type === 'tree' };
  if (appTree?.type !== 'tree') return out;
  const walk = {
    store,
    rootTree,
    opts,
    out,
    limits: opts.limits ?? DEFAULT_WALK_LIMITS,
    entries: 0,
    stopped: false,
  };
  await walkManifests(walk, appTree.oid, opts.appPath, 0);
  out.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  out.diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return out;
}

interface Walk {
  store: ObjectStore;
  rootTree: string;
  opts: ManifestTreeOptions;
  out: ManifestFileSet;
  limits: WalkLimits;
  entries: number;
  stopped: boolean;
}

async function walkManifests(w: Walk, treeOid: string, dirPath: string, depth: number): Promise<void> {
  for (const entry of await readTreeEntries(w.store, treeOid)) {
    if (w.stopped) return;
    const repoPath = joinRepoPath(dirPath, entry.path);
    if (!withinLimits(w, repoPath, depth + (entry.type === 'tree' ? 1 : 0))) continue;
    if (entry.type === 'tree') {
      await walkManifests(w, entry.oid, repoPath, depth + 1);
      continue;
    }
    // Submodules (type commit) and non-manifest files are not the app's business.
    if (entry.type !== 'blob' || !isManifestFileName(entry.path)) continue;
    await readManifestEntry(w, entry, repoPath);
  }
}

/** One entry counted against the walk's limits; false (and a diagnostic) when it is over one. */
function withinLimits(w: Walk, repoPath: string, depth: number): boolean {
  w.entries++;
  const file = relativeToApp(w.opts.appPath, repoPath);
  const over = exceededWalkLimit(w.limits, file, depth, w.entries);
  if (!over) return true;
  if (over.code === 'too-many-entries') w.stopped = true;
  w.out.diagnostics.push(sourceDiagnostic(displayPath(file), `source.${over.code}`, over.message));
  return false;
}

/** One manifest blob (or symlink to one) into the set, or a diagnostic saying why not. */
async function readManifestEntry(w: Walk, entry: TreeEntry, repoPath: string): Promise<void> {
  const { appPath, maxFileBytes } = w.opts;
  const file = relativeToApp(appPath, repoPath);
  const target =
    entry.mode === '120000' ? await followSymlink(w.store, w.rootTree, appPath, repoPath) : entry;
  if ('problem' in target) {
    w.out.diagnostics.push(sourceDiagnostic(file, target.code, target.problem));
    return;
  }
  // The size from the object's header: a blob is never inflated to learn it is too large.
  const size = await readObjectSize(w.store, target.oid);
  if (size && 'problem' in size) {
    w.out.diagnostics.push(sourceDiagnostic(file, 'source.bad-object', size.problem));
    return;
  }
  if (size && size.size > maxFileBytes) {
    w.out.diagnostics.push(
      sourceDiagnostic(
        file,
        'source.file-too-large',
        `${file} is ${size.size} bytes, over the ${maxFileBytes}-byte limit for a manifest`,
      ),
    );
    return;
  }
  const blob = await readBlobBytes(w.store, target.oid, maxFileBytes);
  const decoded = decodeManifestText(file, blob);
  if ('diagnostic' in decoded) w.out.diagnostics.push(decoded.diagnostic);
  else w.out.files.push({ path: file, repoPath, text: decoded.text, blobId: target.oid });
}

/**
 * A symlink is followed only while every hop stays inside the app path; the link text is data
 * from the repository, so anything else (absolute, `..` out of the app, dangling) is reported.
 */
async function followSymlink(
  store: ObjectStore,
  rootTree: string,
  appPath: string,
  linkPath: string,
): Promise<TreeEntry | { code: string; problem: string }> {
  let path = linkPath;
  let entry = await lookupPath(store, rootTree, path);
  for (let hop = 0; entry && entry.mode === '120000'; hop++) {
    if (hop >= MAX_SYMLINK_HOPS) return { code: 'source.symlink-loop', problem: `symlink ${linkPath} loops` };
    const target = await readBlobText(store, entry.oid, MAX_SYMLINK_BYTES);
    const resolved = resolveSymlinkTarget(path, target);
    if (resolved === undefined || !isInside(appPath, resolved)) {
      return {
        code: 'source.symlink-escape',
        problem: `symlink ${relativeToApp(appPath, linkPath)} points outside the app path (${target}); it is not followed`,
      };
    }
    path = resolved;
    entry = await lookupPath(store, rootTree, path);
  }
  if (entry?.type !== 'blob') {
    return {
      code: 'source.symlink-dangling',
      problem: `symlink ${relativeToApp(appPath, linkPath)} does not point at a file in the commit`,
    };
  }
  return entry;
}

function sourceDiagnostic(file: string, code: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, document: 0, path: '', severity: 'error', code, message };
}
