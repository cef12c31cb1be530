// A connection that never begins a request is cut (Node's headersTimeout starts at the first
// byte, so such sockets used to hold connection slots forever); one whose request began is not.
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cutSilentConnections } from '../../../src/daemon/api-server.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function listen(): Promise<number> {
  server = createServer((_req, res) => setTimeout(() => res.end('late answer'), 600));
  cutSilentConnections(server, false, 200);
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

function open(port: number) {
  const s = connect(port, '127.0.0.1');
  let data = '';
  s.on('data', (d: Buffer) => {
    data += d.toString('utf8');
  });
  const closed = new Promise<number>((r) => s.once('close', () => r(Date.now())));
  return { s, closed, data: () => data };
}

describe('cutSilentConnections', () => {
  it('closes a socket that sends nothing within the bound', async () => {
    const port = await listen();
    const started = Date.now();
    const c = open(port);
    const closedAt = await c.closed;
    expect(closedAt - started).toBeGreaterThanOrEqual(150);
    expect(closedAt - started).toBeLessThan(2000);
    expect(c.data()).toBe('');
  });

  it('leaves a request that began alone, even when its answer takes longer than the bound', async () => {
    const port = await listen();
    const c = open(port);
    c.s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await c.closed;
    expect(c.data()).toMatch(/^HTTP\/1.1 200/);
    expect(c.data()).toContain('late answer');
  });
});
