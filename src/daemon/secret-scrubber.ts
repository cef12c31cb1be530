// The daemon's one place that knows the Secret values of the desired state, and the scrub every
// string leaving the daemon goes through: log lines (daemon-log.ts), API answers (api-server.ts)
// and history rows (the history store's scrub hook). Shell state around the pure matcher of
// diff/redact-values.ts.
// Trackers tell it each commit's objects as they judge it (before anything about that commit is
// logged or recorded) and which commit they admitted. Per app it keeps the admitted commit's
// values and those of the few commits judged last (a rotated value still scrubbed while the old
// pods run, a rejected commit's values while its diagnostics are shown): bounded by apps, not by
// how many commits a branch receives.
import { compileScrubber, scrubStrings, secretNeedlesOf, type TextScrubber } from '../diff/redact-values.js';
import type { KubeObject } from '../model/k8s.js';
import type { SecretSink } from './app-tracker.js';

/** Commits per app whose values are kept besides the admitted one. */
const RECENT_COMMITS = 3;

export class SecretScrubber implements SecretSink {
  /** app -> commit -> needles, oldest first. */
  private readonly apps = new Map<string, Map<string, readonly string[]>>();
  private readonly admittedCommit = new Map<string, string>();
  private compiled: TextScrubber = (text) => text;
  /** Bumped whenever the set of known values changes: text scrubbed earlier may hold a new one. */
  private learned = 0;

  note(app: string, commit: string, objects: readonly KubeObject[]): void {
    const commits = this.apps.get(app) ?? new Map<string, readonly string[]>();
    commits.delete(commit);
    commits.set(commit, secretNeedlesOf(objects));
    this.apps.set(app, commits);
    this.evict(app, commits);
    this.compile();
  }

  admitted(app: string, commit: string): void {
    this.admittedCommit.set(app, commit);
    const commits = this.apps.get(app);
    if (commits) this.evict(app, commits);
    this.compile();
  }

  /** `text` with every known Secret value (in any form, JSON-escaped too) replaced by `***`. */
  readonly text = (text: string): string => this.compiled(text);

  /** A copy of plain data (an API answer, a status) with every string scrubbed. */
  deep<T>(value: T): T {
    return scrubStrings(value, this.compiled) as T;
  }

  /** The error with its message, hint and stack scrubbed, and its causes' (in place: the
   *  error's class and code still say what failed). For an error about to be printed. */
  error<T>(err: T, depth = 0): T {
    if (err === null || typeof err !== 'object' || depth > 8) return err;
    const e = err as { message?: unknown; stack?: unknown; hint?: unknown; cause?: unknown };
    for (const key of ['message', 'stack', 'hint'] as const) {
      const v = e[key];
      if (typeof v === 'string') {
        try {
          e[key] = this.compiled(v);
        } catch {
          // A frozen or getter-only property: left as is, the logger scrubs what it prints.
        }
      }
    }
    this.error(e.cause, depth + 1);
    return err;
  }

  private evict(app: string, commits: Map<string, readonly string[]>): void {
    const pinned = this.admittedCommit.get(app);
    const others = [...commits.keys()].filter((c) => c !== pinned);
    for (const c of others.slice(0, Math.max(0, others.length - RECENT_COMMITS))) commits.delete(c);
  }

  /** Changes whenever the known values do (a cache of scrubbed text keys on it). */
  get generation(): number {
    return this.learned;
  }

  private compile(): void {
    this.learned++;
    this.compiled = compileScrubber([...this.apps.values()].flatMap((m) => [...m.values()].flat()));
  }
}
