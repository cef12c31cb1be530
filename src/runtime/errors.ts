// Typed operational failures of the runtime. Each has a stable code, the object concerned
// (`host/h1`, `pod/default/web-1@h1`), a hint, and whether retrying can help. Messages never
// carry credentials or Secret values.
import { SkiffError } from '../model/errors.js';

export type RuntimeErrorCode =
  | 'runtime.unknown-host'
  | 'runtime.pod-not-found'
  | 'runtime.container-not-found'
  | 'runtime.pod-exists'
  | 'runtime.timeout'
  | 'runtime.docker'
  | 'runtime.image-pull'
  | 'runtime.image-never-pull'
  | 'runtime.unsupported-architecture'
  | 'runtime.start-failed'
  | 'runtime.volume-setup'
  | 'runtime.volume-in-use'
  | 'runtime.closed';

export class RuntimeError extends SkiffError {
  declare readonly code: RuntimeErrorCode;
  constructor(
    code: RuntimeErrorCode,
    message: string,
    opts: { subject?: string; hint?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, opts);
  }
}

/** The host cannot be reached now (connect failed, connection dropped, in reconnect backoff). */
export class HostUnreachableError extends SkiffError {
  constructor(host: string, reason: string, cause?: unknown) {
    super('host.unreachable', `host/${host} is unreachable: ${reason}`, {
      subject: `host/${host}`,
      hint: 'check that the host is up, its sshd listens, and the network path is open',
      retryable: true,
      cause,
    });
  }
}

export type HostKeyProblem = 'mismatch' | 'unknown';

/** The host presented a key that the config does not vouch for: the connection is refused. */
export class HostKeyError extends SkiffError {
  readonly problem: HostKeyProblem;
  readonly presentedFingerprint: string;
  constructor(host: string, problem: HostKeyProblem, presentedFingerprint: string, expected: string) {
    super(
      problem === 'mismatch' ? 'ssh.host-key-mismatch' : 'ssh.host-key-unknown',
      problem === 'mismatch'
        ? `host/${host} presented host key ${presentedFingerprint}, which does not match ${expected}: connection refused`
        : `host/${host} presented host key ${presentedFingerprint}, which is not in ${expected}: connection refused`,
      {
        subject: `host/${host}`,
        hint:
          problem === 'mismatch'
            ? 'the host key changed: if you trust the new key, put it in hostKey/knownHostsFile; otherwise someone may be intercepting the connection'
            : 'add the host key to the config (hostKey) or to the known_hosts file',
        retryable: false,
      },
    );
    this.problem = problem;
    this.presentedFingerprint = presentedFingerprint;
  }
}

export function podSubject(pod: { host: string; namespace: string; name: string }): string {
  return `pod/${pod.namespace}/${pod.name}@${pod.host}`;
}

/** Docker answered with an error status: keep its message (it never holds our secrets). */
export function dockerError(err: unknown, what: string, subject: string): RuntimeError {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  const detail = e?.json?.message ?? e?.message ?? String(err);
  const retryable = e?.statusCode === undefined || e.statusCode >= 500;
  return new RuntimeError('runtime.docker', `${what}: ${detail}`, { subject, retryable, cause: err });
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 404;
}
