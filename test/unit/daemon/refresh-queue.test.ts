import { describe, expect, it } from 'vitest';
import { RefreshQueue } from '../../../src/daemon/refresh-queue.js';

/** A queue whose runs end only when the test says so. */
function gatedQueue() {
  const log: string[] = [];
  const gates: (() => void)[] = [];
  const queue = new RefreshQueue(
    (key) => {
      log.push(`start ${key}`);
      return new Promise<void>((resolve) =>
        gates.push(() => {
          log.push(`end ${key}`);
          resolve();
        }),
      );
    },
    () => undefined,
  );
  return { queue, log, gates };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('RefreshQueue', () => {
  it('runs one refresh per key at a time, and coalesces keys enqueued while one waits', async () => {
    const { queue, log, gates } = gatedQueue();
    const first = queue.enqueue('web');
    await settle();
    const second = queue.enqueue('web');
    const third = queue.enqueue('web');
    expect(third).toBe(second);
    await settle();
    expect(log).toEqual(['start web']);
    gates.shift()!();
    await first;
    await settle();
    expect(log).toEqual(['start web', 'end web', 'start web']);
    let settled = false;
    void queue.settled('web').then(() => (settled = true));
    await settle();
    expect(settled).toBe(false);
    gates.shift()!();
    await second;
    await settle();
    expect(settled).toBe(true);
    expect(log).toEqual(['start web', 'end web', 'start web', 'end web']);
  });

  it('runs different keys side by side; idle() waits for all; a failed run is reported', async () => {
    const errors: string[] = [];
    const queue = new RefreshQueue(
      async (key) => {
        if (key === 'bad') throw new Error('boom');
      },
      (key, err) => errors.push(`${key}: ${(err as Error).message}`),
    );
    void queue.enqueue('web');
    void queue.enqueue('bad');
    await queue.idle();
    expect(errors).toEqual(['bad: boom']);
    await expect(queue.settled('nothing')).resolves.toBeUndefined();
  });
});
