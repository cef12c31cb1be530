// The kvdb image's script (scripts/testbed/image-files/kvdb/kvdb) and the images' `nc -z`, run
// with the machine's busybox as they run in the images (no Docker here): the protocol of one
// session, the server over a loopback port with its clients (ping, migrate, query), its refusals
// at start, and data that outlives the server (one file per key under the data folder).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, IMAGE_FILES, Sandbox, until } from './busybox-sandbox.js';

const PASSWORD = 'pa ss$word';

describe('kvdb (busybox-static)', () => {
  let box: Sandbox;
  let kvdb: string;
  let env: Record<string, string>;

  beforeAll(() => {
    box = new Sandbox();
    kvdb = box.install('kvdb', readFileSync(path.join(IMAGE_FILES, 'kvdb/kvdb'), 'utf8'));
    mkdirSync(path.join(box.dir, 'run'));
    env = {
      KVDB_DATA: path.join(box.dir, 'data'),
      KVDB_RUN_DIR: path.join(box.dir, 'run'),
      KVDB_PASSWORD: PASSWORD,
    };
  });
  afterAll(() => box?.remove());

  describe('one session (the protocol)', () => {
    const session = async (lines: string[]) => {
      mkdirSync(env.KVDB_DATA as string, { recursive: true });
      const r = await box.run([kvdb, 'session'], env, lines.map((l) => `${l}\r\n`).join(''));
      expect(r.code).toBe(0);
      return r.stdout.split('\n').slice(0, -1);
    };

    it.each([
      ['PING needs no password', ['PING'], ['OK pong']],
      [
        'other commands need AUTH',
        ['GET notes a', 'CREATE notes'],
        Array(2).fill('ERR authentication required'),
      ],
      ['a wrong password closes the session', ['AUTH nope', 'PING'], ['ERR invalid password']],
      ['an unknown command', ['FLUSHALL'], ['ERR unknown command: FLUSHALL']],
      [
        'SET before the table exists',
        [`AUTH ${PASSWORD}`, 'SET missing a b'],
        ['OK', 'ERR no such table: missing'],
      ],
      [
        'CREATE is idempotent',
        [`AUTH ${PASSWORD}`, 'CREATE t1', 'CREATE t1'],
        ['OK', 'OK created', 'OK exists'],
      ],
      [
        'SET keeps the whole value, GET reads it back, KEYS lists, DEL removes',
        [
          `AUTH ${PASSWORD}`,
          'CREATE t2',
          'SET t2 greeting hello  world ',
          'SET t2 b 1',
          'GET t2 greeting',
          'KEYS t2',
          'DEL t2 b',
          'GET t2 b',
        ],
        ['OK', 'OK created', 'OK', 'OK', 'OK hello  world ', 'OK b greeting', 'OK', 'ERR not found'],
      ],
      [
        'names cannot leave the data folder',
        [
          `AUTH ${PASSWORD}`,
          'CREATE ..',
          'CREATE t3',
          'GET t3 ../t2',
          'SET .. x y',
          'SET t3 .hidden y',
          'SET t3 a/b y',
        ],
        [
          'OK',
          'ERR invalid table name',
          'OK created',
          'ERR invalid key',
          'ERR invalid table name',
          'ERR invalid key',
          'ERR invalid key',
        ],
      ],
      [
        'a value over 4096 bytes is refused',
        [`AUTH ${PASSWORD}`, 'CREATE t4', `SET t4 big ${'x'.repeat(4097)}`, 'GET t4 big'],
        ['OK', 'OK created', 'ERR value longer than 4096 bytes', 'ERR not found'],
      ],
      ['QUIT ends the session', ['QUIT', 'PING'], ['OK bye']],
    ])('%s', async (_, lines, answers) => {
      expect(await session(lines)).toEqual(answers);
    });

    it('stores each key as one file in its table folder', async () => {
      await session([`AUTH ${PASSWORD}`, 'CREATE files', 'SET files k1 some value']);
      expect(readFileSync(path.join(env.KVDB_DATA as string, 'files/k1'), 'utf8')).toBe('some value\n');
    });
  });

  describe('the server and its clients over TCP', () => {
    let server: ChildProcess | undefined;
    let port: number;
    let serverLog = '';
    const client = (args: string[], extra: Record<string, string> = {}) =>
      box.run([kvdb, ...args], { ...env, KVDB_HOST: '127.0.0.1', KVDB_PORT: String(port), ...extra });
    const start = async () => {
      server = box.spawn([kvdb, 'serve'], { ...env, KVDB_PORT: String(port) });
      server.stderr?.on('data', (d) => {
        serverLog += d;
      });
      await until('kvdb to answer', async () => (await client(['ping'])).code === 0);
    };
    const stop = async () => {
      const s = server;
      if (!s || s.exitCode !== null) return;
      const exited = new Promise((r) => s.once('exit', r));
      s.kill('SIGTERM');
      await exited;
    };

    beforeAll(async () => {
      port = await freePort();
      await start();
    }, 20_000);
    afterAll(stop);

    it('logs where it listens, as whom, and never the password', () => {
      expect(serverLog).toMatch(new RegExp(`kvdb: listening on :${port} as uid \\d+, data in `));
      expect(serverLog).not.toContain(PASSWORD);
    });

    it('migrate creates each table once and says so', async () => {
      expect(await client(['migrate', 'notes', 'users'])).toMatchObject({
        code: 0,
        stdout: 'kvdb migrate: table notes created\nkvdb migrate: table users created\n',
      });
      expect((await client(['migrate', 'notes'])).stdout).toBe('kvdb migrate: table notes exists\n');
    });

    it('query prints the answers and exits 1 on an ERR', async () => {
      expect(await client(['query', 'SET notes greeting hello', 'GET notes greeting'])).toMatchObject({
        code: 0,
        stdout: 'OK\nOK hello\n',
      });
      expect(await client(['query', 'GET notes nothing'])).toMatchObject({
        code: 1,
        stdout: 'ERR not found\n',
      });
    });

    it('a client with the wrong password is refused', async () => {
      const r = await client(['migrate', 'notes'], { KVDB_PASSWORD: 'wrong' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('kvdb: AUTH: invalid password');
    });

    it('stops at SIGTERM, removes its pid file, and the data outlives it', async () => {
      const pidFile = path.join(env.KVDB_RUN_DIR as string, 'kvdb.pid');
      expect(existsSync(pidFile)).toBe(true);
      await stop();
      expect(existsSync(pidFile)).toBe(false);
      expect((await client(['ping'])).code).not.toBe(0);
      expect((await client(['migrate', 'notes'])).code).toBe(1);
      await start();
      expect((await client(['query', 'GET notes greeting'])).stdout).toBe('OK hello\n');
    }, 20_000);
  });

  describe('refusals at start', () => {
    const serve = (extra: Record<string, string>) =>
      box.run([kvdb, 'serve'], { ...env, KVDB_PORT: '1', ...extra });

    it.each([
      [
        'no password',
        { KVDB_PASSWORD: '' },
        'kvdb: KVDB_PASSWORD is not set: refusing to start without a password',
      ],
      [
        'a run folder it cannot write (no emptyDir on a read-only root)',
        { KVDB_RUN_DIR: '/nonexistent/run' },
        'kvdb: cannot write /nonexistent/run/kvdb.pid as uid',
      ],
      [
        'a data folder it cannot write',
        { KVDB_DATA: '/dev/null/data' },
        'kvdb: data folder /dev/null/data is not writable by uid',
      ],
    ])('%s', async (_, extra, message) => {
      const r = await serve(extra);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
    });

    it('an unknown command exits 2 with the usage', async () => {
      expect(await box.run([kvdb, 'drop'], env)).toMatchObject({ code: 2 });
    });
  });
});
