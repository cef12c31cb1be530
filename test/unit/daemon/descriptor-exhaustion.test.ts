// Out of file descriptors (EMFILE), the daemon's code paths fail one call with a typed,
// retryable error and the process stays alive: a local command or shell that cannot start, and
// the API server refusing connections it cannot accept. Each case runs in a child node process
// with `ulimit -n 64`, fills the remaining descriptors, exercises the path, then frees them and
// shows the same path works again. The child runs the code bundled beforehand (as the shipped
// CLI runs it), not through tsx: tsx's loader would transform a module read late, spawning
// esbuild with no descriptor left, and fail the test for a reason that is not the daemon's.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
// Inside the checkout, so the bundles' package imports resolve from its node_modules.
const OUT = join(ROOT, 'node_modules', '.cache', 'skiff-descriptor-exhaustion');
const bundled = (p: string) => JSON.stringify(join(OUT, p.replace(/\.ts$/, '.mjs')));

beforeAll(async () => {
  await build({
    entryPoints: ['runtime/host-transport.ts', 'daemon/api-server.ts'].map((p) => join(ROOT, 'src', p)),
    outdir: OUT,
    outbase: join(ROOT, 'src'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
}, 60_000);

const FILL = `
import { closeSync, openSync } from 'node:fs';
const fds = [];
function fill() { try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (e) { if (e.code !== 'EMFILE') throw e; } }
function free() { for (const fd of fds.splice(0)) closeSync(fd); }
`;

function runLimited(script: string, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      '/bin/sh',
      ['-c', 'ulimit -n 64 && exec "$0" --input-type=module -e "$1"', process.execPath, script],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('descriptor exhaustion (ulimit -n 64)', () => {
  it('a local command and the local shell fail with a retryable error, and work again after', async () => {
    const script = `${FILL}
import { LocalTransport } from ${bundled('runtime/host-transport.ts')};
const t = new LocalTransport({ kind: 'local', name: 'local', address: '127.0.0.1', dockerSocket: '/nonexistent.sock', dataDir: '/tmp', labels: {}, taints: [] });
const seen = [];
for (const call of [() => t.exec('echo hi', undefined, 5000), () => t.runScript('echo hi', 5000)]) {
  // Filled before each call: a failed spawn closes what it had opened, freeing a few.
  fill();
  try { await call(); seen.push('no error'); } catch (e) { seen.push(e.code + ':' + e.retryable); }
}
free();
seen.push((await t.exec('echo hi', undefined, 5000)).stdout.trim());
seen.push((await t.runScript('echo hi', 5000)).stdout.trim());
t.close();
process.stdout.write(JSON.stringify(seen));
`;
    const r = await runLimited(script);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      'runtime.start-failed:true',
      'runtime.start-failed:true',
      'hi',
      'hi',
    ]);
  }, 30_000);

  it('the API server survives connections it cannot accept, and serves after', async () => {
    const script = `${FILL}
import { request } from 'node:http';
import { startApiServer } from ${bundled('daemon/api-server.ts')};
const errors = [];
const log = { error: (o) => errors.push(o.err?.code), child: () => log, warn() {}, info() {}, debug() {} };
const { server, address } = await startApiServer({ backend: {}, listen: '127.0.0.1:0', log });
// Served once before: what the answer loads lazily is loaded before descriptors run out.
await new Promise((done) => request('http://' + address + '/healthz', (res) => { res.resume(); res.on('end', done); }).end());
fill();
process.stdout.write('ready ' + address.split(':').pop() + '\\n');
process.stdin.once('data', () => {
  free();
  request('http://' + address + '/healthz', (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      process.stdout.write('done ' + JSON.stringify({ status: res.statusCode, body, errors: [...new Set(errors)] }) + '\\n');
      server.close();
      process.exit(0);
    });
  }).end();
});
`;
    let sent = false;
    const r = await runLimited(script, (out, child) => {
      const m = /ready (\d+)/.exec(out);
      if (!m || sent) return;
      sent = true;
      // Connections the child cannot accept (EMFILE at accept), then let it free descriptors.
      const sockets = Array.from({ length: 5 }, () =>
        connect(Number(m[1]), '127.0.0.1').on('error', () => {}),
      );
      setTimeout(() => {
        for (const s of sockets) s.destroy();
        child.stdin?.write('go\n');
      }, 500);
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const done = JSON.parse(/done (.*)/.exec(r.stdout)?.[1] ?? '{}');
    expect(done).toMatchObject({ status: 200, body: 'ok' });
  }, 30_000);
});
