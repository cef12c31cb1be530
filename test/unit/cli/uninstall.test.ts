// `skiff uninstall --hosts`: against the fake runtime, every pod skiff labelled goes from every
// Ready host, then each host's data dir; Service rules go first; claim volumes only with
// --volumes; a host down or a failed step is said per host, never skipped in silence; a host
// still being removed from skiff.yaml (the state directory's inventory) is covered and named.
import { mkdirSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  registerUninstall,
  renderUninstall,
  uninstallEverywhere,
  uninstallHosts,
} from '../../../src/cli/commands/uninstall.js';
import {
  type ClusterConfig,
  defaultClusterConfig,
  type HostConfig,
} from '../../../src/config/cluster-config.js';
import type { Observed, ObservedClaimVolume } from '../../../src/model/observed.js';
import { FakeRuntime } from '../../../src/runtime/fake-runtime.js';
import type { HostSyncResult } from '../../../src/runtime/service-data-plane.js';
import { HostInventory } from '../../../src/state-dir/host-inventory.js';
import { tempStateDir } from '../history/temp-state-dir.js';
import { sleeperPod } from '../runtime/runtime-contract.js';

const hostConfig = (name: string, dataDir = '/var/lib/skiff'): HostConfig =>
  ({ kind: 'ssh', name, address: `10.0.0.${name.slice(1)}`, dataDir }) as HostConfig;
const fakeHost = (name: string) => ({
  name,
  kind: 'ssh' as const,
  address: `10.0.0.${name.slice(1)}`,
  labels: {},
  taints: [],
  capacity: { cpuMilli: 2000, memoryBytes: 2 * 1024 ** 3 },
});
const volume = { host: 'h1', volume: 'skiff-pvc_default_data', claim: 'data' } as ObservedClaimVolume;

async function world() {
  const rt = new FakeRuntime([fakeHost('h1'), fakeHost('h2')], { now: () => 1000 });
  await rt.createPod('h1', sleeperPod('web-1', { image: 'x', containers: ['app', 'sidecar'] }));
  await rt.createPod('h1', sleeperPod('web-2', { image: 'x' }));
  await rt.createPod('h2', sleeperPod('db-1', { image: 'x' }));
  const calls: string[] = [];
  const removedVolumes: string[] = [];
  const ports = {
    runtime: {
      observe: async (): Promise<Observed> => ({ ...(await rt.observe()), claimVolumes: [volume] }),
      deletePod: rt.deletePod.bind(rt),
      execOnHost: rt.execOnHost.bind(rt),
      removeClaimVolume: async (h: string, v: string) => void removedVolumes.push(`${h}/${v}`),
    },
    removeRules: async (o: Observed): Promise<HostSyncResult[]> => {
      calls.push(`rules with ${o.pods.length} pods live`);
      return o.hosts.map((h) => ({ host: h.name, outcome: 'applied', durationMs: 1 }) as HostSyncResult);
    },
  };
  return { rt, ports, calls, removedVolumes };
}

describe('skiff uninstall --hosts', () => {
  it('removes the rules first, then every pod and each data dir; volumes stay without --volumes', async () => {
    const w = await world();
    const config = { hosts: [hostConfig('h1'), hostConfig('h2', '/srv/skiff data')] };
    const out = await uninstallHosts(config, w.ports, { volumes: false });
    expect(w.calls).toEqual(['rules with 3 pods live']);
    expect((await w.rt.observe()).pods).toEqual([]);
    expect(w.rt.hostCommands('h1').map((c) => c.command)).toContain("rm -rf -- '/var/lib/skiff'");
    expect(w.rt.hostCommands('h2').map((c) => c.command)).toContain("rm -rf -- '/srv/skiff data'");
    expect(w.removedVolumes).toEqual([]);
    expect(out).toEqual([
      { host: 'h1', pods: 2, volumes: 0, problems: [] },
      { host: 'h2', pods: 1, volumes: 0, problems: [] },
    ]);
    expect(renderUninstall(out, (h) => config.hosts.find((x) => x.name === h)!.dataDir)).toBe(
      'host/h1: 2 pod(s) deleted, 0 volume(s) removed, Service rules and /var/lib/skiff removed\n' +
        'host/h2: 1 pod(s) deleted, 0 volume(s) removed, Service rules and /srv/skiff data removed\n',
    );
  });

  it("with --volumes, the claims' volumes go too", async () => {
    const w = await world();
    const out = await uninstallHosts({ hosts: [hostConfig('h1'), hostConfig('h2')] }, w.ports, {
      volumes: true,
    });
    expect(w.removedVolumes).toEqual(['h1/skiff-pvc_default_data']);
    expect(out[0]).toMatchObject({ host: 'h1', volumes: 1, problems: [] });
  });

  it.each([
    [
      'a host down: nothing removed there, said so',
      (w: Awaited<ReturnType<typeof world>>) => w.rt.setHostReachable('h2', false),
      /^host\/h2: not reachable \(.*\): nothing removed$/m,
    ],
    [
      'a data dir it cannot remove',
      (w: Awaited<ReturnType<typeof world>>) => {
        w.rt.hostExecHandler = () => ({ exitCode: 1, stdout: '', stderr: 'rm: Permission denied\n' });
      },
      /^host\/h1: incomplete: cannot remove \/var\/lib\/skiff: rm: Permission denied$/m,
    ],
    [
      'Service rules it cannot remove',
      (w: Awaited<ReturnType<typeof world>>) => {
        w.ports.removeRules = async () => [
          {
            host: 'h1',
            outcome: 'failed',
            durationMs: 1,
            error: { code: 'x', message: 'iptables: locked', retryable: true },
          },
        ];
      },
      /^host\/h1: incomplete: Service rules: iptables: locked$/m,
    ],
  ])('%s', async (_name, arrange, line) => {
    const w = await world();
    arrange(w);
    const config = { hosts: [hostConfig('h1'), hostConfig('h2')] };
    const out = await uninstallHosts(config, w.ports, { volumes: false });
    expect(out.some((r) => r.problems.length > 0)).toBe(true);
    expect(renderUninstall(out, () => '/var/lib/skiff')).toMatch(line);
  });

  it.each([[['uninstall']], [['uninstall', '--hosts']], [['uninstall', '--yes']]])(
    '%j is refused before anything is read: it needs --hosts --yes',
    async (argv) => {
      const program = new Command('skiff').exitOverride();
      registerUninstall(program);
      const err = await program.parseAsync(argv, { from: 'user' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'usage', hint: expect.stringMatching(/--hosts --yes/) });
    },
  );

  describe('hosts still being removed from skiff.yaml', () => {
    /** skiff.yaml had h1 and h2, now only h2: h1 is in the inventory as being removed. */
    function removedH1(): ClusterConfig {
      const config = { ...defaultClusterConfig(tempStateDir()), hosts: [hostConfig('h2')] };
      mkdirSync(config.daemon.stateDir, { recursive: true });
      const inventory = new HostInventory(config.daemon.stateDir);
      inventory.update([hostConfig('h1', '/srv/old'), hostConfig('h2')], 1, false);
      inventory.update([hostConfig('h2')], 2, false);
      return config;
    }

    it('are covered and named, and forgotten once skiff is off them', async () => {
      const w = await world();
      const config = removedH1();
      let opened: string[] = [];
      let text = '';
      const out = await uninstallEverywhere(
        config,
        async (c) => {
          opened = c.hosts.map((h) => h.name);
          return { ...w.ports, close: async () => undefined };
        },
        { volumes: false },
        (t) => {
          text += t;
        },
      );
      // The runtime is opened with the removed host's details too.
      expect(opened).toEqual(['h2', 'h1']);
      expect(out).toEqual([
        { host: 'h2', pods: 1, volumes: 0, problems: [] },
        { host: 'h1', removing: true, pods: 2, volumes: 0, problems: [] },
      ]);
      expect((await w.rt.observe()).pods).toEqual([]);
      expect(w.rt.hostCommands('h1').map((c) => c.command)).toContain("rm -rf -- '/srv/old'");
      expect(text).toBe(
        'host/h2: 1 pod(s) deleted, 0 volume(s) removed, Service rules and /var/lib/skiff removed\n' +
          'host/h1 (being removed from skiff.yaml): 2 pod(s) deleted, 0 volume(s) removed, Service rules and /srv/old removed\n',
      );
      expect(new HostInventory(config.daemon.stateDir).retiring()).toEqual([]);
    });

    it('stay in the inventory when skiff could not be taken off them', async () => {
      const w = await world();
      w.rt.setHostReachable('h1', false);
      const config = removedH1();
      let text = '';
      const out = await uninstallEverywhere(
        config,
        async () => ({ ...w.ports, close: async () => undefined }),
        { volumes: false },
        (t) => {
          text += t;
        },
      );
      expect(out[1]).toMatchObject({ host: 'h1', removing: true, pods: 0 });
      expect(text).toMatch(
        /^host\/h1 \(being removed from skiff.yaml\): not reachable \(.*\): nothing removed$/m,
      );
      expect(new HostInventory(config.daemon.stateDir).retiring().map((r) => r.host)).toEqual(['h1']);
    });

    it('none without an inventory: only the config hosts', async () => {
      const w = await world();
      const config = { ...defaultClusterConfig(tempStateDir()), hosts: [hostConfig('h1'), hostConfig('h2')] };
      const out = await uninstallEverywhere(
        config,
        async () => ({ ...w.ports, close: async () => undefined }),
        { volumes: false },
        () => undefined,
      );
      expect(out.map((r) => [r.host, r.removing])).toEqual([
        ['h1', undefined],
        ['h2', undefined],
      ]);
    });
  });
});
