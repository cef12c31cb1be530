// `skiff sync`: one pass to convergence. With a daemon running for the state directory it
// asks the daemon (never acting beside it); otherwise it acts itself.
import type { Command } from 'commander';
import { SecretScrubber } from '../../daemon/secret-scrubber.js';
import { createSkiffInstance, initialAdmission } from '../../daemon/skiff-instance.js';
import { terminalText } from '../../diff/terminal-text.js';
import { leaseKeeperFor } from '../../lease/lease-keeper.js';
import { SkiffError } from '../../model/errors.js';
import type { ClusterView } from '../../model/views.js';
import {
  type ClusterOptions,
  cliLogger,
  clusterFlags,
  connectDaemon,
  loadCliConfig,
} from '../cli-context.js';
import { printErrorLine, printErrorText, printLine } from '../output.js';

interface SyncOptions extends ClusterOptions {
  rev?: string;
  dryRun?: boolean;
  wait?: boolean;
  timeout: string;
}

function progressLine(view: ClusterView | undefined): string {
  if (!view) return '';
  const d = view.deployments.map((x) => `${x.name} ${x.availableReplicas}/${x.replicas}`).join(', ');
  const running = view.pods.filter((p) => p.phase === 'Running').length;
  return `pods running: ${running}/${view.pods.length}${d ? `; deployments: ${d}` : ''}`;
}

export function registerSync(program: Command): void {
  clusterFlags(
    program
      .command('sync')
      .description('fetch, validate and apply now; with --wait, until everything runs')
      .option('--rev <rev>', 'sync this revision (commit, tag or branch) instead of the branch head')
      .option('--dry-run', 'show the actions without doing them')
      .option('--wait', 'wait until converged (exit 1 on failure or timeout)')
      .option('--timeout <seconds>', 'with --wait: give up after this long', '300'),
  ).action(async (opts: SyncOptions) => {
    const config = await loadCliConfig(opts);
    const timeoutSeconds = Number(opts.timeout);
    const daemon = opts.rev || opts.dryRun ? undefined : await connectDaemon(config);
    if (daemon) {
      const r = await daemon.sync({ wait: !!opts.wait, timeoutSeconds });
      printLine(
        `${r.converged ? 'synced' : opts.wait ? 'not converged' : 'sync started'} (daemon ${daemon.address})`,
      );
      if (opts.wait && !r.converged) process.exitCode = 1;
      return;
    }
    // Acting without a daemon, this command logs what the daemon would: scrubbed of the Secret
    // values the instance's trackers teach the scrubber.
    const scrubber = new SecretScrubber();
    const log = cliLogger(opts.dryRun ? 'warn' : 'info', scrubber.text);
    // Acting without a daemon, this command is the one actor on the hosts while it runs: it
    // holds their lease, and refuses when another daemon (another machine) holds it.
    const lease = opts.dryRun
      ? undefined
      : leaseKeeperFor(config, {
          exec: (host, command, stdin) => inst.runtime.execOnHost(host, command, stdin, 'control'),
          log,
          hosts: () => inst.leasedHosts(),
        });
    const inst = createSkiffInstance({
      config,
      log,
      dryRun: opts.dryRun,
      scrubber,
      lease: lease && (() => lease.view()),
      releaseHostLease: lease && ((host) => lease.releaseHost(host)),
    });
    try {
      if (lease) {
        await lease.start();
        if (!lease.acting())
          throw new SkiffError('sync.standby', lease.view().message, {
            hint: 'another skiff drives these hosts: sync through it, or stop it',
          });
      }
      if (opts.rev) {
        for (const t of inst.trackers) {
          const commit = await inst.sources.get(t.name)!.resolveCommit(opts.rev);
          const r = await t.admitCommit(commit);
          if (!r.ok)
            throw new SkiffError(
              'sync.rejected',
              `${opts.rev} does not validate: ${r.diagnostics.length} finding(s)`,
            );
        }
      } else await initialAdmission(inst, Date.now(), log);
      for (const t of inst.trackers) {
        const snap = t.snapshot();
        if (snap.rejected) {
          printErrorLine(`app ${t.name}: commit ${snap.rejected.commit.slice(0, 7)} rejected:`);
          for (const d of snap.rejected.diagnostics.filter((x) => x.severity === 'error'))
            printErrorLine(`  ${d.file}:${d.line}:${d.column} ${d.path} ${d.message} [${d.code}]`);
          process.exitCode = 1;
        }
        if (snap.sourceError) {
          printErrorLine(`app ${t.name}: ${snap.sourceError.message}`);
          process.exitCode = 1;
        }
      }
      const deadline = Date.now() + timeoutSeconds * 1000;
      const tty = process.stderr.isTTY;
      for (;;) {
        const s = await inst.reconciler.pass();
        if (opts.dryRun) {
          for (const a of s.actions) printLine(`${a.type} ${describeAction(a)}: ${a.reason}`);
          if (s.actions.length === 0) printLine('nothing to do');
          return;
        }
        if (tty) process.stderr.write(`\r${terminalText(progressLine(inst.reconciler.view))}\x1b[K`);
        const failed = s.result.views.deployments.find((d) => d.phase === 'Failed');
        if (failed) throw new SkiffError('sync.failed', `deployment/${failed.name} rollout failed`);
        if (!opts.wait || s.converged) break;
        if (Date.now() > deadline)
          throw new SkiffError('sync.timeout', `not converged after ${timeoutSeconds}s`);
        await new Promise((r) => setTimeout(r, Math.min(1000, s.requeueAfterMs ?? 1000)));
      }
      if (tty) printErrorText('\n');
      printLine(progressLine(inst.reconciler.view));
    } finally {
      await inst.reconciler.inflight.drain();
      await lease?.stop({ release: true });
      await inst.close();
    }
  });
}

function describeAction(a: import('../../model/actions.js').Action): string {
  switch (a.type) {
    case 'createPod':
      return `pod/${a.pod.name} on ${a.host}`;
    case 'syncServiceRules':
      return `rules on ${a.host}`;
    default:
      return `pod/${a.pod.name} on ${a.pod.host}`;
  }
}
