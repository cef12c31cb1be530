// A daemon restarted with a host gone from skiff.yaml still finds it (the state directory's
// host inventory), drives its removal through the passes, and once the host runs no skiff pod
// takes its Service rules and data dir off and forgets it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ClusterConfig,
  defaultClusterConfig,
  type HostConfig,
} from '../../../src/config/cluster-config.js';
import { createSkiffInstance } from '../../../src/daemon/skiff-instance.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import { fakeHosts } from './fixtures.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'skiff-removal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const log = pino({ level: 'silent' });

function configWith(names: string[]): ClusterConfig {
  const base = defaultClusterConfig(dir);
  const local = base.hosts[0]!;
  const hosts: HostConfig[] = names.map((name) => ({ ...local, name, dataDir: `/var/lib/skiff-${name}` }));
  return { ...base, hosts };
}

/** h1 and h2 were in skiff.yaml (the inventory knows them); the runtime of the restart without h1. */
async function restartedWithoutH1(): Promise<FakeRuntime> {
  await createSkiffInstance({
    config: configWith(['h1', 'h2']),
    log,
    runtime: new FakeRuntime(fakeHosts(2)),
  }).close();
  return new FakeRuntime(fakeHosts(2));
}

describe('a host removed from skiff.yaml across a daemon restart', () => {
  it('is found in the state directory, then its rules and data dir go and it is forgotten', async () => {
    const first = createSkiffInstance({
      config: configWith(['h1', 'h2']),
      log,
      runtime: new FakeRuntime(fakeHosts(2)),
    });
    expect(first.inventory.retiring()).toEqual([]);
    await first.close();

    // The restarted daemon's runtime still reaches h1 (DockerRuntime is given its details).
    const runtime = new FakeRuntime(fakeHosts(2));
    const ran: string[] = [];
    runtime.hostExecHandler = (host, command) => {
      ran.push(`${host}: ${command}`);
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const inst = createSkiffInstance({ config: configWith(['h2']), log, runtime });
    expect(inst.inventory.retiring().map((r) => r.host)).toEqual(['h1']);
    expect(inst.inventory.retiring()[0]!.config.dataDir).toBe('/var/lib/skiff-h1');
    const pass = await inst.reconciler.pass();
    expect(pass.result.forgetHosts).toEqual(['h1']);
    expect(pass.result.events.map((e) => e.reason)).toContain('HostRemoved');
    expect(runtime.hostInfo().map((h) => h.name)).toEqual(['h2']);
    expect(ran).toContain("h1: rm -rf -- '/var/lib/skiff-h1'");
    expect(inst.inventory.retiring()).toEqual([]);
    await inst.close();

    // Forgotten for good: the next restart removes nothing.
    const again = createSkiffInstance({
      config: configWith(['h2']),
      log,
      runtime: new FakeRuntime(fakeHosts(2)),
    });
    expect(again.inventory.retiring()).toEqual([]);
    await again.close();
  });

  it('keeps the removed host leased until it is forgotten, then releases it before its data dir goes', async () => {
    const runtime = await restartedWithoutH1();
    const steps: string[] = [];
    runtime.hostExecHandler = (host, command) => {
      if (command.startsWith('rm -rf')) steps.push(`rm ${host}`);
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const inst = createSkiffInstance({
      config: configWith(['h2']),
      log,
      runtime,
      releaseHostLease: async (host) => {
        steps.push(`release ${host}`);
        // Released once no round takes it again.
        expect(inst.leasedHosts().map((h) => h.name)).toEqual(['h2']);
      },
    });
    expect(inst.leasedHosts().map((h) => h.name)).toEqual(['h2', 'h1']);
    await inst.reconciler.pass();
    expect(steps).toEqual(['release h1', 'rm h1']);
    expect(inst.leasedHosts().map((h) => h.name)).toEqual(['h2']);
    await inst.close();
  });

  it('leases the host again when its data dir cannot be removed (the next pass retries)', async () => {
    const runtime = await restartedWithoutH1();
    runtime.hostExecHandler = (_host, command) =>
      command.startsWith('rm -rf')
        ? { exitCode: 1, stdout: '', stderr: 'Permission denied' }
        : { exitCode: 0, stdout: '', stderr: '' };
    const released: string[] = [];
    const inst = createSkiffInstance({
      config: configWith(['h2']),
      log,
      runtime,
      releaseHostLease: async (host) => void released.push(host),
    });
    await inst.reconciler.pass();
    expect(released).toEqual(['h1']);
    expect(inst.inventory.retiring().map((r) => r.host)).toEqual(['h1']);
    expect(inst.leasedHosts().map((h) => h.name)).toEqual(['h2', 'h1']);
    await inst.close();
  });
});
