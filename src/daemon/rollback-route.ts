// POST /api/v1/rollback {deployment, namespace?}: the dashboard's "Roll back", what `skiff rollout
// undo deployment/NAME` does, by the daemon: a commit that reverts the commit of the Deployment's
// current revision (as the history recorded it), pushed to the app's branch; the daemon then
// fetches and admits it like any commit (GitOps: Git stays the truth). Admin only, audited.
// Shell (git, the history database).
import { GitWriter } from '../git/git-writer.js';
import { SkiffError } from '../model/errors.js';
import { type Answer, answer, refuse } from './api-answer.js';
import { type Fields, MAX_API_BODY, parseJsonBody, readBody } from './api-bounds.js';
import type { RequestContext, Route } from './api-routes.js';
import { gitSourceFor } from './skiff-instance.js';

const FIELDS: Fields = {
  deployment: { type: 'string', maxLength: 253 },
  namespace: { type: 'string', maxLength: 63 },
};

/** Who the revert commit names as author (the audit log names the token). */
const AUTHOR = { name: 'skiff dashboard', email: 'skiff@localhost' };

async function rollback({ req, backend }: RequestContext): Promise<Answer> {
  const raw = await readBody(req, MAX_API_BODY);
  if (!Buffer.isBuffer(raw)) return raw;
  const parsed = parseJsonBody<{ deployment?: string; namespace?: string }>(raw, FIELDS);
  if (!parsed.ok) return parsed.answer;
  const body = parsed.value;
  const audited = (a: Answer, result: string): Answer => ({ ...a, audit: { params: body, result } });
  if (!body.deployment) return audited(refuse(400, 'invalid body: "deployment" is required'), 'bad request');
  const { inst } = backend;
  const ref = { namespace: body.namespace ?? 'default', name: body.deployment };
  const what = `deployment/${ref.name}`;
  const revisions = inst.history?.listRevisions(ref) ?? [];
  const current = revisions.at(-1);
  if (!current || revisions.length < 2)
    return audited(
      refuse(
        409,
        `no rollout history found for ${what}`,
        'revisions are recorded by the daemon as it rolls out',
      ),
      'no history',
    );
  const app = inst.config.apps.find((a) => a.name === current.app);
  if (!app) return audited(refuse(409, `app "${current.app}" of ${what} is not configured`), 'unknown app');
  const writer = new GitWriter(gitSourceFor(app, inst.config.daemon.stateDir), {
    author: AUTHOR,
    signedCommitsOnly: !!app.verify,
  });
  try {
    const r = await writer.revertCommit(current.commit);
    await backend.refreshApp(app.name);
    // The patch stays out: a reverted Secret's values would be in it.
    return audited(answer(200, { outcome: r.outcome, commit: r.commit, message: r.message }), r.outcome);
  } catch (err) {
    if (!(err instanceof SkiffError)) throw err;
    return audited(refuse(409, err.message, err.hint), err.code);
  }
}

export const rollbackRoute: Route = { access: 'admin', mutating: true, query: {}, handle: rollback };
