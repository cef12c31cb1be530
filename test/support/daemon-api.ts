// How end-to-end tests call a daemon's API the way the CLI does: with the token the CLI sends
// (SKIFF_TOKEN, else the local admin token in the daemon's state dir). `fetchNow` replaces the
// unsigned `POST /webhook` the tests used to wake a daemon: the webhook now takes only deliveries
// signed by an app's secret that name its repository (issue 14), and these apps configure none.
import { daemonToken } from '../../src/cli/cli-context.js';
import { DaemonClient } from '../../src/cli/daemon-client.js';

/** A client for the daemon at `address` of `stateDir`, with the CLI's token. */
export function daemonClient(stateDir: string, address: string): DaemonClient {
  return new DaemonClient(address, { token: daemonToken(stateDir) });
}

/** Ask the daemon to fetch every app now (and run a pass). Not awaited to the end, as a webhook
 *  answers at once: the caller waits for the state it expects. */
export function fetchNow(daemon: {
  address: string;
  inst: { config: { daemon: { stateDir: string } } };
}): void {
  void daemonClient(daemon.inst.config.daemon.stateDir, daemon.address)
    .sync({ wait: false, timeoutSeconds: 0 })
    .catch(() => undefined);
}
