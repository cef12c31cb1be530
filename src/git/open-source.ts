// Opens one app's git source from its spec: an `http(s)://` repoURL is a remote mirrored into the
// state directory, anything else (a path, `file://`) a repository on disk. Shell.
import type { GitSourceDeps, GitSourceSpec } from './git-source.js';
import { LocalGitSource } from './local-source.js';
import { RemoteGitSource } from './remote-source.js';

/** A git source with its repository at hand (what the git-writing operations need). */
export type RepoGitSource = RemoteGitSource | LocalGitSource;

export function openGitSource(spec: GitSourceSpec, deps: GitSourceDeps): RepoGitSource {
  return /^https?:\/\//i.test(spec.repoURL)
    ? new RemoteGitSource(spec, deps)
    : new LocalGitSource(spec, deps);
}
