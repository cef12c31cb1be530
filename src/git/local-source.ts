// The local git source: a repository on disk (a working tree, a `gitdir:` pointer file, or a
// bare repository), read in place from its git objects: the checked-out files are never read,
// so uncommitted edits are not the desired state. Shell (filesystem, injected).
import type * as NodeFs from 'node:fs';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import git from 'isomorphic-git';
import { GitError } from './errors.js';
import { scrubError } from './failure.js';
import type { GitSourceDeps, GitSourceSpec, RevisionTip } from './git-source.js';
import { RepoSource } from './repo-source.js';

export class LocalGitSource extends RepoSource {
  readonly kind = 'local' as const;
  readonly gitdir: string;
  private readonly dir: string | undefined;

  constructor(spec: GitSourceSpec, deps: GitSourceDeps) {
    super(spec, deps);
    const found = findLocalRepo(deps.fs, resolvePath(spec.repoURL.replace(/^file:\/\//, '')));
    this.gitdir = found.gitdir;
    this.dir = found.dir;
  }

  get displayURL(): string {
    return this.dir ?? this.gitdir;
  }

  /** Working tree of a non-bare repository (undefined for a bare one). */
  override get workdir(): string | undefined {
    return this.dir;
  }

  async fetchRevisionUnlocked(): Promise<RevisionTip> {
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

  protected refCandidates(name: string): string[] {
    return [name];
  }
}

/** A local path may be a working tree (with .git, a folder or a `gitdir:` file) or a bare repo. */
function findLocalRepo(fs: typeof NodeFs, path: string): { gitdir: string; dir?: string } {
  const dotGit = join(path, '.git');
  try {
    const st = fs.statSync(dotGit);
    if (st.isDirectory()) return { gitdir: dotGit, dir: path };
    // Only a regular file is read as a `gitdir:` pointer: a FIFO named .git would block the read.
    if (!st.isFile()) return { gitdir: path };
    const pointer = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (pointer) return { gitdir: isAbsolute(pointer) ? pointer : join(path, pointer), dir: path };
  } catch {
    // not a working tree: maybe a bare repository
  }
  return { gitdir: path };
}
