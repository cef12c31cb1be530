// Reads of one repository's git objects (trees and blobs) through isomorphic-git, shared by the
// sources, the manifest tree walk and the writer. Shell (filesystem, injected as `fs`).
import type * as NodeFs from 'node:fs';
import git, { type TreeEntry } from 'isomorphic-git';

/** Where a repository's objects are, and isomorphic-git's object cache (pack indexes) for them. */
export interface ObjectStore {
  readonly fs: typeof NodeFs;
  readonly gitdir: string;
  readonly cache: object;
}

export async function readTreeEntries(store: ObjectStore, oid: string): Promise<TreeEntry[]> {
  const { fs, gitdir, cache } = store;
  return (await git.readTree({ fs, gitdir, oid, cache })).tree;
}

export async function readBlobBytes(store: ObjectStore, oid: string): Promise<Uint8Array> {
  const { fs, gitdir, cache } = store;
  return (await git.readBlob({ fs, gitdir, oid, cache })).blob;
}

export async function readBlobText(store: ObjectStore, oid: string): Promise<string> {
  return Buffer.from(await readBlobBytes(store, oid)).toString('utf8');
}

/** The tree entry (blob or tree) at `repoPath` under tree `treeOid`, or undefined. */
export async function lookupPath(
  store: ObjectStore,
  treeOid: string,
  repoPath: string,
): Promise<TreeEntry | undefined> {
  let entry: TreeEntry = { mode: '040000', path: '', oid: treeOid, type: 'tree' };
  for (const part of repoPath.split('/').filter((p) => p !== '')) {
    if (entry.type !== 'tree') return undefined;
    const next = (await readTreeEntries(store, entry.oid)).find((e) => e.path === part);
    if (!next) return undefined;
    entry = next;
  }
  return entry;
}
