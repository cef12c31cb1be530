// The cgroup read script itself, run by /bin/sh against cgroup trees laid out in a temporary
// folder the way hosts lay them out (v2 under the systemd driver, v1 with a cgroup parent and the
// usual cpu,cpuacct symlink): the testbed only has cgroup v1, so this is where v2 is executed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CGROUP_USAGE_SCRIPT, parseCgroupUsage } from '../../../src/runtime/cgroup-usage.js';

const A = 'a'.repeat(64);
const B = '0123456789abcdef'.repeat(4);
const roots: string[] = [];

function tree(files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'skiff-cgroup-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const [link, target] of Object.entries(links)) symlinkSync(target, join(root, link));
  return root;
}

function runAt(root: string): string {
  return execFileSync('/bin/sh', ['-c', CGROUP_USAGE_SCRIPT.replace('cd /sys/fs/cgroup', `cd ${root}`)], {
    encoding: 'utf8',
  });
}

afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('CGROUP_USAGE_SCRIPT on a host', () => {
  it('reads cgroup v2 containers under the systemd driver, and skips their nested cgroups', () => {
    const scope = `system.slice/docker-${A}.scope`;
    const root = tree({
      'cgroup.controllers': 'cpu memory',
      [`${scope}/cpu.stat`]: 'usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n',
      [`${scope}/memory.current`]: '4096\n',
      [`${scope}/memory.stat`]: 'anon 1000\nfile 3000\nactive_file 2000\ninactive_file 1024\n',
      [`${scope}/init.scope/cpu.stat`]: 'usage_usec 1\n',
      'system.slice/ssh.service/cpu.stat': 'usage_usec 99\n',
    });
    const r = parseCgroupUsage(runAt(root));
    expect(r.layout).toBe('v2');
    expect(r.uptimeMs).toBeGreaterThan(0);
    expect(r.containers).toEqual(new Map([[A, { cpuUsageNanos: 2_500_000, memoryBytes: 3072 }]]));
  });

  it('reads cgroup v1 containers below a cgroup parent, through the cpu,cpuacct symlink', () => {
    const root = tree(
      {
        [`cpu,cpuacct/skiff-tb/h1/${A}/cpuacct.usage`]: '517097830\n',
        [`cpu,cpuacct/skiff-tb/h1/${B}/cpuacct.usage`]: '27337116\n',
        [`memory/skiff-tb/h1/${A}/memory.usage_in_bytes`]: '1200000\n',
        [`memory/skiff-tb/h1/${A}/memory.stat`]: 'cache 5\ninactive_file 7\ntotal_inactive_file 200000\n',
        [`memory/skiff-tb/h1/${B}/memory.usage_in_bytes`]: '300000\n',
        [`memory/skiff-tb/h1/${B}/memory.stat`]: 'total_inactive_file 0\n',
      },
      { cpuacct: 'cpu,cpuacct' },
    );
    const r = parseCgroupUsage(runAt(root));
    expect(r.layout).toBe('v1');
    expect(r.containers).toEqual(
      new Map([
        [A, { cpuUsageNanos: 517_097_830, memoryBytes: 1_000_000 }],
        [B, { cpuUsageNanos: 27_337_116, memoryBytes: 300_000 }],
      ]),
    );
  });

  it('answers with no containers, successfully, where there are none', () => {
    const root = tree({ 'cpuacct/cpuacct.usage': '1\n', 'memory/memory.stat': 'total_inactive_file 0\n' });
    expect(parseCgroupUsage(runAt(root))).toMatchObject({ layout: 'v1', containers: new Map() });
  });
});
