// The probe runner's HTTP request, as written on the wire: the path becomes a safe
// request-target (the kubelet's URL escaping), and a CR, LF or other control character in a
// header or the host is refused with a typed error instead of forging request lines. This
// guards the wire even if a manifest skipped validation.
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Container } from '../../../src/model/k8s.js';
import {
  buildProbeRequest,
  ProbeRequestError,
  requestTarget,
  runProbe,
} from '../../../src/runtime/probe-runner.js';
import type { Runtime } from '../../../src/runtime/runtime.js';

type HttpGet = Parameters<typeof buildProbeRequest>[0];
const get = (g: Partial<HttpGet>): HttpGet => ({ path: '/', port: 80, scheme: 'HTTP', ...g }) as HttpGet;

describe('requestTarget', () => {
  it.each([
    ['/ready', '/ready'],
    ['', '/'],
    ['ready', '/ready'],
    ['/a b', '/a%20b'],
    ['/h?x=1&y=%2F', '/h?x=1&y=%2F'],
    ['/h#frag', '/h'],
    ['/h\r\nX-Evil: 1', '/h%0D%0AX-Evil:%201'],
    ['/\u0000', '/%00'],
    ['/café', '/caf%C3%A9'],
    ['/a"<>\\^`{|}', '/a%22%3C%3E%5C%5E%60%7B%7C%7D'],
  ])('%j -> %s', (path, target) => {
    expect(requestTarget(path)).toBe(target);
  });
});

describe('buildProbeRequest', () => {
  it('writes one request line and its headers', () => {
    expect(
      buildProbeRequest(
        get({ path: '/ready', httpHeaders: [{ name: 'X-A', value: 'b' }] }),
        '10.0.0.2',
        8080,
      ),
    ).toBe(
      'GET /ready HTTP/1.1\r\nHost: 10.0.0.2:8080\r\nUser-Agent: kube-probe/skiff\r\nAccept: */*\r\nConnection: close\r\nX-A: b\r\n\r\n',
    );
  });

  it('a path with CR/LF stays on the request line', () => {
    const req = buildProbeRequest(get({ path: '/h\r\nHost: evil' }), '10.0.0.2', 80);
    expect(req.split('\r\n')[0]).toBe('GET /h%0D%0AHost:%20evil HTTP/1.1');
    expect(req.match(/\r\nHost: /g)).toHaveLength(1);
  });

  it.each([
    [
      'CR/LF in a header value',
      get({ httpHeaders: [{ name: 'X-A', value: 'v\r\nHost: evil' }] }),
      '10.0.0.2',
    ],
    ['a bare LF in a header value', get({ httpHeaders: [{ name: 'X-A', value: 'v\nX: y' }] }), '10.0.0.2'],
    ['NUL in a header value', get({ httpHeaders: [{ name: 'X-A', value: 'v\0' }] }), '10.0.0.2'],
    ['LF in a header name', get({ httpHeaders: [{ name: 'X\nY', value: 'v' }] }), '10.0.0.2'],
    ['a colon in a header name', get({ httpHeaders: [{ name: 'X: y', value: 'v' }] }), '10.0.0.2'],
    ['an empty header name', get({ httpHeaders: [{ name: '', value: 'v' }] }), '10.0.0.2'],
    ['CR/LF in the host', get({}), 'h\r\nX: y'],
  ])('%s is a ProbeRequestError', (_n, g, host) => {
    let err: unknown;
    try {
      buildProbeRequest(g, host, 80);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProbeRequestError);
    expect(err).toMatchObject({ code: 'probe.request-invalid', retryable: false });
    expect((err as Error).message).not.toContain('evil');
  });

  it('runProbe reports it as a failed probe and never connects', async () => {
    let connected = false;
    const runtime = {
      connectTcp: async () => {
        connected = true;
        return new PassThrough();
      },
    } as unknown as Runtime;
    const container = { name: 'web', ports: [] } as unknown as Container;
    const outcome = await runProbe(
      runtime,
      { pod: { host: 'h1', namespace: 'default', name: 'web-1' } as never, ip: '10.0.0.2', container },
      {
        httpGet: get({ httpHeaders: [{ name: 'X-A', value: 'v\r\nX-Evil: 1' }] }),
        timeoutSeconds: 1,
      } as never,
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain('refusing to send the probe request');
    expect(connected).toBe(false);
  });
});

describe('a timeoutSeconds past what a timer holds (int32 seconds)', () => {
  it('an httpGet probe waits for the answer instead of failing at once', async () => {
    const { createServer, connect } = await import('node:net');
    const server = createServer((s) => {
      s.on('data', () => {});
      setTimeout(() => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 200);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const runtime = {
      connectTcp: (_h: string, ip: string, p: number) =>
        new Promise((resolve, reject) => {
          const s = connect({ host: ip, port: p });
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        }),
    } as unknown as Runtime;
    const container = { name: 'web', ports: [] } as unknown as Container;
    const outcome = await runProbe(
      runtime,
      { pod: { host: 'h1', namespace: 'default', name: 'web-1' } as never, ip: '127.0.0.1', container },
      { httpGet: get({ port }), timeoutSeconds: 3_000_000 } as never,
    );
    server.close();
    expect(outcome).toEqual({ ok: true });
  });
});

describe('a server that accepts and never answers', () => {
  it('fails the httpGet probe at its timeout and closes the connection, also one that opens late', async () => {
    const streams: Duplex[] = [];
    let delayMs = 0;
    const runtime = {
      connectTcp: async () => {
        await new Promise((r) => setTimeout(r, delayMs));
        // Takes the request and never answers.
        const s = new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
        streams.push(s);
        return s;
      },
    } as unknown as Runtime;
    const container = { name: 'web', ports: [] } as unknown as Container;
    const target = {
      pod: { host: 'h1', namespace: 'default', name: 'web-1' } as never,
      ip: '10.0.0.2',
      container,
    };
    const probe = { httpGet: get({ port: 80 }), timeoutSeconds: 1 } as never;

    const outcome = await runProbe(runtime, target, probe);
    expect(outcome).toEqual({ ok: false, message: 'probe timed out after 1s' });
    expect(streams[0]?.destroyed).toBe(true);

    delayMs = 1200; // the connection opens after the deadline
    expect((await runProbe(runtime, target, probe)).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(streams[1]?.destroyed).toBe(true);
  });
});
