// `skiff get` as a user runs it, against a daemon: the real command code in this process, a
// real config in a temp dir, and a small HTTP server standing in for the daemon's API (the
// state dir's lock names its address, as a running daemon's does). Checks the formats, the
// selector, a named object, and that every user error is one line with a hint and exit 2/1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands } from '../../../src/cli/commands/index.js';
import { getOutputFormat } from '../../../src/cli/output.js';
import { acquireStateDirLock, type StateDirLock } from '../../../src/lease/state-dir-lock.js';
import { SkiffError, UsageError } from '../../../src/model/errors.js';
import type { ObservedHost } from '../../../src/model/observed.js';
import type { ClusterView } from '../../../src/model/views.js';
import { deploymentView, pods } from '../views/fixtures.js';

const view: ClusterView = {
  at: Date.now(),
  apps: [],
  hosts: [{ name: 'h1', address: '172.18.0.10' } as ObservedHost],
  pods,
  deployments: [{ ...deploymentView, labels: { app: 'web', team: 'a' }, selector: 'app=web' }],
  configs: [],
  services: [],
  endpoints: [],
};

let dir: string;
let server: Server;
let lock: StateDirLock;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-get-'));
  writeFileSync(
    join(dir, 'skiff.yaml'),
    `hosts:\n  - name: local\n    kind: local\n    dockerSocket: ${dir}/no-docker.sock\ndaemon:\n  stateDir: ${dir}/state\napps: []\n`,
  );
  server = createServer((req, res) => {
    if (req.url === '/healthz') return res.end('ok');
    if (req.url === '/api/v1/view') return res.end(JSON.stringify(view));
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  lock = acquireStateDirLock({
    stateDir: `${dir}/state`,
    apiAddress: `127.0.0.1:${port}`,
    releaseOnExit: false,
  });
});

afterAll(async () => {
  lock.release();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

type Write = typeof process.stdout.write;
async function skiff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const [o, e] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((c: unknown) => {
    out.stdout += String(c);
    return true;
  }) as Write;
  process.stderr.write = ((c: unknown) => {
    out.stderr += String(c);
    return true;
  }) as Write;
  let code = 0;
  try {
    const program = new Command('skiff').exitOverride().configureOutput({ writeErr: () => {} });
    await registerCommands(program);
    await program.parseAsync([...args, '--config', join(dir, 'skiff.yaml')], { from: 'user' });
  } catch (err) {
    if (err instanceof SkiffError) out.stderr += `error: ${err.message}\nhint: ${err.hint ?? ''}\n`;
    code =
      err instanceof UsageError || err instanceof CommanderError ? 2 : err instanceof SkiffError ? 1 : 70;
    if (code === 70) throw err;
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
  return { code, ...out };
}

describe('skiff get against a daemon', () => {
  it('-o json: a v1 List of Pods in Kubernetes field names', async () => {
    const r = await skiff('get', 'pods', '-o', 'json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
    expect(list.items.map((p: { status: { phase: string } }) => p.status.phase)).toEqual([
      'Running',
      'Running',
      'Pending',
    ]);
  });

  it('a named pod prints alone; jsonpath reads it as kubectl would', async () => {
    const r = await skiff(
      'get',
      'pod',
      'web-7d9c5b6f4-x2x9k',
      '-o',
      'jsonpath={.status.phase} {.status.hostIP}',
    );
    expect(r).toMatchObject({ code: 0, stdout: 'Running 172.18.0.10' });
  });

  it('-o jsonpath with the quotes a shell would have removed', async () => {
    const r = await skiff('get', 'pods', '-o', 'jsonpath=\'{range .items[*]}{.metadata.name}{"\\n"}{end}\'');
    expect(r.stdout).toBe('web-7d9c5b6f4-abcde\nweb-7d9c5b6f4-x2x9k\nweb-7d9c5b6f4-zzzzz\n');
  });

  it('-l filters rows by labels (equality and set-based), -o name prints kind/name', async () => {
    expect(
      (await skiff('get', 'pods', '-l', 'app=web,pod-template-hash in (7d9c5b6f4)', '-o', 'name')).stdout,
    ).toBe('pod/web-7d9c5b6f4-abcde\npod/web-7d9c5b6f4-x2x9k\npod/web-7d9c5b6f4-zzzzz\n');
    expect((await skiff('get', 'pods', '-l', 'app!=web', '-o', 'name')).stdout).toBe('');
    expect((await skiff('get', 'deploy', '-l', 'team=a', '-o', 'name')).stdout).toBe('deployment.apps/web\n');
    expect((await skiff('get', 'pods', '-l', '!app')).stdout).toBe('No resources found.\n');
  });

  it('-o yaml, -o skiff-json and the table still print', async () => {
    expect((await skiff('get', 'deploy', 'web', '-o', 'yaml')).stdout).toMatch(
      /^apiVersion: apps\/v1\nkind: Deployment\n/,
    );
    const own = JSON.parse((await skiff('get', 'pods', '-o', 'skiff-json')).stdout);
    expect(own.map((p: { name: string }) => p.name)).toContain('web-7d9c5b6f4-x2x9k');
    expect(own[0]).toMatchObject({ templateHash: '7d9c5b6f4', commit: 'a1b2c3d4e5f60718293a' });
    expect((await skiff('get', 'pods')).stdout).toMatch(/^NAME\s+READY\s+STATUS/);
  });

  it.each([
    [['get', 'pod', 'nope'], 1, 'pods "nope" not found'],
    [['get', 'pods', '-l', 'a in b'], 2, "unable to parse requirement: found 'b' expected: '('"],
    [['get', 'pods', '-o', 'jsonpath={.kind'], 2, 'error parsing jsonpath {.kind, unclosed action'],
    [['get', 'pods', '-o', 'jsonpath='], 2, 'template format specified but no template given'],
    [['get', 'pods', '-o', 'xml'], 2, 'unable to match a printer suitable for the output format "xml"'],
    [['get', 'widgets'], 2, `the server doesn't have a resource type "widgets"`],
  ])('%j: one line, a hint, exit %i', async (args, code, message) => {
    const r = await skiff(...args);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(`error: ${message}\nhint: `);
    expect(r.stderr).not.toMatch(/hint: \n/);
  });
});

describe('getOutputFormat', () => {
  it.each([
    ['text', { kind: 'text' }],
    ['wide', { kind: 'wide' }],
    ['json', { kind: 'json' }],
    ['yaml', { kind: 'yaml' }],
    ['name', { kind: 'name' }],
    ['skiff-json', { kind: 'skiff-json' }],
    ['jsonpath={.kind}', { kind: 'jsonpath', template: '{.kind}' }],
    ["jsonpath='{.a=b}'", { kind: 'jsonpath', template: '{.a=b}' }],
  ])('%s', (flag, format) => {
    expect(getOutputFormat(flag)).toEqual(format);
  });
});
