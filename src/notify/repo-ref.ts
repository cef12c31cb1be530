// Where a commit status goes when the service does not say: the owner/repo (GitHub) or the
// project path (GitLab) read from the app's repoURL, `https://host/owner/repo(.git)`. Pure.

/** The path segments of an http(s) repo URL without `.git`, or undefined (a local path). */
function repoPath(repoURL: string): string[] | undefined {
  let url: URL;
  try {
    url = new URL(repoURL);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const parts = url.pathname
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .filter((p) => p !== '');
  return parts.length >= 2 ? parts.map(decodeURIComponent) : undefined;
}

/** GitHub's `{owner, repo}` from `https://github.com/owner/repo.git`. */
export function githubRepoOf(repoURL: string): { owner: string; repo: string } | undefined {
  const parts = repoPath(repoURL);
  if (parts?.length !== 2) return undefined;
  return { owner: parts[0]!, repo: parts[1]! };
}

/** GitLab's project path (`group/subgroup/project`) from the repo URL. */
export function gitlabProjectOf(repoURL: string): string | undefined {
  return repoPath(repoURL)?.join('/');
}
