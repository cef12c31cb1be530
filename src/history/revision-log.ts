// The `revisions` table: per-Deployment revisions numbered as Kubernetes numbers ReplicaSets.
// A new pod template gets max+1; a template that comes back (a revert, a restore of the last
// good revision) keeps its row but is renumbered to max+1, its old number remembered, as the
// Deployment controller does when it adopts an old ReplicaSet
// (k8s.io/kubernetes pkg/controller/deployment/util/deployment_util.go SetNewReplicaSetAnnotations:
// newRevision = MaxRevision(oldRSs)+1, old number appended to the revision-history annotation).
// Old revisions beyond spec.revisionHistoryLimit are dropped, the current one never
// (pkg/controller/deployment/sync.go cleanupDeployment keeps revisionHistoryLimit old ReplicaSets).
import type Database from 'better-sqlite3';
import type {
  DeploymentRef,
  RecordRevisionResult,
  RevisionChange,
  RevisionInput,
  RevisionRecord,
} from './history-types.js';

interface RevisionRow {
  namespace: string;
  deployment: string;
  revision: number;
  template_hash: string;
  app: string;
  commit_sha: string;
  author: string;
  subject: string;
  created_at: number;
  previous_revisions: string;
}

const COLUMNS =
  'namespace, deployment, revision, template_hash, app, commit_sha, author, subject, created_at, previous_revisions';

function toRecord(row: RevisionRow): RevisionRecord {
  return {
    app: row.app,
    namespace: row.namespace,
    deployment: row.deployment,
    revision: row.revision,
    templateHash: row.template_hash,
    commit: row.commit_sha,
    author: row.author,
    subject: row.subject,
    createdAt: row.created_at,
    previousRevisions: JSON.parse(row.previous_revisions) as number[],
  };
}

interface RefParams {
  namespace: string;
  name: string;
}

export class RevisionLog {
  private readonly all: Database.Statement<RefParams, RevisionRow>;
  private readonly one: Database.Statement<RefParams & { revision: number }, RevisionRow>;
  private readonly insert: Database.Statement<Record<string, unknown>>;
  private readonly renumber: Database.Statement<Record<string, unknown>>;
  private readonly remove: Database.Statement<RefParams & { revision: number }>;
  private readonly forget: Database.Statement<RefParams>;
  private readonly record: (input: RevisionInput) => RecordRevisionResult;

  constructor(db: Database.Database) {
    this.all = db.prepare(
      `SELECT ${COLUMNS} FROM revisions WHERE namespace = @namespace AND deployment = @name ORDER BY revision`,
    );
    this.one = db.prepare(
      `SELECT ${COLUMNS} FROM revisions WHERE namespace = @namespace AND deployment = @name AND revision = @revision`,
    );
    this.insert = db.prepare(
      `INSERT INTO revisions (${COLUMNS})
       VALUES (@namespace, @deployment, @revision, @templateHash, @app, @commit, @author, @subject, @at, '[]')`,
    );
    this.renumber = db.prepare(
      `UPDATE revisions SET revision = @revision, app = @app, commit_sha = @commit, author = @author,
         subject = @subject, created_at = @at, previous_revisions = @previous
       WHERE namespace = @namespace AND deployment = @deployment AND template_hash = @templateHash`,
    );
    this.remove = db.prepare(
      'DELETE FROM revisions WHERE namespace = @namespace AND deployment = @name AND revision = @revision',
    );
    this.forget = db.prepare('DELETE FROM revisions WHERE namespace = @namespace AND deployment = @name');
    this.record = db.transaction((input: RevisionInput) => this.recordInTransaction(input));
  }

  /** Records that `templateHash` is the Deployment's current template. */
  recordRevision(input: RevisionInput): RecordRevisionResult {
    if (!Number.isInteger(input.revisionHistoryLimit) || input.revisionHistoryLimit < 0) {
      throw new Error(
        `bug: revisionHistoryLimit must be a non-negative integer, got ${input.revisionHistoryLimit}`,
      );
    }
    return this.record(input);
  }

  private recordInTransaction(input: RevisionInput): RecordRevisionResult {
    const ref = { namespace: input.namespace, name: input.deployment };
    const rows = this.all.all(ref);
    const newest = rows.at(-1);
    const existing = rows.find((r) => r.template_hash === input.templateHash);
    let change: RevisionChange;
    let revision: number;
    if (existing !== undefined && existing === newest) {
      change = 'unchanged';
      revision = existing.revision;
    } else {
      revision = (newest?.revision ?? 0) + 1;
      const params = {
        namespace: input.namespace,
        deployment: input.deployment,
        revision,
        templateHash: input.templateHash,
        app: input.app,
        commit: input.commit,
        author: input.author,
        subject: input.subject,
        at: input.at,
      };
      if (existing === undefined) {
        change = 'created';
        this.insert.run(params);
      } else {
        change = 'reused';
        const previous = [...(JSON.parse(existing.previous_revisions) as number[]), existing.revision];
        this.renumber.run({ ...params, previous: JSON.stringify(previous) });
      }
    }
    const pruned = this.pruneHistory(ref, input.revisionHistoryLimit);
    const current = this.one.get({ ...ref, revision }) as RevisionRow;
    return { revision: toRecord(current), change, pruned };
  }

  /** Drops all but the newest `limit` old revisions; the current (newest) always stays. */
  private pruneHistory(ref: RefParams, limit: number): number[] {
    const rows = this.all.all(ref);
    const drop = rows.slice(0, Math.max(0, rows.length - (limit + 1)));
    for (const row of drop) this.remove.run({ ...ref, revision: row.revision });
    return drop.map((r) => r.revision);
  }

  /** Oldest first, as `kubectl rollout history` lists them. */
  listRevisions(ref: DeploymentRef): RevisionRecord[] {
    return this.all.all(ref).map(toRecord);
  }

  revision(ref: DeploymentRef, n: number): RevisionRecord | undefined {
    const row = this.one.get({ ...ref, revision: n });
    return row === undefined ? undefined : toRecord(row);
  }

  /** Forgets a Deployment's revisions (it was pruned from Git); a later one starts at 1 again. */
  forgetRevisions(ref: DeploymentRef): number {
    return this.forget.run(ref).changes;
  }
}
