// The GitOps way of kubectl's imperative verbs: `skiff scale`, `skiff set image`,
// `skiff rollout undo` and revert each become ONE commit on the app's branch, pushed to the
// remote (or committed in the local repository), so Git stays the only truth and the change
// rolls out like any other commit. Shell: reads and writes git objects, pushes over HTTP.
//
// Invariants:
// - A commit is built from the current tip's tree with only the edited files replaced; no
//   working tree is checked out (a local repository's checked-out files are updated only for
//   the paths the commit touched, and only when they had no uncommitted changes).
// - If the remote moved on before the push, the edit is re-applied to the new tip (never a
//   rebase of an old result), up to `maxAttempts` times, then a typed error.
// - `dryRun` returns the exact patch the commit would make and writes nothing.
import { dirname, join } from 'node:path';
import git, { type TreeEntry } from 'isomorphic-git';
import { type Clock, systemClock } from '../runtime/clock.js';
import { GitError } from './errors.js';
import { classifyRemoteFailure } from './failure.js';
import {
  type EditResult,
  findHpasTargeting,
  findObjectDocuments,
  formatObjectRef,
  type ObjectRef,
  parseObjectRef,
  restoreObjectInText,
  setImageInText,
  setReplicasInText,
} from './manifest-edit.js';
import { readTreeEntries } from './object-store.js';
import type { RepoGitSource } from './open-source.js';
import type { RemoteGitSource } from './remote-source.js';
import { planRevert, type RevertInput } from './revert-plan.js';
import { type FileChange, renderUnifiedDiff } from './unified-diff.js';

export interface CommitAuthor {
  name: string;
  email: string;
}

export const DEFAULT_AUTHOR: CommitAuthor = { name: 'skiff', email: 'skiff@localhost' };

export interface GitWriterOptions {
  author?: CommitAuthor;
  /** Tries when the remote branch moves under us (default 3). */
  maxAttempts?: number;
  /** Clock for commit timestamps (ms); default systemClock. */
  clock?: Pick<Clock, 'now'>;
  /** The app verifies signatures (`apps[].verify`): skiff cannot sign, so its daemon would
   *  refuse the commit; only dry runs (the patch) are allowed. */
  signedCommitsOnly?: boolean;
}

export interface WriteOptions {
  /** Compute the commit and its patch, write nothing. */
  dryRun?: boolean;
  /** Author of this one commit (default: the writer's). */
  author?: CommitAuthor;
}

export type WriteOutcome = 'committed' | 'dry-run' | 'unchanged';

export interface WriteResult {
  outcome: WriteOutcome;
  /** The new commit (outcome `committed`). */
  commit?: string;
  /** The tip the change was made on. */
  parent: string;
  message: string;
  /** Unified diff of the change, as `git show` would print it (empty when unchanged). */
  patch: string;
  /** Repository paths the change touches. */
  files: string[];
  /** How many tries it took (more than 1 when the remote moved on meanwhile). */
  attempts: number;
}

interface PlannedChange extends FileChange {
  /** Blob to use as-is for `after` (keeps binary content and avoids re-hashing). */
  afterOid?: string;
  /** Mode for a file the change creates (a restored symlink stays a symlink). */
  mode?: string;
}

interface Plan {
  changes: PlannedChange[];
  message: string;
}

const PUSH_REF = 'refs/skiff/push';

export class GitWriter {
  private readonly source: RepoGitSource;
  private readonly author: CommitAuthor;
  private readonly maxAttempts: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly signedCommitsOnly: boolean;

  constructor(source: RepoGitSource, opts: GitWriterOptions = {}) {
    this.source = source;
    this.signedCommitsOnly = opts.signedCommitsOnly ?? false;
    this.author = opts.author ?? DEFAULT_AUTHOR;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * `skiff scale deployment/web --replicas=N`. Refuses when a HorizontalPodAutoscaler in the app
   * targets the Deployment (it owns replicas) unless `force`.
   */
  setReplicas(
    target: ObjectRef | string,
    replicas: number,
    opts: WriteOptions & { force?: boolean } = {},
  ): Promise<WriteResult> {
    const ref = this.parseTarget(target);
    return this.write(opts, async (head) => {
      const { file, files } = await this.findDeclaringFile(head, ref);
      if (!opts.force) {
        const hpas = files.flatMap((f) => findHpasTargeting(f.text, ref));
        if (hpas.length > 0) {
          throw new GitError(
            'git.edit-target',
            `${formatObjectRef(ref)} is scaled by horizontalpodautoscaler/${hpas.join(', horizontalpodautoscaler/')}: the HPA owns its replicas`,
            {
              subject: this.source.subject,
              hint: 'change the HPA minReplicas/maxReplicas instead, or force the edit (the HPA will override it)',
            },
          );
        }
      }
      const edit = this.check(setReplicasInText(file.text, ref, replicas), file.repoPath);
      return {
        changes: edit.changed ? [{ path: file.repoPath, before: file.text, after: edit.text }] : [],
        message: `Scale ${formatObjectRef(ref)} to ${replicas} replicas\n\nreplicas: ${edit.previous.join(', ')} -> ${replicas} in ${file.repoPath}.\n`,
      };
    });
  }

  /** `skiff set image deployment/web web=my-app:2.0.0` (`*` for every container). */
  setImage(
    target: ObjectRef | string,
    container: string,
    image: string,
    opts: WriteOptions = {},
  ): Promise<WriteResult> {
    const ref = this.parseTarget(target);
    return this.write(opts, async (head) => {
      const { file } = await this.findDeclaringFile(head, ref);
      const edit = this.check(setImageInText(file.text, ref, container, image), file.repoPath);
      return {
        changes: edit.changed ? [{ path: file.repoPath, before: file.text, after: edit.text }] : [],
        message: `Set image of ${formatObjectRef(ref)}: ${container}=${image}\n\nimage: ${edit.previous.join(', ')} -> ${image} in ${file.repoPath}.\n`,
      };
    });
  }

  /**
   * A real revert of `sha` (as `git revert`): a new commit undoing that commit's changes on top
   * of the current tip, merging line by line with later changes to the same files, or a
   * `git.revert-conflict` error naming the files that cannot be reverted cleanly.
   */
  revertCommit(sha: string, opts: WriteOptions = {}): Promise<WriteResult> {
    return this.write(opts, async (head) => {
      const full = await this.source.resolveCommit(sha);
      const info = await this.source.commitInfo(full);
      if (info.parents.length > 1) {
        throw new GitError(
          'git.revert-conflict',
          `commit ${full.slice(0, 12)} is a merge; skiff does not revert merges`,
          {
            subject: this.source.subject,
            hint: 'revert it with `git revert -m 1` and push, or revert the commits it merged',
          },
        );
      }
      const parent = info.parents[0] ?? null;
      const paths = await this.changedPaths(parent, full);
      const inputs: RevertInput[] = [];
      const parentBlobs = new Map<string, TreeEntry>();
      for (const path of paths) {
        const [p, c, h] = await Promise.all([
          parent ? this.source.entryAt(parent, path) : Promise.resolve(undefined),
          this.source.entryAt(full, path),
          this.source.entryAt(head, path),
        ]);
        if (p?.type === 'blob') parentBlobs.set(path, p);
        inputs.push({
          path,
          parent: await this.textOf(p),
          commit: await this.textOf(c),
          head: await this.textOf(h),
        });
      }
      const plan = planRevert(inputs);
      if (plan.conflicts.length > 0) {
        throw new GitError(
          'git.revert-conflict',
          `cannot revert ${full.slice(0, 12)} cleanly: ${plan.conflicts.map((c) => `${c.path}: ${c.reason}`).join('; ')}`,
          {
            subject: this.source.subject,
            hint: 'revert it by hand (`git revert`), resolve the conflict, and push',
          },
        );
      }
      return {
        changes: plan.changes.map((c) => {
          // Restoring the parent's version exactly: reuse its blob and mode (binary-safe).
          const p = parentBlobs.get(c.path);
          const exact = p && c.after === inputs.find((i) => i.path === c.path)?.parent;
          return exact ? { ...c, afterOid: p.oid, mode: p.mode } : c;
        }),
        message: `Revert "${info.subject}"\n\nThis reverts commit ${full}.\n`,
      };
    });
  }

  /**
   * `skiff rollout undo --to-revision N`, file-level: make `paths` (files or folders, repository
   * paths) equal to their content at `fromCommit`; files that did not exist then are deleted.
   */
  restoreFiles(fromCommit: string, paths: readonly string[], opts: WriteOptions = {}): Promise<WriteResult> {
    return this.write(opts, async (head) => {
      const from = await this.source.resolveCommit(fromCommit);
      const info = await this.source.commitInfo(from);
      const changes: PlannedChange[] = [];
      for (const path of paths) {
        const clean = path.replace(/^\/+|\/+$/g, '');
        const old = await this.listBlobs(from, clean);
        const now = await this.listBlobs(head, clean);
        for (const [p, entry] of old) {
          const cur = now.get(p);
          if (cur?.oid === entry.oid && cur.mode === entry.mode) continue;
          changes.push({
            path: p,
            before: await this.textOf(cur),
            after: await this.textOf(entry),
            afterOid: entry.oid,
            mode: entry.mode,
          });
        }
        for (const [p, cur] of now) {
          if (!old.has(p)) changes.push({ path: p, before: await this.textOf(cur), after: null });
        }
        if (old.size === 0 && now.size === 0) {
          throw new GitError('git.edit-target', `${clean} exists neither at ${from.slice(0, 12)} nor now`, {
            subject: this.source.subject,
          });
        }
      }
      const list = [...new Set(changes.map((c) => c.path))].join(', ');
      return {
        changes,
        message: `Restore ${list} from ${from.slice(0, 12)}\n\nMakes them equal to their content at commit ${from} ("${info.subject}").\n`,
      };
    });
  }

  /**
   * `skiff rollout undo DEPLOYMENT --to-revision N`, object-level: put back the document that
   * declared `target` at `fromCommit`, leaving the other documents of its file as they are now.
   */
  restoreObject(
    target: ObjectRef | string,
    fromCommit: string,
    opts: WriteOptions = {},
  ): Promise<WriteResult> {
    const ref = this.parseTarget(target);
    return this.write(opts, async (head) => {
      const from = await this.source.resolveCommit(fromCommit);
      const { file: old } = await this.findDeclaringFile(from, ref);
      const now = (await this.source.readManifestFiles(head)).files;
      const current = now.find((f) => findObjectDocuments(f.text, ref).length > 0) ??
        now.find((f) => f.repoPath === old.repoPath) ?? { repoPath: old.repoPath, text: '' };
      const edit = this.check(restoreObjectInText(current.text, old.text, ref), current.repoPath);
      const before = now.some((f) => f.repoPath === current.repoPath) ? current.text : null;
      return {
        changes: edit.changed ? [{ path: current.repoPath, before, after: edit.text }] : [],
        message: `Roll back ${formatObjectRef(ref)} to ${from.slice(0, 12)}\n\nRestores its manifest in ${current.repoPath} as of commit ${from}.\n`,
      };
    });
  }

  private parseTarget(target: ObjectRef | string): ObjectRef {
    if (typeof target !== 'string') return target;
    const ref = parseObjectRef(target);
    if (!ref) {
      throw new GitError('git.edit-target', `cannot read ${JSON.stringify(target)} as KIND/NAME`, {
        subject: this.source.subject,
        hint: 'e.g. deployment/web',
      });
    }
    return ref;
  }

  private check(r: EditResult, path: string): Extract<EditResult, { ok: true }> {
    if (!r.ok)
      throw new GitError('git.edit-target', `${path}: ${r.reason}`, { subject: this.source.subject });
    return r;
  }

  private async findDeclaringFile(commit: string, ref: ObjectRef) {
    const set = await this.source.readManifestFiles(commit);
    const declaring = set.files.filter((f) => findObjectDocuments(f.text, ref).length > 0);
    if (declaring.length === 0) {
      throw new GitError(
        'git.edit-target',
        `${formatObjectRef(ref)} is not declared under ${this.source.appPath || 'the repository root'} at ${commit.slice(0, 12)}`,
        { subject: this.source.subject, hint: 'check the name (and namespace) with `skiff get`' },
      );
    }
    if (declaring.length > 1) {
      throw new GitError(
        'git.edit-target',
        `${formatObjectRef(ref)} is declared in several files: ${declaring.map((f) => f.repoPath).join(', ')}`,
        { subject: this.source.subject },
      );
    }
    return { file: declaring[0]!, files: set.files };
  }

  private async textOf(entry: TreeEntry | undefined): Promise<string | null> {
    if (entry?.type !== 'blob') return null;
    return this.source.readBlobText(entry.oid);
  }

  /** Every blob under `path` (or the blob at `path`) in `commit`, by repository path. */
  private async listBlobs(commit: string, path: string): Promise<Map<string, TreeEntry>> {
    const out = new Map<string, TreeEntry>();
    const entry = await this.source.entryAt(commit, path);
    if (!entry) return out;
    const walk = async (e: TreeEntry, p: string): Promise<void> => {
      if (e.type === 'blob') {
        out.set(p, e);
        return;
      }
      if (e.type !== 'tree') return;
      for (const child of await readTreeEntries(this.source, e.oid))
        await walk(child, p === '' ? child.path : `${p}/${child.path}`);
    };
    await walk(entry, path);
    return out;
  }

  /** Repository paths of blobs that differ between two commits (`from` null: an empty tree). */
  private async changedPaths(from: string | null, to: string): Promise<string[]> {
    const a = from ? await this.listBlobs(from, '') : new Map<string, TreeEntry>();
    const b = await this.listBlobs(to, '');
    const paths = new Set<string>();
    for (const [p, e] of b) if (a.get(p)?.oid !== e.oid || a.get(p)?.mode !== e.mode) paths.add(p);
    for (const p of a.keys()) if (!b.has(p)) paths.add(p);
    return [...paths].sort();
  }

  /** The fetch / plan / commit / publish loop shared by every operation. */
  private write(opts: WriteOptions, plan: (head: string) => Promise<Plan>): Promise<WriteResult> {
    const source = this.source;
    if (this.signedCommitsOnly && !opts.dryRun)
      return Promise.reject(
        new GitError(
          'git.unsigned-write',
          `${source.subject} accepts only signed commits (apps[].verify) and skiff cannot sign`,
          {
            subject: source.subject,
            hint: 'print the patch with --dry-run, apply it and commit it signed (git commit -S)',
          },
        ),
      );
    return source.exclusive(async () => {
      for (let attempt = 1; ; attempt++) {
        const tip = await source.fetchRevisionUnlocked();
        if (!tip.fullRef.startsWith('refs/heads/')) {
          throw new GitError(
            'git.edit-target',
            `revision ${source.spec.revision} is a tag: skiff commits only to branches`,
            {
              subject: source.subject,
              hint: 'point the app at a branch to change it through skiff, or edit and tag by hand',
            },
          );
        }
        const { changes, message } = await plan(tip.commit);
        const result = {
          parent: tip.commit,
          message,
          patch: renderUnifiedDiff(changes),
          files: changes.map((c) => c.path),
          attempts: attempt,
        };
        if (changes.length === 0) return { ...result, outcome: 'unchanged' as const };
        if (opts.dryRun) return { ...result, outcome: 'dry-run' as const };
        const commit = await this.buildCommit(tip.commit, changes, message, opts.author ?? this.author);
        const published =
          source.kind === 'remote'
            ? await this.push(source, commit, tip.fullRef)
            : await this.updateLocal(commit, tip.commit, tip.fullRef, changes);
        if (published) return { ...result, outcome: 'committed' as const, commit };
        if (attempt >= this.maxAttempts) {
          throw new GitError(
            'git.push-rejected',
            `${tip.fullRef} kept moving: gave up after ${attempt} attempts to add the commit on top of it`,
            { subject: source.subject, retryable: true, hint: 'try again in a moment' },
          );
        }
      }
    });
  }

  private async buildCommit(
    parent: string,
    changes: readonly PlannedChange[],
    message: string,
    author: CommitAuthor,
  ): Promise<string> {
    const { fs, gitdir } = this.source;
    const { commit } = await git.readCommit({ fs, gitdir, oid: parent, cache: this.source.cache });
    const tree = await this.updateTree(
      commit.tree,
      changes.map((c) => ({ parts: c.path.split('/'), change: c })),
    );
    const seconds = Math.floor(this.clock.now() / 1000);
    const person = {
      ...author,
      timestamp: seconds,
      timezoneOffset: new Date(seconds * 1000).getTimezoneOffset(),
    };
    return git.writeCommit({
      fs,
      gitdir,
      commit: {
        message: message.endsWith('\n') ? message : `${message}\n`,
        tree: tree ?? (await git.writeTree({ fs, gitdir, tree: [] })),
        parent: [parent],
        author: person,
        committer: person,
      },
    });
  }

  /** A copy of tree `oid` with the changes applied; undefined when the result is empty. */
  private async updateTree(
    oid: string | undefined,
    changes: { parts: string[]; change: PlannedChange }[],
  ): Promise<string | undefined> {
    const { fs, gitdir } = this.source;
    const entries = new Map<string, TreeEntry>();
    if (oid) for (const e of await readTreeEntries(this.source, oid)) entries.set(e.path, e);
    const byName = new Map<string, { parts: string[]; change: PlannedChange }[]>();
    for (const c of changes) {
      const [name, ...rest] = c.parts;
      byName.set(name!, [...(byName.get(name!) ?? []), { parts: rest, change: c.change }]);
    }
    for (const [name, group] of byName) {
      const existing = entries.get(name);
      const leaf = group.find((g) => g.parts.length === 0);
      if (leaf) {
        const { change } = leaf;
        if (change.after === null) {
          entries.delete(name);
          continue;
        }
        const blob =
          change.afterOid ?? (await git.writeBlob({ fs, gitdir, blob: Buffer.from(change.after, 'utf8') }));
        const mode = existing?.type === 'blob' ? existing.mode : (change.mode ?? '100644');
        entries.set(name, { mode, path: name, oid: blob, type: 'blob' });
        continue;
      }
      const sub = await this.updateTree(existing?.type === 'tree' ? existing.oid : undefined, group);
      if (sub === undefined) entries.delete(name);
      else entries.set(name, { mode: '040000', path: name, oid: sub, type: 'tree' });
    }
    if (entries.size === 0) return undefined;
    return git.writeTree({ fs, gitdir, tree: [...entries.values()] });
  }

  /** Push `commit` to the branch; false when the remote moved on (the caller retries). */
  private async push(source: RemoteGitSource, commit: string, fullRef: string): Promise<boolean> {
    const { fs, gitdir, cache } = source;
    await git.writeRef({ fs, gitdir, ref: PUSH_REF, value: commit, force: true });
    const { headers, secrets } = await source.authHeaders();
    const url = source.url; // credentials travel in the headers
    try {
      // Bounded like a fetch: a server trickling its answer cannot hold the writer forever.
      const res = await source.bounded((http) =>
        git.push({ fs, http, gitdir, url, ref: PUSH_REF, remoteRef: fullRef, headers, cache }),
      );
      if (!res.ok) return false;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Rejected because the branch is no longer where we built on: fetch and re-apply.
      if (code === 'PushRejectedError' || code === 'GitPushError') return false;
      throw classifyRemoteFailure(err, {
        subject: source.subject,
        url,
        revision: source.spec.revision,
        secrets,
      });
    }
    await source.markFetched(commit);
    return true;
  }

  /**
   * Move a local branch to `commit` if it is still at `expected`; when that branch is checked out
   * in a working tree, bring the touched files and the index along (refusing if they had
   * uncommitted changes, which the commit would otherwise silently undo).
   */
  private async updateLocal(
    commit: string,
    expected: string,
    fullRef: string,
    changes: readonly PlannedChange[],
  ): Promise<boolean> {
    const { fs, gitdir } = this.source;
    const dir = this.source.workdir;
    const current = await git.resolveRef({ fs, gitdir, ref: fullRef });
    if (current !== expected) return false;
    const checkedOut =
      dir !== undefined && (await git.currentBranch({ fs, gitdir, fullname: true })) === fullRef;
    if (checkedOut) {
      const dirty: string[] = [];
      for (const c of changes) {
        const status = await git.status({ fs, dir, gitdir, filepath: c.path });
        if (status !== 'unmodified' && !(c.before === null && status === 'absent'))
          dirty.push(`${c.path} (${status})`);
      }
      if (dirty.length > 0) {
        throw new GitError('git.dirty-worktree', `uncommitted changes in ${dirty.join(', ')}`, {
          subject: this.source.subject,
          hint: 'commit or discard them first: the new commit would overwrite them',
        });
      }
    }
    await git.writeRef({ fs, gitdir, ref: fullRef, value: commit, force: true });
    if (checkedOut) {
      for (const c of changes) {
        const file = join(dir, c.path);
        if (c.after === null) {
          await fs.promises.rm(file, { force: true });
          await git.remove({ fs, dir, gitdir, filepath: c.path });
        } else {
          await fs.promises.mkdir(dirname(file), { recursive: true });
          const { blob } = await git.readBlob({
            fs,
            gitdir,
            oid: c.afterOid ?? (await git.hashBlob({ object: c.after })).oid,
          });
          await fs.promises.writeFile(file, blob);
          await git.add({ fs, dir, gitdir, filepath: c.path });
        }
      }
    }
    return true;
  }
}
