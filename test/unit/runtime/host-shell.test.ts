// HostShell's framing over a fake shell process that answers the way `sh` does: scripts run one
// at a time, the answer ends at the nonce markers (output that imitates a marker does not end
// it), answers split over chunks, a timeout or a dying shell fails the script and the next
// call starts a new shell. Then the same framing against a real local /bin/sh: stderr kept
// apart, stdin as a here-document, the shell's state surviving a script's `exit` and `cd`.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HostShell, type ShellProcess } from '../../../src/runtime/host-shell.js';

type Answer = { output: string; status: number; stderr?: string; chunks?: number } | 'hang' | 'die';

/** A shell that reads HostShell's request lines and answers from `answer(script)`. */
function fakeShells(answer: (script: string) => Answer) {
  const started: { scripts: string[]; killed: boolean }[] = [];
  const start = async (): Promise<ShellProcess> => {
    const input = new PassThrough();
    const output = new PassThrough();
    const record = { scripts: [] as string[], killed: false };
    started.push(record);
    let pending = '';
    input.on('data', (d: Buffer) => {
      pending += d.toString();
      for (;;) {
        const m =
          /^[^\n]*\n\( ([\s\S]*?)\n\) 2>"\$__skiff_err" <\/dev\/null; printf '\\n%s %s\\n' (__skiff_done_[0-9a-f]+) "\$\?"; [^\n]*\n/.exec(
            pending,
          );
        if (!m) return;
        pending = pending.slice(m[0].length);
        const script = m[1]!;
        record.scripts.push(script);
        const a = answer(script);
        if (a === 'hang') return;
        if (a === 'die') {
          output.end();
          return;
        }
        const text = `${a.output}\n${m[2]} ${a.status}\n${a.stderr ?? ''}\n${m[2]}\n`;
        const n = a.chunks ?? 1;
        const size = Math.ceil(text.length / n);
        for (let i = 0; i < text.length; i += size) output.write(text.slice(i, i + size));
      }
    });
    return {
      input,
      output,
      kill: () => {
        record.killed = true;
        output.end();
      },
    };
  };
  return { start, started };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('HostShell', () => {
  it('runs scripts in order on one shell, with their output and exit status', async () => {
    const f = fakeShells((s) => ({ output: `ran ${s}`, status: s === 'false' ? 1 : 0 }));
    const shell = new HostShell(f.start, 'host/h1');
    const [a, b, c] = await Promise.all([
      shell.run('echo a', 1000),
      shell.run('false', 1000),
      shell.run('multi\nline', 1000),
    ]);
    expect(a).toEqual({ exitCode: 0, stdout: 'ran echo a', stderr: '' });
    expect(b).toEqual({ exitCode: 1, stdout: 'ran false', stderr: '' });
    const e = fakeShells(() => ({ output: 'out', status: 2, stderr: 'oops\n' }));
    expect(await new HostShell(e.start, 'host/h1').run('x', 1000)).toEqual({
      exitCode: 2,
      stdout: 'out',
      stderr: 'oops\n',
    });
    expect(c?.stdout).toBe('ran multi\nline');
    expect(f.started).toHaveLength(1);
    expect(f.started[0]?.scripts).toEqual(['echo a', 'false', 'multi\nline']);
  });

  it('reassembles an answer split over many chunks, and keeps a trailing newline of the output', async () => {
    const f = fakeShells(() => ({ output: 'x'.repeat(5000), status: 0, chunks: 37 }));
    const shell = new HostShell(f.start, 'host/h1');
    expect((await shell.run('big', 1000)).stdout).toBe('x'.repeat(5000));
    const g = fakeShells(() => ({ output: 'line\n', status: 0 }));
    expect((await new HostShell(g.start, 'host/h1').run('nl', 1000)).stdout).toBe('line\n');
  });

  it('is not fooled by output that looks like a marker with another nonce', async () => {
    const f = fakeShells(() => ({ output: '__skiff_done_deadbeef 0\nreal end', status: 3 }));
    const r = await new HostShell(f.start, 'host/h1').run('sneaky', 1000);
    expect(r).toEqual({ exitCode: 3, stdout: '__skiff_done_deadbeef 0\nreal end', stderr: '' });
  });

  it('fails a script that outlives its timeout, kills that shell and starts a new one', async () => {
    vi.useFakeTimers();
    const f = fakeShells((s) => (s === 'hang' ? 'hang' : { output: 'ok', status: 0 }));
    const shell = new HostShell(f.start, 'host/h1');
    const hung = shell.run('hang', 500);
    const after = shell.run('next', 500);
    const failed = expect(hung).rejects.toMatchObject({ code: 'runtime.timeout', retryable: true });
    await vi.advanceTimersByTimeAsync(500);
    await failed;
    expect((await after).stdout).toBe('ok');
    expect(f.started.map((s) => s.killed)).toEqual([true, false]);
    expect(f.started[1]?.scripts).toEqual(['next']);
  });

  it('fails the script of a shell that ends, and the next call starts a new shell', async () => {
    const f = fakeShells((s) => (s === 'die' ? 'die' : { output: 'ok', status: 0 }));
    const shell = new HostShell(f.start, 'host/h1');
    await expect(shell.run('die', 1000)).rejects.toMatchObject({
      code: 'runtime.docker',
      message: 'the shell on host/h1 ended',
    });
    expect((await shell.run('again', 1000)).stdout).toBe('ok');
    expect(f.started).toHaveLength(2);
  });

  it('fails a call whose shell cannot start, and tries again on the next call', async () => {
    let attempts = 0;
    const f = fakeShells(() => ({ output: 'ok', status: 0 }));
    const shell = new HostShell(async () => {
      if (++attempts === 1) throw new Error('host/h1 is unreachable');
      return f.start();
    }, 'host/h1');
    await expect(shell.run('a', 1000)).rejects.toThrow('unreachable');
    expect((await shell.run('b', 1000)).stdout).toBe('ok');
  });
});

/** A real local `sh`, as LocalTransport starts it. */
async function localShell(): Promise<ShellProcess> {
  const child = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  return { input: child.stdin, output: child.stdout, kill: () => child.kill('SIGKILL') };
}

describe('HostShell on a real sh', () => {
  it('keeps stdout and stderr apart and returns the exit status', async () => {
    const shell = new HostShell(localShell, 'host/local');
    try {
      expect(await shell.run('echo out; echo err >&2; exit 3', 5000)).toEqual({
        exitCode: 3,
        stdout: 'out\n',
        stderr: 'err\n',
      });
      // The next script's stderr starts empty (the shell's err file is truncated per script).
      expect(await shell.run('printf x', 5000)).toEqual({ exitCode: 0, stdout: 'x', stderr: '' });
      expect(await shell.run('printf e >&2', 5000)).toEqual({ exitCode: 0, stdout: '', stderr: 'e' });
    } finally {
      shell.close();
    }
  });

  it('feeds stdin as a here-document, text that looks like a marker or a delimiter included', async () => {
    const shell = new HostShell(localShell, 'host/local');
    try {
      const text = "a line\n__skiff_in_0000\n__skiff_done_ffff 0\n$HOME `date` 'q'\nlast";
      expect((await shell.run('cat', 5000, text)).stdout).toBe(`${text}\n`);
      expect((await shell.run('wc -l', 5000, 'one\ntwo\n')).stdout.trim()).toBe('2');
      // Without stdin a script reads /dev/null, never the command stream.
      expect((await shell.run('cat', 5000)).stdout).toBe('');
    } finally {
      shell.close();
    }
  });

  it("survives a script's exit and cd: each runs in a subshell", async () => {
    const shell = new HostShell(localShell, 'host/local');
    try {
      await shell.run('cd /; exit 7', 5000);
      const here = (await shell.run('pwd', 5000)).stdout.trim();
      expect(here).toBe(process.cwd());
    } finally {
      shell.close();
    }
  });
});
