// Turning what isomorphic-git, node:http and the filesystem throw into skiff's typed GitErrors:
// which failures a retry can cure (the network, a 5xx) and which need a person (credentials, a
// wrong URL, a deleted branch). The original error is kept as the cause only after scrubbing
// anything that looks like a credential out of its message.
import { GitError, redactUrl } from './errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  data?: { statusCode?: number; what?: string; reason?: string };
}

/** A copy of `err` whose message has URL credentials and the given secrets blanked out. */
export function scrubError(err: unknown, secrets: readonly string[] = []): Error {
  const e = (err ?? {}) as ErrorLike;
  let message = typeof e.message === 'string' ? e.message : String(err);
  message = message.replace(/(\w+:\/\/)[^/\s@]*@/g, '$1***@');
  for (const s of secrets) if (s.length > 0) message = message.split(s).join('***');
  const copy = new Error(message);
  if (typeof e.code === 'string') Object.assign(copy, { code: e.code });
  return copy;
}

export interface FailureContext {
  subject: string;
  url: string;
  revision: string;
  secrets: readonly string[];
}

/** Classify a failure of a network operation (fetch, push, ls-remote) against a remote. */
export function classifyRemoteFailure(err: unknown, ctx: FailureContext): GitError {
  if (err instanceof GitError) return err;
  const e = (err ?? {}) as ErrorLike;
  const cause = scrubError(err, ctx.secrets);
  const where = redactUrl(ctx.url);
  const status = e.code === 'HttpError' ? e.data?.statusCode : undefined;
  const classified =
    (status !== undefined ? byHttpStatus(status, where, ctx, cause) : undefined) ??
    byErrorCode(e, where, ctx, cause);
  // Not a git or network failure: a bug, which must crash loudly rather than pass as a retry.
  if (!classified) throw err;
  return classified;
}

/** What the server's HTTP status says: credentials, a wrong URL, or a server worth retrying. */
function byHttpStatus(
  status: number,
  where: string,
  ctx: FailureContext,
  cause: Error,
): GitError | undefined {
  if (status === 401 || status === 403) {
    return new GitError('git.auth', `authentication to ${where} failed (HTTP ${status})`, {
      subject: ctx.subject,
      cause,
      hint: 'check the token or password the app refers to (env var or file) and that it may read/push this repository',
    });
  }
  if (status === 404) {
    return new GitError('git.repo-not-found', `no git repository at ${where} (HTTP 404)`, {
      subject: ctx.subject,
      cause,
      hint: 'check repoURL; some servers also answer 404 when credentials are missing',
    });
  }
  if (status >= 500 || status === 408 || status === 429) {
    return new GitError('git.unreachable', `git server ${where} answered HTTP ${status}`, {
      subject: ctx.subject,
      cause,
      retryable: true,
      hint: 'the last good commit stays live; skiff retries with backoff',
    });
  }
  return undefined;
}

/** What the error's code says: the network (retryable), a missing ref, or the git protocol. */
function byErrorCode(e: ErrorLike, where: string, ctx: FailureContext, cause: Error): GitError | undefined {
  if (
    (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) ||
    (typeof e.message === 'string' && /timed out|socket hang up|network/i.test(e.message))
  ) {
    return new GitError('git.unreachable', `cannot reach ${where}: ${cause.message}`, {
      subject: ctx.subject,
      cause,
      retryable: true,
      hint: 'the last good commit stays live; skiff retries with backoff',
    });
  }
  if (e.code === 'NotFoundError') {
    return new GitError('git.ref-not-found', `revision ${ctx.revision} does not exist in ${where}`, {
      subject: ctx.subject,
      cause,
      hint: `the branch or tag was deleted or renamed; the last good commit stays live until ${ctx.revision} exists again or the app's revision is changed`,
    });
  }
  if (e.code === 'SmartHttpError' || e.code === 'ParseError' || e.code === 'UnknownTransportError') {
    return new GitError('git.protocol', `${where} did not answer as a git smart-HTTP server`, {
      subject: ctx.subject,
      cause,
      hint: 'check repoURL (it should end in .git on most servers)',
    });
  }
  if (typeof e.code === 'string' && e.code.endsWith('Error')) {
    return new GitError('git.protocol', `git operation on ${where} failed: ${cause.message}`, {
      subject: ctx.subject,
      cause,
      retryable: true,
    });
  }
  return undefined;
}
