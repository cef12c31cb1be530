// One app's admission gate: follows its Git revision, validates each new commit whole, and
// keeps the last admitted commit (the desired state) until a newer valid one arrives. Shell
// (it drives the git source through its ManifestSource port); the decisions it makes are simple and stated here:
// - A commit with any error diagnostic is rejected whole; the previous admitted commit stays.
// - A commit whose app path is missing, or that has no objects at all, is refused unless the
//   app allows empty (Argo CD's allowEmpty): a wrong path must never prune everything.
// - A quarantined commit (its rollout failed) is skipped until a newer commit arrives.
// - With `apps[].verify`, a commit not signed by one of the app's keys (unsigned, unknown key,
//   bad or malformed signature) is rejected the same way, before any of its files is read.
// - A source failure (unreachable remote, auth, deleted branch) keeps the admitted commit;
//   with none admitted yet the app is frozen: the reconciler leaves its pods alone.
import type { AppConfig } from '../config/cluster-config.js';
import type { CommitVerifier } from '../git/commit-verifier.js';
import type { ManifestFile, ManifestSource } from '../git/git-source.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { hasErrors } from '../model/diagnostics.js';
import type { KubeObject } from '../model/k8s.js';
import type { CommitSummary, Condition } from '../model/views.js';

export interface ValidationOutcome {
  objects: KubeObject[];
  diagnostics: Diagnostic[];
}

/** Told every commit's objects as it is judged (before anything about it is logged or
 *  recorded), and which commit is admitted: the daemon's SecretScrubber. */
export interface SecretSink {
  note(app: string, commit: string, objects: readonly KubeObject[]): void;
  admitted(app: string, commit: string): void;
}

/** Validates one app's whole bundle of files (the validator caches per blob). */
export type BundleValidator = (files: ManifestFile[]) => ValidationOutcome;

export interface Admitted {
  commit: string;
  objects: KubeObject[];
  /** Who signed it, when the app verifies signatures (`name (SSH key SHA256:...)`). */
  signedBy?: string;
}

export interface TrackerSnapshot {
  admitted?: Admitted;
  head?: string;
  /** Author and subject of the admitted and head commits, when the source could read them. */
  admittedInfo?: CommitSummary;
  headInfo?: CommitSummary;
  rejected?: { commit: string; diagnostics: Diagnostic[] };
  sourceError?: { code: string; message: string; since: number; retryable: boolean };
  lastFetchAt?: number;
  conditions: Condition[];
  /** Warnings of the admitted commit (unsupported fields ignored, ...). */
  warnings: Diagnostic[];
}

export interface RefreshResult {
  /** Something changed that the reconciler should act on (new admitted commit). */
  admittedChanged: boolean;
  rewritten: boolean;
}

export class AppTracker {
  private admitted?: Admitted;
  private head?: string;
  private rejected?: { commit: string; diagnostics: Diagnostic[] };
  private sourceError?: TrackerSnapshot['sourceError'];
  private lastFetchAt?: number;
  private warnings: Diagnostic[] = [];
  /** Commits already judged (admitted or rejected): re-reading them is pointless. */
  private judged = new Map<string, 'admitted' | 'rejected' | 'quarantined'>();
  /** Author and subject of the head and admitted commits only: read once per commit. */
  private summaries = new Map<string, CommitSummary>();

  constructor(
    readonly config: AppConfig,
    private readonly source: ManifestSource,
    private readonly validate: BundleValidator,
    private readonly isQuarantined: (commit: string) => boolean,
    private readonly secrets?: SecretSink,
    /** Set when the app has `verify`: every commit admitted must pass it. */
    private readonly verifier?: CommitVerifier,
  ) {}

  get name(): string {
    return this.config.name;
  }

  snapshot(): TrackerSnapshot {
    return {
      admitted: this.admitted,
      head: this.head,
      admittedInfo: this.admitted ? this.summaries.get(this.admitted.commit) : undefined,
      headInfo: this.head ? this.summaries.get(this.head) : undefined,
      rejected: this.rejected,
      sourceError: this.sourceError,
      lastFetchAt: this.lastFetchAt,
      conditions: this.conditions(),
      warnings: this.warnings,
    };
  }

  /** Admit a specific commit (startup from the last synced commit, `sync --rev`). */
  async admitCommit(commit: string): Promise<{ ok: boolean; diagnostics: Diagnostic[] }> {
    const judged = await this.judge(commit);
    if (judged.ok) {
      this.admitted = judged.admitted;
      this.secrets?.admitted(this.name, commit);
      this.warnings = judged.diagnostics.filter((d) => d.severity === 'warning');
      await this.summarize(commit);
    }
    return { ok: judged.ok, diagnostics: judged.diagnostics };
  }

  /** Fetch, and if the head moved, judge the new commit. Throws nothing: failures become status. */
  async refresh(now: number): Promise<RefreshResult> {
    let head: { commit: string; change: string };
    try {
      head = await this.source.resolveHead();
    } catch (err) {
      this.observeFailure(err, now);
      return { admittedChanged: false, rewritten: false };
    }
    return this.observeHead(head, now);
  }

  /** A fetch failed: keep what is admitted, say why in status. */
  observeFailure(err: unknown, now: number): void {
    const e = err as { code?: string; message: string; retryable?: boolean };
    const code = e.code ?? 'git.error';
    this.sourceError = {
      code,
      message: e.message,
      since: this.sourceError?.since ?? now,
      retryable: e.retryable ?? true,
    };
  }

  /** The branch points at `head.commit` now: judge it if it is new. */
  async observeHead(head: { commit: string; change: string }, now: number): Promise<RefreshResult> {
    this.sourceError = undefined;
    this.lastFetchAt = now;
    this.head = head.commit;
    await this.summarize(head.commit);
    const rewritten = head.change === 'rewritten';
    if (this.admitted?.commit === head.commit) return { admittedChanged: false, rewritten };
    const prior = this.judged.get(head.commit);
    if (prior === 'rejected' || prior === 'quarantined') return { admittedChanged: false, rewritten };
    if (this.isQuarantined(head.commit)) {
      this.judged.set(head.commit, 'quarantined');
      return { admittedChanged: false, rewritten };
    }
    const judged = await this.judge(head.commit);
    if (!judged.ok) {
      this.rejected = { commit: head.commit, diagnostics: judged.diagnostics };
      this.judged.set(head.commit, 'rejected');
      return { admittedChanged: false, rewritten };
    }
    this.rejected = undefined;
    this.admitted = judged.admitted;
    this.secrets?.admitted(this.name, head.commit);
    this.warnings = judged.diagnostics.filter((d) => d.severity === 'warning');
    this.judged.set(head.commit, 'admitted');
    return { admittedChanged: true, rewritten };
  }

  private async judge(
    commit: string,
  ): Promise<
    { ok: true; admitted: Admitted; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] }
  > {
    let signedBy: string | undefined;
    if (this.verifier) {
      const verdict = await this.verifier(commit);
      if (!verdict.ok) return { ok: false, diagnostics: [sourceDiagnostic(verdict.code, verdict.message)] };
      signedBy = verdict.signer;
    }
    let set: Awaited<ReturnType<ManifestSource['readManifestFiles']>>;
    try {
      set = await this.source.readManifestFiles(commit);
    } catch (err) {
      const e = err as { code?: string; message: string };
      return { ok: false, diagnostics: [sourceDiagnostic(e.code ?? 'git.read', e.message)] };
    }
    if (!set.appPathFound && !this.config.syncPolicy.allowEmpty) {
      return {
        ok: false,
        diagnostics: [
          sourceDiagnostic(
            'app.path-not-found',
            `path "${this.config.path}" does not exist at ${commit.slice(0, 7)}: refusing to treat it as empty (set syncPolicy.allowEmpty to allow)`,
          ),
        ],
      };
    }
    const result = this.validate(set.files);
    // Even a rejected commit's Secrets are known before its diagnostics go anywhere.
    this.secrets?.note(this.name, commit, result.objects);
    const diagnostics = [...set.diagnostics, ...result.diagnostics];
    if (hasErrors(diagnostics)) return { ok: false, diagnostics };
    if (result.objects.length === 0 && !this.config.syncPolicy.allowEmpty) {
      return {
        ok: false,
        diagnostics: [
          ...diagnostics,
          sourceDiagnostic(
            'app.empty',
            `commit ${commit.slice(0, 7)} has no objects under "${this.config.path}": refusing to prune the app to nothing (set syncPolicy.allowEmpty to allow)`,
          ),
        ],
      };
    }
    return {
      ok: true,
      admitted: { commit, objects: result.objects, signedBy },
      diagnostics,
    };
  }

  /** Reads a commit's author and subject once; keeps only the head's and the admitted one's.
   *  A source that cannot say leaves status without them (never a failed refresh). */
  private async summarize(commit: string): Promise<void> {
    if (!this.summaries.has(commit) && this.source.commitInfo) {
      try {
        const info = await this.source.commitInfo(commit);
        this.summaries.set(commit, {
          author: `${info.author.name} <${info.author.email}>`,
          subject: info.subject,
          at: info.author.at,
        });
      } catch {
        // Status shows the sha alone; the next new head tries again.
      }
    }
    for (const known of this.summaries.keys())
      if (known !== commit && known !== this.head && known !== this.admitted?.commit)
        this.summaries.delete(known);
  }

  /** Forget that a commit was judged (after un-quarantine or a config change). */
  forget(commit: string): void {
    this.judged.delete(commit);
  }

  private conditions(): Condition[] {
    const out: Condition[] = [];
    if (this.sourceError) {
      out.push({
        type: 'SourceAvailable',
        status: 'False',
        reason: 'FetchFailed',
        message: `${this.sourceError.message}${this.admitted ? `; keeping ${this.admitted.commit.slice(0, 7)} live` : ''}`,
        lastTransitionTime: this.sourceError.since,
      });
    }
    if (this.rejected) {
      const errors = this.rejected.diagnostics.filter((d) => d.severity === 'error');
      const unsigned = errors.find((d) => d.code.startsWith('signature.'));
      out.push({
        type: 'CommitAdmitted',
        status: 'False',
        reason: unsigned ? 'SignatureRejected' : 'ValidationFailed',
        message: unsigned
          ? `${unsigned.message}; nothing of it was applied`
          : `commit ${this.rejected.commit.slice(0, 7)} rejected with ${errors.length} error(s); nothing of it was applied`,
      });
    }
    return out;
  }
}

function sourceDiagnostic(code: string, message: string): Diagnostic {
  return { file: '', line: 0, column: 0, document: 0, path: '', severity: 'error', code, message };
}
