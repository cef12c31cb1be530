// Reads of one repository's git objects (trees and blobs) through isomorphic-git, shared by the
// sources, the manifest tree walk and the writer. Every read checks the object's size from its
// header first (object-header): isomorphic-git inflates an object whole, so a small commit can
// hold a blob or tree that inflates to gigabytes. Shell (filesystem, injected as `fs`).
import git, { type TreeEntry } from 'isomorphic-git';
import { GitError } from './errors.js';
import { type ObjectStore, readObjectSize } from './object-header.js';

export type { ObjectStore };

/** Trees, commits and tags larger than this are refused (a tree of 16 MiB names ~200,000 entries). */
export const MAX_METADATA_OBJECT_BYTES = 16 * 1024 * 1024;
/** Blobs larger than this are refused by the readers that do not pass their own cap. */
export const MAX_BLOB_BYTES = 64 * 1024 * 1024;

/**
 * Throws git.object-too-large when `oid`'s header says it is over `maxBytes` (or the header
 * cannot be read); returns its size, or undefined when the object is not in the store.
 */
export async function checkObjectSize(
  store: ObjectStore,
  oid: string,
  maxBytes: number,
): Promise<number | undefined> {
  const size = await readObjectSize(store, oid);
  if (size === undefined) return undefined;
  if ('problem' in size) {
    throw new GitError('git.object-too-large', `${size.problem}; it is not read`, {
      hint: 'the repository is damaged or hostile; repair or re-clone it',
    });
  }
  if (size.size > maxBytes) {
    throw new GitError(
      'git.object-too-large',
      `object ${oid} is ${size.size} bytes, over the ${maxBytes}-byte limit; it is not read`,
      { hint: 'remove the large file from the history the app reads, or move it out of the repository' },
    );
  }
  return size.size;
}

export async function readTreeEntries(store: ObjectStore, oid: string): Promise<TreeEntry[]> {
  const { fs, gitdir, cache } = store;
  await checkObjectSize(store, oid, MAX_METADATA_OBJECT_BYTES);
  return (await git.readTree({ fs, gitdir, oid, cache })).tree;
}

export async function readBlobBytes(
  store: ObjectStore,
  oid: string,
  maxBytes = MAX_BLOB_BYTES,
): Promise<Uint8Array> {
  const { fs, gitdir, cache } = store;
  await checkObjectSize(store, oid, maxBytes);
  return (await git.readBlob({ fs, gitdir, oid, cache })).blob;
}

export async function readBlobText(
  store: ObjectStore,
  oid: string,
  maxBytes = MAX_BLOB_BYTES,
): Promise<string> {
  return Buffer.from(await readBlobBytes(store, oid, maxBytes)).toString('utf8');
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

/** A commit object's content (without the `commit <size>\0` header), size-checked first. */
export async function readCommitContent(store: ObjectStore, oid: string): Promise<Uint8Array> {
  await checkObjectSize(store, oid, MAX_METADATA_OBJECT_BYTES);
  const obj = await git.readObject({
    fs: store.fs,
    gitdir: store.gitdir,
    oid,
    format: 'content',
    cache: store.cache,
  });
  if (obj.type !== 'commit' || !(obj.object instanceof Uint8Array))
    throw new GitError('git.object-not-found', `${oid.slice(0, 7)} is a ${obj.type}, not a commit`);
  return obj.object;
}
