// The daemon's API listen address (`daemon.listen`, `skiff run --listen`), read once for the
// config check and the server: a value that cannot work is a usage error before anything
// starts. Pure text parsing.
import { UsageError } from '../model/errors.js';

export const LISTEN_ADDRESS_HINT =
  'give host:port, e.g. 127.0.0.1:7420, [::1]:7420 or :7420 (port 0 picks a free one)';

/** `host:port`, `[v6]:port`, `:port` or `port` (on 127.0.0.1); the port 0..65535. */
export function parseListenAddress(listen: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):)?([0-9]{1,5})$/.exec(listen);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535)
    throw new UsageError(`invalid listen address ${JSON.stringify(listen)}`, LISTEN_ADDRESS_HINT);
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

/** Whether a listen host is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.[0-9]{1,3}){3}$/.test(h);
}

export const EXPOSED_LISTEN_HINT =
  'set daemon.tls: {cert, key} to serve HTTPS, or daemon.insecure: true to accept plain HTTP on the network';

/** Listening beyond loopback needs TLS or an explicit `insecure: true` (a token sent in clear
 *  text on a network can be read by anyone on the path). The problem, or undefined. */
export function exposureProblem(
  listen: string,
  daemon: { tls?: unknown; insecure?: boolean },
): string | undefined {
  const { host } = parseListenAddress(listen);
  if (isLoopbackHost(host) || daemon.tls || daemon.insecure) return undefined;
  return `listening on ${listen} exposes the API beyond this machine without TLS`;
}
