// The lease's shell part, run by a real local `sh` in a temp directory per host: the same
// command text the daemon sends to the hosts over SSH.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LeaseDecision } from '../../../src/controllers/lease-decision.js';
import { readDaemonIdentity } from '../../../src/lease/daemon-identity.js';
import { type HostExec, HostLease } from '../../../src/lease/host-lease.js';
import { renderLeaseCommand } from '../../../src/lease/lease-script.js';
import { tempStateDir } from '../history/temp-state-dir.js';

const NOW = 1_700_000_000_000;
const A = { id: 'ci-01-aaaaaaaaaaaa', description: 'ci-01 pid 100 /var/lib/skiff' };
const B = { id: 'ops-02-bbbbbbbbbbbb', description: 'ops-02 pid 200 /srv/skiff' };

interface ExecOptions {
  unreachable?: Set<string>;
  /** Extra environment per host (e.g. a PATH without flock). */
  env?: Record<string, NodeJS.ProcessEnv>;
  /** Runs before each command: lets a test change a host between two steps. */
  before?: (host: string, command: string) => void;
  banner?: string;
}

/** Runs the command with the real /bin/sh, as a login shell on the host would. */
function localShellExec(opts: ExecOptions = {}): HostExec {
  return (host, command) => {
    if (opts.unreachable?.has(host)) return Promise.reject(new Error(`connect EHOSTUNREACH ${host}`));
    opts.before?.(host, command);
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], { env: opts.env?.[host] ?? process.env });
      let stdout = opts.banner ?? '';
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
  };
}

function cluster(hosts = ['h1', 'h2', 'h3']) {
  const root = tempStateDir();
  const leasePath = (h: string) => join(root, h, 'skiff data', 'lease.json');
  const readLease = (h: string) => JSON.parse(readFileSync(leasePath(h), 'utf8')) as Record<string, unknown>;
  const writeLease = (h: string, holder: string, expiresAt: number, description = 'someone') => {
    mkdirSync(join(root, h, 'skiff data'), { recursive: true });
    writeFileSync(
      leasePath(h),
      `${JSON.stringify({ version: 1, holder, description, acquiredAt: expiresAt - 30_000, renewedAt: expiresAt - 30_000, expiresAt })}\n`,
    );
  };
  const daemon = (identity: { id: string; description: string }, exec: HostExec = localShellExec()) =>
    new HostLease({ exec, hosts, leasePath, identity });
  return { root, hosts, leasePath, readLease, writeLease, daemon };
}

describe('host lease on real sh', () => {
  it('reads no lease on fresh hosts, and reports each host clock', async () => {
    const c = cluster();
    const readings = await c.daemon(A).read();
    expect(readings.map((r) => r.kind)).toEqual(['read', 'read', 'read']);
    for (const r of readings) {
      expect(r.kind === 'read' && r.lease).toBeFalsy();
      // The host clock is a real ms timestamp (date +%s%3N, or seconds * 1000).
      expect(r.kind === 'read' && Math.abs(r.hostNow - Date.now()) < 60_000).toBe(true);
    }
  });

  it('takes free hosts, writing the lease on each, and renews keeping acquiredAt', async () => {
    const c = cluster();
    const a = c.daemon(A);
    const round = await a.acquire(NOW);
    expect(round.decision).toMatchObject({ kind: 'act', hosts: ['h1', 'h2', 'h3'], unreachable: [] });
    // Valid for the lease duration from `now` (the host clock is read after `now` was taken).
    expect(round.decision.kind === 'act' && round.decision.validUntil).toBeLessThanOrEqual(NOW + 30_000);
    expect(round.decision.kind === 'act' && round.decision.validUntil).toBeGreaterThan(NOW + 25_000);
    const first = c.readLease('h2');
    expect(first).toMatchObject({ version: 1, holder: A.id, description: A.description });
    expect((first.expiresAt as number) - (first.renewedAt as number)).toBe(30_000);
    const renewed = await a.acquire(NOW + 10_000);
    expect(renewed.decision.kind).toBe('act');
    const second = c.readLease('h2');
    expect(second.acquiredAt).toBe(first.acquiredAt);
    expect(second.renewedAt as number).toBeGreaterThanOrEqual(first.renewedAt as number);
  });

  it('keeps a second daemon on standby while the first holds the hosts, then lets it in after release', async () => {
    const c = cluster();
    const a = c.daemon(A);
    const b = c.daemon(B);
    await a.acquire(NOW);
    const waiting = await b.acquire(NOW);
    expect(waiting.decision).toMatchObject({
      kind: 'standby',
      reason: 'HeldByOther',
      holder: A.id,
      heldOn: ['h1', 'h2', 'h3'],
      message: expect.stringMatching(
        /^standby: hosts leased by ci-01 pid 100 \/var\/lib\/skiff until \S+Z \(h1, h2, h3\)$/,
      ),
    });
    // B wrote nothing.
    expect(c.readLease('h1').holder).toBe(A.id);
    await a.release();
    for (const h of c.hosts) expect(existsSync(c.leasePath(h))).toBe(false);
    expect((await b.acquire(NOW + 1)).decision.kind).toBe('act');
    expect(c.readLease('h3').holder).toBe(B.id);
  });

  it('takes over an expired lease of another daemon', async () => {
    const c = cluster();
    c.writeLease('h1', B.id, 1_000); // expired long ago in the host clock
    const round = await c.daemon(A).acquire(NOW);
    expect(round.decision.kind).toBe('act');
    expect(c.readLease('h1').holder).toBe(A.id);
  });

  it('stays on standby when another daemon holds just one reachable host, taking none', async () => {
    const c = cluster();
    c.writeLease('h2', B.id, Date.now() + 60_000, 'ops-02 pid 200 /srv/skiff');
    const round = await c.daemon(A).acquire(NOW);
    expect(round.decision).toMatchObject({ kind: 'standby', reason: 'HeldByOther', heldOn: ['h2'] });
    expect(existsSync(c.leasePath('h1'))).toBe(false);
    expect(existsSync(c.leasePath('h3'))).toBe(false);
  });

  it('stops at the first host when another daemon took it between the read and the take', async () => {
    const c = cluster();
    let injected = false;
    const exec = localShellExec({
      before: (host, command) => {
        if (host === 'h1' && command.includes("OP='\\''acquire'\\''") && !injected) {
          injected = true;
          c.writeLease('h1', B.id, Date.now() + 60_000);
        }
      },
    });
    const round = await c.daemon(A, exec).acquire(NOW);
    expect(round.decision).toMatchObject({
      kind: 'standby',
      reason: 'HeldByOther',
      heldOn: ['h1'],
      release: [],
    });
    expect(existsSync(c.leasePath('h2'))).toBe(false);
    expect(existsSync(c.leasePath('h3'))).toBe(false);
  });

  it('gives back what it took when another daemon wins a later host between its read and its take', async () => {
    const c = cluster();
    let injected = false;
    const exec = localShellExec({
      before: (host, command) => {
        // B takes h2 right after A read everything as free and before A's take of h2.
        // (the script travels single-quoted, so its own quotes appear as '\'')
        if (host === 'h2' && command.includes("OP='\\''acquire'\\''") && !injected) {
          injected = true;
          c.writeLease('h2', B.id, Date.now() + 60_000);
        }
      },
    });
    const round = await c.daemon(A, exec).acquire(NOW);
    expect(round.decision).toMatchObject({
      kind: 'standby',
      reason: 'HeldByOther',
      heldOn: ['h2'],
    });
    // A had taken h1 first (sorted order), then h3 alongside h2; it gave both back.
    expect(round.decision.kind === 'standby' && [...round.decision.release].sort()).toEqual(['h1', 'h3']);
    expect(existsSync(c.leasePath('h1'))).toBe(false);
    expect(c.readLease('h2').holder).toBe(B.id);
    expect(existsSync(c.leasePath('h3'))).toBe(false);
  });

  // Six rounds of two racing daemons, each a real sh per host under flock: about 1 s alone,
  // over 5 s on a machine running other suites beside it, hence the longer timeout.
  it('never lets two daemons act in the same round, racing on the same hosts', async () => {
    const c = cluster();
    const a = c.daemon(A);
    const b = c.daemon(B);
    for (let round = 0; round < 6; round++) {
      const [ra, rb] = await Promise.all([a.acquire(NOW), b.acquire(NOW)]);
      const acting = [ra, rb].filter((r) => r.decision.kind === 'act');
      expect(acting).toHaveLength(1);
      const winner = ra.decision.kind === 'act' ? A.id : B.id;
      for (const h of c.hosts) expect(c.readLease(h).holder).toBe(winner);
      if (round % 2 === 1) await (winner === A.id ? a : b).release();
    }
  }, 30_000);

  it('ignores unreachable hosts and acts on the others', async () => {
    const c = cluster();
    const exec = localShellExec({ unreachable: new Set(['h3']) });
    const round = await c.daemon(A, exec).acquire(NOW);
    expect(round.decision).toMatchObject({ kind: 'act', hosts: ['h1', 'h2'], unreachable: ['h3'] });
    expect(round.readings[2]).toEqual({
      host: 'h3',
      kind: 'unreachable',
      message: 'connect EHOSTUNREACH h3',
    });
  });

  it('treats ssh exit 255 as unreachable', async () => {
    const c = cluster(['h1']);
    const exec: HostExec = async () => ({
      exitCode: 255,
      stdout: '',
      stderr: 'ssh: connect to host h1 port 22: No route to host\n',
    });
    const readings = await c.daemon(A, exec).read();
    expect(readings).toEqual([
      { host: 'h1', kind: 'unreachable', message: 'ssh: connect to host h1 port 22: No route to host' },
    ]);
  });

  it('stays on standby when a host has no flock, saying so', async () => {
    const c = cluster(['h1', 'h2']);
    // h2's PATH has only what the script needs before it looks for flock.
    const bin = join(c.root, 'bin-without-flock');
    mkdirSync(bin);
    for (const tool of ['sh', 'dirname', 'mkdir']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    const exec = localShellExec({ env: { h2: { PATH: bin } } });
    const round = await c.daemon(A, exec).acquire(NOW);
    expect(round.decision).toMatchObject({
      kind: 'standby',
      reason: 'LeaseError',
      failed: ['h2'],
      message: 'standby: cannot lease h2 (flock not found on h2 (install util-linux))',
    });
    expect(existsSync(c.leasePath('h1'))).toBe(false);
  });

  it('reads past a login banner and overwrites an unreadable lease file', async () => {
    const c = cluster(['h1']);
    mkdirSync(join(c.root, 'h1', 'skiff data'), { recursive: true });
    writeFileSync(c.leasePath('h1'), 'garbage from a crashed editor');
    const exec = localShellExec({ banner: 'Welcome to h1!\nLast login: yesterday\n' });
    const round = await c.daemon(A, exec).acquire(NOW);
    expect(round.decision.kind).toBe('act');
    expect(c.readLease('h1').holder).toBe(A.id);
  });

  it('release leaves another holder’s lease alone', async () => {
    const c = cluster(['h1']);
    c.writeLease('h1', B.id, Date.now() + 60_000);
    await c.daemon(A).release();
    expect(c.readLease('h1').holder).toBe(B.id);
  });

  it('keeps quotes in the lease path and description safe', async () => {
    const root = tempStateDir();
    const leasePath = join(root, "it's $HOME `x`", 'lease.json');
    const lease = new HostLease({
      exec: localShellExec(),
      hosts: ['h1'],
      leasePath,
      identity: { id: A.id, description: 'evil "quote" \\ $(rm -rf /) `x`' },
    });
    expect((await lease.acquire(NOW)).decision.kind).toBe('act');
    const written = JSON.parse(readFileSync(leasePath, 'utf8')) as { description: string };
    expect(written.description).toBe('evil _quote_ _ _(rm -rf /) _x_');
  });

  it('refuses a holder id that is not plain (a bug)', () => {
    expect(() =>
      renderLeaseCommand({
        op: 'read',
        leasePath: '/x',
        holder: "a'b",
        description: '',
        durationMs: 1,
        lockWaitSeconds: 1,
      }),
    ).toThrow(/^bug: /);
  });
});

describe('daemon identity', () => {
  it('is stable for one state directory and differs across state directories and hosts', () => {
    const dir = tempStateDir();
    const first = readDaemonIdentity(dir, 'ci-01');
    expect(readDaemonIdentity(dir, 'ci-01')).toEqual(first);
    expect(first.id).toMatch(/^ci-01-[0-9a-f]{12}$/);
    expect(first.description).toContain(`ci-01 pid ${process.pid}`);
    expect(readDaemonIdentity(tempStateDir(), 'ci-01').id).not.toBe(first.id);
    expect(readDaemonIdentity(dir, 'ci-02').id).not.toBe(first.id);
  });

  it('makes a plain holder id from an odd hostname', () => {
    expect(readDaemonIdentity(tempStateDir(), 'my host_with*chars').id).toMatch(
      /^my-host-with-chars-[0-9a-f]{12}$/,
    );
  });
});

// Two daemons on either side of a network partition, each a HostLease over the real lease
// command, with the hosts' clock a file (a `date` shim first in PATH) so time moves without
// sleeping. The partition is in each daemon's exec: a host on the other side rejects like an
// unreachable one. At no step may both daemons act.
const PARTITION_HOSTS = ['h1', 'h2', 'h3'];
const DURATION_MS = 3_000;
const STEP_MS = 500;

function partitionWorld() {
  const root = tempStateDir();
  const bin = join(root, 'bin');
  const clockFile = join(root, 'clock');
  mkdirSync(bin);
  // `date +%s%3N` in the script: the hosts' clock, in ms.
  writeFileSync(join(bin, 'date'), `#!/bin/sh\ncat '${clockFile}'\n`);
  chmodSync(join(bin, 'date'), 0o755);
  let now = NOW;
  const setClock = (t: number) => {
    now = t;
    writeFileSync(clockFile, `${t}\n`);
  };
  setClock(now);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  /** `cut`: the hosts this daemon cannot reach right now (changed between steps). */
  const exec = (cut: Set<string>): HostExec =>
    localShellExec({ unreachable: cut, env: Object.fromEntries(PARTITION_HOSTS.map((h) => [h, env])) });
  const daemon = (id: string, cut: Set<string>) =>
    new HostLease({
      exec: exec(cut),
      hosts: PARTITION_HOSTS,
      leasePath: (h) => join(root, h, 'lease.json'),
      identity: { id, description: `${id} pid 1` },
      durationMs: DURATION_MS,
      // Time here is the clock file, not the wall clock: a slow sh under load is no timeout.
      stepTimeoutMs: 30_000,
    });
  return { now: () => now, setClock, daemon };
}

/** Acting at `t`: the last round said act and its majority is still sure to be live. */
const actingAt = (d: LeaseDecision | undefined, t: number) => d?.kind === 'act' && t < d.validUntil;

type Order = 'parallel' | 'b-first';

describe('host lease under a partition', () => {
  // 18 steps of two daemons, each round a real sh per host: about 2 s alone, 20 s on a machine
  // loaded by other suites (a sh start then takes 100 ms), hence the long timeout.
  it.each<[Order]>([['parallel'], ['b-first']])(
    'never lets both sides act, and one acts after healing (rounds %s)',
    async (order) => {
      const w = partitionWorld();
      const cutA = new Set<string>();
      const cutB = new Set<string>();
      const a = w.daemon('daemon-a', cutA);
      const b = w.daemon('daemon-b', cutB);
      let da: LeaseDecision | undefined;
      let db: LeaseDecision | undefined;
      const trace: string[] = [];
      const check = (step: number, phase: string) => {
        const t = w.now();
        const both = actingAt(da, t) && actingAt(db, t);
        trace.push(`${step} ${phase}: a=${da?.kind}/${reasonOf(da)} b=${db?.kind}/${reasonOf(db)}`);
        expect(both, trace.join('\n')).toBe(false);
      };
      const round = async (withA: boolean) => {
        const t = w.now();
        if (order === 'parallel' && withA) {
          [da, db] = await Promise.all([
            a.acquire(t).then((r) => r.decision),
            b.acquire(t).then((r) => r.decision),
          ]);
        } else {
          db = (await b.acquire(t)).decision;
          if (withA) da = (await a.acquire(t)).decision;
        }
      };
      const actedInPartition = { a: false, b: false };
      for (let step = 0; step < 18; step++) {
        if (step === 4) {
          // The partition: A reaches h1 and h2, B only h3.
          cutA.add('h3');
          for (const h of ['h1', 'h2']) cutB.add(h);
        }
        if (step === 12) {
          cutA.clear();
          cutB.clear();
        }
        // Time passed since the last round: the decisions then must still not overlap now.
        check(step, 'before');
        // B starts alone and holds every host before the partition.
        await round(step >= 2);
        check(step, 'after');
        if (step >= 4 && step < 12) {
          actedInPartition.a ||= actingAt(da, w.now());
          actedInPartition.b ||= actingAt(db, w.now());
        }
        w.setClock(w.now() + STEP_MS);
      }
      // B (the minority side) stood by at once; A took over once B's leases on h1, h2 ran out.
      expect(actedInPartition).toEqual({ a: true, b: false });
      // Healed: A, holding the majority, goes on acting; B sees A's leases and stands by.
      expect(actingAt(da, w.now() - STEP_MS)).toBe(true);
      expect(db).toMatchObject({ kind: 'standby', reason: 'HeldByOther', holder: 'daemon-a' });
      expect(da).toMatchObject({ kind: 'act', hosts: PARTITION_HOSTS });
    },
    120_000,
  );

  it('gives the minority side nothing to hold: it takes no lease, so the majority takes its hosts after healing', async () => {
    const w = partitionWorld();
    const cutB = new Set(['h1', 'h2']);
    const b = w.daemon('daemon-b', cutB);
    const r = await b.acquire(w.now());
    expect(r.decision).toMatchObject({
      kind: 'standby',
      reason: 'NoQuorum',
      message: 'standby: reaches 1 of 3 hosts (h3), acting needs a strict majority (2); unreachable: h1, h2',
    });
    const a = w.daemon('daemon-a', new Set());
    expect((await a.acquire(w.now())).decision).toMatchObject({ kind: 'act', hosts: PARTITION_HOSTS });
  });

  describe('a host that does not answer', () => {
    // h1 and h2 answer at once, as the lease command does when it takes the lease; h3 as told.
    const answer = (holder: string) =>
      `skiff-lease now=${NOW}\n${JSON.stringify({ version: 1, holder, description: 'a', acquiredAt: NOW, renewedAt: NOW, expiresAt: NOW + 30_000 })}\n`;
    const leaseWith = (h3: () => Promise<{ exitCode: number; stdout: string; stderr: string }>) =>
      new HostLease({
        exec: (host) =>
          host === 'h3' ? h3() : Promise.resolve({ exitCode: 0, stdout: answer('daemon-a'), stderr: '' }),
        hosts: PARTITION_HOSTS,
        leasePath: '/unused/lease.json',
        identity: { id: 'daemon-a', description: 'a' },
        durationMs: 30_000,
        stepTimeoutMs: 200,
      });
    const ok = async () => ({ exitCode: 0, stdout: answer('daemon-a'), stderr: '' });

    it('while we hold leases, is unreachable after the step timeout, and the majority renews in time', async () => {
      let h3 = ok;
      const lease = leaseWith(() => h3());
      expect((await lease.acquire(NOW)).decision.kind).toBe('act');
      // Now a partition drops h3's packets on its open SSH connection.
      h3 = () => new Promise(() => undefined);
      const started = Date.now();
      const r = await lease.acquire(NOW);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(r.decision).toMatchObject({
        kind: 'act',
        hosts: ['h1', 'h2'],
        unreachable: ['h3'],
        validUntil: NOW + 30_000,
      });
      expect(r.readings[2]).toEqual({ host: 'h3', kind: 'unreachable', message: 'no answer within 200 ms' });
    });

    it('while we hold nothing, is waited for as long as SSH takes (a slow first handshake is not a partition)', async () => {
      const slow = () =>
        new Promise<Awaited<ReturnType<typeof ok>>>((r) => setTimeout(() => void ok().then(r), 600));
      const r = await leaseWith(slow).acquire(NOW);
      expect(r.decision).toMatchObject({ kind: 'act', hosts: ['h1', 'h2', 'h3'], unreachable: [] });
    });
  });
});

function reasonOf(d: LeaseDecision | undefined): string {
  return d?.kind === 'standby' ? d.reason : '';
}
