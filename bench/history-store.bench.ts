// What recording costs a reconcile pass: each history-store write (real SQLite, WAL, in a temp
// state directory) against a baseline measured in the same run, a bare autocommit INSERT of
// three columns into the same database (the least any durable record costs). Also one host
// lease round on 3 hosts run by the local sh, against 3 parallel `sh -c true` (the least any
// remote command costs). Prints a markdown section for BENCHMARKS.md.
//
//   npx tsx bench/history-store.bench.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openHistoryStore } from '../src/history/history-store.js';
import { type HostExec, HostLease } from '../src/lease/host-lease.js';

const OPS = 5_000;
const RUNS = 5;
const LEASE_ROUNDS = 30;
const T0 = 1_700_000_000_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Median over RUNS of the mean µs per op of `fn(i)` for i in [0, OPS). */
function perOpMicros(setup: () => (i: number) => void, ops = OPS): number {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const fn = setup();
    const t = process.hrtime.bigint();
    for (let i = 0; i < ops; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - t) / 1000 / ops);
  }
  return median(samples);
}

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'skiff-bench-state-'));
  dirs.push(d);
  return d;
}

const rows: [string, number][] = [];

// Baseline: bare insert, same pragmas as the store.
const baseline = perOpMicros(() => {
  const db = new Database(join(freshDir(), 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE bare (a TEXT, b INTEGER, c TEXT)');
  const st = db.prepare('INSERT INTO bare (a, b, c) VALUES (?, ?, ?)');
  return (i) => st.run('shop', i, 'x');
});

function withStore(make: (store: ReturnType<typeof openHistoryStore>) => (i: number) => void) {
  return () => make(openHistoryStore({ stateDir: freshDir() }));
}

rows.push([
  'recordSync (Synced, new row)',
  perOpMicros(
    withStore((s) => (i) => {
      s.recordSync({
        app: 'shop',
        commit: `c${i}`,
        startedAt: T0 + i,
        finishedAt: T0 + i + 5,
        result: 'Synced',
        actions: { createPod: { done: 3 } },
      });
    }),
  ),
]);
rows.push([
  'recordSync (NoOp, folded)',
  perOpMicros(
    withStore((s) => (i) => {
      s.recordSync({
        app: 'shop',
        commit: 'c1',
        startedAt: T0 + i,
        finishedAt: T0 + i + 5,
        result: 'NoOp',
        actions: {},
      });
    }),
  ),
]);
rows.push([
  'recordEvent (new)',
  perOpMicros(
    withStore((s) => (i) => {
      s.recordEvent({
        type: 'Normal',
        reason: 'Created',
        object: `pod/web-${i}`,
        namespace: 'default',
        message: `Created container web`,
        at: T0 + i,
      });
    }),
  ),
]);
rows.push([
  'recordEvent (aggregated repeat)',
  perOpMicros(
    withStore((s) => (i) => {
      s.recordEvent({
        type: 'Warning',
        reason: 'BackOff',
        object: `pod/web-${i % 20}`,
        namespace: 'default',
        message: 'Back-off restarting failed container',
        at: T0 + i,
      });
    }),
  ),
]);
rows.push([
  'recordRevision (new template, limit 10)',
  perOpMicros(
    withStore((s) => (i) => {
      s.recordRevision({
        app: 'shop',
        namespace: 'default',
        deployment: `web-${i % 50}`,
        templateHash: `h${i}`,
        commit: `c${i}`,
        author: 'A <a@x>',
        subject: 's',
        at: T0 + i,
        revisionHistoryLimit: 10,
      });
    }),
  ),
]);
rows.push([
  'recordHpaDecision (steady, folded)',
  perOpMicros(
    withStore((s) => (i) => {
      s.recordHpaDecision({
        namespace: 'default',
        hpa: 'web',
        at: T0 + i,
        currentReplicas: 4,
        desiredReplicas: 4,
        reason: 'ReadyForNewScale',
        message: 'ok',
        metrics: [{ name: 'cpu', current: '60%', target: '70%' }],
      });
    }),
  ),
]);
rows.push([
  'listEvents (object, limit 50, 10k rows)',
  perOpMicros(
    withStore((s) => {
      for (let i = 0; i < 10_000; i++) {
        s.recordEvent({
          type: 'Normal',
          reason: 'Created',
          object: `pod/web-${i % 200}`,
          namespace: 'default',
          message: `m${i}`,
          at: T0 + i,
        });
      }
      return (i) => {
        s.listEvents({ object: `pod/web-${i % 200}`, namespace: 'default', limit: 50 });
      };
    }),
    1_000,
  ),
]);

// ---- host lease round, local sh
function runSh(command: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
  });
}

async function perRoundMillis(round: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < LEASE_ROUNDS; r++) {
    const t = process.hrtime.bigint();
    await round();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(samples);
}

const hosts = ['h1', 'h2', 'h3'];
const leaseRoot = freshDir();
const exec: HostExec = (_host, command) => runSh(command);
const lease = new HostLease({
  exec,
  hosts,
  leasePath: (h) => join(leaseRoot, h, 'lease.json'),
  identity: { id: 'bench-aaaaaaaaaaaa', description: 'bench' },
});
const shBaseline = await perRoundMillis(() => Promise.all(hosts.map(() => runSh('true'))));
const leaseRound = await perRoundMillis(() => lease.acquire(T0));

for (const d of dirs) rmSync(d, { recursive: true, force: true });

const fmt = (x: number) => x.toFixed(1);
const lines = [
  '## state: history store and host lease',
  '',
  `Measured ${new Date().toUTCString()}, 2 cores / 24 GiB, Node ${process.versions.node}, SQLite via better-sqlite3 (WAL, synchronous=NORMAL), temp dir on local disk. Median of ${RUNS} runs of ${OPS} ops.`,
  '',
  `Baseline: bare autocommit INSERT of 3 columns into the same kind of database: **${fmt(baseline)} µs/op**.`,
  '',
  '| operation | µs/op | x baseline |',
  '|---|---:|---:|',
  ...rows.map(([name, us]) => `| ${name} | ${fmt(us)} | ${(us / baseline).toFixed(2)} |`),
  '',
  `Host lease round on 3 hosts (read all, take the first host, then the rest in parallel; local sh stands in for SSH): **${leaseRound.toFixed(1)} ms** vs ${shBaseline.toFixed(1)} ms for 3 parallel \`sh -c true\` (x ${(leaseRound / shBaseline).toFixed(2)}; median of ${LEASE_ROUNDS} rounds). That is three sequential steps of one command each; over SSH each step adds one round trip on the persistent connections.`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
