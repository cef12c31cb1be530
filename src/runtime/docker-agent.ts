// An HTTP agent whose "sockets" are SSH channels forwarded to the Docker engine's unix socket
// on the host (OpenSSH's direct-streamlocal), so dockerode speaks the Docker API over the one
// persistent SSH connection. Keep-alive: a channel serves request after request, so a call
// costs one round trip, not a new channel (and never a new SSH connection). Shell.
import { Agent, type AgentOptions, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import type { ClientChannel } from 'ssh2';

type OpenChannel = () => Promise<ClientChannel>;

/**
 * Give an SSH channel the few net.Socket methods Node's HTTP client and agent call on a socket
 * (keep-alive, no-delay, ref/unref, idle timeout). The idle timeout is real: it emits
 * 'timeout' after `ms` without traffic, which is how http.Agent retires idle keep-alive sockets.
 */
export function socketLike(ch: ClientChannel): Duplex {
  const s = ch as ClientChannel & Record<string, unknown>;
  let idleMs = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (idleMs > 0) {
      timer = setTimeout(() => ch.emit('timeout'), idleMs);
      timer.unref();
    }
  };
  ch.on('data', arm);
  ch.on('close', () => timer && clearTimeout(timer));
  // The host ended the channel (its engine restarted, or closed an idle connection): out of the
  // agent's pool now, as a net.Socket without allowHalfOpen ends itself. An SSH channel is
  // half-open by default and its destroy() does not mark it destroyed, so it would stay in the
  // pool, writable, and fail the next request written to it. Ended first: the agent takes a
  // socket out of its free pool only once it is no longer writable.
  ch.once('end', () => {
    ch.destroy();
    ch.emit('agentRemove');
  });
  s.setTimeout = (ms: number, cb?: () => void) => {
    idleMs = ms;
    s.timeout = ms;
    // As net.Socket: a callback is added once per call, and removed when the timeout is cleared.
    if (cb && ms === 0) ch.removeListener('timeout', cb);
    else if (cb) ch.once('timeout', cb);
    arm();
    return ch;
  };
  s.setKeepAlive = () => ch;
  s.setNoDelay = () => ch;
  s.ref = () => ch;
  s.unref = () => ch;
  return ch;
}

export class SshDockerAgent extends Agent {
  private readonly channels = new Set<ClientChannel>();

  constructor(
    private readonly open: OpenChannel,
    opts: AgentOptions = {},
  ) {
    // Four channels kept open serve an idle pass (a list of containers and one of volumes at
    // once) and most of a burst. Each open one keeps a channel, a socket and its HTTP state in
    // the daemon, times the hosts (500 in the memory bench); opening one more costs a round
    // trip.
    super({ keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 4, timeout: 60_000, ...opts });
  }

  /**
   * The SSH connection under these channels is gone: destroy them all at once. A dead
   * connection does not always close its channels, and a keep-alive socket left in the pool
   * would swallow the next request until its timeout.
   */
  dropAll(): void {
    for (const ch of this.channels) ch.destroy();
    this.channels.clear();
  }

  // docker-modem runs util.inspect(options, { depth: null }) on every request, agent included:
  // walking the live SSH connection graph cost ~1 ms per call. A short description is enough.
  [inspect.custom](): string {
    return 'SshDockerAgent';
  }

  /** Kept until it closes. The listener is made here, not in createConnection: a closure
   *  there would hold `callback`, and through it the channel's first request with its answer
   *  (a host's whole container list) for as long as the channel lives. */
  private track(ch: ClientChannel): void {
    this.channels.add(ch);
    ch.once('close', () => this.channels.delete(ch));
  }

  // Node's Agent accepts a socket handed to the callback later (async creation).
  override createConnection(
    _options: ClientRequestArgs,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): undefined {
    this.open().then(
      (ch) => {
        this.track(ch);
        callback?.(null, socketLike(ch));
      },
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}
