// `skiff token create|list|revoke`, `skiff history --audit` and the daemon's start-time
// security checks, through the real commands (run-commands.ts, one process) on a temp dir.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../../src/state-dir/token-store.js';
import type { CommandResult } from './run-commands.js';

const RUNNER = join(import.meta.dirname, 'run-commands.ts');
const TSX = pathToFileURL(join(import.meta.dirname, '../../../node_modules/tsx/dist/loader.mjs')).href;
let dir: string;
let results: CommandResult[];

const COMMANDS = [
  ['token', 'create', '--role', 'read', '--name', 'ci'],
  ['token', 'create', '--role', 'root'],
  ['token', 'create', '--role', 'admin', '--name', 'ci'],
  ['token', 'list'],
  ['token', 'list', '-o', 'json'],
  ['token', 'revoke', 'ci'],
  ['token', 'revoke', 'ci'],
  ['history', '--audit'],
  ['history', '--audit', '--limit', 'x'],
  ['run', '--listen', '0.0.0.0:7420'],
  ['run', '--config', 'hook.yaml'],
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skiff-token-cli-'));
  const base = `hosts:\n  - name: local\n    kind: local\n    dockerSocket: ${dir}/no-docker.sock\ndaemon:\n  stateDir: ./state\n`;
  writeFileSync(join(dir, 'skiff.yaml'), `${base}apps: []\n`);
  writeFileSync(
    join(dir, 'hook.yaml'),
    `${base}apps:\n  - name: web\n    repoURL: ./repo\n    webhook: { secretEnv: SKIFF_TEST_UNSET_HOOK_SECRET }\n`,
  );
  writeFileSync(join(dir, 'commands.json'), JSON.stringify(COMMANDS));
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', TSX, RUNNER, 'commands.json', 'results.json'],
      { cwd: dir, timeout: 60_000, env: { ...process.env, SKIFF_TEST_UNSET_HOOK_SECRET: '' } },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
  results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as CommandResult[];
}, 90_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = (i: number) => results[i]!;

describe('skiff token', () => {
  it('create prints the token once, on stdout; the daemon verifies it', () => {
    const r = result(0);
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^skiff_/);
    expect(r.stderr).toMatch(/shown only now/);
    expect(JSON.stringify(results.slice(3))).not.toContain(token);
  });

  it.each([
    [1, 2, /unknown role "root"\nhint: give --role read or --role admin/],
    [2, 2, /a token named "ci" exists/],
    [6, 1, /no token with id or name "ci"\nhint: see skiff token list/],
  ])('command %i exits %i with one line and a hint', (i, code, stderr) => {
    expect(result(i).code).toBe(code);
    expect(result(i).stderr).toMatch(stderr);
    expect(result(i).stderr).not.toMatch(/this is a bug|\n\s+at /);
  });

  it('list shows ids, names, roles and ages, never a token', () => {
    expect(result(3).stdout).toMatch(/ID\s+NAME\s+ROLE\s+AGE\n\S+\s+ci\s+read\s+/);
    expect(JSON.parse(result(4).stdout)).toEqual([
      { id: expect.any(String), name: 'ci', role: 'read', createdAt: expect.any(Number) },
    ]);
  });

  it('revoke takes effect', () => {
    expect(result(5)).toMatchObject({ code: 0, stdout: 'token ci revoked\n' });
    expect(new TokenVerifier(join(dir, 'state')).verify(result(0).stdout.trim())).toBeUndefined();
  });
});

describe('skiff history --audit', () => {
  it('reads the audit log (empty here), and checks --limit', () => {
    expect(result(7).code).toBe(0);
    expect(result(8)).toMatchObject({ code: 2 });
    expect(result(8).stderr).toMatch(/invalid --limit "x"/);
  });
});

describe('skiff run refuses an unsafe start (exit 2, before anything starts)', () => {
  it.each([
    [9, /exposes the API beyond this machine without TLS\nhint: set daemon.tls/],
    [10, /app "web": webhook secret variable SKIFF_TEST_UNSET_HOOK_SECRET is empty\nhint: export/],
  ])('command %i', (i, stderr) => {
    expect(result(i).code).toBe(2);
    expect(result(i).stderr).toMatch(stderr);
  });
});
