// The remote git source: an HTTP(S) repository mirrored into a bare cache under the state
// directory (`<stateDir>/repos/<app>`), fetched incrementally with isomorphic-git (each fetch
// transfers only what is new since the last one). Credentials come from the app's auth spec,
// read when needed, never from the URL, and are scrubbed from every error. Shell (network and
// filesystem, both injected as isomorphic-git does).
import { join } from 'node:path';
import git, { type HttpClient } from 'isomorphic-git';
import { splitUrlCredentials } from '../diff/redact-url.js';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, withFetchBounds } from './bounded-fetch.js';
import { resolveGitAuth, type SecretReader } from './credentials.js';
import { GitError, redactUrl } from './errors.js';
import { classifyRemoteFailure } from './failure.js';
import type { GitSourceDeps, GitSourceSpec, RevisionTip } from './git-source.js';
import { RepoSource } from './repo-source.js';
import { fetchRevisionCommit } from './revision-fetch.js';

/** Our own ref in the cache: keeps the last fetched commit reachable and seeds fetch's "haves". */
const LAST_FETCHED_REF = 'refs/skiff/last-fetched';

export class RemoteGitSource extends RepoSource {
  readonly kind = 'remote' as const;
  readonly gitdir: string;
  readonly url: string;
  private readonly http: HttpClient;
  private readonly secrets: SecretReader;
  private readonly fetchLimits: FetchLimits;
  private cacheReady = false;
  private readonly urlAuth?: { username: string; password?: string };

  constructor(spec: GitSourceSpec, deps: GitSourceDeps) {
    super(spec, deps);
    const timeout = deps.requestTimeoutMs ?? 30_000;
    // Without a timeout a silently dropped connection would hang the poller forever.
    this.http = {
      request: (req) => deps.http.request({ ...req, fetchOptions: { ...req.fetchOptions, timeout } }),
    };
    this.secrets = deps.secrets ?? {
      env: process.env,
      readFile: (p) => deps.fs.promises.readFile(p, 'utf8'),
    };
    this.fetchLimits = { ...DEFAULT_FETCH_LIMITS, ...deps.fetchLimits };
    this.gitdir = join(deps.stateDir, 'repos', spec.app);
    // Credentials written in the URL travel in the Authorization header, never in the cached
    // repository's config (.git/config would keep them on disk) nor in any message.
    const { url, username, password } = splitUrlCredentials(spec.repoURL);
    this.url = url;
    this.urlAuth = username === undefined ? undefined : { username, password };
  }

  get displayURL(): string {
    return redactUrl(this.url);
  }

  /** The HTTP client with this source's timeout (for the writer's pushes). */
  get httpClient(): HttpClient {
    return this.http;
  }

  /** Runs `run` (a fetch or push) with this source's HTTP client under its gitLimits. */
  bounded<T>(run: (http: HttpClient) => Promise<T>): Promise<T> {
    return withFetchBounds(
      this.http,
      this.fetchLimits,
      { where: this.displayURL, subject: this.subject },
      run,
    );
  }

  /** The auth answer for this source (reads the env var or file now), plus the secrets to scrub. */
  async authHeaders(): Promise<{ headers: Record<string, string>; secrets: string[] }> {
    const auth = (await resolveGitAuth(this.spec.auth, this.secrets, this.subject)) ?? this.urlAuth;
    if (!auth?.username && !auth?.password) return { headers: {}, secrets: [] };
    const basic = Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
    return { headers: { Authorization: `Basic ${basic}` }, secrets: [auth.password ?? '', basic] };
  }

  async ensureCache(): Promise<void> {
    if (this.cacheReady) return;
    const gitdir = this.gitdir;
    if (!this.fs.existsSync(join(gitdir, 'HEAD'))) {
      await this.fs.promises.mkdir(gitdir, { recursive: true, mode: 0o700 });
      await git.init({ fs: this.fs, gitdir, bare: true, defaultBranch: 'main' });
    }
    // fetch needs a remote with a refspec to name its remote-tracking refs; force keeps the URL
    // in step with the config.
    await git.addRemote({ fs: this.fs, gitdir, remote: 'origin', url: this.url, force: true });
    this.cacheReady = true;
  }

  override async markFetched(commit: string): Promise<void> {
    await git.writeRef({
      fs: this.fs,
      gitdir: this.gitdir,
      ref: LAST_FETCHED_REF,
      value: commit,
      force: true,
    });
  }

  /**
   * One ref alone from the server (`remoteRef`, a name the server advertises), negotiated from
   * the commit last fetched, so only what is new travels; under the fetch caps. Remote-tracking
   * refs of branches are updated; nothing the daemon follows is.
   */
  async fetchOneRef(remoteRef: string): Promise<{ oid: string | null; description: string | null }> {
    await this.ensureCache();
    const url = this.url;
    const { headers, secrets } = await this.authHeaders();
    try {
      const res = await this.bounded((http) =>
        git.fetch({
          fs: this.fs,
          http,
          gitdir: this.gitdir,
          url,
          // Our own ref names what we already have, so each fetch only transfers what is new.
          ref: LAST_FETCHED_REF,
          remoteRef,
          singleBranch: true,
          tags: false,
          headers,
          cache: this.cache,
        }),
      );
      return { oid: res.fetchHead, description: res.fetchHeadDescription };
    } catch (err) {
      throw classifyRemoteFailure(err, { subject: this.subject, url, revision: remoteRef, secrets });
    }
  }

  async fetchRevisionUnlocked(): Promise<RevisionTip> {
    const { oid: fetched, description } = await this.fetchOneRef(this.spec.revision);
    const url = this.url;
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

  /** Any revision the server has, fetched on demand apart from what the daemon follows. */
  override fetchRevision(rev: string): Promise<string> {
    return this.exclusive(() => fetchRevisionCommit(this, rev));
  }

  protected refCandidates(name: string): string[] {
    return [`refs/remotes/origin/${name}`, `refs/tags/${name}`, name];
  }
}
