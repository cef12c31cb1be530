// What the remote and the local git source share: one app's repository read from its git objects
// (the head the revision points at and how it moved, the manifests at a commit, commits by the
// names users give them), the previous head persisted across restarts, and one operation at a
// time. The subclasses say only where the objects are and how the revision's tip is found
// (fetched from a remote, or read from a repository on disk). Shell (filesystem).
import type * as NodeFs from 'node:fs';
import { dirname, join } from 'node:path';
import git, { type ReadCommitResult, type TreeEntry } from 'isomorphic-git';
import { ensurePrivateDir, writeFileAtomic } from '../state-dir/private-files.js';
import { GitError } from './errors.js';
import { scrubError } from './failure.js';
import {
  type CommitInfo,
  type CommitPerson,
  classifyHeadChange,
  DEFAULT_MAX_MANIFEST_BYTES,
  type GitSource,
  type GitSourceDeps,
  type GitSourceSpec,
  type HeadResolution,
  type ManifestFileSet,
  type RevisionTip,
} from './git-source.js';
import { readManifestTree } from './manifest-tree.js';
import {
  checkObjectSize,
  lookupPath,
  MAX_METADATA_OBJECT_BYTES,
  type ObjectStore,
  readBlobText,
  readCommitContent,
} from './object-store.js';
import { normalizeAppPath } from './repo-paths.js';
import { ambiguousRevision } from './revision-fetch.js';

export abstract class RepoSource implements GitSource, ObjectStore {
  abstract readonly kind: 'remote' | 'local';
  /** Where git objects are read from and written to (the cache, or the local repository). */
  abstract readonly gitdir: string;
  /** Remote URL without credentials, or the local path: safe for logs and status. */
  abstract get displayURL(): string;
  readonly app: string;
  readonly appPath: string;
  readonly spec: GitSourceSpec;
  readonly fs: typeof NodeFs;
  /** isomorphic-git's object cache (pack indexes), shared by this source's reads. */
  readonly cache: object = {};
  private readonly maxFileBytes: number;
  private readonly headFile: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(spec: GitSourceSpec, deps: GitSourceDeps) {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(spec.app)) {
      throw new GitError('git.config', `app name ${JSON.stringify(spec.app)} is not a safe folder name`, {
        hint: 'use letters, digits, dot, dash and underscore',
      });
    }
    this.spec = spec;
    this.app = spec.app;
    try {
      this.appPath = normalizeAppPath(spec.path);
    } catch (cause) {
      throw new GitError('git.config', `app path ${spec.path} leaves the repository`, {
        subject: `app/${spec.app}`,
        cause,
      });
    }
    this.fs = deps.fs;
    this.maxFileBytes = deps.maxFileBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.headFile = join(deps.stateDir, 'repos', `${spec.app}.head`);
  }

  /**
   * Fetch (remote) or read (local) the revision's tip without recording it as seen by
   * resolveHead(). Only for use inside exclusive() (the git-writing operations).
   */
  abstract fetchRevisionUnlocked(): Promise<RevisionTip>;

  /** The refs a branch or tag name given by a user may be stored under, most likely first. */
  protected abstract refCandidates(name: string): string[];

  /** Working tree of a local non-bare repository, if any. */
  get workdir(): string | undefined {
    return undefined;
  }

  get subject(): string {
    return `app/${this.app}`;
  }

  /** Runs `fn` when no other operation of this source is running (fetches and writes never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  resolveHead(): Promise<HeadResolution> {
    return this.exclusive(async () => {
      const { commit } = await this.fetchRevisionUnlocked();
      const previous = await this.readPreviousHead();
      let descends = false;
      if (previous !== null && previous !== commit) {
        descends = await git
          .isDescendent({
            fs: this.fs,
            gitdir: this.gitdir,
            oid: commit,
            ancestor: previous,
            depth: -1,
            cache: this.cache,
          })
          .catch(() => false);
      }
      const change = classifyHeadChange(previous, commit, descends);
      if (change !== 'unchanged') await this.writePreviousHead(commit);
      return { commit, previous, change };
    });
  }

  /**
   * Where the revision points now, without recording it as seen: a look (`skiff plan`) never
   * moves the head resolveHead() compares against, so the daemon still sees how its branch
   * moved (a force-push stays `rewritten`).
   */
  peekHead(): Promise<string> {
    return this.exclusive(async () => (await this.fetchRevisionUnlocked()).commit);
  }

  async cachedHead(): Promise<string | null> {
    return this.readPreviousHead();
  }

  async readManifestFiles(commit: string): Promise<ManifestFileSet> {
    const { commit: c } = await this.readCommitObject(commit);
    return readManifestTree(this, commit, c.tree, { appPath: this.appPath, maxFileBytes: this.maxFileBytes });
  }

  async log(n: number, from?: string): Promise<CommitInfo[]> {
    const start = from ?? (await this.requireCachedHead());
    try {
      const entries = await git.log({
        fs: this.fs,
        gitdir: this.gitdir,
        ref: start,
        depth: n,
        cache: this.cache,
      });
      return entries.map(toCommitInfo);
    } catch (cause) {
      throw this.objectNotFound(start, cause);
    }
  }

  async commitInfo(sha: string): Promise<CommitInfo> {
    return toCommitInfo(await this.readCommitObject(sha));
  }

  /**
   * A commit named the way users name them: a full or abbreviated sha, `HEAD` (the last
   * resolved head), the app's own revision, another branch or tag known locally, with optional
   * `~N` / `^` suffixes (first parents). No network.
   */
  async resolveCommit(rev: string): Promise<string> {
    const m = /^(.*?)((?:~\d*|\^)*)$/.exec(rev.trim());
    const base = m?.[1] ?? rev;
    const suffix = m?.[2] ?? '';
    let sha = await this.resolveBase(base);
    for (const step of suffix.match(/~\d*|\^/g) ?? []) {
      const count = step === '^' || step === '~' ? 1 : Number(step.slice(1));
      for (let i = 0; i < count; i++) {
        const parent = (await this.readCommitObject(sha)).commit.parent[0];
        if (!parent) throw this.objectNotFound(rev, new Error(`${sha} has no parent`));
        sha = parent;
      }
    }
    return sha;
  }

  /** The tree entry (blob or tree) at `repoPath` in `commit`, or undefined. */
  async entryAt(commit: string, repoPath: string): Promise<TreeEntry | undefined> {
    const { commit: c } = await this.readCommitObject(commit);
    return lookupPath(this, c.tree, repoPath);
  }

  /** The text of the blob at `repoPath` in `commit`, or undefined when there is no file there. */
  async readTextAt(commit: string, repoPath: string): Promise<string | undefined> {
    const entry = await this.entryAt(commit, repoPath);
    if (entry?.type !== 'blob') return undefined;
    return this.readBlobText(entry.oid);
  }

  readBlobText(oid: string): Promise<string> {
    return readBlobText(this, oid);
  }

  /**
   * Records that the repository holds `commit` (after a fetch, or the writer's own push) so the
   * next fetch negotiates from it. It does not move the head seen by resolveHead(): a pushed
   * commit still shows up as new there. Nothing to record for a repository read in place.
   */
  async markFetched(_commit: string): Promise<void> {}

  /**
   * The commit of any revision the repository has (`skiff plan --rev`): for a repository on disk
   * what resolveCommit reads; the remote source fetches the revision on demand.
   */
  fetchRevision(rev: string): Promise<string> {
    return this.resolveCommit(rev);
  }

  /** The commit an oid just fetched for `rev` points at (a tag peeled). */
  async peelFetched(oid: string, rev: string): Promise<string> {
    try {
      return await this.peelToCommit(oid);
    } catch (err) {
      if (!(err instanceof GitError) || err.code !== 'git.ref-not-found') throw err;
      throw new GitError('git.ref-not-found', `revision ${rev} does not point at a commit`, {
        subject: this.subject,
        hint: 'name a branch, a tag of a commit, or a commit SHA',
      });
    }
  }

  protected async peelToCommit(oid: string): Promise<string> {
    let current = oid;
    for (let i = 0; i < 5; i++) {
      await checkObjectSize(this, current, MAX_METADATA_OBJECT_BYTES);
      const obj = await git.readObject({ fs: this.fs, gitdir: this.gitdir, oid: current, cache: this.cache });
      if (obj.type === 'commit') return current;
      if (obj.type !== 'tag') break;
      current = (await git.readTag({ fs: this.fs, gitdir: this.gitdir, oid: current, cache: this.cache })).tag
        .object;
    }
    throw new GitError('git.ref-not-found', `revision ${this.spec.revision} does not point at a commit`, {
      subject: this.subject,
    });
  }

  private async resolveBase(base: string): Promise<string> {
    if (base === 'HEAD' || base === '' || base === this.spec.revision) return this.requireCachedHead();
    if (/^[0-9a-f]{40}$/i.test(base)) {
      await this.readCommitObject(base);
      return base.toLowerCase();
    }
    for (const ref of this.refCandidates(base)) {
      try {
        return await this.peelToCommit(await git.resolveRef({ fs: this.fs, gitdir: this.gitdir, ref }));
      } catch {
        // try the next spelling
      }
    }
    if (/^[0-9a-f]{4,39}$/i.test(base)) return this.expandCommitOid(base);
    throw this.objectNotFound(base, undefined);
  }

  /** A short SHA to the one commit it abbreviates; other objects sharing the prefix do not count
   *  (git's `^{commit}` disambiguation), two commits are an error naming both. */
  private async expandCommitOid(short: string): Promise<string> {
    const oid = short.toLowerCase();
    try {
      return await git.expandOid({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.cache });
    } catch (cause) {
      const matches = (cause as { code?: string; data?: { matches?: string[] } }).data?.matches;
      if ((cause as { code?: string }).code !== 'AmbiguousError' || !matches)
        throw this.objectNotFound(short, cause);
      const commits: string[] = [];
      for (const m of matches) if (await this.isCommit(m)) commits.push(m);
      if (commits.length === 1) return commits[0]!;
      if (commits.length === 0) throw this.objectNotFound(short, cause);
      throw ambiguousRevision(this.subject, short, commits.sort());
    }
  }

  private async isCommit(oid: string): Promise<boolean> {
    try {
      await readCommitContent(this, oid);
      return true;
    } catch {
      return false;
    }
  }

  private async requireCachedHead(): Promise<string> {
    const head = await this.readPreviousHead();
    if (head === null) {
      throw new GitError('git.object-not-found', `${this.spec.revision} has not been fetched yet`, {
        subject: this.subject,
        retryable: true,
        hint: 'the first fetch has not succeeded yet',
      });
    }
    return head;
  }

  private async readCommitObject(oid: string): Promise<ReadCommitResult> {
    try {
      await checkObjectSize(this, oid, MAX_METADATA_OBJECT_BYTES);
      return await git.readCommit({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.cache });
    } catch (cause) {
      if (cause instanceof GitError) throw cause;
      throw this.objectNotFound(oid, cause);
    }
  }

  private objectNotFound(what: string, cause: unknown): GitError {
    return new GitError('git.object-not-found', `commit ${what} is not known in ${this.displayURL}`, {
      subject: this.subject,
      cause: cause === undefined ? undefined : scrubError(cause),
      hint: 'fetch first, or check the revision name',
    });
  }

  private async readPreviousHead(): Promise<string | null> {
    try {
      const text = (await this.fs.promises.readFile(this.headFile, 'utf8')).trim();
      return /^[0-9a-f]{40}$/.test(text) ? text : null;
    } catch {
      return null;
    }
  }

  private async writePreviousHead(commit: string): Promise<void> {
    ensurePrivateDir(dirname(this.headFile));
    // A fresh temp name, never a fixed one a planted link could redirect; a crash never leaves
    // a torn file.
    writeFileAtomic(this.headFile, `${commit}\n`);
  }
}

function toPerson(p: {
  name: string;
  email: string;
  timestamp: number;
  timezoneOffset: number;
}): CommitPerson {
  return {
    name: p.name,
    email: p.email,
    at: p.timestamp * 1000,
    utcOffsetMinutes: p.timezoneOffset === 0 ? 0 : -p.timezoneOffset,
  };
}

function toCommitInfo(r: ReadCommitResult): CommitInfo {
  const message = r.commit.message.replace(/\n+$/, '');
  return {
    sha: r.oid,
    parents: r.commit.parent,
    author: toPerson(r.commit.author),
    committer: toPerson(r.commit.committer),
    message,
    subject: message.split('\n', 1)[0] ?? '',
  };
}
