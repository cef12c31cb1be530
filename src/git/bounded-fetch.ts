// Bounds on what one fetch from a git server may cost: bytes received, wall-clock time, and the
// inflated size of every object in the pack. A server is input like a repository: one that
// streams an endless pack would grow the process without limit (isomorphic-git collects the
// pack in memory), one that trickles a byte a second defeats the socket's inactivity timeout,
// and a pack of a few megabytes can hold a blob that inflates to gigabytes when isomorphic-git
// indexes it. Each fetch runs through an HTTP client that counts the bytes of every response
// body, aborts the request (AbortSignal) past the deadline, and scans the pack's entry headers
// before it is handed on. Shell (network, timers).
import type { GitHttpRequest, HttpClient } from 'isomorphic-git';
import { GitError } from './errors.js';
import { scanPackObjects } from './pack-scan.js';

export interface FetchLimits {
  /** Bytes received from the server in one fetch (every response body together). */
  maxPackBytes: number;
  /** Inflated size of any one object in the fetched pack. */
  maxObjectBytes: number;
  /** Wall-clock time of one fetch, however steadily the server sends. */
  fetchTimeoutMs: number;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  maxPackBytes: 256 * 1024 * 1024,
  maxObjectBytes: 64 * 1024 * 1024,
  fetchTimeoutMs: 5 * 60_000,
};

/**
 * Runs `run` with an HTTP client bounded by `limits`; past a bound the request is destroyed
 * and the fetch rejects with git.pack-too-large, git.object-too-large or git.fetch-timeout.
 */
export async function withFetchBounds<T>(
  http: HttpClient,
  limits: FetchLimits,
  who: Who,
  run: (http: HttpClient) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  const timer = setTimeout(
    () => controller.abort(fetchTimeout(who, limits.fetchTimeoutMs)),
    limits.fetchTimeoutMs,
  );
  const budget = { received: 0 };
  const bounded: HttpClient = {
    request: async (req) => {
      const res = await Promise.race([http.request({ ...req, signal: controller.signal }), aborted]);
      return {
        ...res,
        body: res.body && boundBody(res.body, req, { limits, who, controller, aborted, budget }),
      };
    },
  };
  try {
    return await Promise.race([run(bounded), aborted]);
  } catch (err) {
    // Whatever isomorphic-git made of the aborted request, the reason is ours.
    throw controller.signal.aborted ? controller.signal.reason : err;
  } finally {
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort(new Error('fetch finished'));
  }
}

interface BodyBounds {
  limits: FetchLimits;
  who: Who;
  controller: AbortController;
  aborted: Promise<never>;
  budget: { received: number };
}

/** The response body, counted against the byte budget; the pack's objects checked at its end. */
function boundBody(
  body: AsyncIterableIterator<Uint8Array>,
  req: GitHttpRequest,
  b: BodyBounds,
): AsyncIterableIterator<Uint8Array> {
  const isPack = req.url.endsWith('/git-upload-pack');
  const chunks: Uint8Array[] = [];
  const fail = (err: GitError): never => {
    b.controller.abort(err);
    body.return?.();
    throw err;
  };
  const iterator: AsyncIterableIterator<Uint8Array> = {
    async next(): Promise<IteratorResult<Uint8Array>> {
      const r = await Promise.race([body.next(), b.aborted]);
      if (r.done) {
        if (isPack) {
          const problem = scanPackObjects(chunks, b.limits.maxObjectBytes);
          chunks.length = 0;
          if (problem) fail(objectTooLarge(b.who, problem));
        }
        return r;
      }
      b.budget.received += r.value.byteLength;
      if (b.budget.received > b.limits.maxPackBytes) fail(packTooLarge(b.who, b.limits.maxPackBytes));
      if (isPack) chunks.push(r.value);
      return r;
    },
    async return(): Promise<IteratorResult<Uint8Array>> {
      await body.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

interface Who {
  where: string;
  subject: string;
}

function packTooLarge({ where, subject }: Who, max: number): GitError {
  return new GitError(
    'git.pack-too-large',
    `${where} sent more than ${max} bytes in one fetch; the fetch was stopped`,
    {
      subject,
      hint: 'raise gitLimits.maxPackBytes in skiff.yaml if the repository is really this large',
    },
  );
}

function objectTooLarge({ where, subject }: Who, problem: string): GitError {
  return new GitError('git.object-too-large', `${where} sent a pack with ${problem}; nothing was kept`, {
    subject,
    hint: 'remove the large file from the branch history, or raise gitLimits.maxObjectBytes in skiff.yaml',
  });
}

function fetchTimeout({ where, subject }: Who, ms: number): GitError {
  return new GitError(
    'git.fetch-timeout',
    `fetch from ${where} took longer than ${ms / 1000} s; it was stopped`,
    {
      subject,
      retryable: true,
      hint: 'the last good commit stays live; skiff retries with backoff (raise gitLimits.fetchTimeoutSeconds for a slow server)',
    },
  );
}
