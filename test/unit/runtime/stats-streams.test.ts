import { describe, expect, it } from 'vitest';
import { DemuxTransform, demuxBuffer } from '../../../src/runtime/docker-streams.js';
import { Limiter } from '../../../src/runtime/limiter.js';
import {
  completeSample,
  cpuMillicores,
  type DockerStatsSample,
  enginePreviousPoint,
  workingSetBytes,
} from '../../../src/runtime/stats.js';

function frame(kind: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = kind;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}

describe('cpu and memory from Docker stats', () => {
  it.each([
    // container used 0.5 s of CPU while the 2-CPU host accumulated 2 s: half a CPU.
    [{ total: 1.5e9, system: 12e9 }, { total: 1e9, system: 10e9 }, 2, 500],
    [{ total: 3e9, system: 14e9 }, { total: 1e9, system: 10e9 }, 2, 1000],
    [{ total: 1e9, system: 10e9 }, { total: 1e9, system: 10e9 }, 2, 0], // no time passed
    [{ total: 0, system: 11e9 }, { total: 1e9, system: 10e9 }, 2, 0], // counter reset (new container)
  ])('cpuMillicores(%j, %j, %i cpus) = %i', (cur, prev, cpus, milli) => {
    expect(cpuMillicores(cur, prev, cpus)).toBe(milli);
  });

  const sample = (
    memory: DockerStatsSample['memory_stats'],
    pre?: DockerStatsSample['precpu_stats'],
  ): DockerStatsSample => ({
    read: '2024-01-01T00:00:00Z',
    cpu_stats: { cpu_usage: { total_usage: 10 }, system_cpu_usage: 100, online_cpus: 2 },
    precpu_stats: pre,
    memory_stats: memory,
  });

  it.each([
    [{ usage: 1000, stats: { total_inactive_file: 300 } }, 700], // cgroup v1
    [{ usage: 1000, stats: { inactive_file: 100 } }, 900], // cgroup v2
    [{ usage: 100, stats: { total_inactive_file: 300 } }, 0],
    [{}, 0],
  ])('working set of %j is %i bytes', (memory, bytes) => {
    expect(workingSetBytes(sample(memory))).toBe(bytes);
  });

  it('uses the engine previous point only when it is filled (not one-shot)', () => {
    expect(enginePreviousPoint(sample({}, { cpu_usage: { total_usage: 5 }, system_cpu_usage: 50 }))).toEqual({
      total: 5,
      system: 50,
    });
    expect(enginePreviousPoint(sample({}, { cpu_usage: {}, system_cpu_usage: 0 }))).toBeUndefined();
    expect(enginePreviousPoint(sample({}))).toBeUndefined();
  });

  // A container removed or stopped mid-read: the daemon once warned "Cannot read properties of
  // undefined (reading 'cpu_usage')" for the whole host; now it is that container's missing sample.
  it.each([
    ['an empty body', ''],
    ['null', null],
    ['no cpu_stats', { read: '2024-01-01T00:00:00Z', memory_stats: {} }],
    ['cpu_stats without cpu_usage', { read: '2024-01-01T00:00:00Z', cpu_stats: {}, memory_stats: {} }],
    [
      'the zeroed sample of a stopped container',
      { read: '0001-01-01T00:00:00Z', cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} },
    ],
  ])('takes %s as no sample', (_name, body) => {
    expect(completeSample(body)).toBeUndefined();
  });

  it('takes a complete sample as it is', () => {
    const s = sample({ usage: 5 });
    expect(completeSample(s)).toBe(s);
  });
});

describe('Docker multiplexed streams', () => {
  it('splits stdout and stderr frames', () => {
    const buf = Buffer.concat([frame(1, 'out1 '), frame(2, 'err'), frame(1, 'out2')]);
    const d = demuxBuffer(buf);
    expect([d.stdout.toString(), d.stderr.toString()]).toEqual(['out1 out2', 'err']);
  });

  it('reassembles frames split across chunks in follow mode', async () => {
    const buf = Buffer.concat([frame(1, 'hello '), frame(2, 'world')]);
    const t = new DemuxTransform();
    const out: Buffer[] = [];
    t.on('data', (d: Buffer) => out.push(d));
    const cuts = [0, 3, 9, 15, buf.length];
    for (let i = 1; i < cuts.length; i++) t.write(buf.subarray(cuts[i - 1], cuts[i]));
    t.end();
    await new Promise((r) => t.on('end', r));
    expect(Buffer.concat(out).toString()).toBe('hello world');
  });
});

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, in FIFO order', async () => {
    const l = new Limiter(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map(() => {
      let open!: () => void;
      const p = new Promise<void>((r) => (open = r));
      return { p, open };
    });
    const runs = gates.map((g, i) =>
      l.run(async () => {
        started.push(i);
        await g.p;
      }),
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(l.queued).toBe(2);
    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(l.active).toBe(0);
  });
});
