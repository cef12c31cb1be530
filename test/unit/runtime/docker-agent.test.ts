// The SSH Docker agent keeps each channel it opened (to drop them all when the connection dies)
// without keeping what the channel's first request referenced: a request's callback reaches
// its answer, a host's whole container list, for as long as the channel lives.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ClientChannel } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { SshDockerAgent } from '../../../src/runtime/docker-agent.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('SshDockerAgent', () => {
  it('holds an open channel but not the request it was opened for', async () => {
    const channel = new PassThrough() as unknown as ClientChannel;
    const agent = new SshDockerAgent(async () => channel);
    let answer: WeakRef<object> | undefined;
    await new Promise<void>((resolve) => {
      const list = { containers: Array.from({ length: 100 }, (_, i) => ({ id: i })) };
      answer = new WeakRef(list);
      agent.createConnection({}, () => {
        if (list.containers.length > 0) resolve();
      });
    });
    await new Promise((r) => setImmediate(r));
    gc();
    expect(answer?.deref()).toBeUndefined();
    // Still tracked: a dead connection's channels are all destroyed.
    agent.dropAll();
    expect(channel.destroyed).toBe(true);
  });

  describe('a channel the host ends', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skiff-agent-'));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** A socket as an SSH channel is one: half-open, and destroy() does not mark it destroyed
     *  (ssh2's Channel ends its side and sends a close). */
    const channelTo = (file: string) => async () => {
      const s = connect({ path: file, allowHalfOpen: true });
      await new Promise((r) => s.once('connect', r));
      s.destroy = function (this: Socket) {
        this.end();
        return this;
      } as Socket['destroy'];
      return s as unknown as ClientChannel;
    };

    const get = (agent: SshDockerAgent) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ agent, host: 'docker', path: '/_ping' }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d;
          });
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        // A request written to a channel the host has closed gets no answer.
        setTimeout(() => reject(new Error('no answer in 2 s')), 2000).unref();
        req.end();
      });

    it('leaves the pool: the next request opens a new channel instead of failing', async () => {
      // The engine restarting is the host closing every connection it has, idle ones too.
      const file = path.join(dir, 'engine.sock');
      const engine = createServer((_req, res) => res.end('OK'));
      await new Promise<void>((r) => engine.listen(file, r));
      let opened = 0;
      const open = channelTo(file);
      const agent = new SshDockerAgent(async () => {
        opened++;
        return open();
      });
      try {
        expect(await get(agent)).toBe('OK');
        engine.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 50));
        expect(await get(agent)).toBe('OK');
        expect(opened).toBe(2);
      } finally {
        agent.destroy();
        engine.closeAllConnections();
        await new Promise((r) => engine.close(r));
      }
    });
  });
});
