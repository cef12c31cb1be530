// Typed operational failures of the history database (see model/errors.ts for the shape).
import { SkiffError } from '../model/errors.js';

/** The history database could not be opened, migrated or written. */
export class HistoryStoreError extends SkiffError {
  constructor(
    message: string,
    dbPath: string,
    opts: { cause?: unknown; hint?: string; retryable?: boolean } = {},
  ) {
    super('state.history', message, {
      subject: `history/${dbPath}`,
      cause: opts.cause,
      hint: opts.hint,
      retryable: opts.retryable ?? false,
    });
  }
}
