// Runs one probe against one container, the kubelet's way, from the container's own host:
// httpGet and tcpSocket go through the host's SSH connection to the pod's IP (so the image
// needs no curl), exec through the Docker exec API. Shell. Outcomes are values; a probe that
// cannot run (host unreachable, timeout) is a failure with a message, like the kubelet's.
import type { Duplex } from 'node:stream';
import type { PodRef } from '../model/actions.js';
import type { Container, Probe, ProbeHandler } from '../model/k8s.js';
import type { Runtime } from './runtime.js';

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

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
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

export async function runProbe(runtime: Runtime, target: ProbeTarget, probe: Probe): Promise<ProbeOutcome> {
  const timeoutMs = probe.timeoutSeconds * 1000;
  try {
    return await withTimeout(runHandler(runtime, target, probe, timeoutMs), timeoutMs, 'probe');
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

async function runHandler(
  runtime: Runtime,
  target: ProbeTarget,
  h: ProbeHandler,
  timeoutMs: number,
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
    const headers = (g.httpHeaders ?? []).map((x) => `${x.name}: ${x.value}\r\n`).join('');
    const hasHost = (g.httpHeaders ?? []).some((x) => x.name.toLowerCase() === 'host');
    const req =
      `GET ${g.path || '/'} HTTP/1.1\r\n${hasHost ? '' : `Host: ${host}:${port}\r\n`}` +
      `User-Agent: kube-probe/skiff\r\nAccept: */*\r\nConnection: close\r\n${headers}\r\n`;
    const url = `http://${host}:${port}${g.path}`;
    let stream: Duplex;
    try {
      stream = await runtime.connectTcp(target.pod.host, host, port);
    } catch (err) {
      return { ok: false, message: `Get "${url}": ${(err as Error).message}` };
    }
    const status = await httpGetOverStream(stream, req);
    // The kubelet: 200 <= code < 400 is success.
    return status >= 200 && status < 400
      ? { ok: true }
      : { ok: false, message: `HTTP probe failed with statuscode: ${status}` };
  }
  return { ok: false, message: 'probe has no handler' };
}
