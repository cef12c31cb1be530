// A small typed helper for end-to-end tests on the testbed: its status (provided by
// test/e2e/global-setup.ts), running a command on a host (like `npm run testbed -- exec`),
// plain HTTP to a host address, cutting a host off and healing it.
// Shell code for tests only; the testbed itself lives in scripts/testbed/.

import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { inject } from 'vitest';
import { startDockerd } from '../../scripts/testbed/host-daemons.js';
import { hostIndexOf, hostLayout } from '../../scripts/testbed/layout.js';
import { signal, waitGone } from '../../scripts/testbed/processes.js';
import { type CommandResult, run } from '../../scripts/testbed/shell.js';
import { readState, type TestbedStatus, writeState } from '../../scripts/testbed/state.js';

export type { TestbedStatus } from '../../scripts/testbed/state.js';
export type TestbedHost = TestbedStatus['hosts'][number];

declare module 'vitest' {
  export interface ProvidedContext {
    /** The testbed's `status -o json`, as global setup saw it once up. */
    testbed: TestbedStatus;
  }
}

/** Env var naming a JSON file with the same status, for processes that cannot `inject`. */
export const STATUS_FILE_ENV = 'SKIFF_TESTBED_STATUS';

/** The running testbed's status (hosts, registry, images, config path, service CIDR). */
export function testbed(): TestbedStatus {
  const provided = inject('testbed');
  if (provided) return provided;
  const file = process.env[STATUS_FILE_ENV];
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as TestbedStatus;
  throw new Error('no testbed: run e2e tests through vitest (project e2e), whose global setup starts it');
}

export function host(name: string): TestbedHost {
  const found = testbed().hosts.find((h) => h.name === name);
  if (!found)
    throw new Error(
      `no host ${name} in the testbed (${testbed()
        .hosts.map((h) => h.name)
        .join(', ')})`,
    );
  return found;
}

export type ExecResult = CommandResult;

/**
 * Runs argv inside a host's network namespace with DOCKER_HOST set to its engine, as
 * `npm run testbed -- exec HOST CMD...` does. Never throws on a non-zero exit: check `code`.
 */
export function hostExec(
  hostName: string,
  argv: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const h = host(hostName);
  return run('nsenter', [`--net=/run/netns/${h.netns}`, '--', ...argv], {
    allowFailure: true,
    env: { ...process.env, DOCKER_HOST: `unix://${h.dockerSocket}` },
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
}

/** `docker ARGS` on a host; throws with stderr when docker fails, returns trimmed stdout. */
export async function docker(hostName: string, args: readonly string[]): Promise<string> {
  const r = await hostExec(hostName, ['docker', ...args]);
  if (r.code !== 0)
    throw new Error(`docker ${args.join(' ')} on ${hostName} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** One plain HTTP GET from the test process (root namespace) to a testbed address. */
export function httpGet(address: string, port: number, path: string, timeoutMs = 5000): Promise<HttpAnswer> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { host: address, port, path, method: 'GET', agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET http://${address}:${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Partitions a host: its veth to the bridge goes down (as `npm run testbed -- cut HOST`). */
export async function cutHost(hostName: string): Promise<void> {
  await setLink(hostName, 'down');
}

/** Undoes cutHost (as `npm run testbed -- heal HOST`). */
export async function healHost(hostName: string): Promise<void> {
  await setLink(hostName, 'up');
}

async function setLink(hostName: string, state: 'up' | 'down'): Promise<void> {
  host(hostName);
  await run('ip', ['link', 'set', `veth-${hostName}`, state]);
}

/** dockerd of `hostName` restarted (SIGTERM, then started again as the testbed starts it): its
 *  containers stop, its API streams end. The testbed's state keeps the new process id, so
 *  `testbed down` stops it. */
export async function restartDockerd(hostName: string): Promise<void> {
  const state = readState();
  const entry = state?.hosts.find((h) => h.name === hostName);
  const index = hostIndexOf(hostName);
  if (!state || !entry || index === undefined) throw new Error(`no testbed host ${hostName}`);
  signal([entry.pids.dockerd], 'SIGTERM');
  await waitGone([entry.pids.dockerd], 30_000);
  entry.pids.dockerd = startDockerd(hostLayout(index), {
    PATH: process.env.PATH,
    HOME: '/root',
    LANG: 'C.UTF-8',
  });
  writeState(state);
}

/** Polls `check` until it returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
