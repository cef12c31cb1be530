// What the environment refuses is the user's to fix, not a bug: `skiff` run as a user runs it
// (node bin/skiff.js, a child process) on each bad value exits 1 (operational) or 2 (usage) with
// a one-line message and a hint, and never prints "this is a bug" or a stack trace.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../../bin/skiff.js');

function skiff(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 30_000 }, (err, _stdout, stderr) => {
      const code = err ? (err as { code?: number }).code : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stderr });
    });
  });
}

/** A folder with a skiff.yaml (one local host whose Docker is never reached). */
function workdir(daemon: Record<string, string> = {}, apps = '[]'): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-env-'));
  const daemonYaml = Object.entries({ stateDir: './state', ...daemon })
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  writeFileSync(
    join(dir, 'skiff.yaml'),
    `hosts:\n  - name: local\n    kind: local\n    dockerSocket: ${dir}/no-docker.sock\ndaemon:\n${daemonYaml}\napps: ${apps}\n`,
  );
  return dir;
}

/** A folder with a skiff.yaml for one SSH host (never reached) and the given host fields. */
function sshWorkdir(fields: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-env-ssh-'));
  writeFileSync(
    join(dir, 'skiff.yaml'),
    `hosts:\n  - name: h1\n    address: 127.0.0.1\n    user: skiff\n${fields}daemon:\n  stateDir: ./state\napps: []\n`,
  );
  return dir;
}

/** A repository whose tree holds an entry isomorphic-git refuses to read (`..` or `.git`). */
function hostileRepo(entry: string): string {
  const repo = mkdtempSync(join(tmpdir(), 'skiff-env-repo-'));
  const git = (args: string[], input?: Buffer | string) =>
    execFileSync('git', args, {
      cwd: repo,
      input,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'a',
        GIT_AUTHOR_EMAIL: 'a@b',
        GIT_COMMITTER_NAME: 'a',
        GIT_COMMITTER_EMAIL: 'a@b',
      },
    })
      .toString()
      .trim();
  git(['init', '-q', '-b', 'main']);
  const blob = git(['hash-object', '-w', '--stdin'], 'kind: ConfigMap\n');
  const tree = git(
    ['hash-object', '-t', 'tree', '--literally', '-w', '--stdin'],
    Buffer.concat([Buffer.from(`100644 ${entry}\0`), Buffer.from(blob, 'hex')]),
  );
  git(['update-ref', 'refs/heads/main', git(['commit-tree', tree, '-m', 'hostile'])]);
  return repo;
}

let busy: Server;
let busyPort: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => {
  busy.close();
});

interface Case {
  name: string;
  args: (dir: string) => string[];
  setup?: () => string;
  exit: 1 | 2;
  message: RegExp;
  hint: RegExp;
}

const CASES: Case[] = [
  {
    name: 'an unparseable --listen',
    args: () => ['run', '--listen', 'nope', '--log-format', 'json'],
    exit: 2,
    message: /^error: invalid listen address "nope"$/m,
    hint: /host:port/,
  },
  {
    name: 'a --listen port beyond 65535',
    args: () => ['run', '--listen', '127.0.0.1:70000', '--log-format', 'json'],
    exit: 2,
    message: /invalid listen address/,
    hint: /host:port/,
  },
  {
    name: 'a port in use',
    args: () => ['run', '--listen', `127.0.0.1:${busyPort}`, '--log-format', 'json'],
    exit: 1,
    message: /cannot listen on 127\.0\.0\.1:\d+: address already in use/,
    hint: /another daemon.listen/,
  },
  {
    name: 'a daemon.listen port beyond 65535 in the config',
    setup: () => workdir({ listen: '127.0.0.1:70000' }),
    args: () => ['run', '--log-format', 'json'],
    exit: 1,
    message: /skiff\.yaml:\d+:\d+ daemon\.listen: invalid listen address "127\.0\.0\.1:70000"/,
    hint: /fix the listed fields/,
  },
  {
    name: 'a state dir that is a file',
    setup: () => {
      const dir = workdir();
      writeFileSync(join(dir, 'state'), '');
      return dir;
    },
    args: () => ['run', '--listen', '127.0.0.1:0', '--log-format', 'json'],
    exit: 1,
    message: /state directory .*state is not a directory/,
    hint: /stateDir/,
  },
  {
    name: 'a state dir others can write',
    setup: () => {
      const dir = workdir();
      mkdirSync(join(dir, 'state'));
      chmodSync(join(dir, 'state'), 0o777);
      return dir;
    },
    args: () => ['run', '--listen', '127.0.0.1:0', '--log-format', 'json'],
    exit: 1,
    message: /state directory .* is writable by others \(mode 777\)/,
    hint: /^hint: chmod 700 /,
  },
  {
    name: 'a state dir path too long',
    setup: () => workdir({ stateDir: `./${'a'.repeat(300)}` }),
    args: () => ['run', '--listen', '127.0.0.1:0', '--log-format', 'json'],
    exit: 1,
    message: /cannot create state directory .*: path too long/,
    hint: /shorter path/,
  },
  {
    name: 'a missing private key file',
    setup: () => sshWorkdir('    insecureAcceptHostKey: true\n    privateKeyFile: ./no-such-key\n'),
    args: () => ['run', '--listen', '127.0.0.1:0', '--log-format', 'json'],
    exit: 1,
    message: /^error: host\/h1: cannot read private key file .*no-such-key \(ENOENT\)$/m,
    hint: /check privateKeyFile/,
  },
  {
    name: 'a missing known hosts file',
    setup: () => {
      const dir = sshWorkdir('    knownHostsFile: ./no-known-hosts\n    privateKeyFile: ./key\n');
      writeFileSync(join(dir, 'key'), 'not a real key', { mode: 0o600 });
      return dir;
    },
    args: () => ['run', '--listen', '127.0.0.1:0', '--log-format', 'json'],
    exit: 1,
    message: /^error: host\/h1: cannot read known hosts file .*no-known-hosts \(ENOENT\)$/m,
    hint: /check knownHostsFile/,
  },
  {
    name: 'a config that is a folder',
    setup: () => {
      const dir = mkdtempSync(join(tmpdir(), 'skiff-env-'));
      mkdirSync(join(dir, 'skiff.yaml'));
      return dir;
    },
    args: () => ['run', '--listen', '127.0.0.1:0', '--log-format', 'json'],
    exit: 1,
    message: /^error: cannot read cluster config .*skiff\.yaml: EISDIR$/m,
    hint: /not a folder/,
  },
  {
    name: 'a missing --config file',
    args: () => ['run', '--config', 'nope.yaml', '--listen', '127.0.0.1:0', '--log-format', 'json'],
    exit: 1,
    message: /^error: cannot read cluster config .*nope\.yaml: ENOENT$/m,
    hint: /existing file/,
  },
  {
    name: 'a second daemon on the same address (another state dir)',
    args: () => ['run', '--listen', `127.0.0.1:${busyPort}`, '--log-format', 'json'],
    setup: () => workdir({ stateDir: './other-state' }),
    exit: 1,
    message: /cannot listen on 127\.0\.0\.1:\d+: address already in use/,
    hint: /--listen/,
  },
  {
    name: '--path ../..',
    args: () => ['plan', '--repo', '.', '--path', '../..'],
    exit: 2,
    message: /app path "..\/.." leaves the repository/,
    hint: /inside the repository/,
  },
  {
    name: 'an app path with .. in the config',
    setup: () => workdir({}, '[{ name: web, repoURL: ".", path: "apps/../../x" }]'),
    args: () => ['plan'],
    exit: 1,
    message: /leaves the repository/,
    hint: /.*/,
  },
  ...['..', '.git'].map(
    (entry): Case => ({
      name: `a git tree entry named ${entry}`,
      args: () => ['plan', '--repo', hostileRepo(entry)],
      exit: 1,
      message: /^error: git: .*unsafe/m,
      hint: /repository holds something skiff cannot read/,
    }),
  ),
];

describe('environment errors are one line with a hint, never a bug', () => {
  it.each(CASES)(
    '$name: exit $exit',
    async (c) => {
      const dir = c.setup ? c.setup() : workdir();
      const r = await skiff(c.args(dir), dir);
      const lines = r.stderr.trimEnd().split('\n');
      expect(r.stderr).not.toMatch(/this is a bug|\n\s+at /);
      expect(r.code).toBe(c.exit);
      expect(lines[0]).toMatch(/^error: /);
      // A config error lists its findings (file:line:col field) under its first line.
      expect(lines.filter((l) => !l.startsWith('hint:')).join('\n')).toMatch(c.message);
      expect(lines.find((l) => l.startsWith('hint:'))).toMatch(c.hint);
    },
    40_000,
  );
});
