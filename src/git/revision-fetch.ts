// Fetching one revision a user names for a look (`skiff plan --rev`): a branch, a tag, a pull or
// merge request ref (`refs/pull/N/head`, `pull/N/head`, `refs/merge-requests/N/head`) or a full or
// short commit SHA. Only that ref's objects are transferred (negotiated from what the cache
// already holds), under the source's size and time caps, and the tip is kept under its own ref
// (PLAN_REF): what the daemon follows (its last fetched commit, its head file) never moves. Shell
// (network and filesystem through the source).
import git from 'isomorphic-git';
import { GitError, redactUrl } from './errors.js';
import { classifyRemoteFailure } from './failure.js';
import type { ObjectStore } from './object-header.js';

/** What a fetch for a look needs from the remote source (remote-source.ts). */
export interface FetchingSource extends ObjectStore {
  readonly subject: string;
  readonly url: string;
  fetchOneRef(remoteRef: string): Promise<{ oid: string | null }>;
  authHeaders(): Promise<{ headers: Record<string, string>; secrets: string[] }>;
  bounded<T>(run: (http: import('isomorphic-git').HttpClient) => Promise<T>): Promise<T>;
  peelFetched(oid: string, rev: string): Promise<string>;
  resolveCommit(rev: string): Promise<string>;
}

/** Where a revision fetched for a look is kept: apart from the refs the daemon reads. */
export const PLAN_REF = 'refs/skiff/plan/fetched';

const REVISION_HINT =
  'name a branch, a tag, pull/N/head, merge-requests/N/head, or a commit SHA the server has';

/** `rev` split into what names a commit and its `~N` / `^` suffixes. */
export function splitRevision(rev: string): { base: string; suffix: string } {
  const m = /^(.*?)((?:~\d*|\^)*)$/.exec(rev.trim());
  return { base: m?.[1] ?? rev, suffix: m?.[2] ?? '' };
}

/** A commit SHA or an abbreviation of one (4 to 40 hex digits). */
export function looksLikeSha(base: string): boolean {
  return /^[0-9a-f]{4,40}$/i.test(base);
}

/** The refs the server advertises whose tip starts with `prefix` (a SHA given on its own). */
async function advertisedTips(
  source: FetchingSource,
  prefix: string,
): Promise<{ ref: string; oid: string }[]> {
  const { headers, secrets } = await source.authHeaders();
  const ctx = { subject: source.subject, url: source.url, revision: prefix, secrets };
  try {
    const refs = await source.bounded((http) =>
      git.listServerRefs({ http, url: source.url, headers, protocolVersion: 1 }),
    );
    const lower = prefix.toLowerCase();
    return refs
      .filter((r) => r.ref !== 'HEAD' && r.oid.startsWith(lower))
      .map((r) => ({ ref: r.ref, oid: r.oid }));
  } catch (err) {
    throw classifyRemoteFailure(err, ctx);
  }
}

/** Fetches `remoteRef` alone into PLAN_REF and returns the commit it points at. */
async function fetchOne(source: FetchingSource, remoteRef: string, rev: string): Promise<string> {
  const fetched = await source.fetchOneRef(remoteRef).catch((err: unknown) => {
    if (!(err instanceof GitError) || err.code !== 'git.ref-not-found') throw err;
    throw new GitError('git.ref-not-found', `revision ${rev} does not exist in ${redactUrl(source.url)}`, {
      subject: source.subject,
      hint: REVISION_HINT,
    });
  });
  if (!fetched.oid)
    throw new GitError('git.ref-not-found', `${redactUrl(source.url)} has no commits yet`, {
      subject: source.subject,
    });
  const commit = await source.peelFetched(fetched.oid, rev);
  await git.writeRef({ fs: source.fs, gitdir: source.gitdir, ref: PLAN_REF, value: commit, force: true });
  return commit;
}

/**
 * The commit `rev` names on the server, fetched on demand. A SHA (or an abbreviation) the cache
 * already holds needs no network; one the cache lacks is looked for among the tips the server
 * advertises (a pull request's head is one), and that ref alone is fetched.
 */
export async function fetchRevisionCommit(source: FetchingSource, rev: string): Promise<string> {
  const { base, suffix } = splitRevision(rev);
  if (base === '' || base === 'HEAD') return source.resolveCommit(rev);
  if (looksLikeSha(base)) {
    const known = await source.resolveCommit(rev).catch((err: unknown) => {
      if (err instanceof GitError && err.code === 'git.object-not-found') return undefined;
      throw err;
    });
    if (known) return known;
    const tips = await advertisedTips(source, base);
    if (tips.length === 0)
      throw new GitError(
        'git.ref-not-found',
        `no commit ${base} among what ${redactUrl(source.url)} has fetched or advertises`,
        {
          subject: source.subject,
          hint: `${REVISION_HINT}; a commit inside a pull request's history: name the request (pull/N/head)`,
        },
      );
    const oids = [...new Set(tips.map((t) => t.oid))].sort();
    if (oids.length > 1) throw ambiguousRevision(source.subject, base, oids);
    await fetchOne(source, tips[0]!.ref, rev);
    return source.resolveCommit(rev);
  }
  const commit = await fetchOne(source, base, rev);
  return suffix === '' ? commit : source.resolveCommit(`${commit}${suffix}`);
}

/** A short SHA that names more than one commit: the candidates, as git lists them. */
export function ambiguousRevision(subject: string, short: string, candidates: string[]): GitError {
  return new GitError('git.ambiguous-revision', `short SHA ${short} is ambiguous: ${candidates.join(', ')}`, {
    subject,
    hint: 'give more digits of the commit SHA',
  });
}
