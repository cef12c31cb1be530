// `skiff run`: the daemon. Runs until SIGINT/SIGTERM, then stops in order (pollers, loop,
// API, connections, lock).
import type { Command } from 'commander';
import { Daemon } from '../../daemon/daemon.js';
import { daemonLogger } from '../../daemon/daemon-log.js';
import { applyDaemonV8Flags } from '../../daemon/heap-flags.js';
import { SecretScrubber } from '../../daemon/secret-scrubber.js';
import { checkHostFiles } from '../../runtime/host-files.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { failureExit } from '../failure-exit.js';
import { printErrorLine } from '../output.js';

export function registerRun(program: Command): void {
  clusterFlags(
    program
      .command('run')
      .description('run the skiff daemon: follow Git and keep the hosts in sync')
      .option('--listen <host:port>', 'address of the local API (default from config, 127.0.0.1:7420)')
      .option('--log-format <json|pretty>', 'log format', process.stdout.isTTY ? 'pretty' : 'json'),
  ).action(async (opts: ClusterOptions & { listen?: string; logFormat: string }) => {
    // First: the heap policy applies to everything the daemon allocates.
    const v8Flags = applyDaemonV8Flags();
    // One scrubber for the logger and the daemon: the daemon's trackers teach it each commit's
    // Secret values, the logger scrubs every line with them.
    const scrubber = new SecretScrubber();
    const log = daemonLogger({
      format: opts.logFormat === 'pretty' ? 'pretty' : 'json',
      level: process.env.SKIFF_LOG_LEVEL ?? 'info',
      scrubber,
    });
    log.info({ v8Flags }, 'heap policy');
    // What escapes the daemon is printed (by main, or here for a crash): its text can echo a
    // value the daemon knows (a Docker error quoting an env), so it leaves scrubbed too.
    const crash = (err: unknown) => {
      const exit = failureExit(scrubber.error(err));
      process.stderr.write(exit.text);
      process.exit(exit.code);
    };
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    try {
      const config = await loadCliConfig(opts);
      await checkHostFiles(config.hosts);
      const daemon = await Daemon.start({ config, log, listen: opts.listen, scrubber });
      printErrorLine(`skiff daemon listening on ${daemon.address}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      log.info('stopping');
      await daemon.stop();
    } catch (err) {
      throw scrubber.error(err);
    }
  });
}
