// One app's repository source: where its manifests live (an HTTP(S) remote mirrored into a bare
// cache under the state directory, or a local repository read in place), which commit the app's
// revision points at now, and what the manifests say at a commit, read straight from git objects
// (no checkout, so a half-written working tree is never seen). Shell: network and filesystem,
// both injected (`fs`, `http`) as isomorphic-git does.
//
// Invariants:
// - A failed fetch throws a typed GitError and changes nothing: the previously fetched commit and
//   its objects stay in the cache, so the daemon keeps serving the last good commit.
// - A branch that moved to a commit that does not descend from the previous head (force-push,
//   reset) is followed, and reported as `change: 'rewritten'` so the daemon can say so.
// - Operations on one source are serialized (one fetch or write at a time).
import type * as NodeFs from 'node:fs';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import git, { type HttpClient, type ReadCommitResult, type TreeEntry } from 'isomorphic-git';
import type { Diagnostic } from '../model/diagnostics.js';
import { type GitAuthSpec, resolveGitAuth, type SecretReader } from './credentials.js';
import { GitError, redactUrl } from './errors.js';
import { classifyRemoteFailure, scrubError } from './failure.js';
import {
  isInside,
  isManifestFileName,
  joinRepoPath,
  normalizeAppPath,
  relativeToApp,
  resolveSymlinkTarget,
} from './repo-paths.js';

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
/** Our own ref in the cache: keeps the last fetched commit reachable and seeds fetch's "haves". */
const LAST_FETCHED_REF = 'refs/skiff/last-fetched';
const MAX_SYMLINK_HOPS = 8;

interface RepoLocation {
  kind: 'remote' | 'local';
  gitdir: string;
  /** Working tree of a local non-bare repository (undefined for bare repos and the cache). */
  dir?: string;
  url?: string;
}

export class GitSource {
  readonly app: string;
  readonly appPath: string;
  readonly spec: GitSourceSpec;
  readonly kind: 'remote' | 'local';
  readonly fs: typeof NodeFs;
  private readonly http: HttpClient;
  private readonly secrets: SecretReader;
  private readonly maxFileBytes: number;
  private readonly location: RepoLocation;
  private readonly headFile: string;
  /** isomorphic-git's object cache (pack indexes), shared by this source's reads. */
  readonly cache: object = {};
  private queue: Promise<unknown> = Promise.resolve();
  private cacheReady = false;

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
    const timeout = deps.requestTimeoutMs ?? 30_000;
    // Without a timeout a silently dropped connection would hang the poller forever.
    this.http = {
      request: (req) => deps.http.request({ ...req, fetchOptions: { ...req.fetchOptions, timeout } }),
    };
    this.secrets = deps.secrets ?? {
      env: process.env,
      readFile: (p) => deps.fs.promises.readFile(p, 'utf8'),
    };
    this.maxFileBytes = deps.maxFileBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    const reposDir = join(deps.stateDir, 'repos');
    this.headFile = join(reposDir, `${spec.app}.head`);
    if (/^https?:\/\//i.test(spec.repoURL)) {
      this.kind = 'remote';
      this.location = { kind: 'remote', gitdir: join(reposDir, spec.app), url: spec.repoURL };
    } else {
      this.kind = 'local';
      this.location = findLocalRepo(deps.fs, resolvePath(spec.repoURL.replace(/^file:\/\//, '')));
    }
  }

  get subject(): string {
    return `app/${this.app}`;
  }

  /** Remote URL without credentials, or the local path: safe for logs and status. */
  get displayURL(): string {
    return this.location.url ? redactUrl(this.location.url) : (this.location.dir ?? this.location.gitdir);
  }

  /** Where git objects are read from and written to (the cache, or the local repository). */
  get gitdir(): string {
    return this.location.gitdir;
  }

  /** Working tree of a local non-bare repository, if any. */
  get workdir(): string | undefined {
    return this.location.dir;
  }

  /** Runs `fn` when no other operation of this source is running (fetches and writes never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Fetch (remote) or read (local) the revision and say where it points now and how it moved.
   * Throws GitError: `git.unreachable` (retryable), `git.auth`, `git.repo-not-found`,
   * `git.ref-not-found`, `git.credentials`. Nothing is changed when it throws.
   */
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

  /** The commit of the last successful resolveHead(), without touching the network. */
  async cachedHead(): Promise<string | null> {
    return this.readPreviousHead();
  }

  /** Every manifest (*.yaml, *.yml, *.json) under the app path at `commit`, read from git objects. */
  async readManifestFiles(commit: string): Promise<ManifestFileSet> {
    const { commit: c } = await this.readCommitObject(commit);
    const appTree = await this.lookupPath(c.tree, this.appPath);
    const out: ManifestFileSet = {
      commit,
      files: [],
      diagnostics: [],
      appPathFound: appTree?.type === 'tree',
    };
    if (appTree?.type !== 'tree') return out;
    await this.walkManifests(c.tree, appTree.oid, this.appPath, out);
    out.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    out.diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return out;
  }

  /** Up to `n` commits, newest first, from `from` (default: the last resolved head). */
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
    return this.lookupPath(c.tree, repoPath);
  }

  /** The text of the blob at `repoPath` in `commit`, or undefined when there is no file there. */
  async readTextAt(commit: string, repoPath: string): Promise<string | undefined> {
    const entry = await this.entryAt(commit, repoPath);
    if (entry?.type !== 'blob') return undefined;
    return this.readBlobText(entry.oid);
  }

  async readBlobText(oid: string): Promise<string> {
    const { blob } = await git.readBlob({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.cache });
    return Buffer.from(blob).toString('utf8');
  }

  /** The auth answer for this source (reads the env var or file now), plus the secrets to scrub. */
  async authHeaders(): Promise<{ headers: Record<string, string>; secrets: string[] }> {
    const auth = await resolveGitAuth(this.spec.auth, this.secrets, this.subject);
    if (!auth?.username && !auth?.password) return { headers: {}, secrets: [] };
    const basic = Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
    return { headers: { Authorization: `Basic ${basic}` }, secrets: [auth.password ?? '', basic] };
  }

  /** The HTTP client with this source's timeout (for the writer's pushes). */
  get httpClient(): HttpClient {
    return this.http;
  }

  async ensureCache(): Promise<void> {
    if (this.kind !== 'remote' || this.cacheReady) return;
    const gitdir = this.gitdir;
    if (!this.fs.existsSync(join(gitdir, 'HEAD'))) {
      await this.fs.promises.mkdir(gitdir, { recursive: true });
      await git.init({ fs: this.fs, gitdir, bare: true, defaultBranch: 'main' });
    }
    // fetch needs a remote with a refspec to name its remote-tracking refs; force keeps the URL
    // in step with the config.
    await git.addRemote({ fs: this.fs, gitdir, remote: 'origin', url: this.location.url!, force: true });
    this.cacheReady = true;
  }

  /**
   * Records that the cache holds `commit` (after a fetch, or the writer's own push) so the next
   * fetch negotiates from it. It does not move the head seen by resolveHead(): a pushed commit
   * still shows up as new there.
   */
  async markFetched(commit: string): Promise<void> {
    if (this.kind === 'remote') {
      await git.writeRef({
        fs: this.fs,
        gitdir: this.gitdir,
        ref: LAST_FETCHED_REF,
        value: commit,
        force: true,
      });
    }
  }

  /**
   * Fetch (remote) or read (local) the revision's tip without recording it as seen by
   * resolveHead(). Only for use inside exclusive() (the git-writing operations).
   */
  async fetchRevisionUnlocked(): Promise<RevisionTip> {
    return this.kind === 'remote' ? this.fetchRemote() : this.readLocalRevision();
  }

  private async fetchRemote(): Promise<RevisionTip> {
    await this.ensureCache();
    const url = this.location.url!;
    const { headers, secrets } = await this.authHeaders();
    const ctx = { subject: this.subject, url, revision: this.spec.revision, secrets };
    let fetched: string | null;
    let description: string | null = null;
    try {
      const res = await git.fetch({
        fs: this.fs,
        http: this.http,
        gitdir: this.gitdir,
        url,
        // Our own ref names what we already have, so each fetch only transfers what is new.
        ref: LAST_FETCHED_REF,
        remoteRef: this.spec.revision,
        singleBranch: true,
        tags: false,
        headers,
        cache: this.cache,
      });
      fetched = res.fetchHead;
      description = res.fetchHeadDescription;
    } catch (err) {
      throw classifyRemoteFailure(err, ctx);
    }
    if (!fetched) {
      throw new GitError('git.ref-not-found', `${redactUrl(url)} has no commits yet`, {
        subject: this.subject,
        hint: `push a first commit to ${this.spec.revision}`,
      });
    }
    const commit = await this.peelToCommit(fetched);
    await this.markFetched(commit);
    // isomorphic-git describes what it fetched as "branch 'main' of URL" or "tag 'v1' of URL".
    const m = /^(branch|tag) '([^']+)'/.exec(description ?? '');
    const name = m?.[2] ?? this.spec.revision.replace(/^refs\/(heads|tags)\//, '');
    return { commit, fullRef: m?.[1] === 'tag' ? `refs/tags/${name}` : `refs/heads/${name}` };
  }

  private async readLocalRevision(): Promise<RevisionTip> {
    if (!this.fs.existsSync(join(this.gitdir, 'HEAD'))) {
      throw new GitError('git.repo-not-found', `no git repository at ${this.spec.repoURL}`, {
        subject: this.subject,
        hint: 'check repoURL (a local path must be a git repository or its .git folder)',
      });
    }
    let oid: string;
    let fullRef: string;
    try {
      fullRef = await git.expandRef({ fs: this.fs, gitdir: this.gitdir, ref: this.spec.revision });
      oid = await git.resolveRef({ fs: this.fs, gitdir: this.gitdir, ref: fullRef });
    } catch (err) {
      throw new GitError(
        'git.ref-not-found',
        `revision ${this.spec.revision} does not exist in ${this.spec.repoURL}`,
        {
          subject: this.subject,
          cause: scrubError(err),
          hint: 'the branch or tag was deleted or renamed; the last good commit stays live',
        },
      );
    }
    return { commit: await this.peelToCommit(oid), fullRef };
  }

  private async peelToCommit(oid: string): Promise<string> {
    let current = oid;
    for (let i = 0; i < 5; i++) {
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
    const candidates =
      this.kind === 'remote' ? [`refs/remotes/origin/${base}`, `refs/tags/${base}`, base] : [base];
    for (const ref of candidates) {
      try {
        return await this.peelToCommit(await git.resolveRef({ fs: this.fs, gitdir: this.gitdir, ref }));
      } catch {
        // try the next spelling
      }
    }
    if (/^[0-9a-f]{4,39}$/i.test(base)) {
      try {
        return await git.expandOid({
          fs: this.fs,
          gitdir: this.gitdir,
          oid: base.toLowerCase(),
          cache: this.cache,
        });
      } catch (cause) {
        throw this.objectNotFound(base, cause);
      }
    }
    throw this.objectNotFound(base, undefined);
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
      return await git.readCommit({ fs: this.fs, gitdir: this.gitdir, oid, cache: this.cache });
    } catch (cause) {
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

  private async lookupPath(treeOid: string, repoPath: string): Promise<TreeEntry | undefined> {
    let entry: TreeEntry = { mode: '040000', path: '', oid: treeOid, type: 'tree' };
    for (const part of repoPath.split('/').filter((p) => p !== '')) {
      if (entry.type !== 'tree') return undefined;
      const { tree } = await git.readTree({
        fs: this.fs,
        gitdir: this.gitdir,
        oid: entry.oid,
        cache: this.cache,
      });
      const next = tree.find((e) => e.path === part);
      if (!next) return undefined;
      entry = next;
    }
    return entry;
  }

  private async walkManifests(rootTree: string, treeOid: string, dirPath: string, out: ManifestFileSet) {
    const { tree } = await git.readTree({
      fs: this.fs,
      gitdir: this.gitdir,
      oid: treeOid,
      cache: this.cache,
    });
    for (const entry of tree) {
      const repoPath = joinRepoPath(dirPath, entry.path);
      if (entry.type === 'tree') {
        await this.walkManifests(rootTree, entry.oid, repoPath, out);
        continue;
      }
      // Submodules (type commit) and non-manifest files are not the app's business.
      if (entry.type !== 'blob' || !isManifestFileName(entry.path)) continue;
      const file = relativeToApp(this.appPath, repoPath);
      const target = entry.mode === '120000' ? await this.followSymlink(rootTree, repoPath) : entry;
      if ('problem' in target) {
        out.diagnostics.push(sourceDiagnostic(file, target.code, target.problem));
        continue;
      }
      const { blob } = await git.readBlob({
        fs: this.fs,
        gitdir: this.gitdir,
        oid: target.oid,
        cache: this.cache,
      });
      if (blob.byteLength > this.maxFileBytes) {
        out.diagnostics.push(
          sourceDiagnostic(
            file,
            'source.file-too-large',
            `${file} is ${blob.byteLength} bytes, over the ${this.maxFileBytes}-byte limit for a manifest`,
          ),
        );
        continue;
      }
      out.files.push({ path: file, repoPath, text: Buffer.from(blob).toString('utf8'), blobId: target.oid });
    }
  }

  /**
   * A symlink is followed only while every hop stays inside the app path; the link text is data
   * from the repository, so anything else (absolute, `..` out of the app, dangling) is reported.
   */
  private async followSymlink(
    rootTree: string,
    linkPath: string,
  ): Promise<TreeEntry | { code: string; problem: string }> {
    let path = linkPath;
    let entry = await this.lookupPath(rootTree, path);
    for (let hop = 0; entry && entry.mode === '120000'; hop++) {
      if (hop >= MAX_SYMLINK_HOPS)
        return { code: 'source.symlink-loop', problem: `symlink ${linkPath} loops` };
      const target = await this.readBlobText(entry.oid);
      const resolved = resolveSymlinkTarget(path, target);
      if (resolved === undefined || !isInside(this.appPath, resolved)) {
        return {
          code: 'source.symlink-escape',
          problem: `symlink ${relativeToApp(this.appPath, linkPath)} points outside the app path (${target}); it is not followed`,
        };
      }
      path = resolved;
      entry = await this.lookupPath(rootTree, path);
    }
    if (entry?.type !== 'blob') {
      return {
        code: 'source.symlink-dangling',
        problem: `symlink ${relativeToApp(this.appPath, linkPath)} does not point at a file in the commit`,
      };
    }
    return entry;
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
    await this.fs.promises.mkdir(dirname(this.headFile), { recursive: true });
    // Write-then-rename: a crash never leaves a torn file.
    const tmp = `${this.headFile}.tmp`;
    await this.fs.promises.writeFile(tmp, `${commit}\n`);
    await this.fs.promises.rename(tmp, this.headFile);
  }
}

function sourceDiagnostic(file: string, code: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, document: 0, path: '', severity: 'error', code, message };
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

/** A local path may be a working tree (with .git, a folder or a `gitdir:` file) or a bare repo. */
function findLocalRepo(fs: typeof NodeFs, path: string): RepoLocation {
  const dotGit = join(path, '.git');
  try {
    const st = fs.statSync(dotGit);
    if (st.isDirectory()) return { kind: 'local', gitdir: dotGit, dir: path };
    const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (pointer)
      return { kind: 'local', gitdir: isAbsolute(pointer) ? pointer : join(path, pointer), dir: path };
  } catch {
    // not a working tree: maybe a bare repository
  }
  return { kind: 'local', gitdir: path };
}
