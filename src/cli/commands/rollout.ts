// `skiff rollout status|history|undo deployment/NAME`: kubectl's rollout verbs.
// - status polls the cluster view (the daemon's, or passes computed here that execute nothing)
//   and prints kubectl's progress lines; exit 1 when the rollout failed or the timeout passed.
// - history lists the revisions the daemon recorded (history.db), with their commits.
// - undo is the GitOps way: a commit that reverts the commit of the current revision, or that
//   restores revision N's manifest (--to-revision), pushed; --dry-run prints it.
// Shell: the daemon's API, the hosts (read-only), history.db (read-only), git.
import type { Command } from 'commander';
import type { ClusterConfig } from '../../config/cluster-config.js';
import { createSkiffInstance, initialAdmission } from '../../daemon/skiff-instance.js';
import { GitWriter } from '../../git/git-writer.js';
import type { ObjectRef } from '../../git/manifest-edit.js';
import { openHistoryStore } from '../../history/history-store.js';
import type { RevisionRecord } from '../../history/history-types.js';
import { parseDuration } from '../../manifest/duration.js';
import { SkiffError, UsageError } from '../../model/errors.js';
import type { ClusterView } from '../../model/views.js';
import { openAppRepo } from '../app-repo.js';
import {
  type ClusterOptions,
  cliLogger,
  clusterFlags,
  connectDaemon,
  loadCliConfig,
} from '../cli-context.js';
import { commitAuthor, deploymentTarget, reportWrite } from '../git-edit.js';
import { outputFormat, printErrorLine, printJson, printLine, printText } from '../output.js';
import { rolloutStatus } from '../rollout-status.js';
import { renderTable } from '../views/table.js';

interface RolloutOptions extends ClusterOptions {
  namespace?: string;
}

/** A source of fresh cluster views: the daemon's, or a local read-only instance's passes. */
interface ViewSource {
  next(): Promise<ClusterView>;
  close(): Promise<void>;
}

async function openViewSource(config: ClusterConfig, app: string | undefined): Promise<ViewSource> {
  const daemon = await connectDaemon(config);
  if (daemon) {
    // Fetch first (as the webhook would): a commit pushed a moment ago is the rollout to watch,
    // not the one before it (kubectl waits for the observed generation for the same reason).
    await daemon.sync({ app, wait: false, timeoutSeconds: 30 });
    return { next: () => daemon.view(), close: async () => undefined };
  }
  const log = cliLogger();
  const inst = createSkiffInstance({ config, log, dryRun: true, history: false });
  await initialAdmission(inst, Date.now(), log);
  return {
    async next() {
      await inst.reconciler.pass();
      return inst.reconciler.view!;
    },
    close: () => inst.close(),
  };
}

/** `0`/`0s` (kubectl's default): wait forever. */
export function parseTimeout(text: string): number {
  if (/^0+(s|m|h|ms)?$/.test(text.trim())) return 0;
  const ms = parseDuration(text) ?? (/^\d+$/.test(text.trim()) ? Number(text) * 1000 : undefined);
  if (ms === undefined) throw new UsageError(`cannot read --timeout ${JSON.stringify(text)}`, 'e.g. 5m, 90s');
  return ms;
}

function withHistory<T>(config: ClusterConfig, fn: (h: ReturnType<typeof openHistoryStore>) => T): T {
  let h: ReturnType<typeof openHistoryStore>;
  try {
    h = openHistoryStore({ stateDir: config.daemon.stateDir, readonly: true });
  } catch (err) {
    throw new SkiffError('history.unavailable', `no rollout history: ${(err as Error).message}`, {
      hint: 'revisions are recorded by the daemon (skiff run) as it rolls Deployments out',
    });
  }
  try {
    return fn(h);
  } finally {
    h.close();
  }
}

function refOf(ref: ObjectRef) {
  return { namespace: ref.namespace ?? 'default', name: ref.name };
}

async function runStatus(target: string, opts: RolloutOptions & { timeout: string; interval: string }) {
  const ref = deploymentTarget(target, opts.namespace);
  const config = await loadCliConfig(opts);
  const timeoutMs = parseTimeout(opts.timeout);
  const intervalMs = parseDuration(opts.interval) ?? 1000;
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Number.POSITIVE_INFINITY;
  const source = await openViewSource(config, opts.app);
  let printed = '';
  try {
    for (;;) {
      const s = rolloutStatus(await source.next(), { ...refOf(ref), app: opts.app });
      if (s.state === 'missing') throw new SkiffError('rollout.not-found', s.message);
      if (s.state === 'failed') {
        printErrorLine(`error: ${s.message}`);
        if (s.reason) printErrorLine(`reason: ${s.reason}`);
        process.exitCode = 1;
        return;
      }
      if (s.message !== printed) {
        printLine(s.message);
        printed = s.message;
      }
      if (s.state === 'done') return;
      if (Date.now() + intervalMs > deadline) {
        printErrorLine(`error: timed out waiting for the condition`);
        process.exitCode = 1;
        return;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  } finally {
    await source.close();
  }
}

async function runHistory(target: string, opts: RolloutOptions & { output: string; revision?: string }) {
  const format = outputFormat(opts.output);
  const ref = deploymentTarget(target, opts.namespace);
  const config = await loadCliConfig(opts);
  const revisions = withHistory(config, (h) => h.listRevisions(refOf(ref)));
  const shown = opts.revision ? revisions.filter((r) => r.revision === Number(opts.revision)) : revisions;
  if (opts.revision && shown.length === 0)
    throw new SkiffError(
      'rollout.revision-not-found',
      `unable to find the specified revision ${opts.revision}`,
    );
  if (format === 'json') return printJson(shown);
  printLine(`deployment.apps/${ref.name}`);
  if (shown.length === 0) {
    printLine('No revisions recorded.');
    return;
  }
  printText(
    renderTable(
      ['REVISION', 'COMMIT', 'AUTHOR', 'CHANGE-CAUSE'],
      shown.map((r) => [String(r.revision), r.commit.slice(0, 7), r.author, r.subject || '<none>']),
    ),
  );
}

async function runUndo(
  target: string,
  opts: RolloutOptions & { toRevision?: string; dryRun?: boolean; author?: string },
) {
  const ref = deploymentTarget(target, opts.namespace);
  const repo = await openAppRepo(opts);
  const revisions = withHistory(repo.config, (h) => h.listRevisions(refOf(ref)));
  const writer = new GitWriter(repo.source, {
    author: commitAuthor(opts.author),
    signedCommitsOnly: !!repo.app.verify,
  });
  const what = `deployment.apps/${ref.name}`;
  if (opts.toRevision !== undefined) {
    const n = Number(opts.toRevision);
    const rev = revisions.find((r) => r.revision === n);
    if (!rev)
      throw new SkiffError(
        'rollout.revision-not-found',
        `unable to find specified revision ${opts.toRevision} in history`,
      );
    const r = await writer.restoreObject(ref, rev.commit, { dryRun: opts.dryRun });
    return reportWrite(r, what, `rolled back to revision ${n}`, repo.source.kind === 'remote');
  }
  const current: RevisionRecord | undefined = revisions.at(-1);
  if (!current || revisions.length < 2)
    throw new SkiffError('rollout.no-previous', `no rollout history found for ${what}`, {
      hint: 'revisions are recorded by the daemon; or revert a commit with `git revert` and push',
    });
  const r = await writer.revertCommit(current.commit, { dryRun: opts.dryRun });
  reportWrite(r, what, 'rolled back', repo.source.kind === 'remote');
}

export function registerRollout(program: Command): void {
  const rollout = program.command('rollout').description("manage a Deployment's rollout (kubectl's verbs)");
  clusterFlags(
    rollout
      .command('status')
      .description('wait for a rollout to finish; exit 1 if it fails or the timeout passes')
      .argument('<deployment>', 'deployment/NAME')
      .option('--timeout <duration>', 'give up after this long (0: wait forever)', '0s')
      .option('--interval <duration>', 'how often to look', '1s')
      .option('-n, --namespace <ns>', "the Deployment's namespace"),
  ).action((target: string, opts) => runStatus(target, opts));
  clusterFlags(
    rollout
      .command('history')
      .description('the revisions of a Deployment, with the commits that made them')
      .argument('<deployment>', 'deployment/NAME')
      .option('--revision <n>', 'only this revision')
      .option('-o, --output <format>', 'text | json', 'text')
      .option('-n, --namespace <ns>', "the Deployment's namespace"),
  ).action((target: string, opts) => runHistory(target, opts));
  clusterFlags(
    rollout
      .command('undo')
      .description("roll back by a commit: revert the current revision's commit, or restore revision N")
      .argument('<deployment>', 'deployment/NAME')
      .option('--to-revision <n>', "restore this revision's manifest")
      .option('--dry-run', 'print the commit, push nothing')
      .option('-n, --namespace <ns>', "the Deployment's namespace")
      .option('--author <who>', 'commit author, "Name <email>"'),
  ).action((target: string, opts) => runUndo(target, opts));
}
