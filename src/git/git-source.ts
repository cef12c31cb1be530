// The git source port: what the daemon (tracker, rollout guard, poller) and the CLI need from
// one app's repository (which commit its revision points at now, what the manifests say at a
// commit, who made a commit), and the plain values it answers with. Two implementations:
// RemoteGitSource (an HTTP(S) remote mirrored into the state directory) and LocalGitSource (a
// repository on disk, read in place); openGitSource picks one from the repoURL.
//
// Invariants every implementation keeps:
// - A failed fetch throws a typed GitError and changes nothing: the previously fetched commit
//   stays readable, so the daemon keeps serving the last good commit.
// - A branch that moved to a commit that does not descend from the previous head (force-push,
//   reset) is followed, and reported as `change: 'rewritten'` so the daemon can say so.
// - Manifests are read from git objects (no checkout, so a half-written working tree is never
//   seen), under the app path only.
import type * as NodeFs from 'node:fs';
import type { HttpClient } from 'isomorphic-git';
import type { Diagnostic } from '../model/diagnostics.js';
import type { FetchLimits } from './bounded-fetch.js';
import type { GitAuthSpec, SecretReader } from './credentials.js';

export interface GitSourceSpec {
  /** The skiff app this source feeds; names the cache folder and every error's subject. */
  app: string;
  /** `http(s)://…` (credentials from `auth`, never inline in config) or a local repository path. */
  repoURL: string;
  /** Branch or tag name (or a full ref such as `refs/heads/main`). */
  revision: string;
  /** Folder inside the repository holding the app's manifests (`` or `.` for the root). */
  path: string;
  auth?: GitAuthSpec;
}

export interface GitSourceDeps {
  fs: typeof NodeFs;
  /** isomorphic-git's HTTP client (`isomorphic-git/http/node` in production). */
  http: HttpClient;
  /** skiff's state directory; remote repositories are mirrored in `<stateDir>/repos/<app>`. */
  stateDir: string;
  /** Where credentials are read from (default: process.env and the filesystem). */
  secrets?: SecretReader;
  /** Manifests larger than this are reported, not read (default 1 MiB). */
  maxFileBytes?: number;
  /** Socket inactivity timeout for each HTTP request (default 30 s). */
  requestTimeoutMs?: number;
  /** Bounds on one fetch: bytes, time, object size (default DEFAULT_FETCH_LIMITS). */
  fetchLimits?: Partial<FetchLimits>;
}

export type HeadChange = 'initial' | 'unchanged' | 'fast-forward' | 'rewritten';

export interface HeadResolution {
  /** The commit the revision points at now. */
  commit: string;
  /** The commit it pointed at on the previous resolution (persisted across restarts). */
  previous: string | null;
  change: HeadChange;
}

export interface ManifestFile {
  /** Path relative to the app's path (what diagnostics and SourceLocation.file use). */
  path: string;
  /** Path from the repository root (what the git-writing operations edit). */
  repoPath: string;
  text: string;
  /** Git blob id of the content: equal ids mean equal bytes, so validation can be cached by it. */
  blobId: string;
}

export interface ManifestFileSet {
  commit: string;
  files: ManifestFile[];
  /** Files that could not be read as manifests (symlink escaping the app path, too large, ...). */
  diagnostics: Diagnostic[];
  /** False when the commit has no folder at the app's path (a wrong path, a moved folder). */
  appPathFound: boolean;
}

export interface CommitPerson {
  name: string;
  email: string;
  /** ms since epoch. */
  at: number;
  /** Minutes east of UTC, as git records it (git stores the sign inverted; this is not). */
  utcOffsetMinutes: number;
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  author: CommitPerson;
  committer: CommitPerson;
  /** Full message, trailing newline removed. */
  message: string;
  /** First line of the message. */
  subject: string;
}

/** Pure: what a move of the revision from `previous` to `next` means. */
export function classifyHeadChange(
  previous: string | null,
  next: string,
  nextDescendsFromPrevious: boolean,
): HeadChange {
  if (previous === null) return 'initial';
  if (previous === next) return 'unchanged';
  return nextDescendsFromPrevious ? 'fast-forward' : 'rewritten';
}

export interface RevisionTip {
  commit: string;
  /** `refs/heads/<branch>` or `refs/tags/<tag>`: the git-writing operations only push to branches. */
  fullRef: string;
}

export const DEFAULT_MAX_MANIFEST_BYTES = 1024 * 1024;

/** The part of a source that admission needs: the head, and the manifests at a commit. */
export interface ManifestSource {
  resolveHead(): Promise<{ commit: string; previous: string | null; change: string }>;
  readManifestFiles(commit: string): Promise<ManifestFileSet>;
  /** Author and message of a commit (status shows them); a source without history omits it. */
  commitInfo?(sha: string): Promise<CommitInfo>;
}

/** One app's repository, as the daemon and the CLI read it. */
export interface GitSource extends ManifestSource {
  /** The skiff app this source feeds. */
  readonly app: string;
  readonly kind: 'remote' | 'local';
  /** `app/<name>`: the subject of every error. */
  readonly subject: string;
  /** Remote URL without credentials, or the local path: safe for logs and status. */
  readonly displayURL: string;
  /**
   * Fetch (remote) or read (local) the revision and say where it points now and how it moved.
   * Throws GitError: `git.unreachable` (retryable), `git.auth`, `git.repo-not-found`,
   * `git.ref-not-found`, `git.credentials`. Nothing is changed when it throws.
   */
  resolveHead(): Promise<HeadResolution>;
  /** The commit of the last successful resolveHead(), without touching the network. */
  cachedHead(): Promise<string | null>;
  /** Every manifest (*.yaml, *.yml, *.json) under the app path at `commit`, read from git objects. */
  readManifestFiles(commit: string): Promise<ManifestFileSet>;
  commitInfo(sha: string): Promise<CommitInfo>;
  /** Up to `n` commits, newest first, from `from` (default: the last resolved head). */
  log(n: number, from?: string): Promise<CommitInfo[]>;
  /** A commit named the way users name them (sha, abbreviation, HEAD, branch, tag, `~N`, `^`). No network. */
  resolveCommit(rev: string): Promise<string>;
}
