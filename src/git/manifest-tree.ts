// The manifest tree walk: every manifest file (*.yaml, *.yml, *.json) under an app's path in a
// commit's tree, read from git objects. Size caps and symlinks are decided here: a file over the
// cap, or a symlink that leaves the app path, loops or dangles, becomes a diagnostic for that
// file, never an error of the whole read. Shell (reads git objects), over pure path arithmetic
// (repo-paths).
import type { TreeEntry } from 'isomorphic-git';
import { decodeManifestText } from '../manifest/decode-text.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { ManifestFileSet } from './git-source.js';
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

const MAX_SYMLINK_HOPS = 8;

export interface ManifestTreeOptions {
  /** The app's folder (normalized; `` for the repository root). */
  appPath: string;
  /** Manifests larger than this are reported, not read. */
  maxFileBytes: number;
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
  await walkManifests({ store, rootTree, opts, out }, appTree.oid, opts.appPath);
  out.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  out.diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return out;
}

interface Walk {
  store: ObjectStore;
  rootTree: string;
  opts: ManifestTreeOptions;
  out: ManifestFileSet;
}

async function walkManifests(w: Walk, treeOid: string, dirPath: string): Promise<void> {
  for (const entry of await readTreeEntries(w.store, treeOid)) {
    const repoPath = joinRepoPath(dirPath, entry.path);
    if (entry.type === 'tree') {
      await walkManifests(w, entry.oid, repoPath);
      continue;
    }
    // Submodules (type commit) and non-manifest files are not the app's business.
    if (entry.type !== 'blob' || !isManifestFileName(entry.path)) continue;
    await readManifestEntry(w, entry, repoPath);
  }
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
  const blob = await readBlobBytes(w.store, target.oid);
  if (blob.byteLength > maxFileBytes) {
    w.out.diagnostics.push(
      sourceDiagnostic(
        file,
        'source.file-too-large',
        `${file} is ${blob.byteLength} bytes, over the ${maxFileBytes}-byte limit for a manifest`,
      ),
    );
    return;
  }
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
    const target = await readBlobText(store, entry.oid);
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
