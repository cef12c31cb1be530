// The grpc probe over a real ssh2 channel (the transport the probe runner uses on the hosts):
// an in-process ssh2 server forwards direct-tcpip channels to a grpc-js health server on
// 127.0.0.1, and the probe speaks HTTP/2 over the ssh2 client's forwardOut stream.
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { Client, Server, utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, Probe } from '../../../src/model/k8s.js';
import { runProbe } from '../../../src/runtime/probe-runner.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { healthService } from '../../support/grpc-health-service.js';

let grpcServer: grpc.Server;
let grpcPort = 0;
let sshServer: Server;
let client: Client;

beforeAll(async () => {
  grpcServer = new grpc.Server();
  grpcServer.addService(healthService, {
    check: (call: grpc.ServerUnaryCall<{ service?: string }, object>, cb: grpc.sendUnaryData<object>) =>
      cb(null, { status: call.request.service === 'down' ? 2 : 1 }),
  });
  grpcPort = await new Promise((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const hostKey = utils.generateKeyPairSync('ed25519').private;
  sshServer = new Server({ hostKeys: [hostKey] }, (conn) => {
    (conn as unknown as { setNoDelay(v: boolean): void }).setNoDelay(true);
    conn.on('authentication', (ctx) => ctx.accept());
    conn.on('ready', () =>
      // As sshd: connect first, then confirm the channel, or refuse it.
      conn.on('tcpip', (accept, reject, info) => {
        const sock = connect({ host: info.destIP, port: info.destPort });
        sock.once('error', () => reject());
        sock.once('connect', () => {
          const ch = accept();
          ch.pipe(sock).pipe(ch);
          sock.on('error', () => ch.destroy());
          ch.on('close', () => sock.destroy());
        });
      }),
    );
    conn.on('error', () => {});
  });
  await new Promise<void>((r) => sshServer.listen(0, '127.0.0.1', r));
  const sshPort = (sshServer.address() as { port: number }).port;
  client = new Client();
  await new Promise<void>((resolve, reject) => {
    // As SshConnection does: without TCP_NODELAY, HTTP/2's small frames wait on delayed ACKs.
    client.once('ready', () => {
      client.setNoDelay(true);
      resolve();
    });
    client.once('error', reject);
    client.connect({ host: '127.0.0.1', port: sshPort, username: 'root', hostVerifier: () => true });
  });
});

afterAll(() => {
  client?.end();
  sshServer?.close();
  grpcServer?.forceShutdown();
});

const runtime = {
  connectTcp: (_host: string, ip: string, port: number) =>
    new Promise((resolve, reject) =>
      client.forwardOut('127.0.0.1', 0, ip, port, (err, ch) => (err ? reject(err) : resolve(ch))),
    ),
} as unknown as Runtime;
const target = {
  pod: { host: 'h1', namespace: 'default', name: 'app-1' } as never,
  ip: '127.0.0.1',
  container: { name: 'app', ports: [] } as unknown as Container,
};
const probe = (service: string): Probe => ({ grpc: { port: grpcPort, service }, timeoutSeconds: 1 }) as Probe;

describe('grpc probe over an ssh2 forwarded channel', () => {
  it('SERVING and NOT_SERVING, many probes on one SSH connection', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await runProbe(runtime, target, probe(''))).toEqual({ ok: true });
      expect(await runProbe(runtime, target, probe('down'))).toEqual({
        ok: false,
        message: 'service unhealthy (responded with "NOT_SERVING")',
      });
    }
  }, 30_000);

  it('a refused forward fails with the address', async () => {
    const out = await runProbe(runtime, target, {
      grpc: { port: 1, service: '' },
      timeoutSeconds: 1,
    } as Probe);
    expect(out.ok).toBe(false);
    expect(out.message).toMatch(/^error: failed to connect service at "127\.0\.0\.1:1": /);
  });
});
