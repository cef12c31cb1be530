// No Secret value in any output: a sentinel value is planted in a local repository's Secrets
// (block YAML beside a Deployment, JSON, flow style; as stringData and as base64 data), rotated
// by a later commit, and every command that runs without a daemon or hosts is run as a user runs
// it (node bin/skiff.js). Neither sentinel nor its base64 form may appear in stdout, stderr or
// the message of a commit skiff makes, and a rotated value still shows as changed.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistoryStore } from '../../../src/history/history-store.js';
import type { CommandResult } from './run-commands.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/skiff.js');
const run = promisify(execFile);
const ENV = { ...process.env, SKIFF_LOG_LEVEL: 'debug', NO_COLOR: '1' };

const OLD = 's3ntinel-XYZ-old';
const NEW = 's3ntinel-XYZ-new';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const FORBIDDEN = ['s3ntinel', b64(OLD), b64(NEW), b64('s3ntinel')];

const app = (value: string, image: string) => `apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ${value}
data:
  token: ${b64(value)}
---
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
          env:
            - name: PW
              valueFrom:
                secretKeyRef: {name: db, key: password}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
`;

const json = (value: string) =>
  JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'api' },
      stringData: { key: value },
      data: { b: b64(value) },
    },
    null,
    2,
  );
const flow = (value: string) =>
  `{apiVersion: v1, kind: Secret, metadata: {name: flow}, data: {k: ${b64(value)}}}\n`;

/** Secrets the validator refuses, each error at a value: it must not quote it. */
const INVALID = `apiVersion: v1
kind: Secret
metadata:
  name: bad
data:
  number: 12345
stringData:
  obj: {nested: ${OLD}}
---
apiVersion: v1
kind: Secret
metadata:
  name: bad2
type: kubernetes.io/tls
stringdata:
  tls.key: ${OLD}
---
apiVersion: v1
kind: Secret
metadata:
  name: bad3
data:
  notbase64: ${OLD}!
`;

let dir: string;
let repo: string;
const commits: string[] = [];

async function git(...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-C', repo, ...args]);
  return stdout.trim();
}

async function commitAll(value: string, image: string, subject: string): Promise<string> {
  await writeFile(path.join(repo, 'app.yaml'), app(value, image));
  await writeFile(path.join(repo, 'api.json'), json(value));
  await writeFile(path.join(repo, 'flow.yaml'), flow(value));
  await git('add', '-A');
  await git('commit', '-qm', subject);
  return git('rev-parse', 'HEAD');
}

type Output = CommandResult;
const RUNNER = path.join(import.meta.dirname, 'run-commands.ts');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** The real entry point, as a user runs it. */
async function skiffBin(args: string[]): Promise<Output> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: dir, env: ENV });
    return { args, code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      args,
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

/** Every command line in one process (run-commands.ts); the process's own stderr (the logger's
 *  fd 2) is returned as one more output, so it is checked too. */
async function skiffAll(list: string[][]): Promise<Output[]> {
  const listFile = path.join(dir, `commands-${Math.random()}.json`);
  const resultFile = `${listFile}.out`;
  await writeFile(listFile, JSON.stringify(list));
  const { stderr } = await run(process.execPath, ['--import', TSX, RUNNER, listFile, resultFile], {
    cwd: dir,
    env: ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
  const results = JSON.parse(await readFile(resultFile, 'utf8')) as Output[];
  return [...results, { args: ['(logger, fd 2)'], code: 0, stdout: '', stderr }];
}

function expectNoSecret(o: Output): void {
  const text = `${o.stdout}\n${o.stderr}`;
  for (const s of FORBIDDEN) expect(text, `skiff ${o.args.join(' ')} printed ${s}`).not.toContain(s);
  expect(o.stderr, `skiff ${o.args.join(' ')} crashed`).not.toContain('this is a bug');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skiff-sentinel-'));
  repo = path.join(dir, 'repo');
  await mkdir(repo);
  await mkdir(path.join(dir, 'invalid'));
  await writeFile(path.join(dir, 'invalid/bad.yaml'), INVALID);
  // YAML errors inside a Secret: an unterminated quote, a duplicated key, a tab.
  await writeFile(
    path.join(dir, 'invalid/broken.yaml'),
    `kind: Secret\napiVersion: v1\nmetadata: {name: b}\nstringData:\n  p: "${OLD}\n`,
  );
  await writeFile(
    path.join(dir, 'invalid/dup.yaml'),
    `kind: Secret\napiVersion: v1\nmetadata: {name: d}\nstringData:\n  p: ${OLD}\n  p: ${NEW}\n\tq: ${OLD}\n`,
  );
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'dev@example.test');
  await git('config', 'user.name', 'Dev');
  commits.push(await commitAll(OLD, 'nginx:1.25', 'first version'));
  commits.push(await commitAll(NEW, 'nginx:1.26', 'rotate the password, new image'));
  // The revisions the daemon would have recorded, so `rollout undo|history` have something.
  const h = openHistoryStore({ stateDir: path.join(dir, '.skiff') });
  for (const [i, commit] of commits.entries())
    h.recordRevision({
      app: 'default',
      namespace: 'default',
      deployment: 'web',
      templateHash: `h${i}`,
      commit,
      author: 'Dev <dev@example.test>',
      subject: 'a change',
      at: 1_700_000_000_000 + i,
      revisionHistoryLimit: 10,
    });
  h.close();
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const R = ['--repo', 'repo'];

describe('a planted Secret value appears in no output', () => {
  it('read-only commands and dry runs', { timeout: 300_000 }, async () => {
    const [c1, c2] = [commits[0]!, commits[1]!];
    const outputs = await skiffAll([
      ...['text', 'json', 'github'].flatMap((o) => [
        ['validate', 'repo', '-o', o],
        ['validate', 'invalid', '-o', o],
      ]),
      ...['text', 'markdown', 'json'].flatMap((o) => [
        ['plan', ...R, '-o', o],
        ['plan', ...R, '--rev', c1, '-o', o],
      ]),
      ['diff', ...R, c1, c2],
      ['diff', ...R, c1, c2, '--all', '-o', 'json'],
      ['diff', ...R, c2, c1],
      ['set', 'image', 'deployment/web', 'web=nginx:1.27', '--dry-run', ...R],
      ['scale', 'deployment/web', '--replicas', '3', '--dry-run', ...R],
      ['rollout', 'undo', 'deployment/web', '--dry-run', ...R],
      ['rollout', 'undo', 'deployment/web', '--to-revision', '1', '--dry-run', ...R],
      ['rollout', 'history', 'deployment/web', ...R],
      ['rollout', 'history', 'deployment/web', '-o', 'json', ...R],
      ['rollout', 'status', 'deployment/web', '--timeout', '1s', ...R],
      ['history', ...R],
      ['history', '-o', 'json', ...R],
      ['status', ...R],
      ['status', '-o', 'json', ...R],
      ...['secrets', 'deployments', 'pods', 'events'].flatMap((k) => [
        ['get', k, ...R],
        ['get', k, '-o', 'json', ...R],
        ['get', k, '-o', 'yaml', ...R],
        ['get', k, '-o', 'skiff-json', ...R],
      ]),
      ['describe', 'deployment/web', ...R],
    ]);
    for (const o of outputs) expectNoSecret(o);
    const byCmd = (prefix: string) => outputs.find((o) => o.args.join(' ').startsWith(prefix))!;
    // The invalid Secrets are reported (at their values), without quoting them.
    expect(byCmd('validate invalid -o text').code).toBe(1);
    expect(byCmd('validate invalid -o text').stdout).toContain('data.notbase64');
    // Reverting the rotation shows the Secret changed, on both sides redacted.
    const undo = byCmd('rollout undo deployment/web --dry-run');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('-  password: <redacted>\n+  password: <redacted: changed>');
    expect(undo.stdout).toContain('-          image: nginx:1.26\n+          image: nginx:1.25');
    expect(undo.stdout).toContain('"<redacted: changed>"'); // api.json
    // A dry run whose patch has a Secret for context shows the context redacted.
    const set = byCmd('set image');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('+          image: nginx:1.27');
    expect(byCmd('diff --repo repo').stdout).toContain('secret/db');
    // The Secret just above the Deployment is context of the replicas line, redacted.
    const scale = byCmd('scale');
    expect(scale.stdout).toContain('   token: <redacted>\n ---\n spec:\n-  replicas: 1\n');
    expect(scale.stdout).toContain('+  replicas: 3');
  });

  it('the real entry point: rollout undo --dry-run of a rotation', { timeout: 120_000 }, async () => {
    const o = await skiffBin(['rollout', 'undo', 'deployment/web', '--dry-run', ...R]);
    expectNoSecret(o);
    expect(o.code).toBe(0);
    expect(o.stdout).toContain('+  password: <redacted: changed>');
  });

  it('commits skiff makes', { timeout: 120_000 }, async () => {
    const before = await git('rev-parse', 'HEAD');
    const author = ['--author', 'Ops <ops@example.test>'];
    const outputs = await skiffAll([
      ['set', 'image', 'deployment/web', 'web=nginx:1.27', ...author, ...R],
      ['scale', 'deployment/web', '--replicas', '2', ...author, ...R],
      ['rollout', 'undo', 'deployment/web', ...author, ...R],
      ['rollout', 'undo', 'deployment/web', '--to-revision', '1', ...author, ...R],
    ]);
    for (const o of outputs) expectNoSecret(o);
    expect(outputs.filter((o) => o.code === 0).length).toBeGreaterThanOrEqual(4);
    const log = await git('log', '--format=%H%n%an%n%B', `${before}..HEAD`);
    expect(log).toContain('Ops');
    for (const s of FORBIDDEN) expect(log).not.toContain(s);
  });
});
