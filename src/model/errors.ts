// Operational failures (git, SSH, Docker, filesystem): thrown as typed errors carrying a
// stable code, the object concerned, a hint for the user, and whether retrying can help.
// Messages must never contain secret values or credentials.

export interface SkiffErrorOptions {
  cause?: unknown;
  /** What the error is about: `host/h1`, `app/web`, `deployment/web`. */
  subject?: string;
  hint?: string;
  retryable?: boolean;
}

export class SkiffError extends Error {
  readonly code: string;
  readonly subject?: string;
  readonly hint?: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, opts: SkiffErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.subject = opts.subject;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? false;
  }
}

/** Wrong usage of the CLI (exit 2). */
export class UsageError extends SkiffError {
  constructor(message: string, hint?: string) {
    super('usage', message, { hint });
  }
}

/** Exhaustiveness guard: reaching it is a bug, and the pass crashes loudly. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`bug: unexpected ${what}: ${JSON.stringify(x)}`);
}
