// Runs one probe against one container, the kubelet's way, from the container's own host:
// httpGet, tcpSocket and grpc go through the host's SSH connection to the pod's IP (so the image
// needs no curl), exec through the Docker exec API. Shell. Outcomes are values; a probe that
// cannot run (host unreachable, timeout) is a failure with a message, like the kubelet's.
import type { Duplex } from 'node:stream';
import type { PodRef } from '../model/actions.js';
import { SkiffError } from '../model/errors.js';
import type { Container, GRPCAction, Probe, ProbeHandler } from '../model/k8s.js';
import type { Runtime } from './runtime.js';
import { withTimeout } from './with-timeout.js';

export interface ProbeTarget {
  pod: PodRef;
  /** The pod's IP on its host's bridge. */
  ip: string;
  container: Container;
}

export interface ProbeOutcome {
  ok: boolean;
  message?: string;
}

/** Resolves a probe's port (number or container port name) as the kubelet does. */
export function resolveProbePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports.find((p) => p.name === port)?.containerPort;
}

/** One HTTP/1.1 GET over an already-open stream; resolves with the status code. */
function httpGetOverStream(stream: Duplex, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let head = '';
    const done = (fn: () => void) => {
      stream.removeAllListeners('data');
      stream.destroy();
      fn();
    };
    stream.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const eol = head.indexOf('\r\n');
      if (eol >= 0) {
        const m = /^HTTP\/\d\.\d (\d{3})/.exec(head.slice(0, eol));
        done(() =>
          m ? resolve(Number(m[1])) : reject(new Error(`malformed HTTP response: ${head.slice(0, eol)}`)),
        );
      }
    });
    stream.on('error', (err) => done(() => reject(err)));
    stream.on('close', () => reject(new Error('connection closed before a response')));
    stream.write(request);
  });
}

/** A probe request that would not be one HTTP request as written: a CR, LF or other control
 *  character in its request line or a header (validation refuses these in manifests; this
 *  guards the wire). Not retryable: the manifest must change. */
export class ProbeRequestError extends SkiffError {
  constructor(what: string) {
    super(
      'probe.request-invalid',
      `refusing to send the probe request: ${what} is not valid in an HTTP request (CR, LF or another control character)`,
      {
        hint: 'remove CR, LF and other control characters from the probe path, host and headers',
        retryable: false,
      },
    );
  }
}

/** Characters a request-target may hold as they are (RFC 3986 pchar, "/", "?", "%"); any
 *  other is percent-encoded as UTF-8, as the kubelet's URL building does. */
const TARGET_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/;

/** The path as a request-target: fragment dropped, leading "/" ensured, and every byte
 *  outside the safe set escaped, so the path can never end the request line. */
export function requestTarget(path: string): string {
  const noFragment = path.split('#', 1)[0] ?? '';
  const p = noFragment.startsWith('/') ? noFragment : `/${noFragment}`;
  let out = '';
  for (const ch of p) out += TARGET_SAFE.test(ch) ? ch : encodeURIComponent(ch);
  return out;
}

const CONTROL = /[\0-\x08\x0A-\x1F\x7F]/;
/** An HTTP field name (RFC 9110 token). */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The probe's HTTP/1.1 request; throws ProbeRequestError rather than write a line break. */
export function buildProbeRequest(
  g: NonNullable<ProbeHandler['httpGet']>,
  host: string,
  port: number,
): string {
  const headers = g.httpHeaders ?? [];
  for (const x of headers) {
    if (!HTTP_TOKEN.test(x.name)) throw new ProbeRequestError('a header name');
    if (CONTROL.test(x.value)) throw new ProbeRequestError(`the value of header ${x.name}`);
  }
  if (CONTROL.test(host) || /\s/.test(host)) throw new ProbeRequestError('the host');
  const hasHost = headers.some((x) => x.name.toLowerCase() === 'host');
  return (
    `GET ${requestTarget(g.path || '/')} HTTP/1.1\r\n${hasHost ? '' : `Host: ${host}:${port}\r\n`}` +
    `User-Agent: kube-probe/skiff\r\nAccept: */*\r\nConnection: close\r\n` +
    `${headers.map((x) => `${x.name}: ${x.value}\r\n`).join('')}\r\n`
  );
}

export async function runProbe(runtime: Runtime, target: ProbeTarget, probe: Probe): Promise<ProbeOutcome> {
  const timeoutMs = probe.timeoutSeconds * 1000;
  if (probe.grpc) return runGrpcProbe(runtime, target, probe.grpc, timeoutMs);
  // Ends the handler's connection once the probe is decided: a server that accepts and never
  // answers would otherwise keep one forwarded SSH channel open per probe period, for ever.
  const done = new AbortController();
  try {
    return await withTimeout(runHandler(runtime, target, probe, timeoutMs, done.signal), timeoutMs, 'probe');
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  } finally {
    done.abort();
  }
}

/** Closes `stream` when `signal` aborts (at once if it already has). */
function closeOnAbort(stream: Duplex, signal: AbortSignal): void {
  if (signal.aborted) stream.destroy();
  else signal.addEventListener('abort', () => stream.destroy(), { once: true });
}

async function runHandler(
  runtime: Runtime,
  target: ProbeTarget,
  h: ProbeHandler,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  if (h.exec) {
    const r = await runtime.exec(target.pod, target.container.name, h.exec.command, timeoutMs);
    return r.exitCode === 0
      ? { ok: true }
      : {
          ok: false,
          message: `command ${JSON.stringify(h.exec.command)} exited with ${r.exitCode}: ${r.stdout.slice(0, 200)}`,
        };
  }
  if (h.tcpSocket) {
    const port = resolveProbePort(h.tcpSocket.port, target.container);
    if (port === undefined) return { ok: false, message: `unknown port ${h.tcpSocket.port}` };
    const s = await runtime.connectTcp(target.pod.host, h.tcpSocket.host ?? target.ip, port);
    s.destroy();
    return { ok: true };
  }
  if (h.httpGet) {
    const g = h.httpGet;
    const port = resolveProbePort(g.port, target.container);
    if (port === undefined) return { ok: false, message: `unknown port ${g.port}` };
    if (g.scheme === 'HTTPS') return { ok: false, message: 'HTTPS probes are not supported by skiff' };
    const host = g.host ?? target.ip;
    const req = buildProbeRequest(g, host, port);
    const url = `http://${host}:${port}${requestTarget(g.path)}`;
    let stream: Duplex;
    try {
      stream = await runtime.connectTcp(target.pod.host, host, port);
    } catch (err) {
      return { ok: false, message: `Get "${url}": ${(err as Error).message}` };
    }
    closeOnAbort(stream, signal);
    const status = await httpGetOverStream(stream, req);
    // The kubelet: 200 <= code < 400 is success.
    return status >= 200 && status < 400
      ? { ok: true }
      : { ok: false, message: `HTTP probe failed with statuscode: ${status}` };
  }
  return { ok: false, message: 'probe has no handler' };
}

/** The kubelet's grpc probe (pkg/probe/grpc): the pod's IP and the port, one deadline of
 *  timeoutSeconds over connecting and the call, and the kubelet's failure messages. */
async function runGrpcProbe(
  runtime: Runtime,
  target: ProbeTarget,
  g: GRPCAction,
  timeoutMs: number,
): Promise<ProbeOutcome> {
  // Loaded with the first grpc probe (before its deadline starts): its protobuf code is 0.7 MB
  // of heap few daemons need.
  const { checkGrpcHealth } = await import('./grpc-health.js');
  const start = performance.now();
  const addr = `${target.ip.includes(':') ? `[${target.ip}]` : target.ip}:${g.port}`;
  const connecting = runtime.connectTcp(target.pod.host, target.ip, g.port);
  let stream: Duplex;
  try {
    stream = await withTimeout(connecting, timeoutMs, 'connect');
  } catch (err) {
    // A stream that opens after the deadline is closed, never left open.
    connecting.then((s) => s.destroy()).catch(() => {});
    const timedOut = /^connect timed out/.test((err as Error).message);
    return {
      ok: false,
      message: timedOut
        ? `timeout: failed to connect service "${addr}" within ${timeoutMs / 1000}s: context deadline exceeded`
        : `error: failed to connect service at "${addr}": ${(err as Error).message}`,
    };
  }
  const left = Math.max(1, timeoutMs - (performance.now() - start));
  const r = await checkGrpcHealth(stream, {
    authority: addr,
    service: g.service,
    deadlineMs: left,
    timeoutMs,
  });
  return r.ok ? { ok: true } : { ok: false, message: r.message };
}
