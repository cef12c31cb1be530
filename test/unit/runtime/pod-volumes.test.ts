// emptyDir/hostPath binds, Memory emptyDirs as one tmpfs volume per pod, the hostPath type
// checks (run for real with /bin/sh in a temp dir) and the pod IP filled into env.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DesiredHostPath } from '../../../src/model/desired.js';
import type { HostPathType } from '../../../src/model/k8s.js';
import { LABELS } from '../../../src/model/labels.js';
import { planPod } from '../../../src/runtime/pod-spec.js';
import { envWithPodIP, folderVolumes, hostPathScript } from '../../../src/runtime/pod-volumes.js';
import { sleeperPod } from './runtime-contract.js';

const POD = { namespace: 'default', name: 'p-1' };

describe('folderVolumes', () => {
  it('binds emptyDirs (subPath, readOnly) and hostPaths, Memory emptyDirs as a shared tmpfs volume', () => {
    const out = folderVolumes(POD, '/d/pods/default/p-1', {
      emptyDirs: [
        { name: 'cache', path: '/cache', subPath: 'a/b', readOnly: true },
        { name: 'mem', path: '/mem', memory: { sizeBytes: 16777216 } },
        { name: 'mem2', path: '/mem2', memory: {} },
      ],
      hostPaths: [
        { volume: 'h', hostPath: '/srv/x', volumePath: '/srv/x', type: '', path: '/x', readOnly: true },
      ],
    });
    expect(out.binds).toEqual(['/d/pods/default/p-1/empty/cache/a/b:/cache:ro', '/srv/x:/x:ro']);
    expect(out.dirs).toEqual(['/d/pods/default/p-1/empty/cache', '/d/pods/default/p-1/empty/cache/a/b']);
    expect(out.mounts).toEqual([
      {
        Type: 'volume',
        Source: 'skiff_default_p-1_mem_tmpfs',
        Target: '/mem',
        VolumeOptions: {
          Labels: { [LABELS.managed]: 'true', [LABELS.namespace]: 'default', [LABELS.pod]: 'p-1' },
          DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: 'size=16777216' } },
        },
      },
      expect.objectContaining({
        Source: 'skiff_default_p-1_mem2_tmpfs',
        VolumeOptions: expect.objectContaining({
          DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } },
        }),
      }),
    ]);
  });

  it('planPod gives both containers of a pod the same tmpfs volume', () => {
    const pod = sleeperPod('p-1', { image: 'x', containers: ['a', 'b'] });
    for (const c of pod.containers) c.emptyDirs = [{ name: 'mem', path: `/${c.name}`, memory: {} }];
    const plan = planPod(pod, { dataDir: '/d', pauseImage: 'p', createdAt: 0 });
    expect(plan.containers.map((b) => b.HostConfig.Mounts?.[0]?.Source)).toEqual([
      'skiff_default_p-1_mem_tmpfs',
      'skiff_default_p-1_mem_tmpfs',
    ]);
    expect(plan.paths).toEqual([]);
  });
});

describe('hostPathScript (run with /bin/sh)', () => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-hostpath-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'dir'));
  writeFileSync(join(root, 'file'), 'x');

  const hp = (rel: string, type: HostPathType, sub?: string): DesiredHostPath => ({
    volume: 'v',
    hostPath: join(root, rel, sub ?? ''),
    volumePath: join(root, rel),
    type,
    path: '/m',
  });
  const run = (h: DesiredHostPath) => {
    const script = hostPathScript({ containers: [{ hostPaths: [h] } as never] });
    const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    return { code: r.status, out: r.stdout.trim() };
  };

  it.each([
    ['dir', 'Directory', 0],
    ['file', 'File', 0],
    ['dir', '', 0],
    ['missing-any', '', 0],
    ['file', 'Directory', 1, 'is not a directory'],
    ['missing', 'Directory', 1, 'is not a directory'],
    ['dir', 'File', 1, 'is not a file'],
    ['dir', 'Socket', 1, 'is not a socket file'],
    ['dir', 'CharDevice', 1, 'is not a character device'],
    ['dir', 'BlockDevice', 1, 'is not a block device'],
    ['file', 'DirectoryOrCreate', 1, 'is not a directory'],
  ] as const)('%s as %s exits %i', (rel, type, code, message?: string) => {
    const r = run(hp(rel, type as HostPathType));
    expect(r.code).toBe(code);
    if (message)
      expect(r.out).toBe(
        `MountVolume.SetUp failed for volume "v" : hostPath type check failed: ${join(root, rel)} ${message}`,
      );
  });

  it('DirectoryOrCreate makes a 0755 folder, FileOrCreate an empty 0644 file', () => {
    expect(run(hp('made/dir', 'DirectoryOrCreate')).code).toBe(0);
    expect(statSync(join(root, 'made/dir')).mode & 0o777).toBe(0o755);
    expect(run(hp('made/f/file', 'FileOrCreate')).code).toBe(0);
    const st = statSync(join(root, 'made/f/file'));
    expect([st.isFile(), st.size, st.mode & 0o777]).toEqual([true, 0, 0o644]);
  });

  it('creates a missing subPath inside the volume, and is empty without hostPaths', () => {
    expect(run(hp('dir', 'Directory', 'sub/x')).code).toBe(0);
    expect(statSync(join(root, 'dir/sub/x')).isDirectory()).toBe(true);
    expect(hostPathScript({ containers: [{ hostPaths: [] } as never] })).toBe('');
  });

  it('quotes paths (a quote in a path is not a shell injection)', () => {
    const name = `we'ird; touch ${join(root, 'pwned')}; '`;
    expect(run(hp(name, 'DirectoryOrCreate')).code).toBe(0);
    expect(statSync(join(root, name)).isDirectory()).toBe(true);
    expect(execFileSync('ls', [root], { encoding: 'utf8' }).split('\n')).not.toContain('pwned');
  });
});

describe('envWithPodIP', () => {
  it('fills status.podIP fields and leaves the others', () => {
    expect(
      envWithPodIP(
        {
          env: [
            { name: 'A', value: '1', secret: false },
            { name: 'IP', value: '', secret: false, podField: 'status.podIP' },
            { name: 'IPS', value: '', secret: false, podField: 'status.podIPs' },
            { name: 'URL', value: 'http://$(IP):80/$(A)', secret: false, podField: 'expand' },
          ],
        },
        '172.17.0.4',
      ),
    ).toEqual(['A=1', 'IP=172.17.0.4', 'IPS=172.17.0.4', 'URL=http://172.17.0.4:80/$(A)']);
  });
});
