// The cgroup read's output, as the hosts print it: cgroup v1 (the testbed's, with
// --cgroup-parent), cgroup v2 under the systemd driver, and what the parser must skip.
import { describe, expect, it } from 'vitest';
import { CGROUP_USAGE_SCRIPT, parseCgroupUsage } from '../../../src/runtime/cgroup-usage.js';

const A = 'a'.repeat(64);
const B = `${'0123456789abcdef'.repeat(4)}`;

describe('parseCgroupUsage', () => {
  it('reads cgroup v1: cpuacct.usage ns, usage_in_bytes minus total_inactive_file', () => {
    const out = [
      'skiff-uptime 25466.26',
      'skiff-cgroup v1',
      `cpuacct/skiff-tb/h1/${A}/cpuacct.usage:517097830`,
      `cpuacct/skiff-tb/h1/${B}/cpuacct.usage:27337116`,
      `memory/skiff-tb/h1/${A}/memory.usage_in_bytes:1200000`,
      `memory/skiff-tb/h1/${B}/memory.usage_in_bytes:300000`,
      `memory/skiff-tb/h1/${A}/memory.stat:total_inactive_file 200000`,
      `memory/skiff-tb/h1/${B}/memory.stat:total_inactive_file 0`,
      'skiff-uptime-end 25466.30',
      '',
    ].join('\n');
    const r = parseCgroupUsage(out);
    expect(r.layout).toBe('v1');
    // The counters' time: midway between the uptime read before and after the files.
    expect(r.uptimeMs).toBe(25_466_280);
    expect(r.containers).toEqual(
      new Map([
        [A, { cpuUsageNanos: 517_097_830, memoryBytes: 1_000_000 }],
        [B, { cpuUsageNanos: 27_337_116, memoryBytes: 300_000 }],
      ]),
    );
  });

  it('reads cgroup v2 under the systemd driver: usage_usec, memory.current minus inactive_file', () => {
    const out = [
      'skiff-uptime 100.00',
      'skiff-cgroup v2',
      `./system.slice/docker-${A}.scope/cpu.stat:usage_usec 2500`,
      `./system.slice/docker-${A}.scope/memory.current:4096`,
      `./system.slice/docker-${A}.scope/memory.stat:inactive_file 1024`,
    ].join('\n');
    expect(parseCgroupUsage(out)).toEqual({
      layout: 'v2',
      uptimeMs: 100_000,
      containers: new Map([[A, { cpuUsageNanos: 2_500_000, memoryBytes: 3072 }]]),
    });
  });

  it('clamps the working set at zero when the inactive cache exceeds the usage', () => {
    const out = [
      'skiff-uptime 1.00',
      'skiff-cgroup v1',
      `cpuacct/docker/${A}/cpuacct.usage:1`,
      `memory/docker/${A}/memory.usage_in_bytes:100`,
      `memory/docker/${A}/memory.stat:total_inactive_file 500`,
    ].join('\n');
    expect(parseCgroupUsage(out).containers.get(A)?.memoryBytes).toBe(0);
  });

  it.each([
    ['a container missing its memory files (memory controller off)', [`cpuacct/docker/${A}/cpuacct.usage:1`]],
    [
      'a nested cgroup below a container (systemd inside it)',
      [
        `cpuacct/docker/${A}/init.scope/cpuacct.usage:1`,
        `memory/docker/${A}/init.scope/memory.usage_in_bytes:2`,
        `memory/docker/${A}/init.scope/memory.stat:total_inactive_file 0`,
      ],
    ],
    [
      'a directory that is 64 characters but not an id',
      [
        `cpuacct/x/${'z'.repeat(64)}/cpuacct.usage:1`,
        `memory/x/${'z'.repeat(64)}/memory.usage_in_bytes:2`,
        `memory/x/${'z'.repeat(64)}/memory.stat:total_inactive_file 0`,
      ],
    ],
    [
      'errors find and grep printed, and values that are not counters',
      [
        "find: 'memory/': No such file or directory",
        `cpuacct/docker/${A}/cpuacct.usage:-5`,
        `memory/docker/${A}/memory.usage_in_bytes:abc`,
        `memory/docker/${A}/memory.stat:total_inactive_file 0`,
      ],
    ],
  ])('skips %s', (_name, lines) => {
    const r = parseCgroupUsage(['skiff-uptime 1.00', 'skiff-cgroup v1', ...lines].join('\n'));
    expect(r.containers.size).toBe(0);
    expect(r.layout).toBe('v1');
  });

  it('reports a host without /sys/fs/cgroup, and output that is not the script’s', () => {
    expect(parseCgroupUsage('skiff-uptime 5.5\nskiff-cgroup none\n')).toEqual({
      layout: 'none',
      uptimeMs: 5500,
      containers: new Map(),
    });
    expect(parseCgroupUsage('sh: syntax error\n')).toEqual({
      layout: 'unknown',
      uptimeMs: undefined,
      containers: new Map(),
    });
  });
});

describe('CGROUP_USAGE_SCRIPT', () => {
  it('is one find and one awk per layout, and ends successfully whatever it found', () => {
    expect(CGROUP_USAGE_SCRIPT.match(/\bfind /g)).toHaveLength(2);
    expect(CGROUP_USAGE_SCRIPT.match(/ -prune -print \| awk '/g)).toHaveLength(2);
    expect(CGROUP_USAGE_SCRIPT.trim().endsWith('exit 0')).toBe(true);
    // The uptime is read by the shell itself, before and after the files.
    expect(CGROUP_USAGE_SCRIPT.match(/read skiff_up skiff_idle <\/proc\/uptime/g)).toHaveLength(2);
  });
});
