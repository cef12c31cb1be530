// Typed operational failures of the git source and the git-writing operations. Each carries a
// stable code, the app it concerns (`app/<name>`), a hint, and whether a retry can help: the
// poller backs off on retryable ones; the daemon keeps the last good commit live on any of them
// (a source error is never an empty desired state). Messages never hold credentials: URLs pass
// through redactUrl before they reach a message.
import { redactUrlCredentials } from '../diff/redact-url.js';
import { SkiffError } from '../model/errors.js';

export type GitErrorCode =
  | 'git.unreachable'
  | 'git.auth'
  | 'git.repo-not-found'
  | 'git.ref-not-found'
  | 'git.object-not-found'
  | 'git.ambiguous-revision'
  | 'git.credentials'
  | 'git.config'
  | 'git.push-rejected'
  | 'git.revert-conflict'
  | 'git.edit-target'
  | 'git.dirty-worktree'
  | 'git.protocol'
  | 'git.object-too-large'
  | 'git.pack-too-large'
  | 'git.fetch-timeout'
  | 'git.unsigned-write';

export class GitError extends SkiffError {
  declare readonly code: GitErrorCode;
  constructor(
    code: GitErrorCode,
    message: string,
    opts: { subject?: string; hint?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, opts);
  }
}

/** Credentials embedded in a URL (`https://user:token@host/...`) never reach a message. */
export function redactUrl(url: string): string {
  return redactUrlCredentials(url);
}
