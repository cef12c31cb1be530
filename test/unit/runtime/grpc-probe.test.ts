// The grpc probe against real gRPC servers on 127.0.0.1: @grpc/grpc-js's server (an
// implementation independent of the client under test) and the testbed image's own server
// script. Outcomes and messages are the kubelet's (pkg/probe/grpc): SERVING succeeds;
// NOT_SERVING, an unknown service (NOT_FOUND), a server without the health service
// (UNIMPLEMENTED), a refused connection and a deadline fail.
import { type ChildProcess, spawn } from 'node:child_process';
import http2 from 'node:http2';
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Probe } from '../../../src/model/k8s.js';
import { grpcTimeout } from '../../../src/runtime/grpc-health.js';
import { runProbe } from '../../../src/runtime/probe-runner.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { healthService } from '../../support/grpc-health-service.js';

/** What the grpc-js health server answers per service; a missing service is NOT_FOUND. */
const statuses = new Map<string, number>([
  ['', 1],
  ['skiff.test.Echo', 1],
  ['skiff.test.Down', 2],
  ['skiff.test.Unknown', 0],
]);
const SLOW = 'skiff.test.Slow';

function startServer(withHealth: boolean): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  if (withHealth)
    server.addService(healthService, {
      check: (call: grpc.ServerUnaryCall<{ service?: string }, object>, cb: grpc.sendUnaryData<object>) => {
        const service = call.request.service ?? '';
        if (service === SLOW) return void setTimeout(() => cb(null, { status: 1 }), 3000);
        const status = statuses.get(service);
        if (status === undefined) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        cb(null, { status });
      },
    });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve({ server, port }),
    ),
  );
}

/** A runtime whose connectTcp opens a plain TCP connection (what the SSH forward gives). */
const runtime = {
  connectTcp: (_host: string, ip: string, port: number) =>
    new Promise((resolve, reject) => {
      const s = connect({ host: ip, port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    }),
} as unknown as Runtime;
const container = { name: 'app', ports: [] } as unknown as Container;
const target = {
  pod: { host: 'h1', namespace: 'default', name: 'app-1' } as never,
  ip: '127.0.0.1',
  container,
};
const probe = (port: number, service = '', timeoutSeconds = 1): Probe =>
  ({ grpc: { port, service }, timeoutSeconds }) as Probe;

let health: { server: grpc.Server; port: number };
let bare: { server: grpc.Server; port: number };
let silent: NetServer;
let silentPort = 0;
let refusedPort = 0;

beforeAll(async () => {
  health = await startServer(true);
  bare = await startServer(false);
  // Accepts connections and never answers: the deadline, not the server, ends the call.
  silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  refusedPort = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
});
afterAll(() => {
  health.server.forceShutdown();
  bare.server.forceShutdown();
  silent.close();
});

describe('grpc probe against a grpc-js health server', () => {
  it.each([
    ['the server overall (service "")', '', true, undefined],
    ['a named service that is SERVING', 'skiff.test.Echo', true, undefined],
    ['NOT_SERVING', 'skiff.test.Down', false, 'service unhealthy (responded with "NOT_SERVING")'],
    ['UNKNOWN', 'skiff.test.Unknown', false, 'service unhealthy (responded with "UNKNOWN")'],
    [
      'a service the server does not know (NOT_FOUND)',
      'skiff.test.Nope',
      false,
      'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
    ],
  ])('%s', async (_name, service, ok, message) => {
    const out = await runProbe(runtime, target, probe(health.port, service));
    expect(out).toEqual(ok ? { ok: true } : { ok: false, message });
  });

  it('works over a stream that is not a socket (an SSH channel is a plain Duplex)', async () => {
    const channelLike = {
      connectTcp: async (_h: string, ip: string, port: number) => {
        const sock = (await runtime.connectTcp('h1', ip, port)) as Socket;
        const d = new Duplex({
          read() {},
          write(chunk, _enc, cb) {
            sock.write(chunk, cb);
          },
          final(cb) {
            sock.end(cb);
          },
          destroy(err, cb) {
            sock.destroy();
            cb(err);
          },
        });
        sock.on('data', (c) => d.push(c));
        sock.on('end', () => d.push(null));
        return d;
      },
    } as unknown as Runtime;
    expect(await runProbe(channelLike, target, probe(health.port, 'skiff.test.Echo'))).toEqual({ ok: true });
    expect(await runProbe(channelLike, target, probe(health.port, 'skiff.test.Down'))).toEqual({
      ok: false,
      message: 'service unhealthy (responded with "NOT_SERVING")',
    });
  });

  it('a server without grpc.health.v1.Health: UNIMPLEMENTED, in the kubelet words', async () => {
    const out = await runProbe(runtime, target, probe(bare.port));
    expect(out.ok).toBe(false);
    expect(out.message).toBe(
      'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): The server does not implement the method /grpc.health.v1.Health/Check',
    );
  });

  it('a refused connection fails at once, naming the address', async () => {
    const t0 = performance.now();
    const out = await runProbe(runtime, target, probe(refusedPort));
    expect(out.ok).toBe(false);
    expect(out.message).toMatch(
      new RegExp(`^error: failed to connect service at "127.0.0.1:${refusedPort}": `),
    );
    expect(out.message).toContain('ECONNREFUSED');
    expect(performance.now() - t0).toBeLessThan(900);
  });

  it('a handler slower than timeoutSeconds: the call is cut at the deadline', async () => {
    const t0 = performance.now();
    const out = await runProbe(runtime, target, probe(health.port, SLOW, 1));
    const took = performance.now() - t0;
    expect(out).toEqual({ ok: false, message: 'timeout: health rpc did not complete within 1s' });
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2500);
  });

  it('a peer that accepts and never answers: the deadline ends the call', async () => {
    const out = await runProbe(runtime, target, probe(silentPort, '', 1));
    expect(out).toEqual({ ok: false, message: 'timeout: health rpc did not complete within 1s' });
  });

  it('a connection that never opens: the kubelet connect-timeout message', async () => {
    const never = { connectTcp: () => new Promise(() => {}) } as unknown as Runtime;
    const out = await runProbe(never, { ...target, ip: '10.0.0.9' }, probe(9000, '', 1));
    expect(out).toEqual({
      ok: false,
      message: 'timeout: failed to connect service "10.0.0.9:9000" within 1s: context deadline exceeded',
    });
  });

  it('a peer that is not HTTP/2 fails, not hangs', async () => {
    const http1 = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => http1.listen(0, '127.0.0.1', r));
    const port = (http1.address() as { port: number }).port;
    const t0 = performance.now();
    const out = await runProbe(runtime, target, probe(port, '', 1));
    http1.close();
    expect(out).toEqual({
      ok: false,
      message: 'error: health rpc probe failed: rpc error: code = Unavailable desc = Protocol error',
    });
    expect(performance.now() - t0).toBeLessThan(900);
  });
});

describe('grpc-timeout header (at most 8 digits and a unit)', () => {
  it.each([
    [1000, '1000m'],
    [0.4, '1m'],
    [99_999_999, '99999999m'],
    [100_000_000, '100000S'],
    [2_147_483_647_000, '35791395M'],
  ])('%d ms -> %s', (ms, header) => {
    expect(grpcTimeout(ms)).toBe(header);
  });
});

describe('grpc probe against HTTP/2 servers that are not gRPC health servers', () => {
  async function withServer(
    onStream: (s: http2.ServerHttp2Stream) => void,
    body: (port: number) => Promise<void>,
  ): Promise<void> {
    const server = http2.createServer();
    server.on('stream', onStream);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await body((server.address() as { port: number }).port);
    } finally {
      server.close();
    }
  }

  it('an HTTP 404 (a plain HTTP/2 server) is UNIMPLEMENTED, as gRPC maps it', async () => {
    await withServer(
      (s) => s.respond({ ':status': 404 }, { endStream: true }),
      async (port) => {
        expect(await runProbe(runtime, target, probe(port))).toEqual({
          ok: false,
          message:
            'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unexpected HTTP status code received from server: 404',
        });
      },
    );
  });

  it('a timeoutSeconds past what a timer holds (int32 seconds) waits, never fires at once', async () => {
    // Answers SERVING after 200 ms whatever grpc-timeout says (grpc-js's server would cut a
    // deadline past 2^31-1 ms at once, its own timer overflowing).
    const serving = Buffer.from([0, 0, 0, 0, 2, 0x08, 1]);
    await withServer(
      (s) => {
        s.on('data', () => {});
        s.on('error', () => {});
        setTimeout(() => {
          s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
          s.end(serving);
        }, 200);
      },
      async (port) => {
        expect(await runProbe(runtime, target, probe(port, '', 3_000_000))).toEqual({ ok: true });
      },
    );
  });

  it('a reply past 4 MiB is cut, not buffered', async () => {
    await withServer(
      (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' });
        s.on('error', () => {});
        s.end(Buffer.alloc(5 * 1024 * 1024));
      },
      async (port) => {
        const out = await runProbe(runtime, target, probe(port, '', 2));
        expect(out.ok).toBe(false);
        expect(out.message).toContain('received more than 4194304 bytes');
      },
    );
  });
});

describe("the testbed image's health server (scripts/testbed/image-files/grpc-health/server.mjs)", () => {
  const script = fileURLToPath(
    new URL('../../../scripts/testbed/image-files/grpc-health/server.mjs', import.meta.url),
  );
  let child: ChildProcess;
  let port = 0;
  let flag = '';

  beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    flag = join(mkdtempSync(join(tmpdir(), 'grpc-health-')), 'serving');
    child = spawn(process.execPath, [script], {
      env: { PORT: '0', SERVING_FILE: flag, SERVICES: 'skiff.test.Echo' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    port = await new Promise<number>((resolve) => {
      child.stdout?.on('data', (b: Buffer) => {
        const m = /listening on (\d+)/.exec(b.toString());
        if (m) resolve(Number(m[1]));
      });
    });
  });
  afterAll(() => {
    child.kill();
  });

  it('flips between SERVING and NOT_SERVING with its file, and knows its named service', async () => {
    const { writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(flag, '');
    expect(await runProbe(runtime, target, probe(port))).toEqual({ ok: true });
    expect(await runProbe(runtime, target, probe(port, 'skiff.test.Echo'))).toEqual({ ok: true });
    rmSync(flag);
    expect(await runProbe(runtime, target, probe(port))).toEqual({
      ok: false,
      message: 'service unhealthy (responded with "NOT_SERVING")',
    });
    expect((await runProbe(runtime, target, probe(port, 'skiff.test.Nope'))).message).toBe(
      'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service skiff.test.Nope',
    );
  });
});
