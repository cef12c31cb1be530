// The SSH Docker agent keeps each channel it opened (to drop them all when the connection dies)
// without keeping what the channel's first request referenced: a request's callback reaches
// its answer, a host's whole container list, for as long as the channel lives.
import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
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
});
