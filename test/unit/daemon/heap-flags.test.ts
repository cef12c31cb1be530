// The daemon's heap policy: --optimize-for-size --flush-baseline-code unless SKIFF_DAEMON_V8_FLAGS says otherwise
// (empty: Node's defaults); anything but a heap flag is a usage error with a hint, so a typo
// cannot pass silently, and setting them changes this process's V8 flags.
import { describe, expect, it, vi } from 'vitest';
import {
  applyDaemonV8Flags,
  DEFAULT_DAEMON_V8_FLAGS,
  daemonV8Flags,
} from '../../../src/daemon/heap-flags.js';
import { UsageError } from '../../../src/model/errors.js';

// The flags reach V8 through setFlagsFromString: recorded here, not set in the test worker.
const setFlags = vi.hoisted(() => vi.fn());
vi.mock('node:v8', async (original) => ({
  ...(await original<typeof import('node:v8')>()),
  setFlagsFromString: setFlags,
}));

describe('daemon heap flags', () => {
  it.each([
    ['unset: the default', undefined, DEFAULT_DAEMON_V8_FLAGS],
    ['empty: Node defaults', '', []],
    ['spaces only', '   ', []],
    [
      'two flags',
      '--no-optimize-for-size  --heap-growing-percent=20',
      ['--no-optimize-for-size', '--heap-growing-percent=20'],
    ],
    ['compaction', '--compact-on-every-full-gc', ['--compact-on-every-full-gc']],
    [
      'code kept',
      '--optimize-for-size --no-flush-baseline-code',
      ['--optimize-for-size', '--no-flush-baseline-code'],
    ],
  ])('%s', (_, value, flags) => {
    expect(daemonV8Flags(value === undefined ? {} : { SKIFF_DAEMON_V8_FLAGS: value })).toEqual(flags);
  });

  it.each([
    '--expose-gc',
    '--optimize-for-sise',
    'optimize-for-size',
    '--heap-growing-percent=',
    '--no-heap-growing-percent=20',
    '--max-old-space-size=64',
  ])('refuses %s with a hint', (flag) => {
    const err = (() => {
      try {
        daemonV8Flags({ SKIFF_DAEMON_V8_FLAGS: `--optimize-for-size ${flag}` });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain(JSON.stringify(flag));
    expect((err as UsageError).hint).toMatch(/--optimize-for-size/);
  });

  it('hands each flag to V8, and none when set empty', () => {
    expect(
      applyDaemonV8Flags({ SKIFF_DAEMON_V8_FLAGS: '--no-memory-reducer --heap-growing-percent=20' }),
    ).toEqual(['--no-memory-reducer', '--heap-growing-percent=20']);
    expect(setFlags.mock.calls).toEqual([['--no-memory-reducer'], ['--heap-growing-percent=20']]);
    setFlags.mockClear();
    applyDaemonV8Flags({});
    expect(setFlags.mock.calls).toEqual([['--optimize-for-size'], ['--flush-baseline-code']]);
    setFlags.mockClear();
    applyDaemonV8Flags({ SKIFF_DAEMON_V8_FLAGS: '' });
    expect(setFlags).not.toHaveBeenCalled();
  });
});
